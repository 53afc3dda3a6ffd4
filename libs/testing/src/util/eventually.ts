export interface EventuallyOptions {
  /** Give up after this long (ms). Default 5000. */
  timeoutMs?: number;
  /** Pause between attempts (ms). Default 25. */
  intervalMs?: number;
}

/**
 * Runs `fn` (an assertion, sync or async) until it stops throwing and returns its result; after `timeoutMs` the last
 * error is rethrown. `fn` runs at least once, and once more at the deadline. A single attempt is not interrupted.
 */
export async function eventually<T>(fn: () => T | Promise<T>, { timeoutMs = 5000, intervalMs = 25 }: EventuallyOptions = {}): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      const left = deadline - Date.now();
      if (left <= 0) throw err;
      await new Promise((resolve) => setTimeout(resolve, Math.min(intervalMs, left)));
    }
  }
}
