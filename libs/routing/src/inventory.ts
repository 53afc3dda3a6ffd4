import type { AutoselectConfig, ModelEntry, ProviderConfig, RotationConfig } from '@aisbf/contracts';
import { AppError } from '@aisbf/platform-errors';
import { formatModelName, parseModelName } from './model-name';

/** One namespace of routes: the global files, or one user's rows. */
export interface RouteSet {
  providers: Record<string, ProviderConfig>;
  rotations: Record<string, RotationConfig>;
  autoselects: Record<string, AutoselectConfig>;
}

/**
 * Routes visible to one caller: the global routes (top level) and, for a user token, the user's own routes (`user`),
 * named `user-provider/…`, `user-rotation/…`, `user-autoselect/…`. For an ordinary user the global set is empty and
 * `globalDenied` says why (a 403 when the caller names a global route).
 */
export interface RouteInventory extends RouteSet {
  user?: RouteSet;
  globalDenied?: string;
}

export type RouteScope = 'global' | 'user';

/** The routes of one scope (a rotation's entries resolve in the scope of the rotation). */
export function routeSetOf(inv: RouteInventory, scope: RouteScope): RouteSet {
  if (scope === 'user') {
    if (!inv.user) {
      throw new AppError('FORBIDDEN', 'user-provider/…, user-rotation/… and user-autoselect/… routes need a user token', { retryable: false });
    }
    return inv.user;
  }
  if (inv.globalDenied) throw new AppError('FORBIDDEN', inv.globalDenied, { retryable: false });
  return inv;
}

export type ResolvedRoute =
  | { kind: 'provider'; scope: RouteScope; providerId: string; model: string; provider: ProviderConfig; name: string }
  | { kind: 'rotation'; scope: RouteScope; id: string; rotation: RotationConfig; name: string }
  | { kind: 'autoselect'; scope: RouteScope; id: string; autoselect: AutoselectConfig; name: string };

export type ResolveEntrypoint =
  | { kind: 'openai' }
  | { kind: 'provider'; providerId: string }
  | { kind: 'rotations' }
  | { kind: 'autoselect' }
  | { kind: 'user' };

const list = (xs: string[], max = 20) => (xs.length ? xs.slice(0, max).join(', ') + (xs.length > max ? ', …' : '') : '(none)');

function resolveProvider(inv: RouteInventory, providerId: string, model: string, scope: RouteScope): ResolvedRoute {
  const set = routeSetOf(inv, scope);
  const provider = set.providers[providerId];
  if (!provider) {
    throw new AppError('ROUTE_NOT_FOUND', `Provider '${providerId}' not found. Available providers: ${list(Object.keys(set.providers))}`, { retryable: false });
  }
  if (provider.models?.length && !provider.models.some((m) => m.name === model)) {
    throw new AppError(
      'ROUTE_NOT_FOUND',
      `Model '${model}' is not configured for provider '${providerId}'. Available models: ${list(provider.models.map((m) => m.name))}`,
      { retryable: false },
    );
  }
  return { kind: 'provider', scope, providerId, model, provider, name: formatModelName({ kind: 'provider', scope, providerId, model }) };
}

function resolveRotation(inv: RouteInventory, id: string, scope: RouteScope): ResolvedRoute {
  const set = routeSetOf(inv, scope);
  const rotation = set.rotations[id];
  if (!rotation) throw new AppError('ROUTE_NOT_FOUND', `Rotation '${id}' not found. Available rotations: ${list(Object.keys(set.rotations))}`, { retryable: false });
  return { kind: 'rotation', scope, id, rotation, name: formatModelName({ kind: 'rotation', scope, id }) };
}

function resolveAutoselect(inv: RouteInventory, id: string, scope: RouteScope): ResolvedRoute {
  const set = routeSetOf(inv, scope);
  const autoselect = set.autoselects[id];
  if (!autoselect) {
    throw new AppError('ROUTE_NOT_FOUND', `Autoselect '${id}' not found. Available autoselects: ${list(Object.keys(set.autoselects))}`, { retryable: false });
  }
  return { kind: 'autoselect', scope, id, autoselect, name: formatModelName({ kind: 'autoselect', scope, id }) };
}

/**
 * Resolve `model` as the entry point scopes it; unknown names give ROUTE_NOT_FOUND naming what exists (in the caller's
 * scope only), and global routes named by an ordinary user give FORBIDDEN.
 */
export function resolveRoute(inv: RouteInventory, model: string, entry: ResolveEntrypoint): ResolvedRoute {
  if (entry.kind === 'provider') return resolveProvider(inv, entry.providerId, model, 'global');
  if (entry.kind === 'rotations') return resolveRotation(inv, model.replace(/^rotations?\//, ''), 'global');
  if (entry.kind === 'autoselect') return resolveAutoselect(inv, model.replace(/^autoselect(?:ions)?\//, ''), 'global');

  const parsed = parseModelName(model);
  switch (parsed.kind) {
    case 'provider':
      if (parsed.scope === 'global' && /^user-(provider|rotation|autoselect)$/.test(parsed.providerId)) {
        throw new AppError('INVALID_REQUEST', `Model '${model}' is incomplete: user provider models are named 'user-provider/<provider_id>/<model>'`, {
          retryable: false,
          param: 'model',
        });
      }
      return resolveProvider(inv, parsed.providerId, parsed.model, parsed.scope);
    case 'rotation':
      return resolveRotation(inv, parsed.id, parsed.scope);
    case 'autoselect':
      return resolveAutoselect(inv, parsed.id, parsed.scope);
    case 'bare': {
      // A bare name is accepted where it is unambiguous among the routes this caller may use.
      const matches: ResolvedRoute[] = [];
      const scopes: RouteScope[] = [...(inv.globalDenied ? [] : (['global'] as const)), ...(inv.user ? (['user'] as const) : [])];
      for (const scope of scopes) {
        const set = routeSetOf(inv, scope);
        if (set.rotations[model]) matches.push(resolveRotation(inv, model, scope));
        if (set.autoselects[model]) matches.push(resolveAutoselect(inv, model, scope));
        for (const [pid, p] of Object.entries(set.providers)) {
          if (p.models?.some((m) => m.name === model)) matches.push(resolveProvider(inv, pid, model, scope));
        }
      }
      if (matches.length === 1) return matches[0]!;
      if (matches.length > 1) {
        throw new AppError('INVALID_REQUEST', `Model '${model}' is ambiguous; use one of: ${matches.map((m) => m.name).join(', ')}`, { retryable: false });
      }
      const forms = inv.globalDenied
        ? "'user-provider/<provider_id>/<model>', 'user-rotation/<id>' or 'user-autoselect/<id>'"
        : "'<provider_id>/<model>', 'rotation/<id>' or 'autoselect/<id>'";
      throw new AppError('ROUTE_NOT_FOUND', `Model '${model}' not found. Use ${forms} (GET /v1/models lists them).`, { retryable: false });
    }
  }
}

/**
 * `/v1/models` entries for an inventory: the global routes (unless denied) and the caller's own routes; every id
 * round-trips through `resolveRoute`.
 */
export function listModels(inv: RouteInventory, now = Math.floor(Date.now() / 1000)): ModelEntry[] {
  return [...(inv.globalDenied ? [] : listSet(inv, 'global', now)), ...(inv.user ? listSet(inv.user, 'user', now) : [])];
}

function listSet(set: RouteSet, scope: RouteScope, now: number): ModelEntry[] {
  const out: ModelEntry[] = [];
  for (const [providerId, p] of Object.entries(set.providers)) {
    for (const m of p.models ?? []) {
      out.push({
        id: formatModelName({ kind: 'provider', scope, providerId, model: m.name }),
        object: 'model',
        created: now,
        owned_by: p.name ?? providerId,
        type: 'provider',
        provider: providerId,
        model_name: m.name,
        context_size: m.context_size ?? m.context_length ?? p.default_context_size ?? null,
        capabilities: m.capabilities ?? [],
        ...(m.description ? { description: m.description } : {}),
      });
    }
  }
  for (const [id, r] of Object.entries(set.rotations)) {
    out.push({ id: formatModelName({ kind: 'rotation', scope, id }), object: 'model', created: now, owned_by: 'aisbf-rotation', type: 'rotation', rotation_id: id, model_name: r.model_name, capabilities: r.capabilities ?? [] });
  }
  for (const [id, a] of Object.entries(set.autoselects)) {
    out.push({ id: formatModelName({ kind: 'autoselect', scope, id }), object: 'model', created: now, owned_by: 'aisbf-autoselect', type: 'autoselect', autoselect_id: id, model_name: a.model_name, description: a.description, capabilities: a.capabilities ?? [] });
  }
  return out;
}
