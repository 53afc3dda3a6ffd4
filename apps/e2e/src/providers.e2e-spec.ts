/**
 * The provider matrix through the whole stack, with the official `openai` SDK as the client: for each provider type
 * (openai, anthropic, google, ollama, runpod) a multi-turn conversation with a tool call round trip, an image input, a
 * stream, and upstream 429 (Retry-After reaches the client) and 500. Each upstream is a fake speaking that provider's
 * real wire format; the assertions look at what the client got and at what the upstream received.
 */
import {
  eventually,
  startFakeAnthropic,
  startFakeGemini,
  startFakeOllama,
  startFakeOpenAI,
  startFakeRunpod,
  startStack,
  type FakeAnthropic,
  type FakeGemini,
  type FakeOllama,
  type FakeOpenAI,
  type FakeRunpod,
  type Stack,
} from '@aisbf/testing';
import OpenAI from 'openai';
import type { ChatCompletionMessageParam, ChatCompletionTool } from 'openai/resources/chat/completions';
import { GLOBAL_TOKEN, writeConfig } from './support/config';

type Json = Record<string, unknown>;

const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
const DATA_URL = `data:image/png;base64,${PNG}`;
const HTTPS_URL = 'https://upload.wikimedia.org/wikipedia/commons/4/47/PNG_transparency_demonstration_1.png';

const TOOLS: ChatCompletionTool[] = [
  { type: 'function', function: { name: 'get_weather', description: 'Weather for a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } },
];

interface Fake {
  enqueue(...s: unknown[]): void;
  requests: Array<{ path: string; body: unknown; headers: Record<string, string> }>;
  reset(): void;
}

interface ProviderCase {
  type: string;
  provider: string;
  model: string;
  fake(): Fake;
  chatPath: RegExp;
  toolCall(args: Json): unknown;
  text(content: string, chunks?: string[]): unknown;
  error(status: number, headers?: Record<string, string>): unknown;
  /** The tool result as the upstream received it on the second turn. */
  expectToolResult(body: Json, callId: string): void;
  /** The image as the upstream received it. */
  expectImage(body: Json): void;
  /** Whether an https image URL is passed on (Ollama needs bytes, and the fake network has no public host). */
  httpsImages: boolean;
}

describe('provider matrix: the openai SDK through the whole stack', () => {
  let openai: FakeOpenAI;
  let podServer: FakeOpenAI;
  let anthropic: FakeAnthropic;
  let gemini: FakeGemini;
  let ollama: FakeOllama;
  let runpod: FakeRunpod;
  let stack: Stack;
  let client: OpenAI;

  const chatBodies = (f: Fake, path: RegExp) => f.requests.filter((r) => path.test(r.path)).map((r) => r.body as Json);

  const cases: ProviderCase[] = [
    {
      type: 'openai',
      provider: 'oai',
      model: 'gpt-4o-mini',
      fake: () => openai as unknown as Fake,
      chatPath: /\/v1\/chat\/completions$/,
      toolCall: (args) => ({ kind: 'tool_call', name: 'get_weather', arguments: JSON.stringify(args), id: 'call_e2e_oai' }),
      text: (content, chunks) => ({ kind: 'text', content, ...(chunks ? { chunks } : {}) }),
      error: (status, headers) => ({ kind: 'error', status, ...(headers ? { headers } : {}) }),
      expectToolResult: (body, id) => expect((body['messages'] as Json[]).at(-1)).toMatchObject({ role: 'tool', tool_call_id: id, content: '{"temp_c":21}' }),
      expectImage: (body) => expect(JSON.stringify(body['messages'])).toContain(PNG),
      httpsImages: true,
    },
    {
      type: 'anthropic',
      provider: 'claude',
      model: 'claude-haiku-4-5',
      fake: () => anthropic as unknown as Fake,
      chatPath: /^\/v1\/messages$/,
      toolCall: (args) => ({ kind: 'tool_use', text: 'Let me check.', calls: [{ name: 'get_weather', input: args, id: 'toolu_e2e_1' }] }),
      text: (content, chunks) => ({ kind: 'text', content, ...(chunks ? { chunks } : {}) }),
      error: (status, headers) => ({ kind: 'error', status, ...(headers ? { headers } : {}) }),
      expectToolResult: (body, id) => {
        const turns = body['messages'] as Json[];
        expect(turns.at(-1)).toEqual({ role: 'user', content: [{ type: 'tool_result', tool_use_id: id, content: '{"temp_c":21}' }] });
        expect(body['system']).toEqual([{ type: 'text', text: 'You are a weather bot.' }]);
      },
      expectImage: (body) => {
        const blocks = ((body['messages'] as Json[])[0]!['content'] as Json[]).filter((b) => b['type'] === 'image');
        expect(blocks).toEqual([
          { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } },
          { type: 'image', source: { type: 'url', url: HTTPS_URL } },
        ]);
      },
      httpsImages: true,
    },
    {
      type: 'google',
      provider: 'gem',
      model: 'gemini-2.5-flash',
      fake: () => gemini as unknown as Fake,
      chatPath: /:(stream)?[gG]enerateContent/,
      toolCall: (args) => ({ kind: 'function_call', calls: [{ name: 'get_weather', args }], thoughtSignature: 'SIG-E2E' }),
      text: (content, chunks) => ({ kind: 'text', content, ...(chunks ? { chunks } : {}) }),
      error: (status, headers) => ({ kind: 'error', status, ...(headers ? { headers } : {}) }),
      expectToolResult: (body) => {
        const contents = body['contents'] as Json[];
        // the signature came back with the call (the fake refuses the request otherwise)
        expect(contents.at(-2)).toEqual({ role: 'model', parts: [{ functionCall: { name: 'get_weather', args: { city: 'Paris' } }, thoughtSignature: 'SIG-E2E' }] });
        expect(contents.at(-1)).toEqual({ role: 'user', parts: [{ functionResponse: { name: 'get_weather', response: { temp_c: 21 } } }] });
        expect(body['systemInstruction']).toEqual({ parts: [{ text: 'You are a weather bot.' }] });
      },
      expectImage: (body) => {
        const parts = (body['contents'] as Json[])[0]!['parts'] as Json[];
        expect(parts.filter((p) => !p['text'])).toEqual([{ inlineData: { mimeType: 'image/png', data: PNG } }, { fileData: { fileUri: HTTPS_URL, mimeType: 'image/png' } }]);
      },
      httpsImages: true,
    },
    {
      type: 'ollama',
      provider: 'olla',
      model: 'llama3.2',
      fake: () => ollama as unknown as Fake,
      chatPath: /^\/api\/chat$/,
      toolCall: (args) => ({ kind: 'tool_calls', calls: [{ name: 'get_weather', arguments: args, id: 'call_e2e_olla' }] }),
      text: (content, chunks) => ({ kind: 'text', content, ...(chunks ? { chunks } : {}) }),
      error: (status, headers) => ({ kind: 'error', status, ...(headers ? { headers } : {}) }),
      expectToolResult: (body, id) => {
        const messages = body['messages'] as Json[];
        expect(messages.at(-2)).toMatchObject({ role: 'assistant', tool_calls: [{ id, function: { name: 'get_weather', arguments: { city: 'Paris' } } }] });
        expect(messages.at(-1)).toEqual({ role: 'tool', content: '{"temp_c":21}', tool_name: 'get_weather', tool_call_id: id });
        expect(messages[0]).toEqual({ role: 'system', content: 'You are a weather bot.' });
      },
      expectImage: (body) => expect((body['messages'] as Json[])[0]).toMatchObject({ role: 'user', images: [PNG] }),
      httpsImages: false,
    },
    {
      type: 'runpod',
      provider: 'pod',
      model: 'qwen3',
      fake: () => podServer as unknown as Fake,
      chatPath: /\/v1\/chat\/completions$/,
      toolCall: (args) => ({ kind: 'tool_call', name: 'get_weather', arguments: JSON.stringify(args), id: 'call_e2e_pod' }),
      text: (content, chunks) => ({ kind: 'text', content, ...(chunks ? { chunks } : {}) }),
      error: (status, headers) => ({ kind: 'error', status, ...(headers ? { headers } : {}) }),
      expectToolResult: (body, id) => expect((body['messages'] as Json[]).at(-1)).toMatchObject({ role: 'tool', tool_call_id: id }),
      expectImage: (body) => expect(JSON.stringify(body['messages'])).toContain(PNG),
      httpsImages: true,
    },
  ];

  beforeAll(async () => {
    [openai, podServer, anthropic, gemini, ollama] = await Promise.all([
      startFakeOpenAI({ models: ['gpt-4o-mini'] }),
      startFakeOpenAI({ models: ['qwen3'] }),
      startFakeAnthropic({ apiKey: 'sk-ant-e2e' }),
      startFakeGemini({ apiKey: 'AIza-e2e', requireThoughtSignatures: true }),
      startFakeOllama(),
    ]);
    runpod = await startFakeRunpod({ apiKey: 'rp-e2e', pods: { pod1: { upstreamPort: podServer.port, startupPolls: 2 } } });
    const configDir = writeConfig({
      providers: {
        providers: {
          oai: { id: 'oai', name: 'OpenAI', type: 'openai', endpoint: openai.url, api_key_required: true, api_key: 'sk-up-oai', models: [{ name: 'gpt-4o-mini', context_size: 128000 }] },
          claude: { id: 'claude', name: 'Claude', type: 'anthropic', endpoint: anthropic.url, api_key_required: true, api_key: 'sk-ant-e2e', default_max_tokens: 1024, models: [{ name: 'claude-haiku-4-5' }] },
          gem: { id: 'gem', name: 'Gemini', type: 'google', endpoint: gemini.url, api_key_required: true, api_key: 'AIza-e2e', models: [{ name: 'gemini-2.5-flash' }] },
          olla: { id: 'olla', name: 'Ollama', type: 'ollama', endpoint: ollama.url, api_key_required: false, models: [{ name: 'llama3.2' }] },
          // no `models`: listed (and routable) from the upstream's own listing
          ollive: { id: 'ollive', name: 'Ollama live', type: 'ollama', endpoint: ollama.url, api_key_required: false, default_context_size: 4096 },
          pod: {
            id: 'pod',
            name: 'RunPod pod',
            type: 'runpod',
            endpoint: '',
            api_key_required: true,
            api_key: 'rp-e2e',
            runpod_config: { mode: 'pod', pod_id: 'pod1', wrapper_mode: 'openai', management_api: runpod.managementUrl, startup_poll_interval_ms: 50, idle_shutdown_ms: 0 },
            models: [{ name: 'qwen3' }],
          },
          sls: { id: 'sls', name: 'RunPod serverless', type: 'runpod', endpoint: runpod.serverlessUrl, api_key_required: true, api_key: 'rp-e2e', runpod_config: { mode: 'serverless', endpoint_id: 'ep-e2e' }, models: [{ name: 'worker' }] },
        },
      },
    });
    stack = await startStack({ configDir });
    client = new OpenAI({ apiKey: GLOBAL_TOKEN, baseURL: `${stack.baseUrl}/v1`, maxRetries: 0 });
  });

  afterEach(() => {
    for (const f of [openai, podServer, anthropic, gemini, ollama, runpod]) f?.reset();
  });

  afterAll(async () => {
    await stack?.close();
    await Promise.all([openai, podServer, anthropic, gemini, ollama, runpod].map((f) => f?.close()));
  });

  describe.each(cases)('$type ($provider/$model)', (c) => {
    const model = `${c.provider}/${c.model}`;

    it('multi-turn conversation with a tool call round trip', async () => {
      const f = c.fake();
      f.enqueue(c.toolCall({ city: 'Paris' }), c.text('It is 21°C in Paris.'));
      const messages: ChatCompletionMessageParam[] = [
        { role: 'system', content: 'You are a weather bot.' },
        { role: 'user', content: 'Hi!' },
        { role: 'assistant', content: 'Hello! Ask me about the weather.' },
        { role: 'user', content: 'Weather in Paris?' },
      ];
      const first = await client.chat.completions.create({ model, messages, tools: TOOLS, tool_choice: 'auto' });
      const call = first.choices[0]!.message.tool_calls?.[0];
      expect(first.choices[0]!.finish_reason).toBe('tool_calls');
      expect(call).toMatchObject({ type: 'function', function: { name: 'get_weather' } });
      expect(JSON.parse((call as { function: { arguments: string } }).function.arguments)).toEqual({ city: 'Paris' });
      expect(call!.id).toBeTruthy();

      messages.push(first.choices[0]!.message as ChatCompletionMessageParam, { role: 'tool', tool_call_id: call!.id, content: '{"temp_c":21}' });
      const second = await client.chat.completions.create({ model, messages, tools: TOOLS });
      expect(second.choices[0]).toMatchObject({ finish_reason: 'stop', message: { role: 'assistant', content: 'It is 21°C in Paris.' } });
      expect(second.usage?.total_tokens).toBeGreaterThan(0);

      const bodies = chatBodies(f, c.chatPath);
      expect(bodies).toHaveLength(2);
      c.expectToolResult(bodies[1]!, call!.id);
      if (c.type === 'runpod') {
        // the stopped pod was started once through the management API, then served both turns
        expect(runpod.pods.get('pod1')).toMatchObject({ startCalls: 1, desiredStatus: 'RUNNING' });
      }
    });

    it('image input', async () => {
      const f = c.fake();
      f.enqueue(c.text('A tiny image.'));
      const content: OpenAI.Chat.Completions.ChatCompletionContentPart[] = [
        { type: 'text', text: 'What is in these images?' },
        { type: 'image_url', image_url: { url: DATA_URL } },
        ...(c.httpsImages ? [{ type: 'image_url' as const, image_url: { url: HTTPS_URL } }] : []),
      ];
      const res = await client.chat.completions.create({ model, messages: [{ role: 'user', content }] });
      expect(res.choices[0]!.message.content).toBe('A tiny image.');
      c.expectImage(chatBodies(f, c.chatPath)[0]!);
    });

    it('stream with usage, via the direct-provider route too', async () => {
      const f = c.fake();
      f.enqueue(c.text('Hello there, streaming world', ['Hello ', 'there, ', 'streaming ', 'world']));
      const stream = await client.chat.completions.create({ model, stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'stream please' }] });
      const ids = new Set<string>();
      let text = '';
      let finish: string | null | undefined;
      let usage: OpenAI.CompletionUsage | undefined | null;
      for await (const chunk of stream) {
        ids.add(chunk.id);
        text += chunk.choices[0]?.delta?.content ?? '';
        finish = chunk.choices[0]?.finish_reason ?? finish;
        if (chunk.usage) usage = chunk.usage;
      }
      expect(text).toBe('Hello there, streaming world');
      expect(finish).toBe('stop');
      expect(ids.size).toBe(1);
      expect(usage?.completion_tokens).toBeGreaterThan(0);

      // The original's direct route: POST /api/{provider_id}/chat/completions with the upstream model id.
      f.enqueue(c.text('direct'));
      const direct = new OpenAI({ apiKey: GLOBAL_TOKEN, baseURL: `${stack.baseUrl}/api/${c.provider}`, maxRetries: 0 });
      const res = await direct.chat.completions.create({ model: c.model, messages: [{ role: 'user', content: 'x' }] });
      expect(res.choices[0]!.message.content).toBe('direct');
    });

    it('upstream 429: the client gets 429 with Retry-After and the upstream message', async () => {
      c.fake().enqueue(c.error(429, { 'retry-after': '7' }));
      const err = await client.chat.completions.create({ model, messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(OpenAI.RateLimitError);
      const e = err as InstanceType<typeof OpenAI.RateLimitError>;
      expect(e.status).toBe(429);
      expect(e.headers?.get('retry-after')).toBe('7');
      expect((e.error as Json)['message']).toEqual(expect.any(String));
      expect(((e.error as Json)['message'] as string).length).toBeGreaterThan(3);
      expect((e.error as Json)['type']).toBeTruthy();
    });

    it('upstream 500: the client gets a 5xx with an OpenAI error body (stream too)', async () => {
      const f = c.fake();
      f.enqueue(c.error(500));
      const err = await client.chat.completions.create({ model, messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(OpenAI.InternalServerError);
      expect((err as InstanceType<typeof OpenAI.APIError>).status).toBe(500);
      expect((err as InstanceType<typeof OpenAI.APIError>).error).toMatchObject({ message: expect.any(String), type: expect.any(String) });
      f.enqueue(c.error(500));
      const streamErr = await (async () => {
        const s = await client.chat.completions.create({ model, stream: true, messages: [{ role: 'user', content: 'x' }] });
        for await (const _ of s) {
          /* drain */
        }
      })().catch((e: unknown) => e);
      expect((streamErr as InstanceType<typeof OpenAI.APIError>).status).toBe(500);
    });
  });

  it('runpod native serverless: runsync + status polling, non-stream and stream', async () => {
    runpod.enqueue({ kind: 'job', polls: 1, output: [{ choices: [{ tokens: ['from the ', 'worker'] }], usage: { input: 3, output: 4 } }] }, { kind: 'job', output: { text: 'streamed job' } });
    const res = await client.chat.completions.create({ model: 'sls/worker', messages: [{ role: 'user', content: 'x' }] });
    expect(res.choices[0]!.message.content).toBe('from the worker');
    expect(res.usage).toMatchObject({ prompt_tokens: 3, completion_tokens: 4 });
    const stream = await client.chat.completions.create({ model: 'sls/worker', stream: true, messages: [{ role: 'user', content: 'x' }] });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
    expect(text).toBe('streamed job');
    expect(runpod.requests.map((r) => r.path.replace(/fake-job-\d+-u1/, 'JOB'))).toEqual([
      '/v2/ep-e2e/runsync', // IN_PROGRESS
      '/v2/ep-e2e/status/JOB', // IN_PROGRESS
      '/v2/ep-e2e/status/JOB', // COMPLETED
      '/v2/ep-e2e/run', // IN_QUEUE
      '/v2/ep-e2e/status/JOB', // COMPLETED
    ]);
  });

  it('anthropic: a mid-stream overload after the first token ends the stream with an in-band error, never a silent success', async () => {
    anthropic.enqueue({ kind: 'midstream-error', afterEvents: 4, mode: 'error-event' });
    const stream = await client.chat.completions.create({ model: 'claude/claude-haiku-4-5', stream: true, messages: [{ role: 'user', content: 'x' }] });
    let text = '';
    const err = await (async () => {
      for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
    })().catch((e: unknown) => e);
    expect(text).toBe('partial answer ');
    expect(err).toBeInstanceOf(OpenAI.APIError);
    expect(String((err as Error).message)).toContain('Overloaded');
  });

  describe('model listing', () => {
    const listingPaths = /\/v1\/models|\/v1beta\/models|\/api\/tags|\/api\/show/;
    const get = async (path: string) => {
      const res = await fetch(`${stack.baseUrl}${path}`, { headers: { authorization: `Bearer ${GLOBAL_TOKEN}` } });
      return { status: res.status, body: (await res.json()) as Json };
    };

    it('/v1/models carries context_size (configured → fetched → default) and capabilities from the cached live listings', async () => {
      const entries = await eventually(
        async () => {
          const list = await client.models.list();
          const byId = new Map(list.data.map((m) => [m.id, m as unknown as Json]));
          expect(byId.get('claude/claude-haiku-4-5')?.['context_size']).toBe(200000); // fetched from Anthropic's /v1/models
          expect(byId.get('gem/gemini-2.5-flash')?.['context_size']).toBe(1048576); // Gemini inputTokenLimit
          expect(byId.get('olla/llama3.2')?.['context_size']).toBe(131072); // Ollama /api/show
          expect(byId.get('ollive/llama3.2:latest')).toBeDefined();
          return byId;
        },
        { timeoutMs: 15_000, intervalMs: 250 },
      );
      expect(entries.get('oai/gpt-4o-mini')).toMatchObject({ context_size: 128000, source: 'local_config' }); // configured wins
      expect(entries.get('olla/llama3.2')).toMatchObject({ capabilities: ['tools'] });
      expect(entries.get('ollive/llama3.2:latest')).toMatchObject({ context_size: 131072, capabilities: ['tools'], source: 'api_cache', owned_by: 'Ollama live' });
      expect(entries.get('sls/worker')).toMatchObject({ context_size: null });

      // a live-listed model is routable under its listed id
      ollama.enqueue({ kind: 'text', content: 'live model answers' });
      const res = await client.chat.completions.create({ model: 'ollive/llama3.2:latest', messages: [{ role: 'user', content: 'x' }] });
      expect(res.choices[0]!.message.content).toBe('live model answers');
    });

    it('listing never calls an upstream (it reads the catalog provider-workers refreshes)', async () => {
      gemini.serve('GET', '/v1beta/models', { kind: 'hang' });
      const before = [openai, anthropic, gemini, ollama, runpod].map((f) => f.requests.filter((r) => listingPaths.test(r.path)).length);
      const started = Date.now();
      await client.models.list();
      await get('/api/gem/models');
      expect(Date.now() - started).toBeLessThan(2000);
      const after = [openai, anthropic, gemini, ollama, runpod].map((f) => f.requests.filter((r) => listingPaths.test(r.path)).length);
      expect(after).toEqual(before);
    });

    it('GET /api/{provider_id}/models lists that provider with upstream ids and context_window; unknown → 404', async () => {
      const { status, body } = await get('/api/olla/models');
      expect(status).toBe(200);
      expect(body['object']).toBe('list');
      expect(body['data']).toEqual([expect.objectContaining({ id: 'llama3.2', provider: 'olla', context_size: 131072, context_window: 131072, context_length: 131072 })]);
      const missing = await get('/api/nope/models');
      expect(missing.status).toBe(404);
      expect(missing.body).toMatchObject({ error: { code: 'model_not_found', type: 'invalid_request_error' } });
      expect(String((missing.body['error'] as Json)['message'])).toContain("Provider 'nope' not found");
    });
  });

  it('no service logged an upstream key', () => {
    for (const svc of ['edge-api', 'router', 'provider-workers'] as const) {
      for (const secret of ['sk-up-oai', 'sk-ant-e2e', 'AIza-e2e', 'rp-e2e']) expect(stack.logs(svc)).not.toContain(secret);
    }
  });

  it('anthropic 529 overloaded → 503 for the client, type overloaded_error kept', async () => {
    anthropic.enqueue({ kind: 'error', status: 529 });
    const err = (await client.chat.completions.create({ model: 'claude/claude-haiku-4-5', messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
    expect(err.status).toBe(503);
    expect(err.error).toMatchObject({ message: 'Overloaded', type: 'overloaded_error' });
    expect(err.headers?.get('x-aisbf-upstream-request-id')).toMatch(/^req_fake_/);
  });
});
