import type { ErrorCode, ErrorEnvelope } from '@aisbf/contracts';

/** Codes a failure of which another attempt (elsewhere or later) may succeed. */
const RETRYABLE: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'RATE_LIMITED',
  'TIMEOUT',
  'UPSTREAM_UNAVAILABLE',
  'SERVICE_UNAVAILABLE',
  'STREAM_INTERRUPTED',
]);

export type AppErrorExtras = Omit<ErrorEnvelope, 'code' | 'message' | 'retryable'> & { retryable?: boolean };

/**
 * The one error type services throw. It carries a code (never an HTTP status): edge-api maps codes to HTTP, the
 * messaging lib maps them to reply envelopes, the router's policies decide on retries from `code`/`retryable`.
 */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;
  readonly extras: Omit<AppErrorExtras, 'retryable'>;

  constructor(code: ErrorCode, message: string, extras: AppErrorExtras = {}) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    const { retryable, ...rest } = extras;
    this.retryable = retryable ?? RETRYABLE.has(code);
    this.extras = rest;
  }

  toEnvelope(): ErrorEnvelope {
    return { code: this.code, message: this.message, retryable: this.retryable, ...this.extras };
  }

  static fromEnvelope(env: ErrorEnvelope): AppError {
    const { code, message, retryable, ...extras } = env;
    return new AppError(code, message, { retryable, ...extras });
  }

  /** Any thrown value as an AppError; unknown failures become INTERNAL without leaking their text. */
  static from(err: unknown, fallbackMessage = 'Internal error'): AppError {
    if (err instanceof AppError) return err;
    return new AppError('INTERNAL', fallbackMessage, { retryable: false });
  }
}

export function isAppError(err: unknown): err is AppError {
  return err instanceof AppError;
}
