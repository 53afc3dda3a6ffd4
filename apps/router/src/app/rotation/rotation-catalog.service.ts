import type { CandidateState, Caller, RotationConfig } from '@aisbf/contracts';
import { AppError } from '@aisbf/platform-errors';
import { expandCandidates, routeSetOf, type Candidate, type ProviderCandidate, type RouteInventory } from '@aisbf/routing';
import { Inject, Injectable } from '@nestjs/common';
import { RouteInventoryService } from '../inventory/route-inventory.service';
import { MAX_PACE_WAIT_MS } from './attempt-runner.service';
import { describeDenial } from './failure-report';
import { CandidateStateStore, isUsable } from './state/candidate-state.store';

const redactEntry = (e: RotationConfig['providers'][number]) => {
  const { api_key, ...rest } = e;
  return api_key ? { ...rest, api_key: '***' } : rest;
};

/** The original's rotation listings (aisbf-behaviour §1.4–1.5), plus the live state of each candidate. */
@Injectable()
export class RotationCatalog {
  constructor(
    @Inject(RouteInventoryService) private readonly inventory: RouteInventoryService,
    @Inject(CandidateStateStore) private readonly store: CandidateStateStore,
  ) {}

  /** The global rotations: ordinary users get FORBIDDEN (their own rotations are listed under /api/u/{username}). */
  private async inv(caller: Caller): Promise<RouteInventory> {
    const inv = await this.inventory.forCaller(caller);
    routeSetOf(inv, 'global');
    return inv;
  }

  private rotation(inv: RouteInventory, id: string): RotationConfig {
    const r = inv.rotations[id];
    if (!r) throw new AppError('ROUTE_NOT_FOUND', `Rotation '${id}' not found. Available rotations: ${Object.keys(inv.rotations).join(', ') || '(none)'}`, { retryable: false });
    return r;
  }

  /** `GET /api/rotations`: `{<id>: {model_name, models: [{name, provider_id, weight, rate_limit}]}}`. */
  async list(caller: Caller): Promise<Record<string, unknown>> {
    const inv = await this.inv(caller);
    return Object.fromEntries(
      Object.entries(inv.rotations).map(([id, r]) => [
        id,
        {
          model_name: r.model_name,
          models: expandCandidates(r, inv.providers).candidates.map((c) => ({
            name: c.kind === 'provider' ? c.model : c.target.id,
            provider_id: c.kind === 'provider' ? c.providerId : c.target.kind,
            weight: c.weight,
            rate_limit: c.kind === 'provider' ? c.limits.rateLimitSec : 0,
          })),
        },
      ]),
    );
  }

  /** `GET /api/rotations/{id}`: `{id, model_name, providers}` (keys redacted) and the live state of its candidates. */
  async get(caller: Caller, id: string): Promise<Record<string, unknown>> {
    const inv = await this.inv(caller);
    const r = this.rotation(inv, id);
    const { candidates, issues } = expandCandidates(r, inv.providers);
    return {
      id,
      model_name: r.model_name,
      providers: r.providers.map(redactEntry),
      candidates: await this.states(candidates),
      ...(issues.length ? { issues: issues.map((i) => `entry ${i.entry} (${i.providerId}): ${i.reason}`) } : {}),
    };
  }

  /** `GET /api/rotations/models`: every rotation's members, flattened. */
  async models(caller: Caller): Promise<Array<Record<string, unknown>>> {
    const inv = await this.inv(caller);
    return Object.entries(inv.rotations).flatMap(([rotationId, r]) =>
      expandCandidates(r, inv.providers).candidates.map((c) =>
        c.kind === 'provider'
          ? {
              id: `${c.providerId}/${c.model}`,
              name: c.model,
              provider_id: c.providerId,
              rotation_id: rotationId,
              weight: c.weight,
              rate_limit: c.limits.rateLimitSec,
              context_window: c.limits.contextSize ?? null,
              capabilities: inv.providers[c.providerId]?.models?.find((m) => m.name === c.model)?.capabilities ?? r.capabilities ?? [],
            }
          : { id: c.label, name: c.target.id, provider_id: c.target.kind, rotation_id: rotationId, weight: c.weight, rate_limit: 0, context_window: null, capabilities: [] },
      ),
    );
  }

  /** Live state of candidates as every router sees it in Redis (no tokens needed: is anything blocking right now?). */
  async states(candidates: Candidate[]): Promise<CandidateState[]> {
    const providers = candidates.filter((c): c is ProviderCandidate => c.kind === 'provider');
    const statuses = await this.store.peekMany(
      providers.map((c) => ({
        ref: { scope: { kind: 'global' as const }, providerId: c.providerId, model: c.model },
        needs: { tokens: 0, tpm: c.limits.tpm, tph: c.limits.tph, tpd: c.limits.tpd, paceMs: 0, providerPaceMs: 0, maxPaceWaitMs: MAX_PACE_WAIT_MS, strict: true },
      })),
    );
    return candidates.map((c) => {
      if (c.kind === 'route') return { candidate: c.label, provider_id: c.target.kind, model: c.target.id, weight: c.weight, state: 'route' };
      const s = statuses[providers.indexOf(c)]!;
      if (isUsable(s)) return { candidate: c.label, provider_id: c.providerId, model: c.model, weight: c.weight, state: s.status === 'ok' ? 'available' : 'half_open' };
      return {
        candidate: c.label,
        provider_id: c.providerId,
        model: c.model,
        weight: c.weight,
        state: s.status,
        ...(s.until ? { until: s.until } : {}),
        detail: describeDenial(s.status, s.until, s.info, s.now),
      };
    });
  }
}
