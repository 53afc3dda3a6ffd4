import type { AisbfFile, AutoselectConfig, RotationConfig } from '@aisbf/contracts';
import { resolveRoute, routeSetOf, type ResolvedRoute, type RouteInventory, type RouteScope } from '../inventory';
import { formatModelName, parseModelName } from '../model-name';
import { expandCandidates } from '../rotation/candidates';
import type { RouteTraits, RouteTraitsLookup } from './candidate-filter';

/**
 * Resolve a route named inside an autoselect (a candidate's `model_id`, the `fallback`, `selection_model`, the
 * classifier routes). Prefixed names follow the model-name grammar (`rotation/x`, `user-rotation/x`, `p/m`, …). A bare
 * name is looked up in the autoselect's own scope first — a rotation id, then an autoselect id, then a provider id
 * (its first configured model, as the original's `selection_model`), then a model name exactly one provider of that
 * scope lists — and otherwise resolved like a bare name on `/v1` (unambiguous among the caller's routes, or an error).
 * Throws the resolver's coded errors (ROUTE_NOT_FOUND, FORBIDDEN, INVALID_REQUEST).
 */
export function resolveAutoselectTarget(inv: RouteInventory, name: string, scope: RouteScope): ResolvedRoute {
  const id = name.trim();
  if (parseModelName(id).kind !== 'bare') return resolveRoute(inv, id, { kind: 'openai' });
  const set = routeSetOf(inv, scope);
  if (set.rotations[id]) return resolveRoute(inv, formatModelName({ kind: 'rotation', scope, id }), { kind: 'openai' });
  if (set.autoselects[id]) return resolveRoute(inv, formatModelName({ kind: 'autoselect', scope, id }), { kind: 'openai' });
  const provider = set.providers[id];
  const firstModel = provider?.models?.[0]?.name;
  if (firstModel) return resolveRoute(inv, formatModelName({ kind: 'provider', scope, providerId: id, model: firstModel }), { kind: 'openai' });
  const owners = Object.entries(set.providers).filter(([, p]) => p.models?.some((m) => m.name === id));
  if (owners.length === 1) return resolveRoute(inv, formatModelName({ kind: 'provider', scope, providerId: owners[0]![0], model: id }), { kind: 'openai' });
  return resolveRoute(inv, id, { kind: 'openai' });
}

/** Resolve, or undefined when the name does not resolve for this caller. */
export function tryResolveAutoselectTarget(inv: RouteInventory, name: string, scope: RouteScope): ResolvedRoute | undefined {
  try {
    return resolveAutoselectTarget(inv, name, scope);
  } catch {
    return undefined;
  }
}

const explicit = (v: boolean | null | undefined): boolean | undefined => (typeof v === 'boolean' ? v : undefined);

/**
 * Is any member of a privacy-marked rotation not a privacy route? An entry, one of its models or the provider's own
 * model entry saying `privacy: false`, or a nested rotation/autoselect (meta entry) that is not privacy-marked itself.
 * Then the rotation is not a privacy route, whatever its own flag says.
 */
function rotationHasPublicMember(inv: RouteInventory, scope: RouteScope, r: RotationConfig, seen: Set<string>): boolean {
  if (r.providers.some((e) => e.privacy === false || e.models?.some((m) => m.privacy === false))) return true;
  let providers: RouteInventory['providers'];
  try {
    providers = routeSetOf(inv, scope).providers;
  } catch {
    return false;
  }
  return expandCandidates(r, providers, scope).candidates.some((c) => {
    if (c.kind === 'provider') return providers[c.providerId]?.models?.find((m) => m.name === c.model)?.privacy === false;
    const name = formatModelName({ kind: c.target.kind, scope, id: c.target.id });
    if (seen.has(name)) return false; // a loop is refused at run time; it adds no public member
    const target = tryResolveAutoselectTarget(inv, name, scope);
    return !target || traitsOf(inv, target, new Set([...seen, name])).privacy !== true;
  });
}

/**
 * What the configuration says about a route, for the autoselect filters. `privacy` is reported only where it is
 * configured: a provider model's `privacy`, a rotation's `privacy` (false as soon as one of its members says
 * `privacy: false` or a nested route it delegates to is not privacy-marked), an autoselect's `privacy`. Nothing is
 * inferred: an unmarked route is not a privacy route.
 */
export function routeTraitsOf(inv: RouteInventory, route: ResolvedRoute): RouteTraits {
  return traitsOf(inv, route, new Set([route.name]));
}

function traitsOf(inv: RouteInventory, route: ResolvedRoute, seen: Set<string>): RouteTraits {
  const t: RouteTraits = {};
  const set = (k: keyof RouteTraits, v: unknown) => {
    if (v !== undefined && v !== null) (t as Record<string, unknown>)[k] = v;
  };
  switch (route.kind) {
    case 'provider': {
      const m = route.provider.models?.find((x) => x.name === route.model);
      set('privacy', explicit(m?.privacy));
      set('nsfw', explicit(m?.nsfw));
      set('capabilities', m?.capabilities);
      set('contextSize', m?.context_size ?? m?.context_length ?? route.provider.default_context_size);
      break;
    }
    case 'rotation': {
      const r = route.rotation;
      const privacy = explicit(r.privacy);
      set('privacy', privacy === true && rotationHasPublicMember(inv, route.scope, r, seen) ? false : privacy);
      set('nsfw', explicit(r.nsfw));
      set('capabilities', r.capabilities);
      set('contextSize', r.context_length ?? r.default_context_size);
      break;
    }
    case 'autoselect': {
      const a = route.autoselect;
      set('privacy', explicit(a.privacy));
      set('nsfw', explicit(a.nsfw));
      set('capabilities', a.capabilities);
      set('contextSize', a.context_length ?? a.default_context_size);
      break;
    }
  }
  return t;
}

/** The traits lookup of one autoselect's routes for one caller (memoised; an unresolvable name has no traits). */
export function autoselectTraits(inv: RouteInventory, scope: RouteScope): RouteTraitsLookup {
  const memo = new Map<string, RouteTraits | undefined>();
  return (name) => {
    if (!memo.has(name)) {
      const route = tryResolveAutoselectTarget(inv, name, scope);
      memo.set(name, route ? routeTraitsOf(inv, route) : undefined);
    }
    return memo.get(name);
  };
}

// ---------------------------------------------------------------------------------------------------------------

export interface AutoselectSettings {
  /** The autoselect's configuration with the global switches applied (what `classifyRequest` / `decide` get). */
  config: AutoselectConfig;
  /** The selection model route (canonical name), or null: deterministic choice by priority. */
  selectionRoute: string | null;
  /** How the switches were resolved, for the audit. */
  notes: string[];
}

type Mode = 'inherit' | 'enabled' | 'disabled' | undefined;
const fromMode = (m: Mode): boolean | undefined => (m === 'enabled' ? true : m === 'disabled' ? false : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() ? v.trim() : undefined);

/**
 * Apply the gateway-wide switches to one autoselect. Whether privacy (NSFW) classification runs, most specific first:
 * the autoselect's `enable_privacy_classification` (tri-state), then its own `classify_privacy` / `privacy_classifier`
 * (either turns it on), then aisbf.json `feature_controls.privacy_classification.mode`, then aisbf.json
 * `classify_privacy`. Global autoselects also take aisbf.json `internal_model.*_classifier_override` as their classifier
 * route when they name none.
 *
 * `selection_model: "internal"` (the default): the original ran a local Hugging Face model, which this gateway does not
 * have. For global autoselects it means aisbf.json `internal_model.autoselect_override`, else
 * `internal_model.autoselect_model_id`, when that names a route that resolves; otherwise (and always for user
 * autoselects, whose users may not use the operator's routes) no selection model: the highest-priority candidate.
 */
export function autoselectSettings(config: AutoselectConfig, opts: { aisbf?: AisbfFile; scope: RouteScope; inventory: RouteInventory }): AutoselectSettings {
  const { aisbf, scope, inventory } = opts;
  const notes: string[] = [];
  const internal = (aisbf?.internal_model ?? {}) as Record<string, unknown>;
  const global = scope === 'global';
  const canonical = (name: string | undefined): string | undefined => (name ? tryResolveAutoselectTarget(inventory, name, 'global')?.name : undefined);
  const fc = aisbf?.feature_controls;

  const privacyOn =
    explicit(config.enable_privacy_classification) ??
    (config.classify_privacy || config.privacy_classifier ? true : undefined) ??
    fromMode(fc?.privacy_classification?.mode) ??
    aisbf?.classify_privacy ??
    false;
  const nsfwOn =
    explicit(config.enable_nsfw_classification) ??
    (config.classify_nsfw || config.nsfw_classifier ? true : undefined) ??
    fromMode(fc?.nsfw_classification?.mode) ??
    aisbf?.classify_nsfw ??
    false;

  const out: AutoselectConfig = { ...config, classify_privacy: privacyOn, classify_nsfw: nsfwOn };
  if (!privacyOn) delete out.privacy_classifier;
  if (!nsfwOn) delete out.nsfw_classifier;
  if (privacyOn && !config.classify_privacy) notes.push('privacy classification on by the gateway settings');
  if (!privacyOn && (config.classify_privacy || config.privacy_classifier)) notes.push('privacy classification off by enable_privacy_classification');
  if (global && privacyOn && !out.privacy_classifier) {
    const o = canonical(str(internal['privacy_classifier_override']));
    if (o) out.privacy_classifier = o;
  }
  if (global && nsfwOn && !out.nsfw_classifier) {
    const o = canonical(str(internal['nsfw_classifier_override']));
    if (o) out.nsfw_classifier = o;
  }

  let selectionRoute: string | null = null;
  const s = str(config.selection_model);
  if (s && s !== 'internal') {
    selectionRoute = s;
  } else if (global) {
    selectionRoute = canonical(str(internal['autoselect_override'])) ?? canonical(str(internal['autoselect_model_id'])) ?? null;
    notes.push(selectionRoute ? `selection_model internal → ${selectionRoute}` : 'selection_model internal: no internal model route, choice by priority');
  } else {
    notes.push('selection_model internal: choice by priority (user autoselects have no internal model)');
  }
  return { config: out, selectionRoute, notes };
}

/**
 * What the global autoselects will refuse or ignore, as sentences for the start-up log: routes that do not resolve,
 * privacy marks the route itself contradicts, a privacy classifier that is not privacy-marked (never asked: every
 * request counts as private), and a privacy-classifying autoselect with no privacy route at all (every private request
 * is refused).
 */
export function findAutoselectProblems(inv: RouteInventory, aisbf?: AisbfFile): string[] {
  const out: string[] = [];
  for (const [id, raw] of Object.entries(inv.autoselects)) {
    const { config, selectionRoute } = autoselectSettings(raw, { ...(aisbf ? { aisbf } : {}), scope: 'global', inventory: inv });
    const traits = autoselectTraits(inv, 'global');
    const where = `autoselect '${id}'`;
    const check = (what: string, name: string | null | undefined) => {
      if (name && !tryResolveAutoselectTarget(inv, name, 'global')) out.push(`${where}: ${what} '${name}' does not resolve to a route`);
    };
    for (const m of config.available_models) {
      check('candidate', m.model_id);
      if (m.privacy && traits(m.model_id)?.privacy === false) out.push(`${where}: candidate '${m.model_id}' is marked privacy: true but its route says privacy: false (it is not used for private requests)`);
    }
    check('fallback', config.fallback);
    check('selection_model', selectionRoute);
    check('privacy_classifier', config.privacy_classifier);
    check('nsfw_classifier', config.nsfw_classifier);
    if (config.privacy_classifier && traits(config.privacy_classifier) && traits(config.privacy_classifier)?.privacy !== true) {
      out.push(`${where}: privacy_classifier '${config.privacy_classifier}' is not privacy-marked: it is never asked and every request counts as private (fail closed)`);
    }
    if (config.classify_privacy) {
      const privateRoutes = config.available_models.filter((m) => m.privacy && traits(m.model_id)?.privacy !== false).length + (traits(config.fallback)?.privacy === true ? 1 : 0);
      if (!privateRoutes) out.push(`${where}: classifies privacy but has no privacy-marked candidate or fallback: every private request is refused (PRIVACY_REFUSED)`);
    }
  }
  return out;
}
