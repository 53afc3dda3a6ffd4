import { type ProviderConfig, RotationConfigSchema, type RotationConfig } from '@aisbf/contracts';
import { DEFAULT_ERROR_COOLDOWN_SEC, expandCandidates, providerLimits, type ProviderCandidate } from './candidates';

const provider = (extra: Partial<ProviderConfig> = {}, models?: Array<Record<string, unknown>>): ProviderConfig =>
  ({ type: 'openai', api_key_required: false, endpoint: 'http://x/v1', rate_limit: 0, ...(models ? { models } : {}), ...extra }) as ProviderConfig;

const rotation = (raw: unknown): RotationConfig => RotationConfigSchema.parse(raw);

const providers: Record<string, ProviderConfig> = {
  'runpod-gpu-a': provider({ default_error_cooldown: 90, default_rate_limit_TPM: 5000 }, [{ name: 'deepseek-coder-v2', rate_limit_TPM: 7000, max_tokens: 512 }]),
  openai: provider({}, [{ name: 'gpt-4o' }, { name: 'gpt-4o-mini', error_cooldown: 30 }]),
  bare: provider(),
};

describe('expandCandidates', () => {
  it('accepts the flat entry form of the product docs', () => {
    const { candidates, issues } = expandCandidates(
      rotation({ model_name: 'x', providers: [{ provider_id: 'runpod-gpu-a', model: 'deepseek-coder-v2', weight: 3, error_cooldown: 120 }] }),
      providers,
    );
    expect(issues).toEqual([]);
    expect(candidates).toEqual([
      expect.objectContaining({ kind: 'provider', label: 'runpod-gpu-a/deepseek-coder-v2', weight: 3, index: 0, providerId: 'runpod-gpu-a', model: 'deepseek-coder-v2' }),
    ]);
    expect((candidates[0] as ProviderCandidate).limits).toMatchObject({ errorCooldownSec: 120, tpm: 7000, maxTokens: 512 });
  });

  it('accepts the original nested form, model weights winning', () => {
    const { candidates } = expandCandidates(
      rotation({ model_name: 'x', providers: [{ provider_id: 'openai', weight: 5, models: [{ name: 'gpt-4o', weight: 2 }, { name: 'gpt-4o-mini' }] }] }),
      providers,
    );
    expect(candidates.map((c) => [c.label, c.weight, c.index])).toEqual([
      ['openai/gpt-4o', 2, 0],
      ['openai/gpt-4o-mini', 1, 1],
    ]);
  });

  it('expands an entry without models to every model of the provider, with the entry weight', () => {
    const { candidates } = expandCandidates(rotation({ model_name: 'x', providers: [{ provider_id: 'openai', weight: 4 }] }), providers);
    expect(candidates.map((c) => [c.label, c.weight])).toEqual([
      ['openai/gpt-4o', 4],
      ['openai/gpt-4o-mini', 4],
    ]);
  });

  it('turns meta-provider entries into route candidates', () => {
    const { candidates } = expandCandidates(
      rotation({
        model_name: 'x',
        providers: [
          { provider_id: 'rotations', models: [{ name: 'inner', weight: 2 }] },
          { provider_id: 'autoselect', model: 'smart', weight: 1 },
        ],
      }),
      providers,
    );
    expect(candidates).toEqual([
      expect.objectContaining({ kind: 'route', label: 'rotation/inner', weight: 2, target: { kind: 'rotation', id: 'inner' } }),
      expect.objectContaining({ kind: 'route', label: 'autoselect/smart', weight: 1, target: { kind: 'autoselect', id: 'smart' } }),
    ]);
  });

  it('reports entries that cannot contribute instead of throwing', () => {
    const { candidates, issues } = expandCandidates(
      rotation({
        model_name: 'x',
        providers: [{ provider_id: 'ghost', model: 'm' }, { provider_id: 'bare' }, { provider_id: 'openai', model: 'gpt-4o' }, { provider_id: 'openai', model: 'gpt-4o' }],
      }),
      providers,
    );
    expect(candidates.map((c) => c.label)).toEqual(['openai/gpt-4o']);
    expect(issues.map((i) => i.reason)).toEqual([
      "provider 'ghost' is not configured",
      "provider 'bare' lists no models; name them in the rotation entry (`model` or `models`)",
      'duplicate candidate openai/gpt-4o ignored (the first entry wins)',
    ]);
  });

  describe('the default_* cascade', () => {
    const limitsOf = (raw: unknown, ps = providers) => (expandCandidates(rotation(raw), ps).candidates[0] as ProviderCandidate).limits;

    it('error_cooldown: model → entry → provider model → provider default → rotation default → 300 s', () => {
      const base = { model_name: 'x', default_error_cooldown: 45 };
      expect(limitsOf({ ...base, providers: [{ provider_id: 'openai', models: [{ name: 'gpt-4o', error_cooldown: 5 }], error_cooldown: 6 }] }).errorCooldownSec).toBe(5);
      expect(limitsOf({ ...base, providers: [{ provider_id: 'openai', models: [{ name: 'gpt-4o' }], error_cooldown: 6 }] }).errorCooldownSec).toBe(6);
      expect(limitsOf({ ...base, providers: [{ provider_id: 'openai', model: 'gpt-4o-mini' }] }).errorCooldownSec).toBe(30);
      expect(limitsOf({ ...base, providers: [{ provider_id: 'runpod-gpu-a', model: 'deepseek-coder-v2' }] }).errorCooldownSec).toBe(90);
      expect(limitsOf({ ...base, providers: [{ provider_id: 'openai', model: 'gpt-4o' }] }).errorCooldownSec).toBe(45);
      expect(limitsOf({ model_name: 'x', providers: [{ provider_id: 'openai', model: 'gpt-4o' }] }).errorCooldownSec).toBe(DEFAULT_ERROR_COOLDOWN_SEC);
    });

    it('token limits: model → entry → provider model → rotation default → provider default', () => {
      expect(limitsOf({ model_name: 'x', providers: [{ provider_id: 'runpod-gpu-a', model: 'deepseek-coder-v2', rate_limit_TPM: 100 }] }).tpm).toBe(100);
      expect(limitsOf({ model_name: 'x', default_rate_limit_TPM: 200, providers: [{ provider_id: 'runpod-gpu-a', model: 'deepseek-coder-v2' }] }).tpm).toBe(7000);
      expect(limitsOf({ model_name: 'x', default_rate_limit_TPM: 200, providers: [{ provider_id: 'runpod-gpu-a', model: 'other' }] }).tpm).toBe(200);
      expect(limitsOf({ model_name: 'x', providers: [{ provider_id: 'runpod-gpu-a', model: 'other' }] }).tpm).toBe(5000);
      expect(limitsOf({ model_name: 'x', providers: [{ provider_id: 'openai', model: 'gpt-4o' }] }).tpm).toBeUndefined();
    });

    it('pacing: the model rate_limit and the provider-wide rate_limit are kept apart', () => {
      const ps = { p: provider({ rate_limit: 2, default_rate_limit: 0.5 }, [{ name: 'm' }]) };
      expect(limitsOf({ model_name: 'x', providers: [{ provider_id: 'p', model: 'm' }] }, ps)).toMatchObject({ rateLimitSec: 0.5, providerRateLimitSec: 2 });
      expect(limitsOf({ model_name: 'x', providers: [{ provider_id: 'p', model: 'm', rate_limit: 3 }] }, ps)).toMatchObject({ rateLimitSec: 3 });
    });
  });

  it('direct provider routes use the provider model entry and the provider defaults', () => {
    expect(providerLimits(providers['runpod-gpu-a']!, 'deepseek-coder-v2')).toMatchObject({ tpm: 7000, errorCooldownSec: 90, maxTokens: 512 });
  });
});
