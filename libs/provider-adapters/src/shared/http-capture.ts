/**
 * A `fetch` for SDKs whose errors lose the HTTP response (the @google/genai `ApiError` keeps only a status and a
 * stringified body; the ollama client keeps only a message): non-2xx answers are thrown as
 * {@link UpstreamResponseError} with status, headers and body, so `Retry-After` and the vendor envelope survive.
 */
export class UpstreamResponseError extends Error {
  constructor(
    readonly status: number,
    readonly headers: Headers,
    readonly bodyText: string,
  ) {
    super(`Upstream answered HTTP ${status}`);
    this.name = 'UpstreamResponseError';
  }

  /** The body parsed as JSON when it is JSON, else the text. */
  get body(): unknown {
    try {
      return JSON.parse(this.bodyText) as unknown;
    } catch {
      return this.bodyText;
    }
  }
}

export function capturingFetch(base: typeof fetch = fetch): typeof fetch {
  return (async (input: Parameters<typeof fetch>[0], init?: Parameters<typeof fetch>[1]) => {
    const res = await base(input, init);
    if (res.ok) return res;
    const text = await res.text().catch(() => '');
    throw new UpstreamResponseError(res.status, res.headers, text);
  }) as typeof fetch;
}

/**
 * The signal for one upstream call: the caller's cancellation plus the call's deadline. `timedOut()` tells the two
 * apart after an abort.
 */
export function callSignal(signal: AbortSignal, timeoutMs: number): { signal: AbortSignal; timedOut: () => boolean } {
  const deadline = AbortSignal.timeout(timeoutMs);
  return { signal: AbortSignal.any([signal, deadline]), timedOut: () => deadline.aborted && !signal.aborted };
}
