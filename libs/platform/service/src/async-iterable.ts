import type { Observable } from 'rxjs';

/**
 * Pull-based view of an Observable (a NATS reply stream): values are buffered until read; leaving the loop early
 * (`break`, `return()`) unsubscribes, which is how a consumer abandons a stream.
 */
export function toAsyncIterable<T>(obs: Observable<T>): AsyncIterableIterator<T> {
  const buffer: T[] = [];
  let done = false;
  let failure: { err: unknown } | undefined;
  let wake: (() => void) | undefined;
  const notify = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  const sub = obs.subscribe({
    next: (v) => {
      buffer.push(v);
      notify();
    },
    error: (err: unknown) => {
      failure = { err };
      notify();
    },
    complete: () => {
      done = true;
      notify();
    },
  });
  const it: AsyncIterableIterator<T> = {
    async next(): Promise<IteratorResult<T>> {
      for (;;) {
        if (buffer.length) return { value: buffer.shift() as T, done: false };
        if (failure) throw failure.err;
        if (done) return { value: undefined, done: true };
        await new Promise<void>((r) => (wake = r));
      }
    },
    async return(): Promise<IteratorResult<T>> {
      sub.unsubscribe();
      done = true;
      buffer.length = 0;
      notify(); // a pending next() ends too
      return { value: undefined, done: true };
    },
    [Symbol.asyncIterator]() {
      return it;
    },
  };
  return it;
}
