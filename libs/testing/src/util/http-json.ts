export interface JsonResponse {
  status: number;
  /** The body parsed as JSON, or the text when it is not JSON (e.g. an HTML page). */
  body: any;
  headers: Headers;
}

/** One HTTP call with an optional bearer token and JSON body (for tests of the HTTP APIs). */
export async function httpJson(baseUrl: string, method: string, path: string, opts: { token?: string; body?: unknown } = {}): Promise<JsonResponse> {
  const res = await fetch(baseUrl + path, {
    method,
    headers: { ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}), ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    /* not JSON: keep the text */
  }
  return { status: res.status, body, headers: res.headers };
}
