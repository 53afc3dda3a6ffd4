import type { ChatCompletionRequest } from '@aisbf/contracts';

/**
 * Token limits (`rate_limit_TPM|TPH|TPD`) are sliding windows made of 60 buckets each: a token reserved at time t is
 * counted by every check until the end of its bucket + the window length, i.e. for between W and W + W/60. The check
 * is therefore conservative: in any interval of length W the tokens admitted never exceed the limit (plus what
 * requests used beyond their reservation). The router runs the same arithmetic in Redis (Lua).
 */
export const TOKEN_WINDOWS = { TPM: 60_000, TPH: 3_600_000, TPD: 86_400_000 } as const;
export type TokenWindow = keyof typeof TOKEN_WINDOWS;
export const TOKEN_WINDOW_BUCKETS = 60;

export const bucketMs = (w: TokenWindow): number => TOKEN_WINDOWS[w] / TOKEN_WINDOW_BUCKETS;

/** Bucket index of time `t` in window `w`. */
export const bucketOf = (w: TokenWindow, t: number): number => Math.floor(t / bucketMs(w));

/** Tokens counted against window `w` at time `now`, from per-bucket sums. */
export function windowUsage(w: TokenWindow, buckets: ReadonlyMap<number, number>, now: number): number {
  const oldest = bucketOf(w, now - TOKEN_WINDOWS[w]);
  let sum = 0;
  for (const [b, tokens] of buckets) if (b >= oldest) sum += tokens;
  return sum;
}

/** Output tokens reserved when neither the caller nor the configuration caps the answer. Reconciled afterwards. */
export const FALLBACK_OUTPUT_TOKENS = 1024;
/** Tokens assumed per image part (the bytes of a base64 image say nothing about its token cost). */
const IMAGE_TOKENS = 1000;
const PER_MESSAGE_TOKENS = 4;

const utf8 = (s: string) => Buffer.byteLength(s, 'utf8');

/**
 * A deliberately high estimate of the prompt's tokens: one token per 3 UTF-8 bytes of text (real tokenizers average
 * ~4 characters per token on English and ~1 token per CJK character = 3 bytes), 4 per message, 1000 per image, and the
 * JSON of tools. It is only used for the reservation; the real usage replaces it after the call.
 */
export function estimatePromptTokens(body: Pick<ChatCompletionRequest, 'messages' | 'tools'>): number {
  let bytes = 0;
  let images = 0;
  for (const m of body.messages) {
    const c = m.content;
    if (typeof c === 'string') bytes += utf8(c);
    else if (Array.isArray(c)) {
      for (const part of c) {
        if (part.type === 'text' && typeof part['text'] === 'string') bytes += utf8(part['text']);
        else if (part.type === 'image_url' || part.type === 'input_image' || part.type === 'image') images++;
        else bytes += utf8(JSON.stringify(part));
      }
    }
    if (m.tool_calls) bytes += utf8(JSON.stringify(m.tool_calls));
  }
  if (body.tools) bytes += utf8(JSON.stringify(body.tools));
  return Math.ceil(bytes / 3) + PER_MESSAGE_TOKENS * body.messages.length + IMAGE_TOKENS * images;
}

/** The caller's output cap (`max_completion_tokens` wins over the legacy `max_tokens`), if any. */
export function requestedOutputTokens(body: Pick<ChatCompletionRequest, 'max_tokens' | 'max_completion_tokens'>): number | undefined {
  return body.max_completion_tokens ?? body.max_tokens ?? undefined;
}

/** Tokens to reserve before a call: estimated prompt + the output cap (caller's, else configured, else fallback). */
export function reservationTokens(body: ChatCompletionRequest, configuredMaxTokens?: number): number {
  const n = typeof body['n'] === 'number' && body['n'] > 1 ? body['n'] : 1;
  const output = requestedOutputTokens(body) ?? configuredMaxTokens ?? FALLBACK_OUTPUT_TOKENS;
  return estimatePromptTokens(body) + output * n;
}

/** Output tokens estimated from streamed text when the upstream reports no usage (same 3-bytes rule). */
export const estimateTextTokens = (text: string): number => Math.ceil(utf8(text) / 3);
