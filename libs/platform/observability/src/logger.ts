import pino, { type Logger } from 'pino';
import { trace } from '@opentelemetry/api';

/** Paths never written to logs: provider keys, bearer tokens, passwords (at any depth we log). */
export const REDACT_PATHS = [
  'authorization',
  'headers.authorization',
  'req.headers.authorization',
  '*.authorization',
  'api_key',
  '*.api_key',
  '*.*.api_key',
  'apiKey',
  '*.apiKey',
  'token',
  '*.token',
  'password',
  '*.password',
  'secret',
  '*.secret',
];

export type AppLogger = Logger;

/** JSON logs with the service name and, when a span is active, the trace id; secrets redacted. */
export function createLogger(service: string, level = 'info'): AppLogger {
  return pino({
    level,
    base: { service },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    mixin() {
      const span = trace.getActiveSpan();
      return span ? { traceId: span.spanContext().traceId } : {};
    },
  });
}
