import type { RouteInventory } from '../inventory';
import { expandCandidates } from './candidates';

/** Deepest chain of routes a request may pass through (the top-level route counts as 1). */
export const MAX_DELEGATION_DEPTH = 8;

export type DelegationCheck = { ok: true } | { ok: false; reason: string };

/**
 * May a request that has passed through `chain` (route names, outermost first) enter `target`? Refused when `target`
 * is already in the chain (a loop) or when entering it would make the chain deeper than {@link MAX_DELEGATION_DEPTH}.
 */
export function checkDelegation(chain: readonly string[], target: string): DelegationCheck {
  if (chain.includes(target)) return { ok: false, reason: `delegation loop: ${[...chain, target].join(' → ')}` };
  if (chain.length + 1 > MAX_DELEGATION_DEPTH) {
    return { ok: false, reason: `delegation deeper than ${MAX_DELEGATION_DEPTH} routes: ${[...chain, target].join(' → ')}` };
  }
  return { ok: true };
}

/**
 * Static check of the global rotations: every rotation→rotation loop and every chain deeper than the limit, as
 * readable sentences (logged at start-up; requests meeting them are refused with LOOP_DETECTED).
 */
export function findDelegationProblems(inv: RouteInventory): string[] {
  const problems = new Set<string>();
  const edges = (id: string): string[] => {
    const r = inv.rotations[id];
    if (!r) return [];
    return expandCandidates(r, inv.providers).candidates.flatMap((c) => (c.kind === 'route' && c.target.kind === 'rotation' ? [c.target.id] : []));
  };
  const walk = (chain: string[]) => {
    for (const next of edges(chain[chain.length - 1]!)) {
      const names = chain.map((c) => `rotation/${c}`);
      const check = checkDelegation(names, `rotation/${next}`);
      if (!check.ok) {
        problems.add(`rotation/${chain[0]}: ${check.reason}`);
        continue;
      }
      walk([...chain, next]);
    }
  };
  for (const id of Object.keys(inv.rotations)) walk([id]);
  return [...problems];
}
