export { parseModelName, formatModelName } from './model-name';
export type { ParsedModelName } from './model-name';
export {
  expandCandidates,
  resolveLimits,
  providerLimits,
  DEFAULT_ERROR_COOLDOWN_SEC,
} from './rotation/candidates';
export type { Candidate, ProviderCandidate, RouteCandidate, CandidateLimits, Expansion, ExpansionIssue } from './rotation/candidates';
export { seededRng, weightedPick, byWeight, attemptOrder } from './rotation/selection';
export type { Rng, Weighted } from './rotation/selection';
export { classifyFailure } from './rotation/retry-policy';
export type { FailureClass, FailureVerdict, FailureFacts } from './rotation/retry-policy';
export {
  initialBreaker,
  viewBreaker,
  admitBreaker,
  recordBreakerFailure,
  recordBreakerSuccess,
  releaseProbe,
  cooldownFor,
  DEFAULT_FAILURE_THRESHOLD,
  DEFAULT_FAILURE_WINDOW_MS,
  MAX_COOLDOWN_MS,
} from './rotation/circuit-breaker';
export type { BreakerConfig, BreakerState, BreakerView, AdmitDecision, Transition } from './rotation/circuit-breaker';
export {
  TOKEN_WINDOWS,
  TOKEN_WINDOW_BUCKETS,
  bucketMs,
  bucketOf,
  windowUsage,
  estimatePromptTokens,
  estimateTextTokens,
  requestedOutputTokens,
  reservationTokens,
  FALLBACK_OUTPUT_TOKENS,
} from './rotation/token-budget';
export type { TokenWindow } from './rotation/token-budget';
export { checkDelegation, findDelegationProblems, MAX_DELEGATION_DEPTH } from './rotation/delegation';
export type { DelegationCheck } from './rotation/delegation';
export { resolveRoute, listModels, routeSetOf } from './inventory';
export type { RouteInventory, RouteSet, RouteScope, ResolvedRoute, ResolveEntrypoint } from './inventory';
export * from './autoselect';
export { withModelCatalog } from './model-catalog';
export type { ModelCatalog } from './model-catalog';
