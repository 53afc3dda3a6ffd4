import type { ChatCompletionRequest, ProviderConfig } from '@aisbf/contracts';
// Specs drive the adapters against the wire-faithful fakes of @aisbf/testing (test code only; the adapters never import it).
import { startFakeOllama, type FakeOllama } from '@aisbf/testing';
import { providerConfig, chatRequest, collect, failure, delta, type Json } from '../test/adapter-spec.helpers';
import { defaultImageLoader } from '../shared/image-loader';
import { OllamaAdapter, ollamaHost } from './ollama.adapter';

const config = (fake: FakeOllama, extra: Partial<ProviderConfig> = {}) => providerConfig('ollama', fake.url, { api_key_required: false, ...extra });

const request = (body: Partial<ChatCompletionRequest> = {}, signal = new AbortController().signal) => chatRequest('llama3.2', 'local/llama3.2', body, signal, 'hi');

describe('OllamaAdapter (against the fake Ollama server)', () => {
  let fake: FakeOllama;
  let adapter: OllamaAdapter;

  beforeAll(async () => {
    fake = await startFakeOllama({
      models: [
        { name: 'llama3.2:latest', contextLength: 131072, capabilities: ['completion', 'tools'] },
        { name: 'gemma3:1b', contextLength: 32768, capabilities: ['completion', 'vision'], family: 'gemma3' },
      ],
      noToolsModels: ['gemma3:1b'],
    });
    adapter = new OllamaAdapter('local', config(fake));
  });
  afterEach(() => fake.reset());
  afterAll(() => fake.close());

  it('sends stream:false explicitly for a non-streaming call to /api/chat', async () => {
    expect(ollamaHost('http://h:11434/api/')).toBe('http://h:11434');
    const res = await adapter.complete(request({}));
    expect(res).toMatchObject({ object: 'chat.completion', model: 'llama3.2', choices: [{ message: { content: 'echo: hi' }, finish_reason: 'stop' }] });
    expect(fake.requests[0]).toMatchObject({ method: 'POST', path: '/api/chat', body: { model: 'llama3.2', stream: false } });
    expect(res.id).toMatch(/^chatcmpl-/);
  });

  it('translates messages, tools, options, format and think', async () => {
    fake.enqueue({ kind: 'text', content: 'done' });
    await adapter.complete(
      request({
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'Weather?' },
          { role: 'assistant', content: '', tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'weather', arguments: '{"city":"Oslo"}' } }] },
          { role: 'tool', tool_call_id: 'call_1', content: 'cold' },
        ],
        tools: [{ type: 'function', function: { name: 'weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }, { type: 'function', function: { name: 'other' } }],
        tool_choice: { type: 'function', function: { name: 'weather' } },
        max_tokens: 20,
        temperature: 0,
        stop: ['x'],
        seed: 1,
        response_format: { type: 'json_object' },
        reasoning_effort: 'low',
      } as Partial<ChatCompletionRequest>),
    );
    const sent = fake.requests[0]!.body as Json;
    expect(sent['messages']).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Weather?' },
      { role: 'assistant', content: '', tool_calls: [{ id: 'call_1', function: { index: 0, name: 'weather', arguments: { city: 'Oslo' } } }] },
      { role: 'tool', content: 'cold', tool_name: 'weather', tool_call_id: 'call_1' },
    ]);
    expect(sent['tools']).toEqual([{ type: 'function', function: { name: 'weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }]);
    expect(sent['options']).toEqual({ temperature: 0, seed: 1, num_predict: 20, stop: ['x'] });
    expect(sent['format']).toBe('json');
    expect(sent['think']).toBe('low');
  });

  it('sends images as base64 strings (data URLs decoded locally; private https hosts refused)', async () => {
    await adapter.complete(request({ messages: [{ role: 'user', content: [{ type: 'text', text: 'What?' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } }] }] }));
    expect(((fake.requests[0]!.body as Json)['messages'] as Json[])[0]).toEqual({ role: 'user', content: 'What?', images: ['iVBORw0KGgo='] });
    const err = await failure(defaultImageLoader('https://127.0.0.1/x.png', new AbortController().signal));
    expect(err).toMatchObject({ code: 'INVALID_REQUEST' });
    expect((await failure(defaultImageLoader('http://example.com/x.png', new AbortController().signal))).message).toContain('https');
    const injected = new OllamaAdapter('local', config(fake), { loadImage: async () => ({ mediaType: 'image/png', base64: 'QUJD' }) });
    await injected.complete(request({ messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://example.com/cat.png' } }] }] }));
    expect(((fake.requests[1]!.body as Json)['messages'] as Json[])[0]).toMatchObject({ images: ['QUJD'] });
  });

  it('maps thinking to reasoning_content, tool calls (ids reused or synthesised) and usage', async () => {
    fake.enqueue({ kind: 'tool_calls', thinking: 'Use the tool.', calls: [{ name: 'weather', arguments: { city: 'Oslo' }, id: 'call_abc' }], usage: { prompt: 145, completion: 44 } });
    const res = await adapter.complete(request({ tools: [{ type: 'function', function: { name: 'weather' } }] }));
    expect(res.choices[0]).toMatchObject({
      finish_reason: 'tool_calls',
      message: { content: null, reasoning_content: 'Use the tool.', tool_calls: [{ id: 'call_abc', type: 'function', function: { name: 'weather', arguments: '{"city":"Oslo"}' } }] },
    });
    expect(res.usage).toMatchObject({ prompt_tokens: 145, completion_tokens: 44, total_tokens: 189 });
    fake.enqueue({ kind: 'tool_calls', calls: [{ name: 'f', arguments: {} }], withIds: false });
    const old = await adapter.complete(request({}));
    const tc = ((old.choices[0]!.message as Json)['tool_calls'] as Json[])[0]!;
    expect(tc['id']).toMatch(/^call_/);
    expect((tc['function'] as Json)['arguments']).toBe('{}');
  });

  it('maps done_reason length → length', async () => {
    fake.enqueue({ kind: 'text', content: 'cut', doneReason: 'length' });
    expect((await adapter.complete(request({}))).choices[0]!.finish_reason).toBe('length');
  });

  describe('stream', () => {
    it('streams NDJSON lines as OpenAI chunks: one id, role first, finish + usage from the done line', async () => {
      fake.enqueue({ kind: 'text', chunks: ['Hel', 'lo'], thinking: 'hmm', usage: { prompt: 16, completion: 22 } });
      const chunks = await collect(adapter.stream(request({ stream: true })));
      expect((fake.requests[0]!.body as Json)['stream']).toBe(true);
      expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
      expect(delta(chunks[0]!)).toMatchObject({ role: 'assistant' });
      expect(chunks.map((c) => delta(c)?.['content'] ?? '').join('')).toBe('Hello');
      expect(chunks.map((c) => delta(c)?.['reasoning_content'] ?? '').join('')).toBe('hmm');
      expect(chunks.at(-2)!.choices[0]).toMatchObject({ finish_reason: 'stop' });
      expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens: 16, completion_tokens: 22, total_tokens: 38 } });
    });

    it('streams tool calls with index counting tool calls only and finishes with tool_calls', async () => {
      fake.enqueue({ kind: 'tool_calls', content: 'ok', calls: [{ name: 'a', arguments: { x: 1 } }, { name: 'b', arguments: {} }] });
      const chunks = await collect(adapter.stream(request({ stream: true })));
      const calls = chunks.flatMap((c) => (delta(c)?.['tool_calls'] ?? []) as Json[]);
      expect(calls.map((c) => [c['index'], (c['function'] as Json)['name'], (c['function'] as Json)['arguments']])).toEqual([
        [0, 'a', '{"x":1}'],
        [1, 'b', '{}'],
      ]);
      expect(chunks.at(-2)!.choices[0]).toMatchObject({ finish_reason: 'tool_calls' });
    });

    it('an {"error"} line mid-stream is a thrown coded error; a stream without done is STREAM_INTERRUPTED', async () => {
      fake.enqueue({ kind: 'midstream-error', afterChunks: 2, mode: 'error-line', message: 'model runner crashed' });
      const err = await failure(collect(adapter.stream(request({ stream: true }))));
      expect(err).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', message: 'model runner crashed' });
      fake.enqueue({ kind: 'midstream-error', afterChunks: 2, mode: 'end' });
      expect((await failure(collect(adapter.stream(request({ stream: true }))))).code).toBe('STREAM_INTERRUPTED');
    });

    it('cancels the upstream call when the caller goes away', async () => {
      fake.enqueue({ kind: 'text', chunks: ['a', 'b', 'c'], chunkDelayMs: 300 });
      const ac = new AbortController();
      const it = adapter.stream(request({ stream: true }, ac.signal))[Symbol.asyncIterator]();
      await it.next();
      ac.abort();
      expect((await failure(it.next())).code).toBe('CANCELLED');
      await fake.waitForAbort();
    });
  });

  describe('errors', () => {
    it('400 with a plain-string error → BAD_REQUEST keeping the text', async () => {
      const err = await failure(adapter.complete({ ...request({ tools: [{ type: 'function', function: { name: 'f' } }] }), model: 'gemma3:1b' }));
      expect(err).toMatchObject({ code: 'BAD_REQUEST', message: 'registry.ollama.ai/library/gemma3:1b does not support tools' });
      expect(err.extras).toMatchObject({ upstreamStatus: 400, type: 'invalid_request_error', upstreamCode: null });
    });

    it('429 with Retry-After → RATE_LIMITED, 404 → NOT_FOUND, 500 → UPSTREAM_UNAVAILABLE, timeout → TIMEOUT', async () => {
      fake.enqueue({ kind: 'error', status: 429, headers: { 'retry-after': '2' } });
      const rl = await failure(adapter.complete(request({})));
      expect(rl.code).toBe('RATE_LIMITED');
      expect(rl.extras.retryAfterMs).toBe(2000);
      fake.enqueue({ kind: 'error', status: 404 });
      const nf = await failure(adapter.complete(request({})));
      expect(nf).toMatchObject({ code: 'NOT_FOUND', message: "model 'llama3.2' not found" });
      expect(nf.extras.upstreamCode).toBe('model_not_found');
      fake.enqueue({ kind: 'error', status: 500 });
      expect((await failure(adapter.complete(request({ stream: true })))).code).toBe('UPSTREAM_UNAVAILABLE');
      fake.enqueue({ kind: 'hang' });
      expect((await failure(adapter.complete({ ...request({}), timeoutMs: 150 }))).code).toBe('TIMEOUT');
    });

    it('sends the API key as a bearer token (Ollama Cloud)', async () => {
      const cloud = await startFakeOllama({ apiKey: 'ok-key' });
      try {
        expect((await failure(new OllamaAdapter('c', config(cloud)).complete(request({})))).code).toBe('AUTH');
        const res = await new OllamaAdapter('c', config(cloud, { api_key: 'ok-key' })).complete(request({}));
        expect(res.choices[0]!.message).toMatchObject({ content: 'echo: hi' });
      } finally {
        await cloud.close();
      }
    });
  });

  it('lists /api/tags with context sizes and capabilities from /api/show', async () => {
    const models = await adapter.listModels(new AbortController().signal);
    expect(models.map((m) => [m.id, m.contextSize, m.capabilities, m.ownedBy])).toEqual([
      ['llama3.2:latest', 131072, ['tools'], 'library'],
      ['gemma3:1b', 32768, ['vision'], 'library'],
    ]);
  });
});
