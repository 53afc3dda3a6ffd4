import { AppError } from '@aisbf/platform-errors';
import { transportError, vendorHttpError } from '../shared/upstream-errors';

/** JSON calls to RunPod's REST APIs (management and serverless) with the account key as a bearer token. */
export class RunpodHttp {
  constructor(
    private readonly providerId: string,
    private readonly apiKey: string | undefined,
    private readonly fetchImpl: typeof fetch,
  ) {}

  async call<T = Record<string, unknown>>(method: 'GET' | 'POST', url: string, signal: AbortSignal, body?: unknown): Promise<T> {
    let res: Response;
    try {
      res = await this.fetchImpl(url, {
        method,
        signal,
        headers: { accept: 'application/json', ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...(this.apiKey ? { authorization: `Bearer ${this.apiKey}` } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    } catch (err) {
      if (signal.aborted) throw new AppError('CANCELLED', 'The request was cancelled', { providerId: this.providerId, retryable: false });
      throw transportError(this.providerId, err);
    }
    const text = await res.text().catch(() => '');
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : {};
    } catch {
      /* keep text */
    }
    if (!res.ok) throw vendorHttpError('runpod', { providerId: this.providerId, status: res.status, headers: res.headers, body: parsed, message: `RunPod answered HTTP ${res.status}` });
    if (!parsed || typeof parsed !== 'object') {
      throw new AppError('UPSTREAM_UNAVAILABLE', `RunPod answered ${method} ${new URL(url).pathname} with a body that is not JSON`, { providerId: this.providerId });
    }
    return parsed as T;
  }
}

/** Sleeps `ms`, or rejects with CANCELLED as soon as `signal` aborts. */
export function sleep(ms: number, signal: AbortSignal, providerId: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const cancelled = () => reject(new AppError('CANCELLED', 'The request was cancelled', { providerId, retryable: false }));
    if (signal.aborted) return cancelled();
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      cancelled();
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
