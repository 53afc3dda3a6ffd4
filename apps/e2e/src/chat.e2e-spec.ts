// Points 3–7 of the backbone issue, through the five real services (separate processes) with the official openai SDK:
// both base URLs, the model listing, pass-through of every request field, incremental SSE ending in [DONE], the
// OpenAI-shaped errors (gateway and upstream), in-band stream errors, cancellation reaching the upstream, usage rows.
import { eventually, startFakeOpenAI, startStack, type FakeOpenAI, type Stack } from '@aisbf/testing';
import OpenAI, { APIError, AuthenticationError, BadRequestError, NotFoundError, RateLimitError } from 'openai';
import type { ChatCompletionChunk } from 'openai/resources/chat/completions';
import { GLOBAL_TOKEN, openaiProvider, writeConfig } from './support/config';
import { expectOpenAIError, rawRequest, sseData, UsageDb } from './support/http';

const MAX_BODY_BYTES = 16 * 1024;
const MODEL = 'up/gpt-4o-mini';
const USER = [{ role: 'user' as const, content: 'hello gateway' }];

async function collect(stream: AsyncIterable<ChatCompletionChunk>): Promise<ChatCompletionChunk[]> {
  const out: ChatCompletionChunk[] = [];
  for await (const c of stream) out.push(c);
  return out;
}

const textOf = (chunks: ChatCompletionChunk[]) => chunks.map((c) => c.choices[0]?.delta?.content ?? '').join('');

describe('chat through the gateway (openai SDK, five services as processes)', () => {
  let fake: FakeOpenAI;
  let stack: Stack;
  let client: OpenAI;
  let db: UsageDb;
  const clientFor = (path: '/v1' | '/api/v1', apiKey = GLOBAL_TOKEN) => new OpenAI({ apiKey, baseURL: `${stack.baseUrl}${path}`, maxRetries: 0 });
  const chatUrl = () => `${stack.baseUrl}/v1/chat/completions`;

  beforeAll(async () => {
    fake = await startFakeOpenAI({ models: ['gpt-4o-mini'] });
    const configDir = writeConfig({
      providers: {
        providers: {
          up: openaiProvider('up', fake.url, ['gpt-4o-mini', 'gpt-4.1']),
          other: openaiProvider('other', fake.url, ['m1']),
        },
      },
    });
    stack = await startStack({ configDir, serviceEnv: { 'edge-api': { AISBF_MAX_BODY_BYTES: String(MAX_BODY_BYTES) } } });
    client = clientFor('/v1');
    db = await UsageDb.open(stack.env['DATABASE_URL']!, stack.dbName);
  });

  afterAll(async () => {
    await db?.close();
    await stack?.close();
    await fake?.close();
  });

  beforeEach(() => fake.reset());

  describe('the SDK at both base URLs (point 3) and the model listing (point 4)', () => {
    it.each(['/v1', '/api/v1'] as const)('%s: non-streaming and streaming chat completions', async (path) => {
      const c = clientFor(path);
      const res = await c.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: `ping ${path}` }] });
      expect(res.object).toBe('chat.completion');
      expect(res.choices[0]?.message.content).toBe(`echo: ping ${path}`);

      const chunks = await collect(await c.chat.completions.create({ model: MODEL, stream: true, messages: [{ role: 'user', content: `stream ${path}` }] }));
      expect(chunks.every((ch) => ch.object === 'chat.completion.chunk')).toBe(true);
      expect(textOf(chunks)).toBe(`echo: stream ${path}`);
      expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe('stop');
      // Both went upstream with the provider's model id (no `up/` prefix).
      const upstream = fake.requests.filter((r) => r.path === '/v1/chat/completions');
      expect(upstream.map((r) => (r.body as { model: string }).model)).toEqual(['gpt-4o-mini', 'gpt-4o-mini']);
    });

    it.each(['/v1', '/api/v1'] as const)('%s/models lists <provider_id>/<model> ids in OpenAI list shape', async (path) => {
      const page = await clientFor(path).models.list();
      const ids = page.data.map((m) => m.id).sort();
      expect(ids).toEqual(['other/m1', 'up/gpt-4.1', 'up/gpt-4o-mini']);
      for (const m of page.data) expect(m).toEqual(expect.objectContaining({ object: 'model', created: expect.any(Number), owned_by: expect.any(String) }));

      const raw = await rawRequest(`${stack.baseUrl}${path}/models`, { token: GLOBAL_TOKEN });
      expect(raw.status).toBe(200);
      expect(raw.json).toEqual({ object: 'list', data: expect.any(Array) });
    });

    it('the model listing needs the token too', async () => {
      const raw = await rawRequest(`${stack.baseUrl}/v1/models`);
      expect(raw.status).toBe(401);
      expectOpenAIError(raw.json);
    });
  });

  describe('pass-through (point 3)', () => {
    const fields = {
      temperature: 0.3,
      top_p: 0.9,
      stop: ['\n\n', 'END'],
      seed: 42,
      tools: [
        {
          type: 'function' as const,
          function: { name: 'get_weather', description: 'Weather of a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
        },
      ],
      tool_choice: 'auto' as const,
      response_format: { type: 'json_object' as const },
      user: 'end-user-17',
      n: 2,
      logit_bias: { '50256': -100 },
      max_completion_tokens: 64,
    };
    const vendor = { vendor_field: { nested: [1, 'two', null] }, reasoning_effort: 'low' };

    it('a streaming request reaches the upstream with every field, including stream_options and unknown vendor fields', async () => {
      const body = { model: MODEL, messages: USER, stream: true as const, stream_options: { include_usage: true, include_obfuscation: false }, ...fields, ...vendor };
      const chunks = await collect(await client.chat.completions.create(body as never as OpenAI.ChatCompletionCreateParamsStreaming));
      expect(chunks.length).toBeGreaterThan(2);

      const [got] = await fake.waitForRequests(1);
      expect(got!.path).toBe('/v1/chat/completions');
      expect(got!.body).toEqual({ ...fields, ...vendor, model: 'gpt-4o-mini', messages: USER, stream: true, stream_options: { include_usage: true, include_obfuscation: false } });
    });

    it('a non-streaming request reaches the upstream with every field', async () => {
      const body = { model: MODEL, messages: USER, ...fields, ...vendor };
      const res = await client.chat.completions.create(body as never as OpenAI.ChatCompletionCreateParamsNonStreaming);
      expect(res.choices).toHaveLength(2); // n: 2 reached the upstream, and both choices came back

      const [got] = await fake.waitForRequests(1);
      expect(got!.body).toEqual({ ...fields, ...vendor, model: 'gpt-4o-mini', messages: USER, stream: false });
    });

    it("the upstream receives the provider's configured key, never the gateway token", async () => {
      await client.chat.completions.create({ model: MODEL, messages: USER });
      await collect(await client.chat.completions.create({ model: 'other/m1', stream: true, messages: USER }));
      const [a, b] = await fake.waitForRequests(2);
      expect(a!.headers['authorization']).toBe('Bearer sk-upstream-up');
      expect(b!.headers['authorization']).toBe('Bearer sk-upstream-other');
      for (const r of [a!, b!]) expect(JSON.stringify(r.headers)).not.toContain(GLOBAL_TOKEN);
    });
  });

  describe('streams are incremental and end with [DONE] (point 3)', () => {
    const slow = () => ({ kind: 'text' as const, chunks: ['one ', 'two ', 'three ', 'four ', 'five'], chunkDelayMs: 200 });

    it('the SDK receives the first chunk long before the upstream sends the last one', async () => {
      fake.enqueue(slow());
      const stream = await client.chat.completions.create({ model: MODEL, stream: true, messages: USER });
      const arrivals: number[] = [];
      const chunks: ChatCompletionChunk[] = [];
      for await (const c of stream) {
        arrivals.push(Date.now());
        chunks.push(c);
      }
      expect(textOf(chunks)).toBe('one two three four five');
      // role chunk, 5 content chunks, finish chunk: 6 gaps of 200 ms upstream.
      expect(chunks).toHaveLength(7);
      const [sent] = await fake.waitForRequests(1);
      const lastSentAt = sent!.receivedAt + 6 * 200; // the upstream cannot send the finish chunk earlier than this
      expect(lastSentAt - arrivals[0]!).toBeGreaterThan(800);
      expect(arrivals.at(-1)! - arrivals[0]!).toBeGreaterThan(800);
      // The chunks trickle in: no two-thirds of them arrived in the same instant.
      const gaps = arrivals.slice(1).map((t, i) => t - arrivals[i]!);
      expect(gaps.filter((g) => g >= 100).length).toBeGreaterThanOrEqual(4);
    });

    it('on the wire: SSE data events read one by one as they arrive, then data: [DONE]', async () => {
      fake.enqueue(slow());
      const started = Date.now();
      const res = await fetch(chatUrl(), {
        method: 'POST',
        headers: { authorization: `Bearer ${GLOBAL_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: MODEL, stream: true, messages: USER }),
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
      expect(res.headers.get('x-aisbf-request-id')).toMatch(/[0-9a-f-]{36}/);
      const reader = res.body!.getReader();
      const decoder = new TextDecoder();
      let text = '';
      let firstDataAt: number | undefined;
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        text += decoder.decode(value, { stream: true });
        if (firstDataAt === undefined && text.includes('data: ')) firstDataAt = Date.now();
      }
      const finishedAt = Date.now();
      expect(finishedAt - firstDataAt!).toBeGreaterThan(800);
      expect(firstDataAt! - started).toBeLessThan(finishedAt - started - 800);
      const events = sseData(text);
      expect(events.at(-1)).toBe('[DONE]');
      expect(events.filter((e) => e === '[DONE]')).toHaveLength(1);
      const chunks = events.slice(0, -1).map((e) => JSON.parse(e) as ChatCompletionChunk);
      expect(chunks).toHaveLength(7);
      expect(text.endsWith('data: [DONE]\n\n')).toBe(true);
    });
  });

  describe('errors are OpenAI-shaped and tell the caller what to fix (point 5)', () => {
    it('missing token → 401, wrong token → 401', async () => {
      const missing = await rawRequest(chatUrl(), { body: { model: MODEL, messages: USER } });
      expect(missing.status).toBe(401);
      const e1 = expectOpenAIError(missing.json);
      expect(e1.type).toBe('authentication_error');
      expect(e1.message).toMatch(/Authorization: Bearer/);

      const wrong = await rawRequest(chatUrl(), { token: 'not-the-token', body: { model: MODEL, messages: USER } });
      expect(wrong.status).toBe(401);
      expect(expectOpenAIError(wrong.json).code).toBe('invalid_api_key');

      await expect(clientFor('/v1', 'not-the-token').chat.completions.create({ model: MODEL, messages: USER })).rejects.toBeInstanceOf(AuthenticationError);
      expect(fake.requests.filter((r) => r.path.includes('/chat/completions'))).toHaveLength(0); // (provider-workers' model listing is not a chat request)
    });

    it('unknown provider → 404 naming the providers; unknown model → 404 naming the models', async () => {
      const p = await client.chat.completions.create({ model: 'nope/gpt-4o-mini', messages: USER }).catch((e: unknown) => e);
      expect(p).toBeInstanceOf(NotFoundError);
      expect((p as NotFoundError).message).toMatch(/Provider 'nope' not found\. Available providers: (up, other|other, up)$/);
      expect((p as NotFoundError).code).toBe('model_not_found');

      const m = await rawRequest(chatUrl(), { token: GLOBAL_TOKEN, body: { model: 'up/gpt-9', messages: USER } });
      expect(m.status).toBe(404);
      expect(expectOpenAIError(m.json).message).toMatch(/Model 'gpt-9'.*provider 'up'.*gpt-4o-mini, gpt-4.1/);
      expect(fake.requests.filter((r) => r.path.includes('/chat/completions'))).toHaveLength(0); // (provider-workers' model listing is not a chat request)
    });

    it('malformed JSON → 400', async () => {
      const r = await rawRequest(chatUrl(), { token: GLOBAL_TOKEN, rawBody: '{"model": "up/gpt-4o-mini", "messages": [' });
      expect(r.status).toBe(400);
      const e = expectOpenAIError(r.json);
      expect(e.type).toBe('invalid_request_error');
      expect(e.message).toMatch(/not valid JSON/);
    });

    it('missing messages → 400 naming `messages`', async () => {
      const r = await rawRequest(chatUrl(), { token: GLOBAL_TOKEN, body: { model: MODEL } });
      expect(r.status).toBe(400);
      const e = expectOpenAIError(r.json);
      expect(e.message).toMatch(/messages/);
      expect(e.param).toBe('messages');
      await expect(client.chat.completions.create({ model: MODEL } as never)).rejects.toBeInstanceOf(BadRequestError);
    });

    it('a body over AISBF_MAX_BODY_BYTES → 413', async () => {
      const big = 'x'.repeat(MAX_BODY_BYTES + 100);
      const r = await rawRequest(chatUrl(), { token: GLOBAL_TOKEN, body: { model: MODEL, messages: [{ role: 'user', content: big }] } });
      expect(r.status).toBe(413);
      const e = expectOpenAIError(r.json);
      expect(e.code).toBe('request_too_large');
      expect(e.message).toContain(String(MAX_BODY_BYTES));
      expect(fake.requests.filter((r) => r.path.includes('/chat/completions'))).toHaveLength(0); // (provider-workers' model listing is not a chat request)
    });

    it('upstream 429 with Retry-After: 7 → RateLimitError 429 with Retry-After passed on', async () => {
      fake.enqueue({ kind: 'error', status: 429, headers: { 'retry-after': '7' } });
      const err = await client.chat.completions.create({ model: MODEL, messages: USER }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RateLimitError);
      expect((err as RateLimitError).status).toBe(429);
      expect((err as RateLimitError).headers?.get('retry-after')).toBe('7');
      expect((err as RateLimitError).message).toMatch(/Rate limit reached/);

      // The same for a stream (the error arrives before the first token, so it is still an HTTP error).
      fake.enqueue({ kind: 'error', status: 429, headers: { 'retry-after': '7' } });
      const raw = await rawRequest(chatUrl(), { token: GLOBAL_TOKEN, body: { model: MODEL, stream: true, messages: USER } });
      expect(raw.status).toBe(429);
      expect(raw.headers.get('retry-after')).toBe('7');
      expect(expectOpenAIError(raw.json).code).toBe('rate_limit_exceeded');
    });

    it("upstream 400 → 400 with the upstream's message", async () => {
      const upstreamError = { error: { message: "Invalid value for 'temperature': must be at most 2.", type: 'invalid_request_error', param: 'temperature', code: 'invalid_value' } };
      fake.enqueue({ kind: 'error', status: 400, body: upstreamError });
      const err = await client.chat.completions.create({ model: MODEL, messages: USER, temperature: 3 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(BadRequestError);
      expect((err as BadRequestError).status).toBe(400);

      fake.enqueue({ kind: 'error', status: 400, body: upstreamError });
      const raw = await rawRequest(chatUrl(), { token: GLOBAL_TOKEN, body: { model: MODEL, messages: USER, temperature: 3 } });
      expect(raw.status).toBe(400);
      expect(raw.json).toEqual({ error: { message: upstreamError.error.message, type: 'invalid_request_error', param: 'temperature', code: 'invalid_value' } });
    });

    it.each(['destroy', 'error-event'] as const)('an upstream failing mid-stream (%s) ends the stream with an in-band error event, no [DONE]', async (mode) => {
      fake.enqueue({ kind: 'midstream-error', afterChunks: 3, mode });
      const stream = await client.chat.completions.create({ model: MODEL, stream: true, messages: USER });
      const got: ChatCompletionChunk[] = [];
      const err = await (async () => {
        for await (const c of stream) got.push(c);
      })().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(APIError);
      expect(got.length).toBeGreaterThanOrEqual(1); // the stream had started: this is not an HTTP error
      expect((err as APIError).status).toBeUndefined();
      if (mode === 'error-event') expect((err as APIError).message).toMatch(/The server had an error/);

      fake.enqueue({ kind: 'midstream-error', afterChunks: 3, mode });
      const raw = await rawRequest(chatUrl(), { token: GLOBAL_TOKEN, body: { model: MODEL, stream: true, messages: USER } });
      expect(raw.status).toBe(200);
      const events = sseData(raw.text);
      expect(events).not.toContain('[DONE]');
      const last = JSON.parse(events.at(-1)!) as unknown;
      const e = expectOpenAIError(last);
      expect(e.type).toBe('server_error');
      expect(events.slice(0, -1).every((ev) => (JSON.parse(ev) as { object?: string }).object === 'chat.completion.chunk')).toBe(true);
    });
  });

  describe('cancellation reaches the upstream (point 6)', () => {
    it('aborting a stream after its first chunk aborts the upstream request', async () => {
      fake.enqueue({ kind: 'text', chunks: Array.from({ length: 30 }, (_, i) => `w${i} `), chunkDelayMs: 150 });
      const ac = new AbortController();
      const stream = await client.chat.completions.create({ model: MODEL, stream: true, messages: USER }, { signal: ac.signal });
      let seen = 0;
      const done = (async () => {
        for await (const _ of stream) {
          seen++;
          if (seen === 1) ac.abort();
        }
      })().catch(() => undefined);
      const abort = await fake.waitForAbort(5000);
      await done;
      expect(seen).toBeGreaterThanOrEqual(1);
      expect(abort.path).toBe('/v1/chat/completions');
      expect(abort.chunksSent).toBeLessThan(10); // 32 events were scripted
    });

    it('aborting a non-streaming request to a hanging upstream aborts the upstream request', async () => {
      fake.enqueue({ kind: 'hang' });
      const ac = new AbortController();
      const pending = client.chat.completions.create({ model: MODEL, messages: USER }, { signal: ac.signal }).catch((e: unknown) => e);
      await fake.waitForRequests(1);
      ac.abort();
      expect(await pending).toBeInstanceOf(Error);
      const abort = await fake.waitForAbort(5000);
      expect(abort.chunksSent).toBe(0);
    });

    it('aborting a stream before its first chunk (upstream hangs) aborts the upstream request', async () => {
      fake.enqueue({ kind: 'hang' });
      const ac = new AbortController();
      const pending = client.chat.completions.create({ model: MODEL, stream: true, messages: USER }, { signal: ac.signal }).catch((e: unknown) => e);
      await fake.waitForRequests(1);
      ac.abort();
      await pending;
      await fake.waitForAbort(5000);
    });

    // Counts the rows of the three tests above (this run's database holds nothing else cancelled).
    it('the three cancelled requests are recorded as cancelled, not as errors', async () => {
      const rows = await eventually(
        async () => {
          const r = await db.rowsWithStatus('cancelled');
          expect(r).toHaveLength(3);
          return r;
        },
        { timeoutMs: 10_000, intervalMs: 100 },
      );
      expect(rows.map((r) => r.errorCode)).toEqual(['CANCELLED', 'CANCELLED', 'CANCELLED']);
      expect(rows.map((r) => Boolean(r.stream)).sort()).toEqual([false, true, true]);
    });
  });

  describe('usage rows in MySQL (point 7)', () => {
    it('a completed request records caller, route, provider, model, the upstream usage, latency and success', async () => {
      fake.enqueue({ kind: 'text', content: 'counted reply', usage: { prompt_tokens: 11, completion_tokens: 7 }, firstByteDelayMs: 120 });
      const { data, response } = await client.chat.completions.create({ model: MODEL, messages: USER }).withResponse();
      expect(data.usage?.total_tokens).toBe(18);
      const requestId = response.headers.get('x-aisbf-request-id')!;
      expect(requestId).toBeTruthy();
      const [row] = await eventually(async () => {
        const rows = await db.rows(requestId);
        expect(rows).toHaveLength(1);
        return rows;
      }, { timeoutMs: 10_000, intervalMs: 100 });
      expect(row).toMatchObject({
        requestId,
        caller: 'global:0',
        route: MODEL,
        routeKind: 'provider',
        providerId: 'up',
        model: 'gpt-4o-mini',
        promptTokens: 11,
        completionTokens: 7,
        totalTokens: 18,
        status: 'success',
        errorCode: null,
        attempts: 1,
      });
      expect(Boolean(row!.stream)).toBe(false);
      expect(row!.latencyMs).toBeGreaterThanOrEqual(120);
      expect(row!.latencyMs).toBeLessThan(10_000);
    });

    it('a failed request records status error with its code', async () => {
      fake.enqueue({ kind: 'error', status: 400 });
      const err = (await client.chat.completions.create({ model: MODEL, messages: USER }).catch((e: unknown) => e)) as APIError;
      expect(err).toBeInstanceOf(BadRequestError);
      const requestId = err.headers?.get('x-aisbf-request-id');
      expect(requestId).toBeTruthy();
      const [row] = await eventually(async () => {
        const rows = await db.rows(requestId!);
        expect(rows).toHaveLength(1);
        return rows;
      }, { timeoutMs: 10_000, intervalMs: 100 });
      expect(row).toMatchObject({ status: 'error', errorCode: 'BAD_REQUEST', providerId: 'up', model: 'gpt-4o-mini', promptTokens: 0, totalTokens: 0 });

      const notFound = (await client.chat.completions.create({ model: 'nope/x', messages: USER }).catch((e: unknown) => e)) as APIError;
      const nfId = notFound.headers?.get('x-aisbf-request-id');
      const [nfRow] = await eventually(async () => {
        const rows = await db.rows(nfId!);
        expect(rows).toHaveLength(1);
        return rows;
      }, { timeoutMs: 10_000, intervalMs: 100 });
      expect(nfRow).toMatchObject({ status: 'error', errorCode: 'ROUTE_NOT_FOUND', route: 'nope/x', providerId: null });
    });

    it("a streamed request records the usage of the upstream's final usage chunk (even when the caller did not ask for it)", async () => {
      fake.enqueue({ kind: 'text', chunks: ['a ', 'b ', 'c'], usage: { prompt_tokens: 5, completion_tokens: 9 } });
      const { data: stream, response } = await client.chat.completions.create({ model: MODEL, stream: true, messages: USER }).withResponse();
      const chunks = await collect(stream);
      expect(chunks.some((c) => c.usage)).toBe(false); // not asked for: not sent to the caller
      const [up] = await fake.waitForRequests(1);
      expect((up!.body as { stream_options?: unknown }).stream_options).toEqual({ include_usage: true }); // asked upstream on our behalf
      const requestId = response.headers.get('x-aisbf-request-id')!;
      const [row] = await eventually(async () => {
        const rows = await db.rows(requestId);
        expect(rows).toHaveLength(1);
        return rows;
      }, { timeoutMs: 10_000, intervalMs: 100 });
      expect(row).toMatchObject({ status: 'success', promptTokens: 5, completionTokens: 9, totalTokens: 14 });
      expect(Boolean(row!.stream)).toBe(true);

      // Asked for: the usage chunk reaches the caller too, and the row matches it.
      fake.enqueue({ kind: 'text', chunks: ['d'], usage: { prompt_tokens: 2, completion_tokens: 3 } });
      const { data: s2, response: r2 } = await client.chat.completions
        .create({ model: MODEL, stream: true, stream_options: { include_usage: true }, messages: USER })
        .withResponse();
      const c2 = await collect(s2);
      expect(c2.at(-1)?.usage?.total_tokens).toBe(5);
      const id2 = r2.headers.get('x-aisbf-request-id')!;
      await eventually(async () => expect(await db.rows(id2)).toEqual([expect.objectContaining({ promptTokens: 2, completionTokens: 3, totalTokens: 5 })]), {
        timeoutMs: 10_000,
        intervalMs: 100,
      });
    });
  });
});
