import type { ProviderConfig } from '@aisbf/contracts';
import { AppError } from '@aisbf/platform-errors';
import { listModels, resolveRoute, type RouteInventory } from './inventory';

const provider = (models?: string[]): ProviderConfig =>
  ({ type: 'openai', api_key_required: false, endpoint: 'http://x/v1', rate_limit: 0, ...(models ? { models: models.map((name) => ({ name })) } : {}) }) as ProviderConfig;

const inv: RouteInventory = {
  providers: { p1: provider(['m1', 'org/m2:tag']), open: provider() },
  rotations: { coding: { model_name: 'coding', providers: [{ provider_id: 'p1', model: 'm1', weight: 1 }] } },
  autoselects: {},
};

const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return (e as AppError).code;
  }
  return 'none';
};

describe('resolveRoute', () => {
  it('resolves provider models, including ids with / and :', () => {
    expect(resolveRoute(inv, 'p1/org/m2:tag', { kind: 'openai' })).toMatchObject({ kind: 'provider', providerId: 'p1', model: 'org/m2:tag' });
  });

  it('accepts any model for a provider without a model list', () => {
    expect(resolveRoute(inv, 'open/whatever', { kind: 'openai' })).toMatchObject({ providerId: 'open', model: 'whatever' });
  });

  it('gives ROUTE_NOT_FOUND for unknown providers and models, naming what exists', () => {
    expect(codeOf(() => resolveRoute(inv, 'nope/m1', { kind: 'openai' }))).toBe('ROUTE_NOT_FOUND');
    expect(codeOf(() => resolveRoute(inv, 'p1/m9', { kind: 'openai' }))).toBe('ROUTE_NOT_FOUND');
    expect(() => resolveRoute(inv, 'p1/m9', { kind: 'openai' })).toThrow(/Available models: m1, org\/m2:tag/);
  });

  it('scopes the model by entry point', () => {
    expect(resolveRoute(inv, 'm1', { kind: 'provider', providerId: 'p1' })).toMatchObject({ kind: 'provider', providerId: 'p1', model: 'm1' });
    expect(resolveRoute(inv, 'coding', { kind: 'rotations' })).toMatchObject({ kind: 'rotation', id: 'coding' });
  });

  it('accepts an unambiguous bare name', () => {
    expect(resolveRoute(inv, 'coding', { kind: 'openai' })).toMatchObject({ kind: 'rotation', id: 'coding' });
    expect(resolveRoute(inv, 'm1', { kind: 'openai' })).toMatchObject({ kind: 'provider', providerId: 'p1' });
  });

  it('every listed id resolves back to its route', () => {
    for (const m of listModels(inv)) {
      expect(resolveRoute(inv, m.id, { kind: 'openai' })).toMatchObject({ name: m.id });
    }
  });
});
