import type { ChatCompletionRequest, ProviderConfig } from '@aisbf/contracts';
// Specs drive the adapters against the wire-faithful fakes of @aisbf/testing (test code only; the adapters never import it).
import { startFakeGemini, type FakeGemini } from '@aisbf/testing';
import { providerConfig, chatRequest, collect, failure, delta, type Json } from '../test/adapter-spec.helpers';
import { geminiHttpOptions, GoogleAdapter } from './google.adapter';

const KEY = 'AIza-test-key';

const config = (fake: FakeGemini, extra: Partial<ProviderConfig> = {}) => providerConfig('google', fake.url, { api_key_required: true, api_key: KEY, ...extra });

const request = (body: Partial<ChatCompletionRequest> = {}, signal = new AbortController().signal) => chatRequest('gemini-2.5-flash', 'gem/gemini-2.5-flash', body, signal, 'hi');

describe('GoogleAdapter (against the fake Gemini API)', () => {
  let fake: FakeGemini;
  let adapter: GoogleAdapter;

  beforeAll(async () => {
    fake = await startFakeGemini({ apiKey: KEY, requireThoughtSignatures: true });
    adapter = new GoogleAdapter('gem', config(fake));
  });
  afterEach(() => fake.reset());
  afterAll(() => fake.close());

  it('calls :generateContent at the configured endpoint with the key', async () => {
    expect(geminiHttpOptions('https://generativelanguage.googleapis.com/v1beta/')).toEqual({ baseUrl: 'https://generativelanguage.googleapis.com', apiVersion: 'v1beta' });
    const res = await adapter.complete(request({}));
    expect(res).toMatchObject({ object: 'chat.completion', model: 'gemini-2.5-flash', choices: [{ message: { role: 'assistant', content: 'echo: hi' }, finish_reason: 'stop' }] });
    const [req] = fake.requests;
    expect(req!.path).toBe('/v1beta/models/gemini-2.5-flash:generateContent');
    expect(req!.headers['x-goog-api-key']).toBe(KEY);
  });

  it('sends a real multi-turn conversation: systemInstruction, user/model roles, functionCall/functionResponse with the signature', async () => {
    fake.enqueue({ kind: 'function_call', calls: [{ name: 'weather', args: { city: 'Paris' } }, { name: 'weather', args: { city: 'Rome' } }], thoughtSignature: 'SIG-1' });
    const first = await adapter.complete(
      request({
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'Hello' },
          { role: 'assistant', content: 'Hi! How can I help?' },
          { role: 'user', content: 'Weather in Paris and Rome?' },
        ],
        tools: [{ type: 'function', function: { name: 'weather', description: 'Weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } }],
        tool_choice: 'auto',
      } as Partial<ChatCompletionRequest>),
    );
    const msg = first.choices[0]!.message as Json;
    expect(first.choices[0]!.finish_reason).toBe('tool_calls');
    expect(msg['content']).toBeNull();
    const calls = msg['tool_calls'] as Json[];
    expect(calls).toHaveLength(2);
    expect(calls[0]).toMatchObject({ type: 'function', function: { name: 'weather', arguments: '{"city":"Paris"}' }, extra_content: { google: { thought_signature: 'SIG-1' } } });
    expect(calls[0]!['id']).toMatch(/^call_[A-Za-z0-9]{24}$/);
    expect(calls[1]!['id']).not.toBe(calls[0]!['id']);

    const sent1 = fake.requests[0]!.body as Json;
    expect(sent1['systemInstruction']).toEqual({ parts: [{ text: 'Be brief.' }] });
    expect(sent1['contents']).toEqual([
      { role: 'user', parts: [{ text: 'Hello' }] },
      { role: 'model', parts: [{ text: 'Hi! How can I help?' }] },
      { role: 'user', parts: [{ text: 'Weather in Paris and Rome?' }] },
    ]);
    expect(sent1['tools']).toEqual([{ functionDeclarations: [{ name: 'weather', description: 'Weather', parametersJsonSchema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } }] }]);
    expect(sent1['toolConfig']).toEqual({ functionCallingConfig: { mode: 'AUTO' } });

    // Second turn: the tool results go back as one user turn with two functionResponse parts (the fake checks counts
    // and that the signature came back).
    fake.enqueue({ kind: 'text', content: 'Sunny in both.' });
    const second = await adapter.complete(
      request({
        messages: [
          { role: 'user', content: 'Weather in Paris and Rome?' },
          { role: 'assistant', content: null, tool_calls: calls as never },
          { role: 'tool', tool_call_id: calls[0]!['id'] as string, content: '{"temp":21}' },
          { role: 'tool', tool_call_id: calls[1]!['id'] as string, content: 'sunny' },
        ],
      }),
    );
    expect(second.choices[0]!.message).toMatchObject({ content: 'Sunny in both.' });
    expect((fake.requests[1]!.body as Json)['contents']).toEqual([
      { role: 'user', parts: [{ text: 'Weather in Paris and Rome?' }] },
      {
        role: 'model',
        parts: [
          { functionCall: { name: 'weather', args: { city: 'Paris' } }, thoughtSignature: 'SIG-1' },
          { functionCall: { name: 'weather', args: { city: 'Rome' } } },
        ],
      },
      {
        role: 'user',
        parts: [{ functionResponse: { name: 'weather', response: { temp: 21 } } }, { functionResponse: { name: 'weather', response: { output: 'sunny' } } }],
      },
    ]);
  });

  it('a function call sent back without its signature is refused upstream (BAD_REQUEST with Gemini\'s message)', async () => {
    const err = await failure(
      adapter.complete(
        request({
          messages: [
            { role: 'user', content: 'x' },
            { role: 'assistant', tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'weather', arguments: '{}' } }] },
            { role: 'tool', tool_call_id: 'call_1', content: 'ok' },
          ],
        }),
      ),
    );
    expect(err.code).toBe('BAD_REQUEST');
    expect(err.message).toContain('thought_signature');
  });

  it('maps tool_choice required/none/named and the rest of the generation config', async () => {
    const tools = [{ type: 'function', function: { name: 'weather' } }];
    await adapter.complete(request({ tools, tool_choice: 'required', max_tokens: 50, temperature: 0.2, top_p: 0.9, stop: ['END'], seed: 7, response_format: { type: 'json_object' } } as Partial<ChatCompletionRequest>));
    await adapter.complete(request({ tools, tool_choice: 'none' } as Partial<ChatCompletionRequest>));
    await adapter.complete(request({ tools, tool_choice: { type: 'function', function: { name: 'weather' } } } as Partial<ChatCompletionRequest>));
    const [a, b, c] = fake.requests.map((r) => r.body as Json);
    expect(a!['toolConfig']).toEqual({ functionCallingConfig: { mode: 'ANY' } });
    expect(a!['generationConfig']).toMatchObject({ maxOutputTokens: 50, temperature: 0.2, topP: 0.9, stopSequences: ['END'], seed: 7, responseMimeType: 'application/json' });
    expect(b!['toolConfig']).toEqual({ functionCallingConfig: { mode: 'NONE' } });
    expect(c!['toolConfig']).toEqual({ functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['weather'] } });
  });

  it('sends images: data URLs as inlineData, https URLs as fileData', async () => {
    await adapter.complete(
      request({
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'Describe' },
              { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
              { type: 'image_url', image_url: { url: 'https://example.com/cat.webp' } },
            ],
          },
        ],
      }),
    );
    expect(((fake.requests[0]!.body as Json)['contents'] as Json[])[0]).toEqual({
      role: 'user',
      parts: [{ text: 'Describe' }, { inlineData: { mimeType: 'image/png', data: 'iVBORw0KGgo=' } }, { fileData: { fileUri: 'https://example.com/cat.webp', mimeType: 'image/webp' } }],
    });
  });

  it('puts thought parts into reasoning_content and counts thoughts tokens in completion usage', async () => {
    fake.enqueue({ kind: 'text', thought: 'Let me think.', content: 'Done.', usage: { prompt: 10, candidates: 2, thoughts: 30 } });
    const res = await adapter.complete(request({ reasoning_effort: 'high' } as Partial<ChatCompletionRequest>));
    expect(res.choices[0]!.message).toMatchObject({ content: 'Done.', reasoning_content: 'Let me think.' });
    expect(res.usage).toMatchObject({ prompt_tokens: 10, completion_tokens: 32, total_tokens: 42, completion_tokens_details: { reasoning_tokens: 30 } });
    expect((fake.requests[0]!.body as Json)['generationConfig']).toMatchObject({ thinkingConfig: { includeThoughts: true } });
  });

  it.each([
    ['MAX_TOKENS', 'length'],
    ['SAFETY', 'content_filter'],
    ['RECITATION', 'content_filter'],
    ['OTHER', 'stop'],
  ])('maps finishReason %s → %s', async (reason, finish) => {
    fake.enqueue({ kind: 'text', content: 'x', finishReason: reason });
    expect((await adapter.complete(request({}))).choices[0]!.finish_reason).toBe(finish);
  });

  it('a candidate without parts (filtered answer) gives empty content, content_filter and usage without candidate tokens', async () => {
    const body = JSON.stringify({ candidates: [{ finishReason: 'SAFETY', index: 0, safetyRatings: [] }], usageMetadata: { promptTokenCount: 7, totalTokenCount: 7 }, modelVersion: 'gemini-2.5-flash', responseId: 'r1' });
    fake.enqueue({ kind: 'replay', headers: { 'content-type': 'application/json' }, body });
    const res = await adapter.complete(request({}));
    expect(res.choices[0]).toMatchObject({ finish_reason: 'content_filter', message: { content: '' } });
    expect(res.usage).toMatchObject({ prompt_tokens: 7, completion_tokens: 0, total_tokens: 7 });
    fake.enqueue({ kind: 'replay', headers: { 'content-type': 'text/event-stream' }, body: `data: ${body}\r\n\r\n` });
    const chunks = await collect(adapter.stream(request({ stream: true })));
    expect(chunks.map((c) => (c.choices[0] as Json | undefined)?.['finish_reason'] ?? null)).toEqual(['content_filter', null]);
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens: 7, completion_tokens: 0 } });
  });

  it('a blocked prompt is a CONTENT_FILTER error', async () => {
    fake.enqueue({ kind: 'blocked', reason: 'PROHIBITED_CONTENT' });
    const err = await failure(adapter.complete(request({})));
    expect(err).toMatchObject({ code: 'CONTENT_FILTER', retryable: false });
    expect(err.message).toContain('PROHIBITED_CONTENT');
  });

  describe('stream', () => {
    it('streams via alt=sse: one id, role first, content deltas, finish then usage from the last chunk', async () => {
      fake.enqueue({ kind: 'text', chunks: ['1\n2', '\n3'], usage: { prompt: 5, candidates: 6, thoughts: 4 } });
      const chunks = await collect(adapter.stream(request({ stream: true })));
      expect(fake.requests[0]!.path).toBe('/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse');
      expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
      expect(delta(chunks[0]!)).toEqual({ role: 'assistant', content: '1\n2' });
      expect(chunks.map((c) => delta(c)?.['content'] ?? '').join('')).toBe('1\n2\n3');
      expect(chunks.at(-2)!.choices[0]).toMatchObject({ delta: {}, finish_reason: 'stop' });
      expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens: 5, completion_tokens: 10, total_tokens: 15 } });
    });

    it('streams function calls as whole tool call deltas and finishes with tool_calls', async () => {
      fake.enqueue({ kind: 'function_call', calls: [{ name: 'a', args: { x: 1 } }, { name: 'b', args: {} }] });
      const chunks = await collect(adapter.stream(request({ stream: true })));
      const calls = chunks.flatMap((c) => (delta(c)?.['tool_calls'] ?? []) as Json[]);
      expect(calls.map((c) => [c['index'], (c['function'] as Json)['name'], (c['function'] as Json)['arguments']])).toEqual([
        [0, 'a', '{"x":1}'],
        [1, 'b', '{}'],
      ]);
      expect(calls.every((c) => typeof c['id'] === 'string' && c['type'] === 'function')).toBe(true);
      expect(chunks.find((c) => (c.choices[0] as Json | undefined)?.['finish_reason'])!.choices[0]).toMatchObject({ finish_reason: 'tool_calls' });
    });

    it('a mid-stream error object becomes a thrown coded error; an unfinished stream is STREAM_INTERRUPTED', async () => {
      fake.enqueue({ kind: 'midstream-error', afterChunks: 2, mode: 'error-event' });
      const err = await failure(collect(adapter.stream(request({ stream: true }))));
      expect(err).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', message: 'The model is overloaded. Please try again later.' });
      expect(err.extras).toMatchObject({ upstreamStatus: 503 });
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
    it('429 → RATE_LIMITED with retry-after from the header or RetryInfo, OpenAI-style code', async () => {
      fake.enqueue({ kind: 'error', status: 429, headers: { 'retry-after': '3' } });
      const err = await failure(adapter.complete(request({})));
      expect(err).toMatchObject({ code: 'RATE_LIMITED', message: 'Resource has been exhausted (e.g. check quota).' });
      expect(err.extras).toMatchObject({ retryAfterMs: 3000, upstreamStatus: 429, type: 'rate_limit_error', upstreamCode: 'rate_limit_exceeded' });
      fake.enqueue({
        kind: 'error',
        status: 429,
        body: { error: { code: 429, message: 'Quota exceeded', status: 'RESOURCE_EXHAUSTED', details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '59s' }] } },
      });
      expect((await failure(adapter.complete(request({})))).extras.retryAfterMs).toBe(59000);
    });

    it('403 → AUTH, bad key → AUTH, 404 → NOT_FOUND model_not_found, 500 → UPSTREAM_UNAVAILABLE', async () => {
      const noKey = new GoogleAdapter('gem', config(fake, { api_key: 'wrong' }));
      expect((await failure(noKey.complete(request({})))).code).toBe('AUTH');
      fake.enqueue({ kind: 'error', status: 403 });
      const forbidden = await failure(adapter.complete(request({})));
      expect(forbidden.code).toBe('AUTH');
      expect(forbidden.extras).toMatchObject({ type: 'permission_error', upstreamCode: 'permission_denied' });
      fake.enqueue({ kind: 'error', status: 404, body: { error: { code: 404, message: 'models/x is not found', status: 'NOT_FOUND' } } });
      const nf = await failure(adapter.complete(request({})));
      expect(nf).toMatchObject({ code: 'NOT_FOUND', message: 'models/x is not found' });
      expect(nf.extras.upstreamCode).toBe('model_not_found');
      fake.enqueue({ kind: 'error', status: 500 });
      expect((await failure(adapter.complete(request({})))).code).toBe('UPSTREAM_UNAVAILABLE');
    });

    it('a timeout is TIMEOUT, an unreachable endpoint is UPSTREAM_UNAVAILABLE', async () => {
      fake.enqueue({ kind: 'hang' });
      expect((await failure(adapter.complete({ ...request({}), timeoutMs: 200 }))).code).toBe('TIMEOUT');
      const down = new GoogleAdapter('gem', config(fake, { endpoint: 'http://127.0.0.1:1' }));
      expect((await failure(down.complete(request({})))).code).toBe('UPSTREAM_UNAVAILABLE');
    });
  });

  it('lists models with their input token limit as context size', async () => {
    const models = await adapter.listModels(new AbortController().signal);
    expect(models).toEqual([expect.objectContaining({ id: 'gemini-2.5-flash', contextSize: 1048576, ownedBy: 'google' })]);
    expect(models[0]!.capabilities).toContain('reasoning');
  });
});
