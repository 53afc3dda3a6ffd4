import type { AbortRecord, RecordedRequest } from './fake-upstream.types';

const DEFAULT_WAIT_MS = 5000;

interface Waiter<T> {
  resolve(value: T): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

/**
 * What a fake upstream saw: every request (recorded before it is answered) and every client abort, with waits on
 * both. Shared by all fakes. The `requests`/`aborts` arrays keep their identity (tests hold on to them).
 */
export class RequestLog {
  readonly requests: RecordedRequest[] = [];
  readonly aborts: AbortRecord[] = [];
  /** Aborts handed out by `waitForAbort` so far: each abort is returned once, in order. */
  private abortCursor = 0;
  private closing = false;
  private readonly abortWaiters: Waiter<AbortRecord>[] = [];
  private readonly requestWaiters: Array<Waiter<RecordedRequest[]> & { n: number }> = [];

  constructor(private readonly name: string) {}

  get closed(): boolean {
    return this.closing;
  }

  record(entry: RecordedRequest): void {
    this.requests.push(entry);
    for (const waiter of [...this.requestWaiters]) {
      if (this.requests.length >= waiter.n) {
        remove(this.requestWaiters, waiter);
        clearTimeout(waiter.timer);
        waiter.resolve([...this.requests]);
      }
    }
  }

  recordAbort(entry: AbortRecord): void {
    this.aborts.push(entry);
    const waiter = this.abortWaiters.shift();
    if (waiter) {
      clearTimeout(waiter.timer);
      waiter.resolve(this.aborts[this.abortCursor++]!);
    }
  }

  waitForAbort(timeoutMs = DEFAULT_WAIT_MS): Promise<AbortRecord> {
    if (this.abortCursor < this.aborts.length) return Promise.resolve(this.aborts[this.abortCursor++]!);
    if (this.closing) return Promise.reject(new Error(`${this.name}: closed`));
    return new Promise<AbortRecord>((resolve, reject) => {
      const waiter: Waiter<AbortRecord> = {
        resolve,
        reject,
        timer: setTimeout(() => {
          remove(this.abortWaiters, waiter);
          reject(new Error(`${this.name}: no client abort within ${timeoutMs} ms (aborts so far: ${this.aborts.length})`));
        }, timeoutMs),
      };
      this.abortWaiters.push(waiter);
    });
  }

  waitForRequests(n: number, timeoutMs = DEFAULT_WAIT_MS): Promise<RecordedRequest[]> {
    if (this.requests.length >= n) return Promise.resolve([...this.requests]);
    if (this.closing) return Promise.reject(new Error(`${this.name}: closed`));
    return new Promise<RecordedRequest[]>((resolve, reject) => {
      const waiter: Waiter<RecordedRequest[]> & { n: number } = {
        n,
        resolve,
        reject,
        timer: setTimeout(() => {
          remove(this.requestWaiters, waiter);
          reject(new Error(`${this.name}: expected ${n} requests within ${timeoutMs} ms, got ${this.requests.length}`));
        }, timeoutMs),
      };
      this.requestWaiters.push(waiter);
    });
  }

  /** Forget what was seen (the arrays are emptied in place). */
  clear(): void {
    this.requests.length = 0;
    this.aborts.length = 0;
    this.abortCursor = 0;
  }

  /** Fail every pending wait; later waits fail at once. */
  close(): void {
    this.closing = true;
    for (const waiter of [...this.abortWaiters, ...this.requestWaiters]) {
      clearTimeout(waiter.timer);
      waiter.reject(new Error(`${this.name}: closed`));
    }
    this.abortWaiters.length = 0;
    this.requestWaiters.length = 0;
  }
}

function remove<T>(list: T[], item: T): void {
  const i = list.indexOf(item);
  if (i >= 0) list.splice(i, 1);
}
