import { z } from 'zod';

/**
 * Every coded error the services exchange. Adapters produce the upstream codes; the router and edge-api produce the
 * gateway codes. Only edge-api turns a code into an HTTP status (see its exception filter).
 */
export const ERROR_CODES = [
  // caller / gateway
  'INVALID_REQUEST',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'ROUTE_NOT_FOUND',
  /** An API resource (user, token, tier, user route) does not exist, or is not the caller's. */
  'RESOURCE_NOT_FOUND',
  /** An API resource with that name or id exists already. */
  'CONFLICT',
  'PAYLOAD_TOO_LARGE',
  'QUOTA_EXCEEDED',
  'LOOP_DETECTED',
  'NO_CANDIDATES',
  'PRIVACY_REFUSED',
  'SERVICE_UNAVAILABLE',
  'INTERNAL',
  // upstream (provider adapters)
  'RATE_LIMITED',
  'TIMEOUT',
  'UPSTREAM_UNAVAILABLE',
  'CONTENT_FILTER',
  'CONTEXT_LENGTH',
  'BAD_REQUEST',
  'AUTH',
  'NOT_FOUND',
  'STREAM_INTERRUPTED',
  // the caller went away; nothing is sent anywhere
  'CANCELLED',
] as const;

export const ErrorCodeSchema = z.enum(ERROR_CODES);
export type ErrorCode = z.infer<typeof ErrorCodeSchema>;

/** The coded error as it travels between services (NATS replies, stream events, job results). */
export const ErrorEnvelopeSchema = z.object({
  code: ErrorCodeSchema,
  message: z.string(),
  retryable: z.boolean(),
  /** HTTP status the upstream answered with, when the error came from an upstream. */
  upstreamStatus: z.number().int().optional(),
  /** Milliseconds the upstream asked us to wait (Retry-After, reset headers, body hints). */
  retryAfterMs: z.number().int().nonnegative().optional(),
  /** OpenAI-style `type`/`param`/`code` to show the caller, when the upstream gave them. */
  type: z.string().optional(),
  param: z.string().nullable().optional(),
  upstreamCode: z.string().nullable().optional(),
  providerId: z.string().optional(),
  details: z.array(z.record(z.string(), z.unknown())).optional(),
});
export type ErrorEnvelope = z.infer<typeof ErrorEnvelopeSchema>;
