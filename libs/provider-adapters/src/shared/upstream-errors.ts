import type { ErrorCode } from '@aisbf/contracts';
import { AppError } from '@aisbf/platform-errors';

export interface UpstreamHttpFailure {
  providerId: string;
  status: number;
  headers?: Headers | Record<string, string | string[] | undefined> | null;
  /** Parsed body (object) or raw text. */
  body?: unknown;
  /** Fallback text when the body has none. */
  message?: string;
}

function header(h: UpstreamHttpFailure['headers'], name: string): string | undefined {
  if (!h) return undefined;
  if (typeof (h as Headers).get === 'function') return (h as Headers).get(name) ?? undefined;
  const v = (h as Record<string, string | string[] | undefined>)[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

/** "1s", "6m0s", "250ms", "1h2m3.5s" (OpenAI's x-ratelimit-reset-*) → ms. */
export function parseDurationMs(s: string): number | undefined {
  const re = /(\d+(?:\.\d+)?)(ms|h|m|s)/g;
  let total = 0;
  let matched = false;
  for (const m of s.matchAll(re)) {
    matched = true;
    const n = Number(m[1]);
    total += m[2] === 'ms' ? n : m[2] === 's' ? n * 1000 : m[2] === 'm' ? n * 60_000 : n * 3_600_000;
  }
  return matched ? Math.round(total) : undefined;
}

const MAX_WAIT_MS = 86_400_000;

/**
 * How long the upstream asked us to wait: `Retry-After` (seconds or HTTP date) → `retry-after-ms` → reset headers
 * (`x-ratelimit-reset*` durations or epoch seconds, `anthropic-ratelimit-*-reset` RFC 3339) → body hints
 * (`retry_after`, Google `RetryInfo.retryDelay`, "try again in Ns"). Undefined when nothing says.
 */
export function retryAfterMs(headers: UpstreamHttpFailure['headers'], body: unknown, now = Date.now()): number | undefined {
  const clamp = (ms: number) => Math.min(Math.max(0, Math.round(ms)), MAX_WAIT_MS);
  const ra = header(headers, 'retry-after');
  if (ra) {
    if (/^\d+(\.\d+)?$/.test(ra.trim())) return clamp(Number(ra) * 1000);
    const date = Date.parse(ra);
    if (!Number.isNaN(date)) return clamp(date - now);
  }
  const raMs = header(headers, 'retry-after-ms');
  if (raMs && /^\d+(\.\d+)?$/.test(raMs)) return clamp(Number(raMs));
  for (const name of ['x-ratelimit-reset-requests', 'x-ratelimit-reset-tokens', 'x-ratelimit-reset']) {
    const v = header(headers, name);
    if (!v) continue;
    if (/^\d+(\.\d+)?$/.test(v)) {
      const n = Number(v);
      return clamp(n > 1e9 ? n * 1000 - now : n * 1000); // epoch seconds or delta seconds
    }
    const d = parseDurationMs(v);
    if (d !== undefined) return clamp(d);
  }
  for (const name of ['anthropic-ratelimit-requests-reset', 'anthropic-ratelimit-tokens-reset']) {
    const v = header(headers, name);
    const t = v ? Date.parse(v) : NaN;
    if (!Number.isNaN(t)) return clamp(t - now);
  }
  const text = typeof body === 'string' ? body : JSON.stringify(body ?? '');
  const bodyField = /"(?:retry_after|retryAfter|retry_after_seconds)"\s*:\s*"?(\d+(?:\.\d+)?)/.exec(text);
  if (bodyField) return clamp(Number(bodyField[1]) * 1000);
  const retryDelay = /"retryDelay"\s*:\s*"(\d+(?:\.\d+)?)s"/.exec(text);
  if (retryDelay) return clamp(Number(retryDelay[1]) * 1000);
  const phrase = /(?:try again in|retry after|wait)\s+(\d+(?:\.\d+)?)\s*(ms|milliseconds?|s|seconds?|m|minutes?|h|hours?)\b/i.exec(text);
  if (phrase) {
    const n = Number(phrase[1]);
    const u = phrase[2]!.toLowerCase();
    return clamp(u.startsWith('ms') || u.startsWith('milli') ? n : u.startsWith('s') ? n * 1000 : u.startsWith('m') ? n * 60_000 : n * 3_600_000);
  }
  return undefined;
}

interface ErrorFields {
  message?: string;
  type?: string;
  code?: string | null;
  param?: string | null;
}

/** The message/type/code/param of the common vendor error envelopes (OpenAI, Anthropic, Google, Ollama). */
export function errorFields(body: unknown): ErrorFields {
  if (typeof body === 'string') {
    try {
      return errorFields(JSON.parse(body));
    } catch {
      return { message: body.slice(0, 2000) || undefined };
    }
  }
  if (!body || typeof body !== 'object') return {};
  const b = body as Record<string, unknown>;
  const e = b['error'];
  if (typeof e === 'string') return { message: e }; // Ollama: {"error":"..."}
  if (e && typeof e === 'object') {
    const eo = e as Record<string, unknown>;
    const code = eo['code'] ?? eo['status'];
    return {
      message: typeof eo['message'] === 'string' ? eo['message'] : undefined,
      type: typeof eo['type'] === 'string' ? eo['type'] : typeof eo['status'] === 'string' ? eo['status'] : undefined,
      code: code === undefined || code === null ? null : String(code),
      param: typeof eo['param'] === 'string' ? eo['param'] : null,
    };
  }
  if (typeof b['message'] === 'string') return { message: b['message'], type: typeof b['type'] === 'string' ? b['type'] : undefined };
  return {};
}

const CONTEXT_RE = /context[ _-]?length|context window|maximum context|too many tokens|prompt is too long|exceeds the (?:model'?s? )?(?:maximum|max)/i;
const FILTER_RE = /content[ _-]?(?:filter|policy|management)|safety system|flagged|responsible ai|refus/i;

function codeFor(status: number, f: ErrorFields): ErrorCode {
  const all = `${f.type ?? ''} ${f.code ?? ''} ${f.message ?? ''}`;
  if (status === 429) return 'RATE_LIMITED';
  if (status === 408) return 'TIMEOUT';
  if (status === 401 || status === 403) return 'AUTH';
  if (status === 404) return 'NOT_FOUND';
  if (status >= 500 || status === 529) return /overloaded|unavailable|timeout/i.test(all) && status === 504 ? 'TIMEOUT' : 'UPSTREAM_UNAVAILABLE';
  if (/context_length_exceeded/.test(all) || CONTEXT_RE.test(all)) return 'CONTEXT_LENGTH';
  if (/content_filter|content_policy_violation/.test(all) || FILTER_RE.test(all)) return 'CONTENT_FILTER';
  return 'BAD_REQUEST';
}

/** An upstream HTTP error as a coded AppError that keeps the upstream's message, type, code and status. */
export function upstreamHttpError(f: UpstreamHttpFailure): AppError {
  const fields = errorFields(f.body);
  const code = codeFor(f.status, fields);
  const message = fields.message ?? f.message ?? `Upstream answered HTTP ${f.status}`;
  const quotaGone = /insufficient_quota|billing|credit/i.test(`${fields.type ?? ''} ${fields.code ?? ''}`);
  return new AppError(code, message, {
    upstreamStatus: f.status,
    providerId: f.providerId,
    type: fields.type,
    upstreamCode: fields.code ?? null,
    param: fields.param ?? null,
    retryAfterMs: code === 'RATE_LIMITED' || code === 'UPSTREAM_UNAVAILABLE' ? retryAfterMs(f.headers, f.body) : undefined,
    // A 429 for an exhausted quota will not clear by retrying the same upstream.
    ...(quotaGone ? { retryable: false } : {}),
  });
}

const CONNECTION_RE = /ECONNREFUSED|ECONNRESET|EPIPE|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|socket hang up|other side closed|fetch failed|terminated|network|Connection error/i;

/** A transport failure (no HTTP answer) as TIMEOUT, CANCELLED or UPSTREAM_UNAVAILABLE. */
export function transportError(providerId: string, err: unknown, signal?: AbortSignal): AppError {
  if (err instanceof AppError) return err;
  if (signal?.aborted) return new AppError('CANCELLED', 'The request was cancelled', { providerId, retryable: false });
  const e = err as { name?: string; message?: string; code?: string; cause?: { code?: string; message?: string } };
  const text = `${e?.name ?? ''} ${e?.message ?? ''} ${e?.code ?? ''} ${e?.cause?.code ?? ''} ${e?.cause?.message ?? ''}`;
  if (/timeout|timed out|ETIMEDOUT|UND_ERR_.*TIMEOUT/i.test(text)) {
    return new AppError('TIMEOUT', `Upstream provider '${providerId}' timed out`, { providerId });
  }
  if (CONNECTION_RE.test(text)) {
    const reason = e?.cause?.code ?? e?.code ?? 'connection error';
    return new AppError('UPSTREAM_UNAVAILABLE', `Upstream provider '${providerId}' is unreachable (${reason})`, { providerId });
  }
  return new AppError('UPSTREAM_UNAVAILABLE', `Upstream provider '${providerId}' failed: ${(e?.message ?? 'unknown error').slice(0, 300)}`, { providerId });
}

export type Vendor = 'anthropic' | 'google' | 'ollama' | 'runpod';

const TYPE_BY_STATUS = (status: number): string =>
  status === 401 ? 'authentication_error'
  : status === 403 ? 'permission_error'
  : status === 429 ? 'rate_limit_error'
  : status >= 500 ? 'server_error'
  : 'invalid_request_error';

function bodyRecord(body: unknown): Record<string, unknown> | undefined {
  if (typeof body === 'string') {
    try {
      return bodyRecord(JSON.parse(body));
    } catch {
      return undefined;
    }
  }
  return body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : undefined;
}

/**
 * A non-OpenAI vendor's HTTP error as a coded AppError whose `type`/`upstreamCode` read like OpenAI's (what callers'
 * SDKs understand): 404 → `model_not_found`, 429 → `rate_limit_exceeded`. The vendor's message is kept verbatim, and
 * so is an informative vendor type (Anthropic `overloaded_error`, `not_found_error`, …); Google's status string
 * (`PERMISSION_DENIED`) becomes the code. Anthropic's `request_id` travels in `details`.
 *
 * Status 529 (Anthropic "overloaded") is `UPSTREAM_UNAVAILABLE`, retryable, with `upstreamStatus` 529 kept in the
 * envelope; edge-api answers 503 for it, which every HTTP client knows to retry.
 */
export function vendorHttpError(vendor: Vendor, f: UpstreamHttpFailure): AppError {
  const base = upstreamHttpError(f);
  const body = bodyRecord(f.body);
  const err = body && typeof body['error'] === 'object' && body['error'] ? (body['error'] as Record<string, unknown>) : undefined;
  const { message, retryable, code } = base;
  const extras = { ...base.extras };
  const openAICode = f.status === 404 ? 'model_not_found' : f.status === 429 ? 'rate_limit_exceeded' : undefined;
  let finalCode = code;
  switch (vendor) {
    case 'anthropic': {
      extras.type = typeof err?.['type'] === 'string' ? (err['type'] as string) : TYPE_BY_STATUS(f.status);
      extras.upstreamCode = openAICode ?? (f.status === 529 ? 'overloaded' : null);
      const requestId = (typeof body?.['request_id'] === 'string' ? body['request_id'] : undefined) ?? headerValue(f.headers, 'request-id');
      if (requestId) extras.details = [{ upstream_request_id: requestId }];
      break;
    }
    case 'google': {
      const status = typeof err?.['status'] === 'string' ? (err['status'] as string) : undefined;
      extras.type = TYPE_BY_STATUS(f.status);
      extras.upstreamCode = openAICode ?? (status ? status.toLowerCase() : null);
      if (f.status === 400 && /API key not valid|API_KEY_INVALID/i.test(`${message} ${JSON.stringify(err?.['details'] ?? '')}`)) finalCode = 'AUTH';
      break;
    }
    case 'ollama':
    case 'runpod':
      extras.type = TYPE_BY_STATUS(f.status);
      extras.upstreamCode = openAICode ?? null;
      break;
  }
  return new AppError(finalCode, message, { ...extras, retryable: finalCode === code ? retryable : false });
}

function headerValue(h: UpstreamHttpFailure['headers'], name: string): string | undefined {
  if (!h) return undefined;
  if (typeof (h as Headers).get === 'function') return (h as Headers).get(name) ?? undefined;
  const v = (h as Record<string, string | string[] | undefined>)[name];
  return Array.isArray(v) ? v[0] : v;
}
