import type { ErrorCode } from '@aisbf/contracts';

/**
 * What a failed attempt means for the rest of the request:
 * - `failover`: a retryable failure (timeout, connection error, 408, 5xx, 529, stream with no first chunk in time,
 *   429 without a wait hint): try the next candidate;
 * - `rate_limited`: the candidate asked us to wait (Retry-After and friends): try the next candidate, and no request
 *   tries this one again before `notBeforeMs`;
 * - `skip`: this candidate cannot serve (auth, model not found, quota exhausted, a loop, an unavailable nested route):
 *   try the next candidate and never retry this one in this request;
 * - `caller`: the request itself is at fault (400 invalid request, context too long): return it to the caller;
 * - `content_filter`: a refusal by a safety system: return it to the caller, never route around it;
 * - `abort`: the request was cancelled; stop.
 */
export type FailureClass = 'failover' | 'rate_limited' | 'skip' | 'caller' | 'content_filter' | 'abort';

export interface FailureVerdict {
  class: FailureClass;
  /** Whether another candidate may be tried. */
  failover: boolean;
  /** Whether the failure counts toward the candidate's failure window (and so toward its cooldown). */
  countsFailure: boolean;
  /** How long the candidate asked us to wait, when it did. */
  waitMs?: number;
}

/** The parts of a coded error (AppError / ErrorEnvelope) the policy reads. */
export interface FailureFacts {
  code: ErrorCode;
  retryable: boolean;
  retryAfterMs?: number;
  upstreamStatus?: number;
}

const CALLER: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'INVALID_REQUEST',
  'BAD_REQUEST',
  'CONTEXT_LENGTH',
  'PAYLOAD_TOO_LARGE',
  'PRIVACY_REFUSED',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'QUOTA_EXCEEDED',
]);

const verdict = (cls: FailureClass, countsFailure: boolean, waitMs?: number): FailureVerdict => ({
  class: cls,
  failover: cls === 'failover' || cls === 'rate_limited' || cls === 'skip',
  countsFailure,
  ...(waitMs !== undefined ? { waitMs } : {}),
});

/** Classify a failed attempt by its error code (never by message text). */
export function classifyFailure(e: FailureFacts): FailureVerdict {
  const wait = e.retryAfterMs !== undefined && e.retryAfterMs > 0 ? e.retryAfterMs : undefined;
  switch (e.code) {
    case 'CANCELLED':
      return verdict('abort', false);
    case 'CONTENT_FILTER':
      return verdict('content_filter', false);
    case 'RATE_LIMITED':
      // An exhausted quota (`retryable: false`) will not clear by waiting a few seconds: skip and count it.
      if (!e.retryable) return verdict('skip', true, wait);
      return wait !== undefined ? verdict('rate_limited', false, wait) : verdict('failover', true);
    case 'TIMEOUT':
    case 'STREAM_INTERRUPTED':
      return verdict('failover', true);
    case 'UPSTREAM_UNAVAILABLE':
      // 503 + Retry-After: the upstream asked for a pause; honour it rather than count it.
      return wait !== undefined ? verdict('rate_limited', false, wait) : verdict('failover', true);
    case 'AUTH':
    case 'NOT_FOUND':
      return verdict('skip', true);
    case 'SERVICE_UNAVAILABLE':
      // Our own infrastructure (no provider-workers answered) or a route not available in this build: not the
      // candidate's fault, so it never counts toward a cooldown.
      return e.retryable ? verdict('failover', false) : verdict('skip', false);
    case 'NO_CANDIDATES':
    case 'ROUTE_NOT_FOUND':
    case 'LOOP_DETECTED':
    case 'INTERNAL':
      return verdict('skip', false);
    default:
      if (CALLER.has(e.code)) return verdict('caller', false);
      return e.retryable ? verdict('failover', true) : verdict('skip', false);
  }
}
