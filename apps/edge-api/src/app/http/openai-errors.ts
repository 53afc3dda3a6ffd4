import type { ErrorCode, ErrorEnvelope, OpenAIErrorBody } from '@aisbf/contracts';
import { AppError } from '@aisbf/platform-errors';

/** HTTP status per code; upstream errors keep the upstream's status (529 becomes 503, which clients know to retry). */
const STATUS: Record<ErrorCode, number> = {
  INVALID_REQUEST: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  ROUTE_NOT_FOUND: 404,
  RESOURCE_NOT_FOUND: 404,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  QUOTA_EXCEEDED: 429,
  LOOP_DETECTED: 508,
  NO_CANDIDATES: 503,
  PRIVACY_REFUSED: 422,
  SERVICE_UNAVAILABLE: 503,
  INTERNAL: 500,
  RATE_LIMITED: 429,
  TIMEOUT: 504,
  UPSTREAM_UNAVAILABLE: 502,
  CONTENT_FILTER: 400,
  CONTEXT_LENGTH: 400,
  BAD_REQUEST: 400,
  AUTH: 401,
  NOT_FOUND: 404,
  STREAM_INTERRUPTED: 502,
  CANCELLED: 499,
};

const TYPE: Partial<Record<ErrorCode, string>> = {
  INVALID_REQUEST: 'invalid_request_error',
  ROUTE_NOT_FOUND: 'invalid_request_error',
  RESOURCE_NOT_FOUND: 'invalid_request_error',
  CONFLICT: 'invalid_request_error',
  PAYLOAD_TOO_LARGE: 'invalid_request_error',
  BAD_REQUEST: 'invalid_request_error',
  CONTEXT_LENGTH: 'invalid_request_error',
  CONTENT_FILTER: 'invalid_request_error',
  NOT_FOUND: 'invalid_request_error',
  PRIVACY_REFUSED: 'invalid_request_error',
  UNAUTHENTICATED: 'authentication_error',
  AUTH: 'authentication_error',
  FORBIDDEN: 'permission_error',
  RATE_LIMITED: 'rate_limit_error',
  QUOTA_EXCEEDED: 'rate_limit_error',
};

const OPENAI_CODE: Partial<Record<ErrorCode, string>> = {
  ROUTE_NOT_FOUND: 'model_not_found',
  RESOURCE_NOT_FOUND: 'not_found',
  CONFLICT: 'conflict',
  QUOTA_EXCEEDED: 'insufficient_quota',
  NOT_FOUND: 'model_not_found',
  UNAUTHENTICATED: 'invalid_api_key',
  RATE_LIMITED: 'rate_limit_exceeded',
  CONTEXT_LENGTH: 'context_length_exceeded',
  CONTENT_FILTER: 'content_filter',
  PAYLOAD_TOO_LARGE: 'request_too_large',
};

export interface HttpError {
  status: number;
  body: OpenAIErrorBody;
  headers: Record<string, string>;
}

export function httpStatusOf(e: ErrorEnvelope): number {
  const up = e.upstreamStatus;
  if (up && up >= 400 && up <= 599) return up === 529 ? 503 : up;
  return STATUS[e.code] ?? 500;
}

/** The OpenAI error body for a coded error (also used for in-band stream error events). */
export function openAIErrorBody(e: ErrorEnvelope): OpenAIErrorBody {
  const status = httpStatusOf(e);
  return {
    error: {
      message: e.message,
      type: e.type ?? TYPE[e.code] ?? (status >= 500 ? 'server_error' : 'invalid_request_error'),
      code: e.upstreamCode ?? OPENAI_CODE[e.code] ?? e.code.toLowerCase(),
      param: e.param ?? null,
    },
  };
}

export function toHttpError(err: AppError): HttpError {
  const env = err.toEnvelope();
  const headers: Record<string, string> = {};
  if (env.retryAfterMs !== undefined) headers['retry-after'] = String(Math.max(1, Math.ceil(env.retryAfterMs / 1000)));
  // The upstream's own request id (Anthropic `request_id`), for support tickets with the vendor.
  const upstreamRequestId = env.details?.find((d) => typeof d['upstream_request_id'] === 'string')?.['upstream_request_id'];
  if (typeof upstreamRequestId === 'string') headers['x-aisbf-upstream-request-id'] = upstreamRequestId;
  // An autoselect's refusal or final failure carries its decision summary: the caller sees why, as on a success.
  const decision = env.details?.find((d) => typeof d['aisbf_decision'] === 'string')?.['aisbf_decision'];
  if (typeof decision === 'string') headers['x-aisbf-decision'] = decision.replace(/[^\x20-\x7e]/g, '?').slice(0, 1000);
  return { status: httpStatusOf(env), body: openAIErrorBody(env), headers };
}

interface FrameworkError {
  statusCode?: number;
  status?: number;
  code?: string;
  message?: string;
  getStatus?: () => number;
  getResponse?: () => unknown;
}

/** Errors raised by Fastify/Nest before our code runs (body parsing, unknown routes) as coded errors. */
export function frameworkError(err: unknown, bodyLimitBytes: number): AppError {
  if (err instanceof AppError) return err;
  const e = (err ?? {}) as FrameworkError;
  const status = e.getStatus?.() ?? e.statusCode ?? e.status;
  if (e.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || status === 413) {
    return new AppError('PAYLOAD_TOO_LARGE', `Request body is larger than the ${bodyLimitBytes} bytes this gateway accepts (AISBF_MAX_BODY_BYTES).`, { retryable: false });
  }
  if (e.code === 'FST_ERR_CTP_INVALID_JSON' || e.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || err instanceof SyntaxError) {
    return new AppError('INVALID_REQUEST', `Request body is not valid JSON: ${e.message ?? 'parse error'}. Send a JSON object with Content-Type: application/json.`, { retryable: false });
  }
  if (e.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || status === 415) {
    return new AppError('INVALID_REQUEST', 'Unsupported Content-Type: send the body as application/json.', { retryable: false });
  }
  if (status === 404) return new AppError('ROUTE_NOT_FOUND', `Unknown endpoint. See GET /v1/models and POST /v1/chat/completions.`, { retryable: false });
  if (status === 405) return new AppError('INVALID_REQUEST', 'Method not allowed on this endpoint.', { retryable: false });
  if (status && status >= 400 && status < 500) return new AppError('INVALID_REQUEST', e.message ?? 'Bad request', { retryable: false });
  return AppError.from(err);
}
