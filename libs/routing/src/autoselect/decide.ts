import type { AutoselectConfig, ChatCompletionRequest, ChatMessage } from '@aisbf/contracts';
import { decisionHeader, type AutoselectAudit } from './audit';
import {
  filterCandidates,
  type AutoselectRefusal,
  type CandidateView,
  type ClassifierSignals,
  type FilterInput,
  type FilterResult,
  type RouteTraitsLookup,
} from './candidate-filter';
import { buildClassifierPrompt, parseClassifierAnswer, type ClassifierKind, type NsfwClassifierVerdict, type PrivacyClassifierVerdict } from './classifier-prompts';
import { detectPrivateData } from './privacy-detector';
import { escalationOrder, planSelection, resolveSelection, selectionRouteOf, type PlanInput, type Selection, type SelectionOutcome } from './selection';

/**
 * Calls a route with a small chat request and returns the assistant's text. The router implements it over NATS (with
 * its loop guard); tests pass a fake. It must honour `signal` (the call is abandoned on timeout).
 */
export type AskRoute = (
  route: string,
  call: { messages: ChatMessage[]; temperature: number; max_tokens: number; stop?: readonly string[] },
  signal: AbortSignal,
) => Promise<string | null | undefined>;

/** Where identical selections are remembered briefly (in process, or Redis in the router). */
export interface SelectionCache {
  get(key: string): string | undefined | Promise<string | undefined>;
  set(key: string, routeId: string): void | Promise<void>;
}

const DEFAULT_TIMEOUT_MS = 10_000;

const timeoutOf = (config: AutoselectConfig, fallbackMs?: number) =>
  config.selection_timeout !== undefined ? Math.round(config.selection_timeout * 1000) : (fallbackMs ?? DEFAULT_TIMEOUT_MS);

/** Run `fn` with an abort signal and a deadline; never throws. */
async function bounded<T>(fn: (signal: AbortSignal) => Promise<T>, ms: number): Promise<{ ok: true; value: T } | { ok: false; error: 'timeout' | 'failed' }> {
  const ctrl = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), ms);
  });
  try {
    const r = await Promise.race([fn(ctrl.signal).then((value) => ({ value })), deadline]);
    if (r === 'timeout') {
      ctrl.abort();
      return { ok: false, error: 'timeout' };
    }
    return { ok: true, value: r.value };
  } catch {
    return { ok: false, error: 'failed' };
  } finally {
    clearTimeout(timer);
  }
}

/** A small in-process cache with a TTL and a size bound (oldest entries go first). */
export function createSelectionCache(options: { ttlMs?: number; maxEntries?: number; now?: () => number } = {}): SelectionCache {
  const ttl = options.ttlMs ?? 60_000;
  const max = options.maxEntries ?? 1000;
  const now = options.now ?? Date.now;
  const entries = new Map<string, { value: string; expires: number }>();
  return {
    get(key) {
      const e = entries.get(key);
      if (!e) return undefined;
      if (e.expires <= now()) {
        entries.delete(key);
        return undefined;
      }
      return e.value;
    },
    set(key, value) {
      entries.delete(key);
      entries.set(key, { value, expires: now() + ttl });
      while (entries.size > max) entries.delete(entries.keys().next().value!);
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------

export interface ClassifyDeps {
  ask: AskRoute;
  traits?: RouteTraitsLookup;
  /** Deadline per classifier call when the autoselect has no `selection_timeout`. */
  timeoutMs?: number;
}

/** Classifier results plus notes for the audit (a classifier that was not consulted, and why). */
export interface ClassificationResult extends ClassifierSignals {
  notes: string[];
}

async function askClassifier(kind: ClassifierKind, route: string, request: ChatCompletionRequest, deps: ClassifyDeps, ms: number): Promise<string | 'timeout'> {
  const call = buildClassifierPrompt(kind, request);
  const r = await bounded((signal) => deps.ask(route, call, signal), ms);
  if (!r.ok) return r.error;
  return kind === 'privacy' ? parseClassifierAnswer('privacy', r.value) : parseClassifierAnswer('nsfw', r.value);
}

/**
 * Run the local detector and the configured classifier routes. Privacy classifier: consulted only when the detector
 * found nothing (a private verdict cannot be undone) and only if its route is privacy-marked — otherwise it would
 * itself receive possibly-private text; then its verdict is `failed`, i.e. private (fail closed). NSFW classifier:
 * a privacy-marked one runs alongside; any other waits for the privacy verdict and is skipped for private requests.
 */
export async function classifyRequest(config: AutoselectConfig, request: ChatCompletionRequest, deps: ClassifyDeps): Promise<ClassificationResult> {
  const ms = timeoutOf(config, deps.timeoutMs);
  const notes: string[] = [];
  const privacyActive = config.classify_privacy || !!config.privacy_classifier;
  const detection = privacyActive ? detectPrivateData(request) : undefined;

  let privacyClassifier: Promise<PrivacyClassifierVerdict | undefined> = Promise.resolve(undefined);
  const pc = config.privacy_classifier;
  if (pc && detection && !detection.private) {
    if (deps.traits?.(pc)?.privacy !== true) {
      notes.push(`privacy classifier '${pc}' is not privacy-marked: not consulted, treated as failed (fail closed)`);
      privacyClassifier = Promise.resolve('failed');
    } else {
      privacyClassifier = askClassifier('privacy', pc, request, deps, ms) as Promise<PrivacyClassifierVerdict>;
    }
  }

  let nsfwClassifier: Promise<NsfwClassifierVerdict | undefined> = Promise.resolve(undefined);
  const nc = config.nsfw_classifier;
  if (nc) {
    const trusted = deps.traits?.(nc)?.privacy === true;
    if (!privacyActive || trusted) nsfwClassifier = askClassifier('nsfw', nc, request, deps, ms) as Promise<NsfwClassifierVerdict>;
    else {
      nsfwClassifier = privacyClassifier.then((v) => {
        const isPrivate = detection!.private || (v !== undefined && v !== 'public');
        if (!isPrivate) return askClassifier('nsfw', nc, request, deps, ms) as Promise<NsfwClassifierVerdict>;
        notes.push(`nsfw classifier '${nc}' is not privacy-marked and the request is private: not consulted`);
        return 'failed';
      });
    }
  } else if (config.classify_nsfw) {
    notes.push('classify_nsfw is on but no nsfw_classifier route is configured: not classified');
  }

  const [privacyVerdict, nsfwVerdict] = await Promise.all([privacyClassifier, nsfwClassifier]);
  return {
    ...(detection ? { detection } : {}),
    ...(privacyVerdict ? { privacyClassifier: privacyVerdict } : {}),
    ...(nsfwVerdict ? { nsfwClassifier: nsfwVerdict } : {}),
    notes,
  };
}

// ---------------------------------------------------------------------------------------------------------------

export interface DecideInput extends FilterInput {
  requestId?: string;
  caller?: string;
  /** The selection model route; default: the autoselect's `selection_model`, where `internal` means none. */
  selectionRoute?: string | null;
  /** Routes that failed already for this request (a re-decision during escalation). */
  failed?: readonly string[];
  prompt?: PlanInput['prompt'];
  /** Notes from `classifyRequest`, carried into the audit. */
  notes?: string[];
}

export interface DecideDeps {
  /** Calls the selection model; without it, selection is by priority. */
  ask?: AskRoute;
  cache?: SelectionCache;
  now?: () => number;
  /** Selection deadline when the autoselect has no `selection_timeout` (default 10 s). */
  timeoutMs?: number;
}

export type AutoselectDecision =
  | {
      kind: 'route';
      /** The route to try first. */
      route: string;
      via: Selection['via'];
      /** Every route to try, in order (the first is `route`). */
      order: string[];
      /** The candidate entry of `route` (for its `max_tokens`), or null for the fallback. */
      candidate: CandidateView | null;
      filter: FilterResult;
      audit: AutoselectAudit;
      /** The `x-aisbf-decision` header value. */
      header: string;
    }
  | { kind: 'refuse'; refusal: AutoselectRefusal; filter: FilterResult; audit: AutoselectAudit; header: string };

/**
 * The whole decision: filter (privacy → NSFW → capabilities → context), then select (ask the selection model if it
 * may see the request, validate its answer, fall back on anything else), then the escalation order and the audit.
 * No IO of its own: the selection call goes through `deps.ask`, the cache through `deps.cache`.
 */
export async function decide(input: DecideInput, deps: DecideDeps = {}): Promise<AutoselectDecision> {
  const now = deps.now ?? Date.now;
  const started = now();
  const exclude = [...new Set([...(input.exclude ?? []), ...(input.failed ?? [])])];
  const filter = filterCandidates({ ...input, exclude });
  const configured = input.selectionRoute !== undefined ? input.selectionRoute : selectionRouteOf(input.config);
  const selectionRoute = deps.ask ? configured : null; // nothing can be asked without a caller
  const base = {
    ...(input.requestId ? { requestId: input.requestId } : {}),
    ...(input.caller ? { caller: input.caller } : {}),
    autoselectId: input.autoselectId,
    at: new Date(started).toISOString(),
    privacy: filter.privacy,
    nsfw: filter.nsfw,
    needs: filter.needs,
    configured: filter.configured,
    stages: filter.stages,
    fallback: filter.fallback,
    ...(input.notes?.length ? { notes: input.notes } : {}),
  };

  if (filter.refusal) {
    const audit: AutoselectAudit = {
      ...base,
      selection: { route: null, via: 'refused', answer: null, cached: false },
      route: null,
      order: [],
      refusal: { code: filter.refusal.code, reason: filter.refusal.reason },
      latencyMs: now() - started,
    };
    return { kind: 'refuse', refusal: filter.refusal, filter, audit, header: decisionHeader(audit) };
  }

  const plan = planSelection({
    config: input.config,
    request: input.request,
    filter,
    selectionRoute,
    ...(input.traits ? { traits: input.traits } : {}),
    ...(input.failed?.length ? { failed: input.failed } : {}),
    ...(input.prompt ? { prompt: input.prompt } : {}),
  });

  let selection: Selection;
  let askedRoute: string | null = null;
  if (plan.kind === 'choose') {
    selection = { route: plan.route, via: plan.via, answer: null, cached: false, reason: plan.reason };
    if (plan.reason === 'selection-model-not-privacy-marked') askedRoute = selectionRoute;
  } else {
    askedRoute = plan.call.route;
    let outcome: SelectionOutcome | undefined;
    const hit = deps.cache ? await deps.cache.get(plan.call.cacheKey) : undefined;
    if (hit && plan.call.validIds.includes(hit)) outcome = { answer: hit, cached: true };
    if (!outcome) {
      const ask = deps.ask!;
      const r = await bounded((signal) => ask(plan.call.route, { messages: plan.call.messages, ...plan.call.params }, signal), timeoutOf(input.config, deps.timeoutMs));
      outcome = r.ok ? { answer: r.value } : { error: r.error };
    }
    selection = resolveSelection(filter, plan.call, outcome);
    if (selection.via === 'semantic' && !selection.cached && deps.cache) await deps.cache.set(plan.call.cacheKey, selection.route);
  }

  const order = escalationOrder(filter, selection.route);
  const audit: AutoselectAudit = {
    ...base,
    selection: {
      route: askedRoute,
      via: selection.via,
      answer: selection.answer,
      cached: selection.cached,
      ...(selection.reason ? { reason: selection.reason } : {}),
    },
    route: selection.route,
    order,
    latencyMs: now() - started,
  };
  return {
    kind: 'route',
    route: selection.route,
    via: selection.via,
    order,
    candidate: filter.candidates.find((c) => c.id === selection.route) ?? null,
    filter,
    audit,
    header: decisionHeader(audit),
  };
}
