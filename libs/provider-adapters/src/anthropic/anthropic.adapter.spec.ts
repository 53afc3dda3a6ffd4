import type { ChatCompletionChunk, ChatCompletionRequest, ProviderConfig } from '@aisbf/contracts';
// Specs drive the adapters against the wire-faithful fakes of @aisbf/testing (test code only; the adapters never import it).
import { startFakeAnthropic, type FakeAnthropic } from '@aisbf/testing';
import { providerConfig, chatRequest, collect, failure, delta, type Json } from '../test/adapter-spec.helpers';
import { AnthropicAdapter, anthropicBaseUrl } from './anthropic.adapter';
import { AnthropicStreamTranslator } from './anthropic.mapping';

const KEY = 'sk-ant-test-key';

const config = (fake: FakeAnthropic, extra: Partial<ProviderConfig> = {}) => providerConfig('anthropic', fake.url, { api_key_required: true, api_key: KEY, ...extra });

const request = (body: Partial<ChatCompletionRequest> = {}, signal = new AbortController().signal) => chatRequest('claude-haiku-4-5', 'anthropic/claude-haiku-4-5', body, signal, 'hi');

describe('AnthropicAdapter (against the fake Messages API)', () => {
  let fake: FakeAnthropic;
  let adapter: AnthropicAdapter;

  beforeAll(async () => {
    fake = await startFakeAnthropic({ apiKey: KEY });
    adapter = new AnthropicAdapter('claude', config(fake));
  });
  afterEach(() => fake.reset());
  afterAll(() => fake.close());

  it('uses the configured endpoint (a trailing /v1 is tolerated) and sends the key and anthropic-version', async () => {
    expect(anthropicBaseUrl('https://api.anthropic.com/v1/')).toBe('https://api.anthropic.com');
    const withV1 = new AnthropicAdapter('claude', config(fake, { endpoint: `${fake.url}/v1` }));
    const res = await withV1.complete(request({}));
    expect(res.choices[0]?.message).toMatchObject({ role: 'assistant', content: 'echo: hi' });
    const [req] = fake.requests;
    expect(req).toMatchObject({ method: 'POST', path: '/v1/messages' });
    expect(req!.headers['authorization'] ?? req!.headers['x-api-key']).toContain(KEY);
    expect(req!.headers['anthropic-version']).toBeTruthy();
  });

  it('translates a multi-turn conversation: system → system, tool calls → tool_use, consecutive tool results → one user turn', async () => {
    fake.enqueue({ kind: 'text', content: 'Paris and Berlin are sunny.' });
    const res = await adapter.complete(
      request({
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'developer', content: 'Use tools.' },
          { role: 'user', content: 'Weather in Paris and Berlin?' },
          {
            role: 'assistant',
            content: 'Checking both.',
            tool_calls: [
              { id: 'toolu_1', type: 'function', function: { name: 'weather', arguments: '{"city":"Paris"}' } },
              { id: 'toolu_2', type: 'function', function: { name: 'weather', arguments: '' } },
            ],
          },
          { role: 'tool', tool_call_id: 'toolu_1', content: 'sunny' },
          { role: 'tool', tool_call_id: 'toolu_2', content: [{ type: 'text', text: 'sunny too' }] },
          { role: 'user', content: 'Summarise.' },
        ],
        tools: [{ type: 'function', function: { name: 'weather', description: 'Weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }],
        tool_choice: 'required',
        temperature: 1.5,
        stop: 'END',
      } as Partial<ChatCompletionRequest>),
    );
    expect(res.choices[0]).toMatchObject({ finish_reason: 'stop', message: { content: 'Paris and Berlin are sunny.' } });
    const sent = fake.requests[0]!.body as Json;
    expect(sent['system']).toEqual([
      { type: 'text', text: 'Be brief.' },
      { type: 'text', text: 'Use tools.' },
    ]);
    expect(sent['messages']).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'Weather in Paris and Berlin?' }] },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Checking both.' },
          { type: 'tool_use', id: 'toolu_1', name: 'weather', input: { city: 'Paris' } },
          { type: 'tool_use', id: 'toolu_2', name: 'weather', input: {} },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'toolu_1', content: 'sunny' },
          { type: 'tool_result', tool_use_id: 'toolu_2', content: 'sunny too' },
          { type: 'text', text: 'Summarise.' },
        ],
      },
    ]);
    expect(sent['tools']).toEqual([{ name: 'weather', description: 'Weather', input_schema: { type: 'object', properties: { city: { type: 'string' } } } }]);
    expect(sent['tool_choice']).toEqual({ type: 'any' });
    expect(sent['temperature']).toBe(1);
    expect(sent['stop_sequences']).toEqual(['END']);
    expect(sent['max_tokens']).toBe(4096);
  });

  it.each([
    ['auto', { type: 'auto' }],
    ['none', { type: 'none' }],
    [{ type: 'function', function: { name: 'weather' } }, { type: 'tool', name: 'weather' }],
  ])('maps tool_choice %j', async (choice, expected) => {
    await adapter.complete(request({ tools: [{ type: 'function', function: { name: 'weather' } }], tool_choice: choice } as Partial<ChatCompletionRequest>));
    expect((fake.requests[0]!.body as Json)['tool_choice']).toEqual(expected);
    expect((fake.requests[0]!.body as Json)['tools']).toEqual([{ name: 'weather', input_schema: { type: 'object', properties: {} } }]);
  });

  it('takes max_tokens from the caller, else the model config, else default_max_tokens', async () => {
    const cfg = config(fake, { default_max_tokens: 777, models: [{ name: 'claude-haiku-4-5', max_tokens: 333 }, { name: 'other' }] } as Partial<ProviderConfig>);
    const a = new AnthropicAdapter('claude', cfg);
    await a.complete(request({ max_tokens: 55 }));
    await a.complete(request({ max_completion_tokens: 66 }));
    await a.complete(request({}));
    await a.complete({ ...request({}), model: 'other' });
    expect(fake.requests.map((r) => (r.body as Json)['max_tokens'])).toEqual([55, 66, 333, 777]);
  });

  it('sends images as image blocks: data URLs as base64, https URLs as url sources', async () => {
    await adapter.complete(
      request({
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'What is in these?' },
              { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
              { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg' } },
            ],
          },
        ],
      }),
    );
    expect(((fake.requests[0]!.body as Json)['messages'] as Json[])[0]!['content']).toEqual([
      { type: 'text', text: 'What is in these?' },
      { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
      { type: 'image', source: { type: 'url', url: 'https://example.com/cat.jpg' } },
    ]);
  });

  it('rejects malformed tool arguments and unsupported parts with INVALID_REQUEST (nothing sent upstream)', async () => {
    const bad = await failure(
      adapter.complete(
        request({ messages: [{ role: 'user', content: 'x' }, { role: 'assistant', tool_calls: [{ id: 't', type: 'function', function: { name: 'f', arguments: '{oops' } }] }] }),
      ),
    );
    expect(bad.code).toBe('INVALID_REQUEST');
    expect(bad.message).toContain('messages[1].tool_calls[0]');
    const audio = await failure(adapter.complete(request({ messages: [{ role: 'user', content: [{ type: 'input_audio', input_audio: {} }] }] })));
    expect(audio.code).toBe('INVALID_REQUEST');
    const n = await failure(adapter.complete(request({ n: 2 } as Partial<ChatCompletionRequest>)));
    expect(n).toMatchObject({ code: 'INVALID_REQUEST', extras: { param: 'n' } });
    expect(fake.requests).toHaveLength(0);
  });

  it('puts thinking into reasoning_content (never content) with a signed reasoning_details entry, and maps tool_use', async () => {
    fake.enqueue({ kind: 'tool_use', thinking: 'I should call the tool.', text: 'Let me check.', calls: [{ name: 'weather', input: { city: 'Paris' }, id: 'toolu_x' }] });
    const res = await adapter.complete(request({ reasoning_effort: 'low' } as Partial<ChatCompletionRequest>));
    const msg = res.choices[0]!.message as Json;
    expect(msg['content']).toBe('Let me check.');
    expect(msg['reasoning_content']).toBe('I should call the tool.');
    expect(msg['tool_calls']).toEqual([{ id: 'toolu_x', type: 'function', function: { name: 'weather', arguments: '{"city":"Paris"}' } }]);
    expect((msg['reasoning_details'] as Json[])[0]).toMatchObject({ type: 'reasoning.text', text: 'I should call the tool.' });
    expect(res.choices[0]!.finish_reason).toBe('tool_calls');
    expect((fake.requests[0]!.body as Json)['thinking']).toEqual({ type: 'enabled', budget_tokens: 1024 });

    // The signed thinking block goes back with the assistant turn.
    await adapter.complete(
      request({
        messages: [
          { role: 'user', content: 'Weather?' },
          { role: 'assistant', content: null, tool_calls: msg['tool_calls'] as never, reasoning_details: msg['reasoning_details'] } as never,
          { role: 'tool', tool_call_id: 'toolu_x', content: 'sunny' },
        ],
      }),
    );
    const turns = (fake.requests[1]!.body as Json)['messages'] as Json[];
    expect((turns[1]!['content'] as Json[])[0]).toMatchObject({ type: 'thinking', thinking: 'I should call the tool.' });
  });

  it('reports usage with cache tokens in the prompt', async () => {
    fake.enqueue({ kind: 'text', content: 'ok', usage: { input_tokens: 10, output_tokens: 3, cache_read_input_tokens: 5, cache_creation_input_tokens: 2 } });
    const res = await adapter.complete(request({}));
    expect(res.usage).toMatchObject({ prompt_tokens: 17, completion_tokens: 3, total_tokens: 20, prompt_tokens_details: { cached_tokens: 5 } });
  });

  it.each([
    ['max_tokens', 'length'],
    ['stop_sequence', 'stop'],
    ['refusal', 'content_filter'],
    ['model_context_window_exceeded', 'length'],
  ] as const)('maps stop_reason %s → %s', async (stopReason, finish) => {
    fake.enqueue({ kind: 'text', content: 'x', stopReason });
    expect((await adapter.complete(request({}))).choices[0]!.finish_reason).toBe(finish);
  });

  describe('stream', () => {
    it('streams text as OpenAI chunks with one id, role on the first chunk, finish and usage last', async () => {
      fake.enqueue({ kind: 'text', chunks: ['Hel', 'lo', '!'], usage: { input_tokens: 12, output_tokens: 4 } });
      const chunks = await collect(adapter.stream(request({ stream: true })));
      expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
      expect(chunks.every((c) => c.object === 'chat.completion.chunk')).toBe(true);
      expect(delta(chunks[0]!)).toEqual({ role: 'assistant', content: 'Hel' });
      expect(chunks.map((c) => delta(c)?.['content'] ?? '').join('')).toBe('Hello!');
      const finish = chunks.at(-2)!;
      expect(finish.choices[0]).toMatchObject({ delta: {}, finish_reason: 'stop' });
      expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens: 12, completion_tokens: 4, total_tokens: 16 } });
    });

    it('assembles tool calls: index counts tool calls only, fragments forwarded verbatim, empty input → "{}"', async () => {
      fake.enqueue({
        kind: 'tool_use',
        text: 'Calling.',
        calls: [
          { name: 'a', input: { q: 'x y' }, id: 'toolu_a', argumentChunks: ['', '{"q": ', '"x y"}'] },
          { name: 'b', input: {}, id: 'toolu_b', argumentChunks: [''] },
        ],
      });
      const chunks = await collect(adapter.stream(request({ stream: true })));
      const calls = new Map<number, { id?: string; name?: string; args: string }>();
      for (const c of chunks) {
        for (const tc of ((delta(c)?.['tool_calls'] ?? []) as Json[])) {
          const i = tc['index'] as number;
          const cur = calls.get(i) ?? { args: '' };
          const fn = tc['function'] as Json;
          if (tc['id']) cur.id = tc['id'] as string;
          if (fn['name']) cur.name = fn['name'] as string;
          cur.args += (fn['arguments'] as string) ?? '';
          calls.set(i, cur);
        }
      }
      expect([...calls.entries()]).toEqual([
        [0, { id: 'toolu_a', name: 'a', args: '{"q": "x y"}' }],
        [1, { id: 'toolu_b', name: 'b', args: '{}' }],
      ]);
      expect(chunks.find((c) => c.choices[0]?.['finish_reason' as never])?.choices[0]).toMatchObject({ finish_reason: 'tool_calls' });
    });

    it('keeps a tool input that arrives whole in content_block_start (no "{}" appended)', () => {
      const t = new AnthropicStreamTranslator('m');
      t.push({ type: 'message_start', message: { id: 'msg_1', model: 'm', usage: { input_tokens: 1, output_tokens: 1 } } });
      const start = t.push({ type: 'content_block_start', index: 0, content_block: { type: 'tool_use', id: 't1', name: 'f', input: { a: 1 } } });
      const stop = t.push({ type: 'content_block_stop', index: 0 });
      expect((delta(start[0]!)!['tool_calls'] as Json[])[0]).toMatchObject({ index: 0, id: 't1', function: { name: 'f', arguments: '{"a":1}' } });
      expect(stop).toEqual([]);
    });

    it('streams thinking as reasoning_content', async () => {
      fake.enqueue({ kind: 'text', thinking: 'hmm, think', content: 'answer' });
      const chunks = await collect(adapter.stream(request({ stream: true })));
      expect(chunks.map((c) => delta(c)?.['reasoning_content'] ?? '').join('')).toBe('hmm, think');
      expect(chunks.map((c) => delta(c)?.['content'] ?? '').join('')).toBe('answer');
    });

    it('turns a mid-stream `event: error` into a thrown coded error, not a success', async () => {
      fake.enqueue({ kind: 'midstream-error', afterEvents: 4, mode: 'error-event' });
      const seen: ChatCompletionChunk[] = [];
      const err = await failure(
        (async () => {
          for await (const c of adapter.stream(request({ stream: true }))) seen.push(c);
        })(),
      );
      expect(seen.map((c) => delta(c)?.['content']).join('')).toBe('partial answer ');
      expect(err).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', message: 'Overloaded', retryable: true });
      expect(err.extras).toMatchObject({ upstreamStatus: 529, type: 'overloaded_error' });
    });

    it('throws STREAM_INTERRUPTED when the stream ends without message_delta, and a transport error when the socket dies', async () => {
      fake.enqueue({ kind: 'midstream-error', afterEvents: 3, mode: 'end' });
      expect((await failure(collect(adapter.stream(request({ stream: true }))))).code).toBe('STREAM_INTERRUPTED');
      fake.enqueue({ kind: 'midstream-error', afterEvents: 3, mode: 'destroy' });
      expect((await failure(collect(adapter.stream(request({ stream: true }))))).code).toMatch(/UPSTREAM_UNAVAILABLE|STREAM_INTERRUPTED/);
    });

    it('aborts the upstream call when the caller goes away', async () => {
      fake.enqueue({ kind: 'text', chunks: ['a', 'b', 'c', 'd'], chunkDelayMs: 200 });
      const ac = new AbortController();
      const it = adapter.stream(request({ stream: true }, ac.signal))[Symbol.asyncIterator]();
      await it.next();
      ac.abort();
      const err = await failure(it.next());
      expect(err.code).toBe('CANCELLED');
      await fake.waitForAbort();
    });
  });

  describe('errors', () => {
    it('429 → RATE_LIMITED with the Retry-After, message and type kept', async () => {
      fake.enqueue({ kind: 'error', status: 429, headers: { 'retry-after': '7' } });
      const err = await failure(adapter.complete(request({})));
      expect(err.code).toBe('RATE_LIMITED');
      expect(err.message).toContain('rate limit');
      expect(err.extras).toMatchObject({ retryAfterMs: 7000, upstreamStatus: 429, type: 'rate_limit_error', upstreamCode: 'rate_limit_exceeded' });
    });

    it('529 overloaded → retryable UPSTREAM_UNAVAILABLE keeping status 529 and type overloaded_error', async () => {
      fake.enqueue({ kind: 'error', status: 529 });
      const err = await failure(adapter.complete(request({})));
      expect(err).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', retryable: true, message: 'Overloaded' });
      expect(err.extras).toMatchObject({ upstreamStatus: 529, type: 'overloaded_error' });
    });

    it('400 from upstream validation → BAD_REQUEST with the upstream message and request id', async () => {
      const err = await failure(
        adapter.complete(request({ messages: [{ role: 'user', content: 'x' }, { role: 'assistant', tool_calls: [{ id: 'toolu_9', type: 'function', function: { name: 'f', arguments: '{}' } }] }, { role: 'user', content: 'y' }] })),
      );
      expect(err.code).toBe('BAD_REQUEST');
      expect(err.message).toContain('tool_use');
      expect(err.extras.details?.[0]).toMatchObject({ upstream_request_id: expect.stringMatching(/^req_fake_/) });
    });

    it('401 → AUTH, 404 → NOT_FOUND (model_not_found), 500 → UPSTREAM_UNAVAILABLE, connection refused → UPSTREAM_UNAVAILABLE', async () => {
      const wrongKey = new AnthropicAdapter('claude', config(fake, { api_key: 'nope' }));
      expect((await failure(wrongKey.complete(request({})))).code).toBe('AUTH');
      fake.enqueue({ kind: 'error', status: 404, body: { type: 'error', error: { type: 'not_found_error', message: 'model: claude-sonet-4-5' }, request_id: 'req_1' } });
      const nf = await failure(adapter.complete(request({})));
      expect(nf).toMatchObject({ code: 'NOT_FOUND', message: 'model: claude-sonet-4-5' });
      expect(nf.extras).toMatchObject({ upstreamCode: 'model_not_found', type: 'not_found_error' });
      fake.enqueue({ kind: 'error', status: 500 });
      expect((await failure(adapter.complete(request({})))).code).toBe('UPSTREAM_UNAVAILABLE');
      const down = new AnthropicAdapter('claude', config(fake, { endpoint: 'http://127.0.0.1:1' }));
      expect((await failure(down.complete(request({})))).code).toBe('UPSTREAM_UNAVAILABLE');
    });
  });

  it('lists models with their context size', async () => {
    const models = await adapter.listModels(new AbortController().signal);
    expect(models).toEqual([expect.objectContaining({ id: 'claude-haiku-4-5', contextSize: 200000, ownedBy: 'anthropic' })]);
  });
});
