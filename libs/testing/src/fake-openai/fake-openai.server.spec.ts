import { ServerResponse } from 'node:http';
import OpenAI, { APIConnectionError, APIError, APIUserAbortError, RateLimitError } from 'openai';
import type { ChatCompletionChunk } from 'openai/resources/chat/completions';
import { eventually, freePort, startFakeOpenAI, type FakeOpenAI } from '../index';

const USER = [{ role: 'user' as const, content: 'hello there fake' }];

/** Raw wire access, for what the SDK hides (the [DONE] line, separators, extra fields). */
async function rawPost(fake: FakeOpenAI, body: unknown): Promise<{ status: number; headers: Headers; text: string }> {
  const res = await fetch(`${fake.url}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer raw' },
    body: JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

function sseEvents(text: string): string[] {
  return text
    .split('\n\n')
    .filter(Boolean)
    .map((event) => {
      expect(event.startsWith('data: ')).toBe(true);
      return event.slice('data: '.length);
    });
}

async function collect(stream: AsyncIterable<ChatCompletionChunk>): Promise<ChatCompletionChunk[]> {
  const chunks: ChatCompletionChunk[] = [];
  for await (const c of stream) chunks.push(c);
  return chunks;
}

describe('startFakeOpenAI', () => {
  let fake: FakeOpenAI;
  let client: OpenAI;

  beforeAll(async () => {
    fake = await startFakeOpenAI({ models: ['gpt-4o-mini', 'gpt-3.5-turbo'] });
    client = new OpenAI({ apiKey: 'k', baseURL: fake.url, maxRetries: 0 });
  });
  afterEach(() => fake.reset());
  afterAll(() => fake.close());

  it('listens on 127.0.0.1 with a /v1 base url', () => {
    expect(fake.url).toBe(`http://127.0.0.1:${fake.port}/v1`);
  });

  describe('non-stream', () => {
    it('answers a text completion echoing the last user message, in the OpenAI shape', async () => {
      const completion = await client.chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'system', content: 'be nice' }, { role: 'user', content: 'first' }, { role: 'assistant', content: 'ok' }, ...USER],
      });
      expect(completion).toMatchObject({
        object: 'chat.completion',
        model: 'gpt-4o-mini',
        system_fingerprint: null,
        service_tier: 'default',
        choices: [{ index: 0, message: { role: 'assistant', content: 'echo: hello there fake', refusal: null, annotations: [] }, logprobs: null, finish_reason: 'stop' }],
        usage: { prompt_tokens: 2 + 1 + 1 + 3, completion_tokens: 4, total_tokens: 11 },
      });
      expect(completion.id).toMatch(/^chatcmpl-fake-\d+$/);
      expect(typeof completion.created).toBe('number');
    });

    it('records the request (method, path, lower-cased headers incl. Authorization, parsed body) before answering', async () => {
      await client.chat.completions.create({ model: 'gpt-4o-mini', messages: USER, temperature: 0 });
      const [req] = await fake.waitForRequests(1);
      expect(req).toMatchObject({ method: 'POST', path: '/v1/chat/completions', body: { model: 'gpt-4o-mini', messages: USER, temperature: 0 } });
      expect(req.headers['authorization']).toBe('Bearer k');
      expect(req.headers['content-type']).toContain('application/json');
      expect(req.receivedAt).toBeLessThanOrEqual(Date.now());
    });

    it('uses the scenario content, model, usage, finish reason, extra fields and n', async () => {
      fake.enqueue({ kind: 'text', content: 'fixed', model: 'gpt-4o-mini-2024-07-18', usage: { prompt_tokens: 10, completion_tokens: 3 }, finishReason: 'length', extra: { custom: 1 } });
      const completion = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: USER, n: 2 });
      expect(completion.model).toBe('gpt-4o-mini-2024-07-18');
      expect(completion.choices.map((c) => [c.index, c.message.content, c.finish_reason])).toEqual([
        [0, 'fixed', 'length'],
        [1, 'fixed', 'length'],
      ]);
      expect(completion.usage).toMatchObject({ prompt_tokens: 10, completion_tokens: 3, total_tokens: 13 });
      expect((completion as unknown as Record<string, unknown>)['custom']).toBe(1);
    });

    it('answers a tool call with content null and finish_reason tool_calls', async () => {
      fake.enqueue({ kind: 'tool_call', name: 'get_capital', arguments: '{"country":"UK"}', id: 'call_1' });
      const completion = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: USER });
      expect(completion.choices[0]).toMatchObject({
        finish_reason: 'tool_calls',
        message: { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_capital', arguments: '{"country":"UK"}' } }] },
      });
    });

    it('serves GET /v1/models in the OpenAI list shape', async () => {
      fake.setForModel('special-model', { kind: 'text', content: 'x' });
      const page = await client.models.list();
      expect(page.data.map((m) => m.id)).toEqual(['gpt-4o-mini', 'gpt-3.5-turbo', 'special-model']);
      expect(page.data[0]).toMatchObject({ object: 'model', owned_by: 'system' });
      await expect(client.models.retrieve('gpt-3.5-turbo')).resolves.toMatchObject({ id: 'gpt-3.5-turbo', object: 'model' });
      fake.setModels(['only']);
      expect((await client.models.list()).data.map((m) => m.id)).toEqual(['only', 'special-model']);
      fake.reset();
      expect((await client.models.list()).data.map((m) => m.id)).toEqual(['gpt-4o-mini', 'gpt-3.5-turbo']);
    });

    it('answers unknown paths and invalid JSON like OpenAI', async () => {
      const unknown = await fetch(`${fake.url}/nope`, { method: 'POST' });
      expect(unknown.status).toBe(404);
      expect(await unknown.json()).toEqual({ error: { message: 'Invalid URL (POST /v1/nope)', type: 'invalid_request_error', param: null, code: null } });
      const bad = await fetch(`${fake.url}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{nope' });
      expect(bad.status).toBe(400);
      expect(fake.requests.at(-1)?.body).toBe('{nope');
    });
  });

  describe('stream', () => {
    it('streams text chunks that the SDK aggregates to the content, ending with [DONE]', async () => {
      fake.enqueue({ kind: 'text', chunks: ['Hel', 'lo', ' world'] });
      const chunks = await collect(await client.chat.completions.create({ model: 'gpt-4o-mini', messages: USER, stream: true }));
      expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe('Hello world');
      expect(chunks[0].choices[0].delta).toEqual({ role: 'assistant', content: '', refusal: null });
      expect(chunks.at(-1)?.choices[0]).toEqual({ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' });
      expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
      expect(chunks.every((c) => c.object === 'chat.completion.chunk' && c.model === 'gpt-4o-mini' && c.choices[0].index === 0)).toBe(true);
      expect(chunks.some((c) => 'usage' in c)).toBe(false); // no include_usage: OpenAI leaves the field out
    });

    it('splits the default content into ~3 chunks and frames events as "data: …\\n\\n" then "data: [DONE]"', async () => {
      const { status, headers, text } = await rawPost(fake, { model: 'm', messages: USER, stream: true });
      expect(status).toBe(200);
      expect(headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
      expect(text.endsWith('data: [DONE]\n\n')).toBe(true);
      const events = sseEvents(text);
      expect(events.at(-1)).toBe('[DONE]');
      const chunks = events.slice(0, -1).map((e) => JSON.parse(e) as ChatCompletionChunk);
      const contentChunks = chunks.filter((c) => c.choices[0]?.delta.content);
      expect(contentChunks).toHaveLength(3);
      expect(contentChunks.map((c) => c.choices[0].delta.content).join('')).toBe('echo: hello there fake');
    });

    it('adds the usage chunk with choices [] when stream_options.include_usage is set', async () => {
      fake.enqueue({ kind: 'text', content: 'one two three', usage: { prompt_tokens: 14, completion_tokens: 13 }, extra: { obfuscation: 'x' } });
      const chunks = await collect(
        await client.chat.completions.create({ model: 'gpt-4o-mini', messages: USER, stream: true, stream_options: { include_usage: true } }),
      );
      const last = chunks.at(-1)!;
      expect(last.choices).toEqual([]);
      expect(last.usage).toMatchObject({ prompt_tokens: 14, completion_tokens: 13, total_tokens: 27 });
      expect(chunks.slice(0, -1).every((c) => c.usage === null)).toBe(true);
      expect(chunks.every((c) => (c as unknown as Record<string, unknown>)['obfuscation'] === 'x')).toBe(true);
      expect(chunks.at(-2)?.choices[0].finish_reason).toBe('stop');
    });

    it('streams a tool call whose argument fragments assemble to the arguments', async () => {
      fake.enqueue({ kind: 'tool_call', name: 'get_capital', arguments: '{"country":"UK"}', argumentChunks: ['{"', 'country', '":"', 'UK', '"}'], id: 'call_x' });
      const chunks = await collect(
        await client.chat.completions.create({ model: 'gpt-4o-mini', messages: USER, stream: true, stream_options: { include_usage: true } }),
      );
      const first = chunks[0].choices[0].delta;
      expect(first).toMatchObject({ role: 'assistant', content: null, tool_calls: [{ index: 0, id: 'call_x', type: 'function', function: { name: 'get_capital', arguments: '' } }] });
      const args = chunks.flatMap((c) => c.choices[0]?.delta.tool_calls ?? []).map((t) => t.function?.arguments ?? '');
      expect(args.join('')).toBe('{"country":"UK"}');
      expect(chunks.find((c) => c.choices[0]?.finish_reason)?.choices[0].finish_reason).toBe('tool_calls');
      expect(chunks.at(-1)?.choices).toEqual([]);

      // the SDK's own accumulator agrees
      fake.enqueue({ kind: 'tool_call', name: 'get_capital', arguments: '{"country":"France"}' });
      const runner = client.chat.completions.stream({ model: 'gpt-4o-mini', messages: USER });
      const final = await runner.finalChatCompletion();
      expect(final.choices[0].message.tool_calls?.[0]).toMatchObject({ type: 'function', function: { name: 'get_capital', arguments: '{"country":"France"}' } });
      expect(final.choices[0].message.tool_calls?.[0].id).toMatch(/^call_fake_\d+$/);
    });

    it('delays the first chunk by firstByteDelayMs after sending the headers', async () => {
      fake.enqueue({ kind: 'text', content: 'slow', firstByteDelayMs: 150 });
      const started = Date.now();
      const res = await fetch(`${fake.url}/chat/completions`, { method: 'POST', body: JSON.stringify({ model: 'm', messages: USER, stream: true }) });
      const headersAt = Date.now();
      expect(res.status).toBe(200);
      await res.text();
      const bodyAt = Date.now();
      expect(bodyAt - started).toBeGreaterThanOrEqual(140);
      expect(bodyAt - headersAt).toBeGreaterThanOrEqual(100); // headers came first, the data waited
    });
  });

  describe('errors', () => {
    it('surfaces a 429 with Retry-After as an SDK RateLimitError carrying the header', async () => {
      fake.enqueue({ kind: 'error', status: 429, headers: { 'Retry-After': '7' } });
      const err = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: USER }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RateLimitError);
      const rate = err as RateLimitError;
      expect(rate.status).toBe(429);
      expect(rate.headers?.get('retry-after')).toBe('7');
      expect(rate.code).toBe('rate_limit_exceeded');
      expect(rate.type).toBe('requests');
      expect(fake.requests).toHaveLength(1); // maxRetries: 0
    });

    it('sends a custom error body as given, also for stream requests', async () => {
      const body = { error: { message: 'quota', type: 'insufficient_quota', param: null, code: 'insufficient_quota' } };
      fake.enqueue({ kind: 'error', status: 429, body }, { kind: 'error', status: 503, body: 'plain text' });
      const first = await rawPost(fake, { model: 'm', messages: USER, stream: true });
      expect([first.status, JSON.parse(first.text)]).toEqual([429, body]);
      const second = await rawPost(fake, { model: 'm', messages: USER });
      expect([second.status, second.text]).toEqual([503, 'plain text']);
    });

    it('midstream destroy: the SDK stream throws after the chunks already sent', async () => {
      fake.enqueue({ kind: 'midstream-error', afterChunks: 3, chunks: ['a', 'b', 'c', 'd'], mode: 'destroy' });
      const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: USER, stream: true });
      const seen: string[] = [];
      const err = await (async () => {
        for await (const c of stream) seen.push(c.choices[0]?.delta.content ?? '');
      })().catch((e: unknown) => e);
      // undici's TypeError('terminated') comes from Node's realm, not Jest's, so no instanceof Error here
      expect(err).toMatchObject({ message: expect.any(String) });
      expect(seen.join('')).toBe('ab');
      expect(fake.aborts).toEqual([]); // the server cut it, the client did not go away
    });

    it('midstream error-event: the SDK stream throws an APIError with the error payload', async () => {
      fake.enqueue({ kind: 'midstream-error', afterChunks: 2, mode: 'error-event' });
      const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: USER, stream: true });
      const err = await collect(stream).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(APIError);
      expect((err as APIError).type).toBe('server_error');
    });

    it('midstream end: the body ends cleanly without finish chunk or [DONE]', async () => {
      fake.enqueue({ kind: 'midstream-error', afterChunks: 2, chunks: ['x', 'y'], mode: 'end' });
      const { status, text } = await rawPost(fake, { model: 'm', messages: USER, stream: true });
      expect(status).toBe(200);
      const events = sseEvents(text).map((e) => JSON.parse(e) as ChatCompletionChunk);
      expect(events).toHaveLength(2);
      expect(events.map((e) => e.choices[0].finish_reason)).toEqual([null, null]);
      expect(text).not.toContain('[DONE]');
    });

    it('reset: the socket is destroyed without a response', async () => {
      fake.enqueue({ kind: 'reset' });
      const err = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: USER }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(APIConnectionError);
      expect(fake.requests).toHaveLength(1);
      expect(fake.aborts).toEqual([]);
    });
  });

  describe('client aborts', () => {
    it('records an abort after the first chunk and stops sending', async () => {
      fake.enqueue({ kind: 'text', chunks: Array.from({ length: 40 }, (_, i) => `c${i} `), chunkDelayMs: 25 });
      const controller = new AbortController();
      const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: USER, stream: true }, { signal: controller.signal });
      const received: ChatCompletionChunk[] = [];
      await (async () => {
        for await (const c of stream) {
          received.push(c);
          if (received.length === 1) controller.abort();
        }
      })().catch((e: unknown) => {
        if (!(e instanceof APIUserAbortError) && !(e instanceof Error && e.name === 'AbortError')) throw e;
      });
      const abort = await fake.waitForAbort();
      expect(abort).toMatchObject({ path: '/v1/chat/completions', model: 'gpt-4o-mini' });
      expect(abort.chunksSent).toBeGreaterThanOrEqual(1);
      expect(abort.chunksSent).toBeLessThan(10);
      expect(abort.at).toBeLessThanOrEqual(Date.now());
      expect(fake.aborts).toHaveLength(1);

      // nothing more is written once the client is gone (the fake runs in this process, so its writes are observable)
      const writes = jest.spyOn(ServerResponse.prototype, 'write');
      try {
        await new Promise((r) => setTimeout(r, 150));
        expect(writes).not.toHaveBeenCalled();
      } finally {
        writes.mockRestore();
      }
    });

    it('hang: the request stays open until the client aborts, which is recorded', async () => {
      fake.enqueue({ kind: 'hang' });
      const controller = new AbortController();
      const pending = client.chat.completions.create({ model: 'gpt-3.5-turbo', messages: USER }, { signal: controller.signal }).catch((e: unknown) => e);
      await fake.waitForRequests(1);
      await new Promise((r) => setTimeout(r, 50));
      expect(fake.aborts).toHaveLength(0);
      controller.abort();
      expect(await pending).toBeInstanceOf(APIUserAbortError);
      await expect(fake.waitForAbort()).resolves.toMatchObject({ model: 'gpt-3.5-turbo', chunksSent: 0 });
    });

    it('delay-headers: a client timeout during the delay is an abort; otherwise the inner scenario plays', async () => {
      fake.enqueue({ kind: 'delay-headers', ms: 500, then: { kind: 'text', content: 'late' } });
      const err = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: USER }, { timeout: 100 }).catch((e: unknown) => e);
      // APIConnectionTimeoutError outside Jest; under Jest the SDK misses the cross-realm AbortError -> APIConnectionError
      expect(err).toBeInstanceOf(APIConnectionError);
      await expect(fake.waitForAbort()).resolves.toMatchObject({ chunksSent: 0 });

      fake.enqueue({ kind: 'delay-headers', ms: 50, then: { kind: 'text', content: 'late' } });
      const done = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: USER });
      expect(done.choices[0].message.content).toBe('late');
    });

    it('waitForAbort hands out each abort once, in order, and times out when none comes', async () => {
      fake.enqueue({ kind: 'hang' }, { kind: 'hang' });
      const controllers = [new AbortController(), new AbortController()];
      const calls = ['m1', 'm2'].map((model, i) =>
        client.chat.completions.create({ model, messages: USER }, { signal: controllers[i].signal }).catch(() => undefined),
      );
      await fake.waitForRequests(2);
      controllers[0].abort();
      await eventually(() => expect(fake.aborts).toHaveLength(1));
      controllers[1].abort();
      await Promise.all(calls);
      expect((await fake.waitForAbort()).model).toBe('m1');
      expect((await fake.waitForAbort()).model).toBe('m2');
      await expect(fake.waitForAbort(50)).rejects.toThrow(/no client abort within 50 ms/);
    });
  });

  describe('scripting', () => {
    it('queue first (FIFO), then the per-model scenario, then the default; reset restores echo', async () => {
      fake.setDefault({ kind: 'text', content: 'default' });
      fake.setForModel('special', { kind: 'text', content: 'special' });
      fake.enqueue({ kind: 'text', content: 'q1' }, { kind: 'text', content: 'q2' });
      const ask = async (model: string) => (await client.chat.completions.create({ model, messages: USER })).choices[0].message.content;
      expect(await ask('special')).toBe('q1');
      expect(await ask('other')).toBe('q2');
      expect(await ask('special')).toBe('special');
      expect(await ask('other')).toBe('default');
      expect(fake.requests).toHaveLength(4);
      fake.reset();
      expect(fake.requests).toHaveLength(0);
      expect(await ask('special')).toBe('echo: hello there fake');
    });

    it('waitForRequests resolves once n requests arrived and rejects on timeout', async () => {
      const waiting = fake.waitForRequests(2);
      await client.chat.completions.create({ model: 'a', messages: USER });
      await client.chat.completions.create({ model: 'b', messages: USER });
      expect((await waiting).map((r) => (r.body as { model: string }).model)).toEqual(['a', 'b']);
      await expect(fake.waitForRequests(3, 30)).rejects.toThrow(/expected 3 requests/);
    });
  });
});

describe('close()', () => {
  it('destroys open sockets of hanging requests and rejects pending waits', async () => {
    const port = await freePort();
    const fake = await startFakeOpenAI({ port });
    expect(fake.port).toBe(port);
    const client = new OpenAI({ apiKey: 'k', baseURL: fake.url, maxRetries: 0 });
    fake.setDefault({ kind: 'hang' });
    const pending = client.chat.completions.create({ model: 'm', messages: USER }).catch((e: unknown) => e);
    await fake.waitForRequests(1);
    const waiting = fake.waitForAbort(10_000).catch((e: unknown) => e);
    await fake.close();
    expect(await pending).toBeInstanceOf(APIConnectionError);
    expect(await waiting).toEqual(new Error('fake-openai: closed'));
    expect(fake.aborts).toEqual([]);
    await fake.close(); // idempotent
  });
});

describe('eventually', () => {
  it('retries until the assertion passes and returns its value', async () => {
    let calls = 0;
    const value = await eventually(() => {
      calls += 1;
      if (calls < 3) throw new Error('not yet');
      return 'ok';
    }, { intervalMs: 1 });
    expect([value, calls]).toEqual(['ok', 3]);
  });

  it('rethrows the last error after the timeout', async () => {
    let calls = 0;
    await expect(
      eventually(
        async () => {
          calls += 1;
          throw new Error(`attempt ${calls}`);
        },
        { timeoutMs: 60, intervalMs: 10 },
      ),
    ).rejects.toThrow(/^attempt \d+$/);
    expect(calls).toBeGreaterThan(2);
  });
});

describe('freePort', () => {
  it('returns a bindable port on 127.0.0.1', async () => {
    const port = await freePort();
    expect(port).toBeGreaterThan(0);
    const fake = await startFakeOpenAI({ port });
    expect(fake.url).toBe(`http://127.0.0.1:${port}/v1`);
    await fake.close();
  });
});
