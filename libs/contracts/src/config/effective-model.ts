import type { ProviderConfig } from './providers.schema';

/** A provider model's settings after the `default_*` cascade: the model's own value, else the provider's default. */
export interface EffectiveModelSettings {
  max_tokens?: number;
  max_request_tokens?: number;
  rate_limit?: number;
  rate_limit_TPM?: number;
  rate_limit_TPH?: number;
  rate_limit_TPD?: number;
  context_size?: number;
  condense_context?: number;
  condense_method?: string | string[];
  /** Seconds; 300 when neither the model nor the provider sets one (the original's default). */
  error_cooldown: number;
}

/**
 * The `default_*` cascade of providers.json for one model (model value → provider `default_*` → built-in), e.g. the
 * output cap used when the caller sets no `max_tokens`. `context_size` also accepts the model's `context_length`
 * (the original's listing field). Rotations add their own level in front of the provider (see libs/routing).
 */
export function effectiveModelSettings(provider: ProviderConfig, model: string): EffectiveModelSettings {
  const m = provider.models?.find((x) => x.name === model);
  const pick = <T>(own: T | undefined, fallback: T | undefined): T | undefined => (own !== undefined ? own : fallback);
  const out: EffectiveModelSettings = { error_cooldown: pick(m?.error_cooldown, provider.default_error_cooldown) ?? 300 };
  const set = <K extends keyof EffectiveModelSettings>(key: K, v: EffectiveModelSettings[K] | undefined) => {
    if (v !== undefined) out[key] = v as EffectiveModelSettings[K];
  };
  set('max_tokens', pick(m?.max_tokens, provider.default_max_tokens));
  set('max_request_tokens', pick(m?.max_request_tokens, provider.default_max_request_tokens));
  set('rate_limit', pick(m?.rate_limit, provider.default_rate_limit));
  set('rate_limit_TPM', pick(m?.rate_limit_TPM, provider.default_rate_limit_TPM));
  set('rate_limit_TPH', pick(m?.rate_limit_TPH, provider.default_rate_limit_TPH));
  set('rate_limit_TPD', pick(m?.rate_limit_TPD, provider.default_rate_limit_TPD));
  set('context_size', pick(m?.context_size ?? m?.context_length, provider.default_context_size));
  set('condense_context', pick(m?.condense_context, provider.default_condense_context));
  set('condense_method', pick(m?.condense_method, provider.default_condense_method));
  return out;
}
