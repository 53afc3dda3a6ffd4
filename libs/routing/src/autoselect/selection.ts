import type { AutoselectConfig, ChatCompletionRequest, ChatMessage, ErrorCode } from '@aisbf/contracts';
import { AppError } from '@aisbf/platform-errors';
import { canRouteSeeRequest, type CandidateView, type FilterResult, type RouteTraitsLookup } from './candidate-filter';
import { buildSelectionPrompt, parseSelectionAnswer, SELECTION_CALL_PARAMS, selectionCacheKey, type SelectionPromptInput } from './selection-prompt';

/**
 * How the route was chosen: `semantic` (the selection model's valid answer, possibly from cache), `only-candidate`
 * (one candidate left, nothing to ask), `priority` (the selection model may not or cannot be asked: highest-priority
 * candidate), `fallback` (no candidate left, or the selection model's answer was invalid, missing, late or an error).
 */
export type SelectionVia = 'semantic' | 'only-candidate' | 'priority' | 'fallback';

/** The selection call to make: route, messages and parameters; `validIds` are the answers accepted. */
export interface SelectionCall {
  route: string;
  messages: ChatMessage[];
  params: typeof SELECTION_CALL_PARAMS;
  cacheKey: string;
  validIds: string[];
}

export type SelectionPlan =
  | { kind: 'ask'; call: SelectionCall }
  | { kind: 'choose'; route: string; via: Exclude<SelectionVia, 'semantic'>; reason: string };

export interface PlanInput {
  config: AutoselectConfig;
  request: ChatCompletionRequest;
  filter: FilterResult;
  /** The selection model route; null when there is none (e.g. `internal` with no internal model configured). */
  selectionRoute: string | null;
  traits?: RouteTraitsLookup;
  /** Routes that failed already (listed in the prompt as failed models). */
  failed?: readonly string[];
  prompt?: Pick<SelectionPromptInput, 'systemPrompt' | 'taskMessages' | 'perMessageChars' | 'contextChars'>;
}

/** The selection model for an autoselect: its `selection_model`, with `internal` meaning the gateway's own (if any). */
export function selectionRouteOf(config: AutoselectConfig, internalRoute: string | null = null): string | null {
  const s = config.selection_model?.trim();
  return !s || s === 'internal' ? internalRoute : s;
}

const best = (f: FilterResult): CandidateView | undefined => f.candidates[0];

/**
 * What to do after filtering: choose directly (no candidate → fallback; one → it; no selection model, or one that may
 * not see a private request's text → highest priority) or ask the selection model.
 */
export function planSelection(input: PlanInput): SelectionPlan {
  const f = input.filter;
  if (f.refusal) throw new Error('planSelection called on a refused filter result');
  if (f.candidates.length === 0) return { kind: 'choose', route: f.fallback.id, via: 'fallback', reason: 'no-candidates' };
  if (f.candidates.length === 1) return { kind: 'choose', route: f.candidates[0]!.id, via: 'only-candidate', reason: 'one-candidate' };
  if (!input.selectionRoute) return { kind: 'choose', route: best(f)!.id, via: 'priority', reason: 'no-selection-model' };
  if (!canRouteSeeRequest(input.selectionRoute, f.privacy, input.traits)) {
    return { kind: 'choose', route: best(f)!.id, via: 'priority', reason: 'selection-model-not-privacy-marked' };
  }
  const fallback = f.fallback.allowed ? f.fallback.id : null;
  const messages = buildSelectionPrompt({
    ...input.prompt,
    messages: input.request.messages,
    candidates: f.candidates.map((c) => ({ id: c.id, description: c.description })),
    fallback,
    ...(input.failed?.length ? { failed: input.failed } : {}),
  });
  const validIds = f.candidates.map((c) => c.id);
  if (fallback && !validIds.includes(fallback)) validIds.push(fallback);
  return { kind: 'ask', call: { route: input.selectionRoute, messages, params: SELECTION_CALL_PARAMS, cacheKey: selectionCacheKey(input.selectionRoute, messages), validIds } };
}

/** How the selection call ended. */
export type SelectionOutcome = { answer: string | null | undefined; cached?: boolean } | { error: 'timeout' | 'failed' };

export interface Selection {
  route: string;
  via: SelectionVia;
  /** The valid id the model answered, or null (the raw answer is never kept: it may echo the conversation). */
  answer: string | null;
  cached: boolean;
  /** Why the answer was not used: `invalid-answer`, `no-answer`, `timeout`, `error`. */
  reason?: string;
}

/** Validate the selection model's answer; anything unusable goes to the fallback (or, if it may not, the best candidate). */
export function resolveSelection(filter: FilterResult, call: SelectionCall, outcome: SelectionOutcome): Selection {
  if ('answer' in outcome) {
    const id = parseSelectionAnswer(outcome.answer, call.validIds);
    if (id) return { route: id, via: 'semantic', answer: id, cached: !!outcome.cached };
  }
  const reason = 'error' in outcome ? (outcome.error === 'timeout' ? 'timeout' : 'error') : typeof outcome.answer === 'string' && outcome.answer.trim() ? 'invalid-answer' : 'no-answer';
  if (filter.fallback.allowed) return { route: filter.fallback.id, via: 'fallback', answer: null, cached: false, reason };
  return { route: best(filter)!.id, via: 'priority', answer: null, cached: false, reason };
}

/**
 * The order to try routes in: the chosen one, then the other candidates best first, then the fallback (if it may
 * take the request). Each appears once.
 */
export function escalationOrder(filter: FilterResult, chosen: string): string[] {
  const order = [chosen, ...filter.candidates.map((c) => c.id)];
  if (filter.fallback.allowed) order.push(filter.fallback.id);
  return [...new Set(order)];
}

/** One failed attempt of the escalation. */
export interface EscalationStep {
  route: string;
  code: ErrorCode;
  message?: string;
}

/**
 * Codes that describe one step's trouble but would mislead the caller as the final answer: a route the autoselect names
 * that does not resolve for this caller (misconfiguration) means "nothing to serve" (NO_CANDIDATES, 503); an upstream
 * that rejected the gateway's credentials or model means an upstream failure (UPSTREAM_UNAVAILABLE, 502) — neither is
 * the caller's 401/403/404.
 */
const FINAL_CODE: Partial<Record<ErrorCode, ErrorCode>> = {
  ROUTE_NOT_FOUND: 'NO_CANDIDATES',
  FORBIDDEN: 'NO_CANDIDATES',
  AUTH: 'UPSTREAM_UNAVAILABLE',
  NOT_FOUND: 'UPSTREAM_UNAVAILABLE',
  INTERNAL: 'UPSTREAM_UNAVAILABLE',
};

/**
 * The error after every route failed: names each step; the code (and so the retryability) is the last step's, except
 * that a misconfigured route or an upstream's credential problem is not passed off as the caller's error.
 */
export function escalationFailure(autoselectId: string, steps: readonly EscalationStep[], extraDetails: Array<Record<string, unknown>> = []): AppError {
  const last = steps[steps.length - 1];
  const list = steps.map((s, i) => `${i + 1}. ${s.route}: ${s.code}${s.message ? ` (${s.message.slice(0, 200)})` : ''}`).join('; ');
  const code = last ? (FINAL_CODE[last.code] ?? last.code) : 'NO_CANDIDATES';
  return new AppError(code, `Autoselect '${autoselectId}': every route failed — ${list || 'nothing was tried'}`, {
    details: [...steps.map((s) => ({ route: s.route, code: s.code })), ...extraDetails],
  });
}
