import type { ProviderConfig, RotationConfig, RotationEntry } from '@aisbf/contracts';

/** Built-in `error_cooldown` when neither the model, the provider nor the rotation sets one (seconds). */
export const DEFAULT_ERROR_COOLDOWN_SEC = 300;

/** `provider_id` values that make a rotation entry a meta-provider: its model names are route ids. */
const META_ROTATION = new Set(['rotation', 'rotations']);
const META_AUTOSELECT = new Set(['autoselect', 'autoselects', 'autoselection', 'autoselections']);

/** Limits and defaults of one `(provider, model)` candidate after the `default_*` cascade. */
export interface CandidateLimits {
  /** Minimum seconds between two requests to this provider/model (`rate_limit`), 0 = none. */
  rateLimitSec: number;
  /** Minimum seconds between two requests to the provider as a whole (provider-level `rate_limit`), 0 = none. */
  providerRateLimitSec: number;
  tpm?: number;
  tph?: number;
  tpd?: number;
  /** Output cap used when the caller sends no `max_tokens` (also what the token reservation assumes). */
  maxTokens?: number;
  errorCooldownSec: number;
  contextSize?: number;
}

export interface ProviderCandidate {
  kind: 'provider';
  /** `<provider_id>/<model>`: how the candidate is named in reports and headers. */
  label: string;
  /** Position in the rotation's configuration (ties in weight are broken by it). */
  index: number;
  weight: number;
  scope: 'global' | 'user';
  providerId: string;
  model: string;
  limits: CandidateLimits;
}

/** A meta-provider candidate: another rotation or an autoselect, run recursively. */
export interface RouteCandidate {
  kind: 'route';
  /** `rotation/<id>` or `autoselect/<id>`. */
  label: string;
  index: number;
  weight: number;
  target: { kind: 'rotation' | 'autoselect'; id: string };
}

export type Candidate = ProviderCandidate | RouteCandidate;

/** An entry that contributes no candidate, and why (reported in failure reports and logged). */
export interface ExpansionIssue {
  entry: number;
  providerId: string;
  reason: string;
}

export interface Expansion {
  candidates: Candidate[];
  issues: ExpansionIssue[];
}

type Settings = Partial<Pick<RotationEntry, 'rate_limit' | 'rate_limit_TPM' | 'rate_limit_TPH' | 'rate_limit_TPD' | 'max_tokens' | 'error_cooldown' | 'context_size'>>;

const first = <T>(...xs: Array<T | undefined | null>): T | undefined => xs.find((x) => x !== undefined && x !== null) ?? undefined;

/**
 * The `default_*` cascade (docs/rotations.md):
 * - limits (`rate_limit`, `rate_limit_TPM|TPH|TPD`, `max_tokens`, `context_size`): rotation model → rotation entry →
 *   the provider's own model entry → rotation `default_*` → provider `default_*`;
 * - `error_cooldown`: rotation model → rotation entry → the provider's model entry → provider `default_error_cooldown`
 *   → rotation `default_error_cooldown` → 300 s.
 */
export function resolveLimits(rotation: Pick<RotationConfig, 'default_rate_limit' | 'default_rate_limit_TPM' | 'default_rate_limit_TPH' | 'default_rate_limit_TPD' | 'default_max_tokens' | 'default_error_cooldown' | 'default_context_size'>, provider: ProviderConfig, model: string, ...specific: Settings[]): CandidateLimits {
  const pm = provider.models?.find((m) => m.name === model);
  const pick = <K extends keyof Settings>(k: K): Settings[K] => first(...specific.map((s) => s[k]), pm?.[k]);
  return {
    rateLimitSec: first(pick('rate_limit'), rotation.default_rate_limit, provider.default_rate_limit) ?? 0,
    providerRateLimitSec: provider.rate_limit ?? 0,
    tpm: first(pick('rate_limit_TPM'), rotation.default_rate_limit_TPM, provider.default_rate_limit_TPM),
    tph: first(pick('rate_limit_TPH'), rotation.default_rate_limit_TPH, provider.default_rate_limit_TPH),
    tpd: first(pick('rate_limit_TPD'), rotation.default_rate_limit_TPD, provider.default_rate_limit_TPD),
    maxTokens: first(pick('max_tokens'), rotation.default_max_tokens, provider.default_max_tokens),
    errorCooldownSec: first(pick('error_cooldown'), provider.default_error_cooldown, rotation.default_error_cooldown) ?? DEFAULT_ERROR_COOLDOWN_SEC,
    contextSize: first(pick('context_size'), pm?.context_length, rotation.default_context_size, provider.default_context_size),
  };
}

/** Limits of a direct `<provider_id>/<model>` route: the provider's model entry → provider `default_*`. */
export function providerLimits(provider: ProviderConfig, model: string): CandidateLimits {
  return resolveLimits({}, provider, model);
}

/**
 * The candidates of a rotation, in configuration order. Accepts the flat entry form (`model`), the nested form
 * (`models: [...]`), entries naming no model (every model the provider lists, with the entry's weight) and
 * meta-provider entries (`provider_id: "rotation"|"autoselect"`, whose model names are route ids). Entries that cannot
 * contribute (unknown provider, nothing to expand, duplicates) are reported as issues, not thrown.
 */
export function expandCandidates(rotation: RotationConfig, providers: Record<string, ProviderConfig>, scope: 'global' | 'user' = 'global'): Expansion {
  const candidates: Candidate[] = [];
  const issues: ExpansionIssue[] = [];
  const seen = new Set<string>();
  const add = (c: Omit<ProviderCandidate, 'index'> | Omit<RouteCandidate, 'index'>, entry: number) => {
    if (seen.has(c.label)) {
      issues.push({ entry, providerId: c.kind === 'provider' ? c.providerId : c.target.kind, reason: `duplicate candidate ${c.label} ignored (the first entry wins)` });
      return;
    }
    seen.add(c.label);
    candidates.push({ ...c, index: candidates.length } as Candidate);
  };

  rotation.providers.forEach((entry, i) => {
    const pid = entry.provider_id;
    const metaKind = META_ROTATION.has(pid) ? 'rotation' : META_AUTOSELECT.has(pid) ? 'autoselect' : undefined;
    if (metaKind) {
      const targets = entry.models?.map((m) => ({ id: m.name, weight: m.weight })) ?? (entry.model ? [{ id: entry.model, weight: entry.weight }] : []);
      if (!targets.length) issues.push({ entry: i, providerId: pid, reason: `meta-provider entry names no ${metaKind} (set \`model\` or \`models\`)` });
      for (const t of targets) add({ kind: 'route', label: `${metaKind}/${t.id}`, weight: t.weight, target: { kind: metaKind, id: t.id } }, i);
      return;
    }
    const provider = providers[pid];
    if (!provider) {
      issues.push({ entry: i, providerId: pid, reason: `provider '${pid}' is not configured` });
      return;
    }
    const candidate = (model: string, weight: number, ...settings: Settings[]) =>
      add({ kind: 'provider', label: `${pid}/${model}`, weight, scope, providerId: pid, model, limits: resolveLimits(rotation, provider, model, ...settings) }, i);
    if (entry.model) return candidate(entry.model, entry.weight, entry);
    if (entry.models) return entry.models.forEach((m) => candidate(m.name, m.weight, m, entry));
    if (!provider.models?.length) {
      issues.push({ entry: i, providerId: pid, reason: `provider '${pid}' lists no models; name them in the rotation entry (\`model\` or \`models\`)` });
      return;
    }
    for (const m of provider.models) candidate(m.name, entry.weight, entry);
  });
  return { candidates, issues };
}
