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

describe('user scope', () => {
  const mine = { providers: { p1: provider(['mine-model', 'org/x:7b']) }, rotations: { r: inv.rotations['coding']! }, autoselects: {} };
  const ordinary: RouteInventory = { providers: {}, rotations: {}, autoselects: {}, user: mine, globalDenied: 'Global routes are only available to admin users' };
  const admin: RouteInventory = { ...inv, user: mine };

  it("resolves the caller's own routes by their user-* names, in the user scope", () => {
    expect(resolveRoute(ordinary, 'user-provider/p1/org/x:7b', { kind: 'user' })).toMatchObject({ kind: 'provider', scope: 'user', providerId: 'p1', model: 'org/x:7b' });
    expect(resolveRoute(ordinary, 'user-rotation/r', { kind: 'openai' })).toMatchObject({ kind: 'rotation', scope: 'user', id: 'r' });
    expect(codeOf(() => resolveRoute(ordinary, 'user-autoselect/none', { kind: 'user' }))).toBe('ROUTE_NOT_FOUND');
  });

  it('gives an ordinary user 403 on global routes, on every entry point', () => {
    expect(codeOf(() => resolveRoute(ordinary, 'p1/m1', { kind: 'openai' }))).toBe('FORBIDDEN');
    expect(codeOf(() => resolveRoute(ordinary, 'rotation/coding', { kind: 'user' }))).toBe('FORBIDDEN');
    expect(codeOf(() => resolveRoute(ordinary, 'm1', { kind: 'provider', providerId: 'p1' }))).toBe('FORBIDDEN');
    expect(codeOf(() => resolveRoute(ordinary, 'coding', { kind: 'rotations' }))).toBe('FORBIDDEN');
    expect(() => resolveRoute(ordinary, 'p1/m1', { kind: 'openai' })).toThrow('Global routes are only available to admin users');
  });

  it('lets an admin user use both scopes, and keeps them apart', () => {
    expect(resolveRoute(admin, 'p1/m1', { kind: 'openai' })).toMatchObject({ scope: 'global', providerId: 'p1' });
    expect(resolveRoute(admin, 'user-provider/p1/mine-model', { kind: 'openai' })).toMatchObject({ scope: 'user', providerId: 'p1' });
    expect(codeOf(() => resolveRoute(admin, 'user-provider/p1/m1', { kind: 'openai' }))).toBe('ROUTE_NOT_FOUND');
  });

  it('needs a user token for user-* names', () => {
    expect(codeOf(() => resolveRoute(inv, 'user-rotation/coding', { kind: 'openai' }))).toBe('FORBIDDEN');
  });

  it('refuses an incomplete user-provider name instead of misreading it', () => {
    expect(codeOf(() => resolveRoute(ordinary, 'user-provider/p1', { kind: 'user' }))).toBe('INVALID_REQUEST');
  });

  it("matches bare names only among the routes the caller may use", () => {
    expect(resolveRoute(ordinary, 'mine-model', { kind: 'user' })).toMatchObject({ scope: 'user', providerId: 'p1' });
    expect(codeOf(() => resolveRoute(ordinary, 'm1', { kind: 'user' }))).toBe('ROUTE_NOT_FOUND');
    expect(() => resolveRoute(ordinary, 'm1', { kind: 'user' })).toThrow(/user-provider\/<provider_id>\/<model>/);
  });

  it('lists exactly what the caller may use, and every listed id resolves back (round trip)', () => {
    const ids = listModels(ordinary).map((m) => m.id);
    expect(ids).toEqual(['user-provider/p1/mine-model', 'user-provider/p1/org/x:7b', 'user-rotation/r']);
    for (const who of [ordinary, admin]) {
      for (const m of listModels(who)) {
        expect(resolveRoute(who, m.id, { kind: 'user' })).toMatchObject({ name: m.id });
        expect(resolveRoute(who, m.id, { kind: 'openai' })).toMatchObject({ name: m.id });
      }
    }
    expect(listModels(admin).map((m) => m.id)).toEqual(expect.arrayContaining(['p1/m1', 'rotation/coding', 'user-rotation/r']));
  });
});
