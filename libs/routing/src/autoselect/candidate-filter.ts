import type { AutoselectConfig, ChatCompletionRequest, ErrorCode } from '@aisbf/contracts';
import { AppError } from '@aisbf/platform-errors';
import type { NsfwClassifierVerdict, PrivacyClassifierVerdict } from './classifier-prompts';
import { detectPrivateData, firedRules, type PrivacyDetection } from './privacy-detector';
import { requestNeeds, type RequestNeeds } from './request-text';

/** What the router knows about a route id (a rotation, provider model or autoselect) from its own configuration. */
export interface RouteTraits {
  privacy?: boolean;
  nsfw?: boolean;
  capabilities?: readonly string[];
  contextSize?: number;
}
export type RouteTraitsLookup = (routeId: string) => RouteTraits | undefined;

/** Classifier results computed before the decision (see `classifyRequest`). */
export interface ClassifierSignals {
  /** The local detector's result; computed from the request when absent. */
  detection?: PrivacyDetection;
  /** The privacy classifier route's verdict; absent while one is configured counts as `failed` (fail closed). */
  privacyClassifier?: PrivacyClassifierVerdict;
  nsfwClassifier?: NsfwClassifierVerdict;
}

export interface PrivacyAssessment {
  /** `off`: the autoselect does not classify privacy (no `classify_privacy`, no `privacy_classifier`). */
  verdict: 'off' | 'public' | 'private';
  /** Detector rules that fired (ids only). */
  rules: string[];
  /** Number of detector findings. */
  findings: number;
  classifier?: PrivacyClassifierVerdict;
  /** Private only because the classifier failed or timed out. */
  failClosed: boolean;
}

export interface NsfwAssessment {
  /** `unknown`: the classifier failed or timed out; nothing is restricted. */
  verdict: 'off' | 'safe' | 'nsfw' | 'unknown';
  classifier?: NsfwClassifierVerdict;
}

/** An `available_models` entry with what the filters use. */
export interface CandidateView {
  id: string;
  description: string;
  priority: number;
  /** Position in `available_models` (ties in priority keep configuration order). */
  index: number;
  privacy: boolean;
  nsfw: boolean;
  capabilities?: readonly string[];
  contextSize?: number;
  /** The entry's `max_tokens`, applied by the router when the client sent none. */
  maxTokens?: number;
}

export type FilterStageName = 'untried' | 'privacy' | 'nsfw' | 'capabilities' | 'context';

export interface FilterStage {
  stage: FilterStageName;
  /** Candidate ids left after this stage, best first. */
  remaining: string[];
  removed: Array<{ id: string; reason: string }>;
}

export interface FallbackStatus {
  id: string;
  allowed: boolean;
  /** Why it may not take this request. */
  reason?: string;
}

/**
 * A typed refusal: nothing is sent anywhere. The code says whose problem it is: a private request with no privacy
 * route is `PRIVACY_REFUSED` (422); a request no candidate can serve by its nature is the caller's (`INVALID_REQUEST`
 * for tools/images, `CONTEXT_LENGTH` for size, `CONTENT_FILTER` for NSFW — all 400, never retried elsewhere); only
 * an autoselect with nothing left to try is `NO_CANDIDATES` (503).
 */
export interface AutoselectRefusal {
  code: Extract<ErrorCode, 'PRIVACY_REFUSED' | 'NO_CANDIDATES' | 'INVALID_REQUEST' | 'CONTEXT_LENGTH' | 'CONTENT_FILTER'>;
  reason: 'privacy' | 'nsfw' | 'capabilities' | 'context' | 'exhausted';
  message: string;
  /** The request field at fault, for caller errors (`tools`, `messages`). */
  param?: string;
}

const REFUSAL_CODES: Record<Exclude<AutoselectRefusal['reason'], 'privacy'>, AutoselectRefusal['code']> = {
  nsfw: 'CONTENT_FILTER',
  capabilities: 'INVALID_REQUEST',
  context: 'CONTEXT_LENGTH',
  exhausted: 'NO_CANDIDATES',
};

export interface FilterInput {
  autoselectId: string;
  config: AutoselectConfig;
  request: ChatCompletionRequest;
  signals?: ClassifierSignals;
  /** Traits of route ids: the fallback's privacy/NSFW/capabilities, and candidates' capabilities/context when the entry has none. */
  traits?: RouteTraitsLookup;
  /** A better prompt-size estimate than the built-in ~4 characters per token. */
  estimatedPromptTokens?: number;
  /** Route ids already tried (and failed) for this request. */
  exclude?: readonly string[];
  /** A candidate whose capabilities are declared nowhere: `exclude` (default) from tool/vision requests, or `allow`. */
  unknownCapabilities?: 'exclude' | 'allow';
}

export interface FilterResult {
  privacy: PrivacyAssessment;
  nsfw: NsfwAssessment;
  needs: RequestNeeds;
  /** Candidate ids as configured, best first. */
  configured: string[];
  /** Stages that applied, in order. */
  stages: FilterStage[];
  /** Candidates that may take the request, best first. */
  candidates: CandidateView[];
  fallback: FallbackStatus;
  refusal?: AutoselectRefusal;
}

// ---------------------------------------------------------------------------------------------------------------

/** Privacy verdict: the detector OR the classifier route; a failed, timed-out or missing classifier answer is private. */
export function assessPrivacy(config: AutoselectConfig, request: ChatCompletionRequest, signals: ClassifierSignals = {}): PrivacyAssessment {
  const active = config.classify_privacy || !!config.privacy_classifier;
  if (!active) return { verdict: 'off', rules: [], findings: 0, failClosed: false };
  const detection = signals.detection ?? detectPrivateData(request);
  const rules = firedRules(detection);
  let classifier = signals.privacyClassifier;
  if (config.privacy_classifier && !classifier && !detection.private) classifier = 'failed';
  const classifierPrivate = classifier === 'private' || classifier === 'failed' || classifier === 'timeout';
  const isPrivate = detection.private || classifierPrivate;
  return {
    verdict: isPrivate ? 'private' : 'public',
    rules,
    findings: detection.findings.length,
    ...(classifier ? { classifier } : {}),
    failClosed: !detection.private && (classifier === 'failed' || classifier === 'timeout'),
  };
}

/** NSFW verdict from the classifier route; without a usable answer nothing is restricted. */
export function assessNsfw(config: AutoselectConfig, signals: ClassifierSignals = {}): NsfwAssessment {
  const active = config.classify_nsfw || !!config.nsfw_classifier;
  if (!active) return { verdict: 'off' };
  const c = signals.nsfwClassifier;
  const verdict = c === 'nsfw' ? 'nsfw' : c === 'safe' ? 'safe' : 'unknown';
  return { verdict, ...(c ? { classifier: c } : {}) };
}

/**
 * May `routeId` see this request's text (as a selection model, a classifier or a target)? Anything may see a request
 * that is not private; a private one only goes to routes whose traits say `privacy: true`.
 */
export function canRouteSeeRequest(routeId: string, privacy: PrivacyAssessment | 'private' | 'public' | 'off', traits?: RouteTraitsLookup): boolean {
  const verdict = typeof privacy === 'string' ? privacy : privacy.verdict;
  if (verdict !== 'private') return true;
  return traits?.(routeId)?.privacy === true;
}

const CAPABILITY_NAMES: Record<'tools' | 'vision', ReadonlySet<string>> = {
  tools: new Set(['tool_use', 'tools', 'tool_calling', 'function_calling', 'functions', 'tool_calls']),
  vision: new Set(['vision', 'image_input', 'images', 'image', 'multimodal', 'image_understanding']),
};
const normCap = (s: string) => s.trim().toLowerCase().replace(/[\s-]+/g, '_');

/** Does a declared capability list include `need`? Accepts the usual spellings (`tool_use`, `function_calling`, `vision`, …). */
export function hasCapability(capabilities: readonly string[], need: 'tools' | 'vision'): boolean {
  return capabilities.some((c) => CAPABILITY_NAMES[need].has(normCap(c)));
}

function candidateViews(config: AutoselectConfig, traits?: RouteTraitsLookup): CandidateView[] {
  const seen = new Set<string>();
  const out: CandidateView[] = [];
  config.available_models.forEach((m, index) => {
    const id = m.model_id.trim();
    if (!id || seen.has(id)) return;
    seen.add(id);
    const t = traits?.(id);
    const capabilities = m.capabilities ?? t?.capabilities;
    const contextSize = m.context_size ?? t?.contextSize;
    out.push({
      id,
      description: m.description ?? '',
      priority: m.priority ?? 0,
      index,
      // The entry must say privacy: true, and the route itself must not say otherwise.
      privacy: m.privacy === true && t?.privacy !== false,
      nsfw: m.nsfw === true,
      ...(capabilities ? { capabilities } : {}),
      ...(contextSize !== undefined ? { contextSize } : {}),
      ...(m.max_tokens !== undefined ? { maxTokens: m.max_tokens } : {}),
    });
  });
  return out.sort((a, b) => b.priority - a.priority || a.index - b.index);
}

function describePrivacy(p: PrivacyAssessment): string {
  const parts: string[] = [];
  if (p.rules.length) parts.push(`detector: ${p.rules.join(', ')}`);
  if (p.classifier === 'private') parts.push('privacy classifier: private');
  if (p.classifier === 'failed' || p.classifier === 'timeout') parts.push(`privacy classifier ${p.classifier === 'timeout' ? 'timed out' : 'failed'}, treated as private`);
  return parts.join('; ');
}

/**
 * Privacy, then NSFW, then capabilities and context size. Private requests keep only `privacy: true` candidates and a
 * privacy-marked fallback; if nothing may take the request the result carries a refusal instead of a downgrade.
 * The fallback is the operator's catch-all: NSFW, capability and context filters exclude it only on positive
 * knowledge (its traits say it lacks what the request needs); privacy needs it to be positively privacy-marked.
 */
export function filterCandidates(input: FilterInput): FilterResult {
  const { config, request, traits } = input;
  const privacy = assessPrivacy(config, request, input.signals);
  const nsfw = assessNsfw(config, input.signals);
  const needs = requestNeeds(request);
  const all = candidateViews(config, traits);
  const stages: FilterStage[] = [];
  const fbTraits = traits?.(config.fallback);
  const fallback: FallbackStatus = { id: config.fallback, allowed: true };
  const excludeFallback = (reason: string) => {
    if (fallback.allowed) {
      fallback.allowed = false;
      fallback.reason = reason;
    }
  };

  let cur = all;
  let emptiedBy: FilterStageName | undefined;
  const stage = (name: FilterStageName, keep: (c: CandidateView) => string | null) => {
    const removed: FilterStage['removed'] = [];
    cur = cur.filter((c) => {
      const why = keep(c);
      if (why) removed.push({ id: c.id, reason: why });
      return !why;
    });
    stages.push({ stage: name, remaining: cur.map((c) => c.id), removed });
    if (cur.length === 0 && !emptiedBy && removed.length) emptiedBy = name;
  };

  const exclude = new Set(input.exclude ?? []);
  if (exclude.size) {
    stage('untried', (c) => (exclude.has(c.id) ? 'already-failed' : null));
    if (exclude.has(config.fallback)) excludeFallback('already-failed');
  }

  if (privacy.verdict === 'private') {
    stage('privacy', (c) => (c.privacy ? null : 'not-privacy-marked'));
    if (fbTraits?.privacy !== true) excludeFallback('fallback-not-privacy-marked');
  }

  if (nsfw.verdict === 'nsfw') {
    stage('nsfw', (c) => (c.nsfw ? null : 'not-nsfw-marked'));
    if (fbTraits?.nsfw === false) excludeFallback('fallback-not-nsfw');
  }

  const required = (['tools', 'vision'] as const).filter((n) => needs[n]);
  if (required.length) {
    stage('capabilities', (c) => {
      if (!c.capabilities) return input.unknownCapabilities === 'allow' ? null : 'capabilities-unknown';
      const missing = required.filter((n) => !hasCapability(c.capabilities!, n));
      return missing.length ? `lacks-${missing.join('+')}` : null;
    });
    if (fbTraits?.capabilities && required.some((n) => !hasCapability(fbTraits.capabilities!, n))) excludeFallback('fallback-lacks-capability');
  }

  const tokens = input.estimatedPromptTokens ?? needs.estimatedPromptTokens;
  if (all.some((c) => c.contextSize !== undefined) || fbTraits?.contextSize !== undefined) {
    stage('context', (c) => (c.contextSize !== undefined && tokens > c.contextSize ? `context-too-small(${c.contextSize})` : null));
    if (fbTraits?.contextSize !== undefined && tokens > fbTraits.contextSize) excludeFallback('fallback-context-too-small');
  }

  const result: FilterResult = { privacy, nsfw, needs, configured: all.map((c) => c.id), stages, candidates: cur, fallback };
  if (cur.length === 0 && !fallback.allowed) result.refusal = refusalFor(input.autoselectId, result, emptiedBy);
  return result;
}

function refusalFor(autoselectId: string, r: FilterResult, emptiedBy: FilterStageName | undefined): AutoselectRefusal {
  const later = r.stages
    .filter((s) => s.stage !== 'privacy' && s.stage !== 'untried' && s.removed.length)
    .map((s) => s.stage)
    .join(', ');
  if (r.privacy.verdict === 'private') {
    const privacyStage = r.stages.find((s) => s.stage === 'privacy');
    const hadPrivate = (privacyStage?.remaining.length ?? 0) > 0;
    return {
      code: 'PRIVACY_REFUSED',
      reason: 'privacy',
      message:
        `Autoselect '${autoselectId}' refused this request: it was judged private (${describePrivacy(r.privacy)}) and no route marked privacy: true may take it` +
        (hadPrivate && later ? ` (the privacy-marked candidates were excluded by: ${later})` : '') +
        `; the fallback '${r.fallback.id}' is ${r.fallback.reason === 'fallback-not-privacy-marked' ? 'not privacy-marked' : 'excluded (' + (r.fallback.reason ?? 'unknown') + ')'}. Nothing was sent upstream.`,
    };
  }
  const reason: AutoselectRefusal['reason'] = emptiedBy === 'nsfw' || emptiedBy === 'capabilities' || emptiedBy === 'context' ? emptiedBy : 'exhausted';
  const what: Record<AutoselectRefusal['reason'], string> = {
    privacy: '',
    nsfw: 'the request was classified NSFW and no candidate is marked nsfw: true',
    capabilities: `no candidate supports what the request needs (${r.needs.tools ? 'tool use' : ''}${r.needs.tools && r.needs.vision ? ' and ' : ''}${r.needs.vision ? 'images' : ''})`,
    context: `the request (~${r.needs.estimatedPromptTokens} tokens) is larger than every candidate's context`,
    exhausted: r.configured.length ? 'every candidate has already been tried' : 'it lists no candidates',
  };
  const param = reason === 'capabilities' ? (r.needs.tools ? 'tools' : 'messages') : reason === 'context' ? 'messages' : undefined;
  return {
    code: REFUSAL_CODES[reason],
    reason,
    message: `Autoselect '${autoselectId}' has no route for this request: ${what[reason]}, and the fallback '${r.fallback.id}' is excluded (${r.fallback.reason ?? 'unknown'}).`,
    ...(param ? { param } : {}),
  };
}

/**
 * The refusal as the error the services throw: PRIVACY_REFUSED (422), INVALID_REQUEST / CONTEXT_LENGTH /
 * CONTENT_FILTER (400: the request is what no candidate can serve), NO_CANDIDATES (503). Never retryable.
 */
export function refusalError(refusal: AutoselectRefusal, details?: Record<string, unknown>): AppError {
  return new AppError(refusal.code, refusal.message, {
    retryable: false,
    ...(refusal.code === 'NO_CANDIDATES' ? {} : { type: 'invalid_request_error' }),
    ...(refusal.param ? { param: refusal.param } : {}),
    ...(details ? { details: [details] } : {}),
  });
}
