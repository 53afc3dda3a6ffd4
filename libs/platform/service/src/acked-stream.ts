import { AppError } from '@aisbf/platform-errors';

export interface AckedStreamOptions {
  /** The next hop must acknowledge (`accepted`) within this time, or no instance of it is serving. */
  ackMs: number;
  /** Longest silence between two events after the acknowledgement. */
  idleMs: number;
  /** Name of the next hop, for the error message. */
  hop: string;
  signal?: AbortSignal;
}

/**
 * Reads a reply stream whose first event is `{type:'accepted'}`: fails fast with SERVICE_UNAVAILABLE when nobody
 * acknowledges (NATS has no subscriber, or every instance is gone), with TIMEOUT when the stream goes silent, and
 * stops (unsubscribing) when `signal` aborts. Yields every event after the acknowledgement.
 */
export async function* ackedStream<E extends { type: string }>(
  it: AsyncIterableIterator<E>,
  opts: AckedStreamOptions,
): AsyncGenerator<Exclude<E, { type: 'accepted' }>> {
  let acked = false;
  const onAbort = () => void it.return?.();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    for (;;) {
      if (opts.signal?.aborted) throw new AppError('CANCELLED', 'The request was cancelled', { retryable: false });
      const waitMs = acked ? opts.idleMs : opts.ackMs;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), waitMs)));
      const r = await Promise.race([it.next(), timeout]).finally(() => clearTimeout(timer));
      if (r === 'timeout') {
        throw acked
          ? new AppError('TIMEOUT', `No answer from ${opts.hop} for ${Math.round(waitMs / 1000)} s`)
          : new AppError('SERVICE_UNAVAILABLE', `No ${opts.hop} instance acknowledged the request within ${waitMs} ms`);
      }
      if (r.done) {
        if (opts.signal?.aborted) throw new AppError('CANCELLED', 'The request was cancelled', { retryable: false });
        if (!acked) throw new AppError('SERVICE_UNAVAILABLE', `${opts.hop} closed the request without answering`);
        return;
      }
      if (r.value.type === 'accepted') {
        acked = true;
        continue;
      }
      if (!acked) acked = true;
      yield r.value as Exclude<E, { type: 'accepted' }>;
    }
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
    await it.return?.();
  }
}
