import type { ChatCompletionRequest } from '@aisbf/contracts';
import { bucketMs, bucketOf, estimatePromptTokens, FALLBACK_OUTPUT_TOKENS, reservationTokens, TOKEN_WINDOWS, windowUsage } from './token-budget';

const body = (extra: Partial<ChatCompletionRequest> = {}): ChatCompletionRequest => ({ model: 'x', messages: [{ role: 'user', content: 'hello world!' }], ...extra });

describe('token windows', () => {
  it('have 60 buckets each', () => {
    expect(bucketMs('TPM')).toBe(1000);
    expect(bucketMs('TPH')).toBe(60_000);
    expect(bucketMs('TPD')).toBe(1_440_000);
  });

  it('count a bucket for the whole window after its end (conservative: W ≤ lifetime ≤ W + W/60)', () => {
    const t0 = 1_000_000_500; // inside bucket 1_000_000 of TPM
    const buckets = new Map([[bucketOf('TPM', t0), 100]]);
    expect(windowUsage('TPM', buckets, t0)).toBe(100);
    expect(windowUsage('TPM', buckets, t0 + TOKEN_WINDOWS.TPM - 1)).toBe(100);
    // Still counted until the end of its bucket + W...
    expect(windowUsage('TPM', buckets, 1_000_000_999 + TOKEN_WINDOWS.TPM)).toBe(100);
    // ...and gone after.
    expect(windowUsage('TPM', buckets, 1_000_001_000 + TOKEN_WINDOWS.TPM)).toBe(0);
  });
});

describe('reservation', () => {
  it('estimates the prompt high (one token per 3 bytes, 4 per message)', () => {
    expect(estimatePromptTokens(body())).toBe(Math.ceil(12 / 3) + 4);
    expect(estimatePromptTokens(body({ messages: [{ role: 'user', content: [{ type: 'text', text: 'abc' }, { type: 'image_url', image_url: { url: 'data:...' } }] }] }))).toBe(1 + 4 + 1000);
  });

  it('reserves prompt + the caller cap, else the configured default, else the fallback', () => {
    const prompt = estimatePromptTokens(body());
    expect(reservationTokens(body({ max_tokens: 50 }), 512)).toBe(prompt + 50);
    expect(reservationTokens(body({ max_completion_tokens: 70, max_tokens: 50 }))).toBe(prompt + 70);
    expect(reservationTokens(body(), 512)).toBe(prompt + 512);
    expect(reservationTokens(body())).toBe(prompt + FALLBACK_OUTPUT_TOKENS);
    expect(reservationTokens(body({ max_tokens: 10, n: 3 } as Partial<ChatCompletionRequest>))).toBe(prompt + 30);
  });
});
