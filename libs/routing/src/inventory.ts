import type { AutoselectConfig, ModelEntry, ProviderConfig, RotationConfig } from '@aisbf/contracts';
import { AppError } from '@aisbf/platform-errors';
import { formatModelName, parseModelName } from './model-name';

/** Routes visible to one caller: global files (and, later, the caller's own rows). */
export interface RouteInventory {
  providers: Record<string, ProviderConfig>;
  rotations: Record<string, RotationConfig>;
  autoselects: Record<string, AutoselectConfig>;
}

export type ResolvedRoute =
  | { kind: 'provider'; scope: 'global' | 'user'; providerId: string; model: string; provider: ProviderConfig; name: string }
  | { kind: 'rotation'; scope: 'global' | 'user'; id: string; rotation: RotationConfig; name: string }
  | { kind: 'autoselect'; scope: 'global' | 'user'; id: string; autoselect: AutoselectConfig; name: string };

export type ResolveEntrypoint =
  | { kind: 'openai' }
  | { kind: 'provider'; providerId: string }
  | { kind: 'rotations' }
  | { kind: 'autoselect' }
  | { kind: 'user' };

const list = (xs: string[], max = 20) => (xs.length ? xs.slice(0, max).join(', ') + (xs.length > max ? ', …' : '') : '(none)');

function resolveProvider(inv: RouteInventory, providerId: string, model: string, scope: 'global' | 'user'): ResolvedRoute {
  const provider = inv.providers[providerId];
  if (!provider) {
    throw new AppError('ROUTE_NOT_FOUND', `Provider '${providerId}' not found. Available providers: ${list(Object.keys(inv.providers))}`, { retryable: false });
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

function resolveRotation(inv: RouteInventory, id: string, scope: 'global' | 'user'): ResolvedRoute {
  const rotation = inv.rotations[id];
  if (!rotation) throw new AppError('ROUTE_NOT_FOUND', `Rotation '${id}' not found. Available rotations: ${list(Object.keys(inv.rotations))}`, { retryable: false });
  return { kind: 'rotation', scope, id, rotation, name: formatModelName({ kind: 'rotation', scope, id }) };
}

function resolveAutoselect(inv: RouteInventory, id: string, scope: 'global' | 'user'): ResolvedRoute {
  const autoselect = inv.autoselects[id];
  if (!autoselect) {
    throw new AppError('ROUTE_NOT_FOUND', `Autoselect '${id}' not found. Available autoselects: ${list(Object.keys(inv.autoselects))}`, { retryable: false });
  }
  return { kind: 'autoselect', scope, id, autoselect, name: formatModelName({ kind: 'autoselect', scope, id }) };
}

/** Resolve `model` as the entry point scopes it; unknown names give ROUTE_NOT_FOUND naming what exists. */
export function resolveRoute(inv: RouteInventory, model: string, entry: ResolveEntrypoint): ResolvedRoute {
  if (entry.kind === 'provider') return resolveProvider(inv, entry.providerId, model, 'global');
  if (entry.kind === 'rotations') return resolveRotation(inv, model.replace(/^rotations?\//, ''), 'global');
  if (entry.kind === 'autoselect') return resolveAutoselect(inv, model.replace(/^autoselect(?:ions)?\//, ''), 'global');

  const parsed = parseModelName(model);
  switch (parsed.kind) {
    case 'provider':
      return resolveProvider(inv, parsed.providerId, parsed.model, parsed.scope);
    case 'rotation':
      return resolveRotation(inv, parsed.id, parsed.scope);
    case 'autoselect':
      return resolveAutoselect(inv, parsed.id, parsed.scope);
    case 'bare': {
      // A bare name is accepted where it is unambiguous.
      const matches: ResolvedRoute[] = [];
      if (inv.rotations[model]) matches.push(resolveRotation(inv, model, 'global'));
      if (inv.autoselects[model]) matches.push(resolveAutoselect(inv, model, 'global'));
      for (const [pid, p] of Object.entries(inv.providers)) {
        if (p.models?.some((m) => m.name === model)) matches.push(resolveProvider(inv, pid, model, 'global'));
      }
      if (matches.length === 1) return matches[0]!;
      if (matches.length > 1) {
        throw new AppError('INVALID_REQUEST', `Model '${model}' is ambiguous; use one of: ${matches.map((m) => m.name).join(', ')}`, { retryable: false });
      }
      throw new AppError(
        'ROUTE_NOT_FOUND',
        `Model '${model}' not found. Use '<provider_id>/<model>', 'rotation/<id>' or 'autoselect/<id>' (GET /v1/models lists them).`,
        { retryable: false },
      );
    }
  }
}

/** `/v1/models` entries for an inventory; ids round-trip through `resolveRoute`. */
export function listModels(inv: RouteInventory, scope: 'global' | 'user' = 'global', now = Math.floor(Date.now() / 1000)): ModelEntry[] {
  const out: ModelEntry[] = [];
  for (const [providerId, p] of Object.entries(inv.providers)) {
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
  for (const [id, r] of Object.entries(inv.rotations)) {
    out.push({ id: formatModelName({ kind: 'rotation', scope, id }), object: 'model', created: now, owned_by: 'aisbf-rotation', type: 'rotation', rotation_id: id, model_name: r.model_name, capabilities: r.capabilities ?? [] });
  }
  for (const [id, a] of Object.entries(inv.autoselects)) {
    out.push({ id: formatModelName({ kind: 'autoselect', scope, id }), object: 'model', created: now, owned_by: 'aisbf-autoselect', type: 'autoselect', autoselect_id: id, model_name: a.model_name, description: a.description, capabilities: a.capabilities ?? [] });
  }
  return out;
}
