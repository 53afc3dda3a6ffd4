import { AisbfFileSchema, AutoselectConfigSchema, type ProviderConfig, type RotationConfig } from '@aisbf/contracts';
import type { RouteInventory } from '../inventory';
import { autoselectSettings, autoselectTraits, findAutoselectProblems, resolveAutoselectTarget } from './route-targets';

const provider = (models: ProviderConfig['models'], extra: Partial<ProviderConfig> = {}): ProviderConfig => ({ type: 'openai', api_key_required: false, endpoint: '', rate_limit: 0, models, ...extra });
const rotation = (providers: RotationConfig['providers'], extra: Partial<RotationConfig> = {}): RotationConfig => ({ model_name: 'r', providers, ...extra });
const auto = (over: Record<string, unknown> = {}) => AutoselectConfigSchema.parse({ model_name: 'a', fallback: 'rotation/general', ...over });

const inv: RouteInventory = {
  providers: {
    cloud: provider([{ name: 'gpt', capabilities: ['tool_use'], context_size: 128000 }, { name: 'shared-name' }]),
    local: provider([{ name: 'coder', privacy: true, context_length: 32000 }, { name: 'leaky', privacy: false }], { default_context_size: 8000 }),
  },
  rotations: {
    general: rotation([{ provider_id: 'cloud', model: 'gpt', weight: 1 }]),
    private: rotation([{ provider_id: 'local', model: 'coder', weight: 1 }], { privacy: true, capabilities: ['vision'], context_length: 16000 }),
    'private-but-leaky': rotation([{ provider_id: 'local', model: 'coder', weight: 1 }, { provider_id: 'local', model: 'leaky', weight: 1 }], { privacy: true }),
    'private-entry-public': rotation([{ provider_id: 'local', model: 'coder', weight: 1, privacy: false }], { privacy: true }),
    'private-via-public': rotation([{ provider_id: 'local', model: 'coder', weight: 1 }, { provider_id: 'rotation', model: 'general', weight: 1 }], { privacy: true }),
    'private-via-private': rotation([{ provider_id: 'rotation', model: 'private', weight: 1 }, { provider_id: 'autoselect', model: 'nested', weight: 1 }], { privacy: true }),
    'loop-a': rotation([{ provider_id: 'rotation', model: 'loop-b', weight: 1 }], { privacy: true }),
    'loop-b': rotation([{ provider_id: 'rotation', model: 'loop-a', weight: 1 }], { privacy: true }),
  },
  autoselects: { nested: auto({ privacy: true }), plain: auto() },
  user: {
    providers: { mine: provider([{ name: 'm1', privacy: true }]) },
    rotations: { general: rotation([{ provider_id: 'mine', model: 'm1', weight: 1 }], { privacy: true }) },
    autoselects: {},
  },
};

describe('resolveAutoselectTarget', () => {
  it('follows the grammar for prefixed names and looks bare names up in the autoselect scope first', () => {
    expect(resolveAutoselectTarget(inv, 'rotation/general', 'user').name).toBe('rotation/general');
    expect(resolveAutoselectTarget(inv, 'general', 'user').name).toBe('user-rotation/general');
    expect(resolveAutoselectTarget(inv, 'general', 'global').name).toBe('rotation/general');
    expect(resolveAutoselectTarget(inv, 'nested', 'global').name).toBe('autoselect/nested');
    expect(resolveAutoselectTarget(inv, 'local', 'global').name).toBe('local/coder'); // a provider id: its first model
    expect(resolveAutoselectTarget(inv, 'leaky', 'global').name).toBe('local/leaky'); // a model only one provider has
    expect(resolveAutoselectTarget(inv, 'm1', 'user').name).toBe('user-provider/mine/m1');
    expect(() => resolveAutoselectTarget(inv, 'nothing', 'global')).toThrow(/not found/);
  });
});

describe('autoselectTraits', () => {
  const g = autoselectTraits(inv, 'global');
  it('reports privacy only where it is configured', () => {
    expect(g('local/coder')).toEqual({ privacy: true, contextSize: 32000 });
    expect(g('cloud/gpt')).toEqual({ capabilities: ['tool_use'], contextSize: 128000 });
    expect(g('rotation/general')).toEqual({});
    expect(g('rotation/private')).toEqual({ privacy: true, capabilities: ['vision'], contextSize: 16000 });
    expect(g('autoselect/nested')).toEqual({ privacy: true });
    expect(g('autoselect/plain')).toEqual({});
    expect(g('nothing/here')).toBeUndefined();
  });

  it('a privacy-marked rotation with an explicitly public member is not a privacy route', () => {
    expect(g('rotation/private-but-leaky')?.privacy).toBe(false);
    expect(g('rotation/private-entry-public')?.privacy).toBe(false);
    expect(g('rotation/private-via-public')?.privacy).toBe(false); // delegates to an unmarked rotation
    expect(g('rotation/private-via-private')?.privacy).toBe(true);
    expect(g('rotation/loop-a')?.privacy).toBe(true); // terminates; the loop itself is refused at run time
  });

  it('resolves names in the scope of the autoselect (user routes)', () => {
    const u = autoselectTraits(inv, 'user');
    expect(u('general')).toEqual({ privacy: true });
    expect(u('user-provider/mine/m1')).toEqual({ privacy: true });
  });
});

describe('autoselectSettings', () => {
  const aisbf = (over: Record<string, unknown> = {}) => AisbfFileSchema.parse(over);

  it('tri-state: the autoselect first, then its own flags, then feature_controls, then the global flag', () => {
    const on = (config: ReturnType<typeof auto>, a = aisbf(), scope: 'global' | 'user' = 'global') => autoselectSettings(config, { aisbf: a, scope, inventory: inv }).config.classify_privacy;
    expect(on(auto())).toBe(false);
    expect(on(auto(), aisbf({ classify_privacy: true }))).toBe(true);
    expect(on(auto(), aisbf({ classify_privacy: true, feature_controls: { privacy_classification: { mode: 'disabled' } } }))).toBe(false);
    expect(on(auto({ classify_privacy: true }), aisbf({ feature_controls: { privacy_classification: { mode: 'disabled' } } }))).toBe(true);
    expect(on(auto({ privacy_classifier: 'rotation/private' }))).toBe(true);
    expect(on(auto({ classify_privacy: true, enable_privacy_classification: false }))).toBe(false);
    expect(autoselectSettings(auto({ classify_privacy: true, privacy_classifier: 'x', enable_privacy_classification: false }), { scope: 'global', inventory: inv }).config.privacy_classifier).toBeUndefined();
    expect(on(auto({ enable_privacy_classification: true }), aisbf({ classify_privacy: false }))).toBe(true);
  });

  it('global autoselects take the classifier overrides of internal_model', () => {
    const a = aisbf({ internal_model: { privacy_classifier_override: 'private', nsfw_classifier_override: 'general' } });
    const s = autoselectSettings(auto({ classify_privacy: true, classify_nsfw: true }), { aisbf: a, scope: 'global', inventory: inv });
    expect(s.config).toMatchObject({ privacy_classifier: 'rotation/private', nsfw_classifier: 'rotation/general' });
    const u = autoselectSettings(auto({ classify_privacy: true }), { aisbf: a, scope: 'user', inventory: inv });
    expect(u.config.privacy_classifier).toBeUndefined();
  });

  it('selection_model internal: an internal model route when one resolves, else none (priority)', () => {
    expect(autoselectSettings(auto({ selection_model: 'rotation/general' }), { scope: 'user', inventory: inv }).selectionRoute).toBe('rotation/general');
    expect(autoselectSettings(auto(), { aisbf: aisbf(), scope: 'global', inventory: inv }).selectionRoute).toBeNull();
    expect(autoselectSettings(auto(), { aisbf: aisbf({ internal_model: { autoselect_model_id: 'Qwen/Qwen2.5-0.5B-Instruct' } }), scope: 'global', inventory: inv }).selectionRoute).toBeNull();
    expect(autoselectSettings(auto(), { aisbf: aisbf({ internal_model: { autoselect_model_id: 'cloud/gpt' } }), scope: 'global', inventory: inv }).selectionRoute).toBe('cloud/gpt');
    expect(autoselectSettings(auto({ selection_model: ' ' }), { aisbf: aisbf({ internal_model: { autoselect_override: 'general', autoselect_model_id: 'cloud/gpt' } }), scope: 'global', inventory: inv }).selectionRoute).toBe('rotation/general');
    expect(autoselectSettings(auto(), { aisbf: aisbf({ internal_model: { autoselect_model_id: 'cloud/gpt' } }), scope: 'user', inventory: inv }).selectionRoute).toBeNull();
  });
});

describe('findAutoselectProblems', () => {
  it('names unresolvable routes, contradicted privacy marks, an unmarked privacy classifier and a privacy autoselect with no privacy route', () => {
    const problems = findAutoselectProblems({
      ...inv,
      autoselects: {
        ok: auto({ classify_privacy: true, privacy_classifier: 'rotation/private', available_models: [{ model_id: 'rotation/private', privacy: true }] }),
        bad: auto({
          classify_privacy: true,
          selection_model: 'rotation/nope',
          privacy_classifier: 'rotation/general',
          available_models: [{ model_id: 'gone' }, { model_id: 'rotation/private-but-leaky', privacy: true }],
        }),
      },
    });
    expect(problems).toEqual([
      "autoselect 'bad': candidate 'gone' does not resolve to a route",
      "autoselect 'bad': candidate 'rotation/private-but-leaky' is marked privacy: true but its route says privacy: false (it is not used for private requests)",
      "autoselect 'bad': selection_model 'rotation/nope' does not resolve to a route",
      "autoselect 'bad': privacy_classifier 'rotation/general' is not privacy-marked: it is never asked and every request counts as private (fail closed)",
      "autoselect 'bad': classifies privacy but has no privacy-marked candidate or fallback: every private request is refused (PRIVACY_REFUSED)",
    ]);
  });
});
