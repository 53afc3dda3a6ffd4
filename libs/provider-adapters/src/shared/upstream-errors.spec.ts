import { parseDurationMs, retryAfterMs, transportError, upstreamHttpError } from './upstream-errors';

const NOW = Date.parse('2026-11-21T12:00:00Z');

describe('retryAfterMs', () => {
  it.each([
    [{ 'retry-after': '7' }, undefined, 7000],
    [{ 'retry-after': 'Sat, 21 Nov 2026 12:00:30 GMT' }, undefined, 30000],
    [{ 'retry-after-ms': '250' }, undefined, 250],
    [{ 'x-ratelimit-reset-requests': '6m0s' }, undefined, 360000],
    [{ 'x-ratelimit-reset-tokens': '1s' }, undefined, 1000],
    [{ 'anthropic-ratelimit-requests-reset': '2026-11-21T12:00:05Z' }, undefined, 5000],
    [{}, { error: { details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '59s' }] } }, 59000],
    [{}, { error: { message: 'Rate limit reached. Please try again in 20s.' } }, 20000],
    [{}, { retry_after: 3 }, 3000],
  ])('reads %j / %j', (headers, body, expected) => {
    expect(retryAfterMs(headers as Record<string, string>, body, NOW)).toBe(expected);
  });

  it('says nothing when nothing says', () => {
    expect(retryAfterMs({}, { error: { message: 'busy' } }, NOW)).toBeUndefined();
  });

  it('parses Go-style durations', () => {
    expect(parseDurationMs('1h2m3.5s')).toBe(3723500);
    expect(parseDurationMs('250ms')).toBe(250);
    expect(parseDurationMs('soon')).toBeUndefined();
  });
});

describe('upstreamHttpError', () => {
  const mk = (status: number, body: unknown, headers: Record<string, string> = {}) => upstreamHttpError({ providerId: 'p', status, body, headers });

  it('keeps the upstream message, type, code and status', () => {
    const e = mk(400, { error: { code: 'unsupported_parameter', message: "Unsupported parameter: 'max_tokens'", param: 'max_tokens', type: 'invalid_request_error' } });
    expect(e.code).toBe('BAD_REQUEST');
    expect(e.message).toBe("Unsupported parameter: 'max_tokens'");
    expect(e.extras).toMatchObject({ upstreamStatus: 400, type: 'invalid_request_error', upstreamCode: 'unsupported_parameter', param: 'max_tokens' });
    expect(e.retryable).toBe(false);
  });

  it.each([
    [429, { error: { type: 'requests', code: 'rate_limit_exceeded', message: 'slow' } }, 'RATE_LIMITED', true],
    [429, { error: { type: 'insufficient_quota', code: 'insufficient_quota', message: 'quota' } }, 'RATE_LIMITED', false],
    [529, { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }, 'UPSTREAM_UNAVAILABLE', true],
    [500, 'oops', 'UPSTREAM_UNAVAILABLE', true],
    [408, {}, 'TIMEOUT', true],
    [401, { error: { message: 'bad key' } }, 'AUTH', false],
    [403, { error: { code: 403, message: 'unregistered callers', status: 'PERMISSION_DENIED' } }, 'AUTH', false],
    [404, { error: { message: 'The model `x` does not exist', code: 'model_not_found' } }, 'NOT_FOUND', false],
    [400, { error: { message: "This model's maximum context length is 8192 tokens", code: 'context_length_exceeded' } }, 'CONTEXT_LENGTH', false],
    [400, { error: { message: 'The response was filtered due to the prompt triggering content management policy', code: 'content_filter' } }, 'CONTENT_FILTER', false],
    [400, { error: 'registry.ollama.ai/library/gemma3:1b does not support tools' }, 'BAD_REQUEST', false],
  ])('HTTP %i %j → %s (retryable %s)', (status, body, code, retryable) => {
    const e = mk(status, body);
    expect([e.code, e.retryable]).toEqual([code, retryable]);
  });

  it('carries Retry-After on rate limits', () => {
    expect(mk(429, {}, { 'retry-after': '7' }).extras.retryAfterMs).toBe(7000);
  });
});

describe('transportError', () => {
  it('classifies connection failures, timeouts and cancellations', () => {
    expect(transportError('p', Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } })).code).toBe('UPSTREAM_UNAVAILABLE');
    expect(transportError('p', new Error('socket hang up')).code).toBe('UPSTREAM_UNAVAILABLE');
    expect(transportError('p', new Error('Request timed out.')).code).toBe('TIMEOUT');
    const ac = new AbortController();
    ac.abort();
    expect(transportError('p', new Error('aborted'), ac.signal).code).toBe('CANCELLED');
  });
});
