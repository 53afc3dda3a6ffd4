import { ERROR_CODES, type ErrorCode, OpenAIErrorBodySchema } from '@aisbf/contracts';
import { AppError } from '@aisbf/platform-errors';
import { frameworkError, httpStatusOf, openAIErrorBody, toHttpError } from './openai-errors';

const env = (code: ErrorCode, extra: Partial<ReturnType<AppError['toEnvelope']>> = {}) => ({ code, message: `m ${code}`, retryable: false, ...extra });

describe('openai-errors: coded errors as OpenAI-style HTTP errors', () => {
  describe('httpStatusOf', () => {
    it.each(ERROR_CODES)('%s has an HTTP error status', (code) => {
      const status = httpStatusOf(env(code));
      expect(status).toBeGreaterThanOrEqual(400);
      expect(status).toBeLessThanOrEqual(599);
    });

    it.each<[ErrorCode, number]>([
      ['INVALID_REQUEST', 400],
      ['UNAUTHENTICATED', 401],
      ['FORBIDDEN', 403],
      ['ROUTE_NOT_FOUND', 404],
      ['PAYLOAD_TOO_LARGE', 413],
      ['RATE_LIMITED', 429],
      ['SERVICE_UNAVAILABLE', 503],
      ['TIMEOUT', 504],
      ['UPSTREAM_UNAVAILABLE', 502],
      ['STREAM_INTERRUPTED', 502],
      ['INTERNAL', 500],
    ])('%s → %i', (code, status) => {
      expect(httpStatusOf(env(code))).toBe(status);
    });

    it("keeps the upstream's status, whatever the code", () => {
      expect(httpStatusOf(env('BAD_REQUEST', { upstreamStatus: 422 }))).toBe(422);
      expect(httpStatusOf(env('RATE_LIMITED', { upstreamStatus: 429 }))).toBe(429);
      expect(httpStatusOf(env('UPSTREAM_UNAVAILABLE', { upstreamStatus: 500 }))).toBe(500);
      expect(httpStatusOf(env('AUTH', { upstreamStatus: 403 }))).toBe(403);
    });

    it('turns 529 (overloaded) into 503, which clients know to retry', () => {
      expect(httpStatusOf(env('UPSTREAM_UNAVAILABLE', { upstreamStatus: 529 }))).toBe(503);
    });

    it('ignores an upstream status that is not an error status', () => {
      expect(httpStatusOf(env('STREAM_INTERRUPTED', { upstreamStatus: 200 }))).toBe(502);
    });
  });

  describe('openAIErrorBody', () => {
    it.each(ERROR_CODES)('%s gives a body of OpenAI shape', (code) => {
      const body = openAIErrorBody(env(code));
      expect(OpenAIErrorBodySchema.parse(body)).toEqual(body);
      expect(body.error.message).toBe(`m ${code}`);
    });

    it('uses OpenAI types and codes for the gateway codes', () => {
      expect(openAIErrorBody(env('UNAUTHENTICATED')).error).toMatchObject({ type: 'authentication_error', code: 'invalid_api_key' });
      expect(openAIErrorBody(env('ROUTE_NOT_FOUND')).error).toMatchObject({ type: 'invalid_request_error', code: 'model_not_found' });
      expect(openAIErrorBody(env('PAYLOAD_TOO_LARGE')).error).toMatchObject({ type: 'invalid_request_error', code: 'request_too_large' });
      expect(openAIErrorBody(env('RATE_LIMITED')).error).toMatchObject({ type: 'rate_limit_error', code: 'rate_limit_exceeded' });
      expect(openAIErrorBody(env('UPSTREAM_UNAVAILABLE')).error).toMatchObject({ type: 'server_error', code: 'upstream_unavailable' });
      expect(openAIErrorBody(env('INVALID_REQUEST', { param: 'messages' })).error.param).toBe('messages');
      expect(openAIErrorBody(env('INTERNAL')).error.param).toBeNull();
    });

    it("keeps the upstream's type, code and param", () => {
      const body = openAIErrorBody(env('BAD_REQUEST', { upstreamStatus: 400, type: 'invalid_request_error', upstreamCode: 'invalid_value', param: 'temperature' }));
      expect(body).toEqual({ error: { message: 'm BAD_REQUEST', type: 'invalid_request_error', code: 'invalid_value', param: 'temperature' } });
    });
  });

  describe('toHttpError', () => {
    it('passes Retry-After on in whole seconds (rounded up, at least 1)', () => {
      expect(toHttpError(new AppError('RATE_LIMITED', 'slow down', { upstreamStatus: 429, retryAfterMs: 7000 })).headers).toEqual({ 'retry-after': '7' });
      expect(toHttpError(new AppError('RATE_LIMITED', 'slow down', { retryAfterMs: 1200 })).headers).toEqual({ 'retry-after': '2' });
      expect(toHttpError(new AppError('RATE_LIMITED', 'slow down', { retryAfterMs: 0 })).headers).toEqual({ 'retry-after': '1' });
      expect(toHttpError(new AppError('RATE_LIMITED', 'slow down')).headers).toEqual({});
    });

    it("carries an autoselect's decision summary as x-aisbf-decision (PRIVACY_REFUSED is a 422)", () => {
      const e = toHttpError(new AppError('PRIVACY_REFUSED', 'judged private', { retryable: false, details: [{ aisbf_decision: 'privacy=private(secret.aws_key);via=refused(PRIVACY_REFUSED)' }] }));
      expect(e.status).toBe(422);
      expect(e.headers).toEqual({ 'x-aisbf-decision': 'privacy=private(secret.aws_key);via=refused(PRIVACY_REFUSED)' });
      expect(JSON.stringify(e.body)).not.toContain('aisbf_decision');
    });

    it('puts status and body together', () => {
      const e = toHttpError(new AppError('UPSTREAM_UNAVAILABLE', 'overloaded', { upstreamStatus: 529, retryAfterMs: 3000 }));
      expect(e.status).toBe(503);
      expect(e.body.error.message).toBe('overloaded');
      expect(e.headers['retry-after']).toBe('3');
    });
  });

  describe('frameworkError (Fastify/Nest errors before our code runs)', () => {
    it('body too large → PAYLOAD_TOO_LARGE naming the limit', () => {
      const e = frameworkError({ code: 'FST_ERR_CTP_BODY_TOO_LARGE', statusCode: 413, message: 'Request body is too large' }, 1234);
      expect(e.code).toBe('PAYLOAD_TOO_LARGE');
      expect(e.message).toContain('1234');
      expect(toHttpError(e).status).toBe(413);
    });

    it('invalid or empty JSON → INVALID_REQUEST (400)', () => {
      for (const err of [{ code: 'FST_ERR_CTP_INVALID_JSON', statusCode: 400, message: 'Unexpected end' }, { code: 'FST_ERR_CTP_EMPTY_JSON_BODY', statusCode: 400 }, new SyntaxError('bad')]) {
        const e = frameworkError(err, 10);
        expect(e.code).toBe('INVALID_REQUEST');
        expect(e.message).toMatch(/not valid JSON/);
        expect(toHttpError(e).status).toBe(400);
      }
    });

    it('unsupported media type → 400; unknown route → 404; other 4xx → 400', () => {
      expect(toHttpError(frameworkError({ code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE', statusCode: 415 }, 10)).status).toBe(400);
      expect(toHttpError(frameworkError({ getStatus: () => 404, message: 'Cannot GET /x' }, 10)).status).toBe(404);
      expect(toHttpError(frameworkError({ statusCode: 405 }, 10)).status).toBe(400);
      expect(toHttpError(frameworkError({ statusCode: 422, message: 'nope' }, 10)).body.error.message).toBe('nope');
    });

    it('passes AppErrors through and hides the text of unknown errors', () => {
      const app = new AppError('FORBIDDEN', 'no');
      expect(frameworkError(app, 10)).toBe(app);
      const unknown = frameworkError(new Error('secret sk-123 leaked'), 10);
      expect(unknown.code).toBe('INTERNAL');
      expect(unknown.message).not.toContain('sk-123');
      expect(toHttpError(unknown).status).toBe(500);
    });
  });
});
