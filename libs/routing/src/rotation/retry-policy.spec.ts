import { classifyFailure, type FailureFacts } from './retry-policy';

const c = (f: Partial<FailureFacts> & Pick<FailureFacts, 'code'>) => classifyFailure({ retryable: true, ...f });

describe('classifyFailure', () => {
  it.each([
    ['TIMEOUT (silent upstream, no first token in time)', { code: 'TIMEOUT' }],
    ['UPSTREAM_UNAVAILABLE (5xx, 529, connection reset)', { code: 'UPSTREAM_UNAVAILABLE', upstreamStatus: 500 }],
    ['STREAM_INTERRUPTED before the first chunk', { code: 'STREAM_INTERRUPTED' }],
    ['RATE_LIMITED without a wait hint', { code: 'RATE_LIMITED', upstreamStatus: 429 }],
  ] as const)('%s fails over and counts toward the cooldown', (_, f) => {
    expect(c(f)).toEqual({ class: 'failover', failover: true, countsFailure: true });
  });

  it('a 429 with Retry-After fails over, sets a not-before time and does not count as a failure', () => {
    expect(c({ code: 'RATE_LIMITED', retryAfterMs: 2000, upstreamStatus: 429 })).toEqual({ class: 'rate_limited', failover: true, countsFailure: false, waitMs: 2000 });
    expect(c({ code: 'UPSTREAM_UNAVAILABLE', retryAfterMs: 1000, upstreamStatus: 503 })).toMatchObject({ class: 'rate_limited', waitMs: 1000 });
  });

  it('an exhausted quota skips the candidate and counts', () => {
    expect(c({ code: 'RATE_LIMITED', retryable: false })).toEqual({ class: 'skip', failover: true, countsFailure: true });
  });

  it('auth and not-found skip the candidate without retrying it', () => {
    expect(c({ code: 'AUTH', retryable: false, upstreamStatus: 401 })).toEqual({ class: 'skip', failover: true, countsFailure: true });
    expect(c({ code: 'NOT_FOUND', retryable: false, upstreamStatus: 404 })).toMatchObject({ class: 'skip', failover: true });
  });

  it('content-filter refusals are returned to the caller, never failed over', () => {
    expect(c({ code: 'CONTENT_FILTER', retryable: false, upstreamStatus: 400 })).toEqual({ class: 'content_filter', failover: false, countsFailure: false });
  });

  it.each(['BAD_REQUEST', 'INVALID_REQUEST', 'CONTEXT_LENGTH', 'PAYLOAD_TOO_LARGE'] as const)('%s is the caller’s error: returned, not failed over', (code) => {
    expect(c({ code, retryable: false, upstreamStatus: 400 })).toEqual({ class: 'caller', failover: false, countsFailure: false });
  });

  it('our own infrastructure failing never counts against a candidate', () => {
    expect(c({ code: 'SERVICE_UNAVAILABLE' })).toEqual({ class: 'failover', failover: true, countsFailure: false });
    expect(c({ code: 'SERVICE_UNAVAILABLE', retryable: false })).toEqual({ class: 'skip', failover: true, countsFailure: false });
    expect(c({ code: 'INTERNAL', retryable: false })).toMatchObject({ class: 'skip', countsFailure: false });
  });

  it('nested route failures (no candidates, loops, unknown targets) skip that candidate', () => {
    for (const code of ['NO_CANDIDATES', 'LOOP_DETECTED', 'ROUTE_NOT_FOUND'] as const) expect(c({ code, retryable: false })).toMatchObject({ class: 'skip', countsFailure: false });
  });

  it('cancellation stops everything', () => {
    expect(c({ code: 'CANCELLED', retryable: false })).toEqual({ class: 'abort', failover: false, countsFailure: false });
  });
});
