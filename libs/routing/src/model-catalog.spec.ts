import type { ModelEntry, ProviderConfig } from '@aisbf/contracts';
import type { RouteInventory } from './inventory';
import { listModels } from './inventory';
import { withModelCatalog } from './model-catalog';

const provider = (extra: Partial<ProviderConfig>): ProviderConfig => ({ type: 'openai', api_key_required: false, endpoint: '', rate_limit: 0, ...extra }) as ProviderConfig;

describe('withModelCatalog', () => {
  const inv: RouteInventory = {
    providers: {
      cfg: provider({
        name: 'Configured',
        default_context_size: 8192,
        models: [{ name: 'a', context_size: 1000, capabilities: ['tools'] }, { name: 'b', context_length: 2000 }, { name: 'c' }, { name: 'd' }, { name: 'e' }],
      }),
      live: provider({ default_context_size: 4096 }),
      empty: provider({}),
    },
    rotations: { r: { model_name: 'r', providers: [] } as never },
    autoselects: {},
  };
  const catalog = {
    cfg: { providerId: 'cfg', fetchedAt: 1, models: [{ id: 'a', contextSize: 9 }, { id: 'c', contextSize: 32000, capabilities: ['vision'] }, { id: 'e:latest', contextSize: 64 }] },
    live: { providerId: 'live', fetchedAt: 1, models: [{ id: 'x:latest', contextSize: 131072, created: 5, capabilities: ['tools'] }, { id: 'y' }] },
  };

  it('cascades context_size configured → fetched → provider default, and capabilities configured → fetched', () => {
    const out = withModelCatalog(listModels(inv, 100), inv, catalog, 'global', 100);
    const get = (id: string) => out.find((e) => e.id === id) as ModelEntry;
    expect([get('cfg/a')['context_size'], get('cfg/b')['context_size'], get('cfg/c')['context_size'], get('cfg/d')['context_size']]).toEqual([1000, 2000, 32000, 8192]);
    expect([get('cfg/a')['capabilities'], get('cfg/c')['capabilities'], get('cfg/d')['capabilities']]).toEqual([['tools'], ['vision'], []]);
    expect(get('cfg/a')['source']).toBe('local_config');
    expect(get('cfg/e')['context_size']).toBe(64); // Ollama's `e` is `e:latest`
  });

  it('lists the fetched models of a provider that configures none, ids round-tripping with chat', () => {
    const out = withModelCatalog(listModels(inv, 100), inv, catalog, 'global', 100);
    expect(out.filter((e) => e['provider'] === 'live')).toEqual([
      { id: 'live/x:latest', object: 'model', created: 5, owned_by: 'live', type: 'provider', provider: 'live', model_name: 'x:latest', context_size: 131072, capabilities: ['tools'], source: 'api_cache' },
      { id: 'live/y', object: 'model', created: 100, owned_by: 'live', type: 'provider', provider: 'live', model_name: 'y', context_size: 4096, capabilities: [], source: 'api_cache' },
    ]);
    expect(out.filter((e) => e['provider'] === 'empty')).toEqual([]);
    expect(out.at(-1)).toMatchObject({ id: 'rotation/r', type: 'rotation' });
  });

  it('without a catalog, configured values and defaults still apply', () => {
    const out = withModelCatalog(listModels(inv, 100), inv, {}, 'global', 100);
    expect(out.find((e) => e.id === 'cfg/c')!['context_size']).toBe(8192);
  });
});
