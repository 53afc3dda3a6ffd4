import type { ChatCompletion, ChatCompletionChunk, ErrorCode } from '@aisbf/contracts';
import { AppError } from '@aisbf/platform-errors';
import type { FailureClass } from '@aisbf/routing';
import { randomUUID } from 'node:crypto';
import type { DenyStatus } from './state/candidate-state.store';

/** One line of a rotation's attempt log: a candidate tried and failed, or skipped without a call. */
export interface AttemptRecord {
  candidate: string;
  outcome: 'failed' | 'skipped';
  /** Why, in words. */
  reason: string;
  /** Error code (failed) or why it was not usable (skipped). */
  code: ErrorCode | DenyStatus | 'state_unavailable' | 'loop';
  class?: FailureClass;
  upstreamStatus?: number;
  /** When the candidate can be used again (epoch ms), when known. */
  availableAt?: number;
  durationMs?: number;
}

const secs = (ms: number) => `${Math.max(0, Math.ceil(ms / 1000))} s`;

/** A denial from the shared state, in words. */
export function describeDenial(status: DenyStatus | 'state_unavailable', until: number, info: string, now: number): string {
  switch (status) {
    case 'disabled':
      return `disabled by an administrator${info ? ` (${info})` : ''}`;
    case 'not_before':
      return `asked us to wait (Retry-After): usable again in ${secs(until - now)}`;
    case 'open':
      return `cooling down after repeated failures: ${secs(until - now)} left (cooldown #${info || 1})`;
    case 'probing':
      return 'recovering: a probe request is testing it now';
    case 'tokens': {
      const [window, used, limit] = info.split(':');
      return `${window} limit reached (${used}/${limit} tokens in the window): room again in ${secs(until - now)}`;
    }
    case 'too_large': {
      const [window, need, limit] = info.split(':');
      return `this request needs about ${need} tokens, more than the ${window} limit of ${limit}`;
    }
    case 'paced':
      return `rate_limit pacing: next slot in ${secs(until - now)}`;
    case 'state_unavailable':
      return info || 'shared limiter state unavailable';
  }
}

const VERDICT_WORDS: Record<FailureClass, string> = {
  failover: 'failed over',
  rate_limited: 'rate limited, failed over',
  skip: 'skipped for this request',
  caller: 'returned to the caller',
  content_filter: 'refused by a content filter',
  abort: 'cancelled',
};

/** A failed attempt, in words. */
export function describeFailure(e: AppError, cls: FailureClass): string {
  const status = e.extras.upstreamStatus ? `HTTP ${e.extras.upstreamStatus} ` : '';
  return `${status}${e.code}: ${e.message.slice(0, 300)} (${VERDICT_WORDS[cls]})`;
}

export function renderAttemptLog(records: readonly AttemptRecord[]): string {
  return records.map((r, i) => `${i + 1}) ${r.candidate} ${r.outcome}: ${r.reason}`).join('; ');
}

const RATE_CODES = new Set<AttemptRecord['code']>(['RATE_LIMITED', 'not_before', 'tokens', 'paced']);

/**
 * The error a rotation answers with when no candidate served: every attempt and skip listed with its reason.
 * RATE_LIMITED (429 + Retry-After) when only rate limits stood in the way; LOOP_DETECTED when a delegation loop did;
 * NO_CANDIDATES (503) when nothing could be tried; UPSTREAM_UNAVAILABLE (502) when every attempt failed.
 */
export function rotationFailure(routeName: string, records: readonly AttemptRecord[], maxAttempts: number, now = Date.now()): AppError {
  const tried = records.filter((r) => r.outcome === 'failed').length;
  const waits = records.map((r) => r.availableAt).filter((t): t is number => t !== undefined && t > now);
  const retryAfterMs = waits.length ? Math.min(...waits) - now : undefined;
  const summary = records.length
    ? `${tried} attempt${tried === 1 ? '' : 's'} (max ${maxAttempts}), ${records.length - tried} skipped: ${renderAttemptLog(records)}`
    : 'it has no usable candidates';
  const details = records.map((r) => ({ ...r }));
  if (records.some((r) => r.code === 'loop' || r.code === 'LOOP_DETECTED')) {
    return new AppError('LOOP_DETECTED', `Route '${routeName}' failed: ${summary}`, { retryable: false, details });
  }
  if (records.length && records.every((r) => RATE_CODES.has(r.code))) {
    return new AppError('RATE_LIMITED', `Route '${routeName}' is rate limited: ${summary}`, { retryable: true, details, ...(retryAfterMs ? { retryAfterMs } : {}) });
  }
  if (tried === 0) {
    return new AppError('NO_CANDIDATES', `Route '${routeName}' has no candidate available: ${summary}`, { retryable: false, details, ...(retryAfterMs ? { retryAfterMs } : {}) });
  }
  return new AppError('UPSTREAM_UNAVAILABLE', `Route '${routeName}' failed: every candidate failed. ${summary}`, { retryable: true, details });
}

/** The markdown report shown as an assistant message with `notifyerrors` (the original's §4.6). */
export function failureMarkdown(routeName: string, err: AppError, records: readonly AttemptRecord[], maxAttempts: number): string {
  const failed = records.filter((r) => r.outcome === 'failed');
  const skipped = records.filter((r) => r.outcome === 'skipped');
  const lines = [`**${routeName} could not answer this request** (${err.code}).`, ''];
  if (failed.length) {
    lines.push(`Attempts (${failed.length}, max ${maxAttempts}):`);
    failed.forEach((r, i) => lines.push(`${i + 1}. \`${r.candidate}\` — ${r.reason}`));
    lines.push('');
  }
  if (skipped.length) {
    lines.push('Not tried:');
    skipped.forEach((r) => lines.push(`- \`${r.candidate}\` — ${r.reason}`));
    lines.push('');
  }
  if (!records.length) lines.push('The rotation has no usable candidates.');
  return lines.join('\n').trim();
}

/** The failure as a completion (non-stream) or two chunks (stream), flagged `aisbf_error` (notifyerrors). */
export function failureAnswer(routeName: string, rotationId: string, err: AppError, records: readonly AttemptRecord[], maxAttempts: number) {
  const id = `chatcmpl-aisbf-${randomUUID()}`;
  const created = Math.floor(Date.now() / 1000);
  const content = failureMarkdown(routeName, err, records, maxAttempts);
  const failed = records.filter((r) => r.outcome === 'failed');
  const flags = {
    aisbf_error: true,
    rotation_id: rotationId,
    error_code: err.code,
    error_details: records,
    attempted_models: failed.map((r) => r.candidate),
    attempted_count: failed.length,
    max_retries: maxAttempts,
    last_error: failed.length ? failed[failed.length - 1]!.reason : null,
  };
  const usage = { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 };
  const completion: ChatCompletion = {
    id,
    object: 'chat.completion',
    created,
    model: routeName,
    choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop', logprobs: null }],
    usage,
    ...flags,
  };
  const chunks: ChatCompletionChunk[] = [
    { id, object: 'chat.completion.chunk', created, model: routeName, choices: [{ index: 0, delta: { role: 'assistant', content }, finish_reason: null }], ...flags },
    { id, object: 'chat.completion.chunk', created, model: routeName, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] },
  ];
  return { completion, chunks };
}
