/**
 * Conformance: every recorded provider response under libs/testing/fixtures/providers is replayed byte for byte by
 * the matching fake upstream and consumed by the real adapter (through its official SDK), streaming or not as
 * recorded; the OpenAI translation is checked against the fixture's `<name>.expect.json`. Adding a fixture needs no
 * code: drop the data file (+ `.meta.json`) and its `.expect.json` next to it (schema: EXPECTATIONS.md there).
 */
import type { ChatCompletion, ChatCompletionChunk, ChatCompletionRequest, ProviderConfig } from '@aisbf/contracts';
import { AppError } from '@aisbf/platform-errors';
// Specs drive the adapters against the wire-faithful fakes of @aisbf/testing (test code only; the adapters never import it).
import {
  fixtureIsStream,
  fixtureScenario,
  fixtureWire,
  listProviderFixtures,
  type ProviderFixture,
  startFakeAnthropic,
  startFakeGemini,
  startFakeOllama,
  startFakeOpenAI,
} from '@aisbf/testing';
import type { ProviderAdapter } from '../adapter.port';
import { createAdapter } from '../registry';

type Json = Record<string, unknown>;

const FIXTURES = listProviderFixtures();

interface Upstream {
  url: string;
  replay(f: ProviderFixture): void;
  /** Path of the provider's model listing, for `call: "models"` fixtures. */
  serveListing(f: ProviderFixture): void;
  close(): Promise<void>;
}

async function upstreamFor(provider: ProviderFixture['provider']): Promise<{ upstream: Upstream; type: string; endpoint: string }> {
  switch (provider) {
    case 'openai': {
      const fake = await startFakeOpenAI();
      return {
        type: 'openai',
        endpoint: fake.url,
        upstream: { url: fake.url, replay: (f) => fake.enqueue(fixtureScenario(f)), serveListing: () => { throw new Error('no OpenAI listing fixtures yet'); }, close: () => fake.close() },
      };
    }
    case 'anthropic': {
      const fake = await startFakeAnthropic();
      return { type: 'anthropic', endpoint: fake.url, upstream: { url: fake.url, replay: (f) => fake.enqueue(fixtureScenario(f)), serveListing: (f) => fake.serve('GET', '/v1/models', fixtureScenario(f)), close: () => fake.close() } };
    }
    case 'gemini': {
      const fake = await startFakeGemini();
      return { type: 'google', endpoint: fake.url, upstream: { url: fake.url, replay: (f) => fake.enqueue(fixtureScenario(f)), serveListing: (f) => fake.serve('GET', '/v1beta/models', fixtureScenario(f)), close: () => fake.close() } };
    }
    case 'ollama': {
      const fake = await startFakeOllama({ models: [] });
      return { type: 'ollama', endpoint: fake.url, upstream: { url: fake.url, replay: (f) => fake.enqueue(fixtureScenario(f)), serveListing: (f) => fake.serve('GET', '/api/tags', fixtureScenario(f)), close: () => fake.close() } };
    }
  }
}

/** The upstream model the recording was made with (meta request body or URL), else a placeholder. */
function recordedModel(f: ProviderFixture): string {
  const req = (f.meta?.['request'] ?? {}) as Json;
  let body = req['body'];
  if (typeof body === 'string') {
    try {
      body = JSON.parse(body);
    } catch {
      body = undefined;
    }
  }
  if (body && typeof body === 'object' && typeof (body as Json)['model'] === 'string') return ((body as Json)['model'] as string).replace(/^models\//, '');
  const where = String(req['uri'] ?? req['line'] ?? '');
  return /\/models\/([^:/?]+):/.exec(where)?.[1] ?? 'recorded-model';
}

/** A fetch that keeps the exact response bytes the SDK received. */
function recordingFetch(received: Buffer[]): typeof fetch {
  return (async (input: Parameters<typeof fetch>[0], init?: Parameters<typeof fetch>[1]) => {
    const res = await fetch(input, init);
    const bytes = Buffer.from(await res.arrayBuffer());
    received.push(bytes);
    return new Response(bytes, { status: res.status, statusText: res.statusText, headers: res.headers });
  }) as typeof fetch;
}

interface Assembled {
  chunks: ChatCompletionChunk[];
  content: string | null;
  reasoning: string | undefined;
  toolCalls: Json[];
  finishReasons: string[];
  usage: Json | undefined;
}

function assemble(chunks: ChatCompletionChunk[]): Assembled {
  let content = '';
  let reasoning = '';
  const calls = new Map<number, Json>();
  const finishReasons: string[] = [];
  let usage: Json | undefined;
  for (const c of chunks) {
    if (c.usage) usage = c.usage as Json;
    for (const choice of c.choices as Json[]) {
      const d = (choice['delta'] ?? {}) as Json;
      if (typeof d['content'] === 'string') content += d['content'];
      if (typeof d['reasoning_content'] === 'string') reasoning += d['reasoning_content'];
      for (const tc of (d['tool_calls'] ?? []) as Json[]) {
        const i = tc['index'] as number;
        const cur = calls.get(i) ?? { arguments: '' };
        const fn = (tc['function'] ?? {}) as Json;
        if (tc['id']) cur['id'] = tc['id'];
        if (fn['name']) cur['name'] = fn['name'];
        if (tc['extra_content']) cur['extra_content'] = tc['extra_content'];
        cur['arguments'] = `${cur['arguments'] as string}${(fn['arguments'] as string | undefined) ?? ''}`;
        calls.set(i, cur);
      }
      if (choice['finish_reason']) finishReasons.push(choice['finish_reason'] as string);
    }
  }
  const indexes = [...calls.keys()].sort((a, b) => a - b);
  expect(indexes).toEqual(indexes.map((_, i) => i)); // tool call indexes count tool calls only: 0..n-1
  return { chunks, content: content === '' ? null : content, reasoning: reasoning || undefined, toolCalls: indexes.map((i) => calls.get(i)!), finishReasons, usage };
}

function expectUsage(actual: Json | undefined | null, expected: Json): void {
  const { reasoning_tokens, ...rest } = expected;
  expect(actual).toMatchObject(rest);
  if (reasoning_tokens !== undefined) expect((actual?.['completion_tokens_details'] as Json | undefined)?.['reasoning_tokens']).toBe(reasoning_tokens);
}

function expectToolCalls(actual: Json[], expected: Json[] | undefined): void {
  if (!expected) {
    expect(actual).toEqual([]);
    return;
  }
  expect(actual).toHaveLength(expected.length);
  expected.forEach((e, i) => {
    const a = actual[i]!;
    const fn = (a['function'] as Json | undefined) ?? a;
    if (e['id']) expect(a['id']).toBe(e['id']);
    if (e['id_pattern']) expect(a['id']).toMatch(new RegExp(e['id_pattern'] as string));
    expect(fn['name']).toBe(e['name']);
    expect(fn['arguments']).toBe(e['arguments']);
    expect(() => JSON.parse(fn['arguments'] as string)).not.toThrow();
    if (e['extra_content']) expect(a['extra_content']).toEqual(e['extra_content']);
  });
  expect(new Set(actual.map((a) => a['id'])).size).toBe(actual.length);
}

function checkCompletion(res: ChatCompletion, e: Json): void {
  expect(res.object).toBe('chat.completion');
  if (e['id']) expect(res.id).toBe(e['id']);
  if (e['id_pattern']) expect(res.id).toMatch(new RegExp(e['id_pattern'] as string));
  if (e['model']) expect(res.model).toBe(e['model']);
  if (e['created'] !== undefined) expect(res.created).toBe(e['created']);
  const choice = res.choices[0] as Json;
  const msg = choice['message'] as Json;
  expect(msg['role']).toBe('assistant');
  expect(msg['content']).toEqual(e['content']);
  expect(msg['reasoning_content']).toEqual(e['reasoning']);
  if (typeof e['reasoning'] === 'string' && typeof msg['content'] === 'string') expect(msg['content']).not.toContain(e['reasoning']);
  expectToolCalls(((msg['tool_calls'] ?? []) as Json[]).map((tc) => ({ ...tc, ...(tc['function'] as Json) })), e['tool_calls'] as Json[] | undefined);
  expect(choice['finish_reason']).toBe(e['finish_reason']);
  expectUsage(res.usage as Json, e['usage'] as Json);
  if (e['message_has']) expect(msg).toMatchObject(e['message_has'] as Json);
}

function checkStream(chunks: ChatCompletionChunk[], e: Json): void {
  expect(chunks.length).toBeGreaterThan(0);
  expect(chunks.every((c) => c.object === 'chat.completion.chunk')).toBe(true);
  expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
  if (e['id']) expect(chunks[0]!.id).toBe(e['id']);
  if (e['id_pattern']) expect(chunks[0]!.id).toMatch(new RegExp(e['id_pattern'] as string));
  if (e['model']) expect(chunks.every((c) => c.model === e['model'])).toBe(true);
  if (e['created'] !== undefined) expect(chunks[0]!.created).toBe(e['created']);
  if (e['chunks'] !== undefined) expect(chunks).toHaveLength(e['chunks'] as number);
  const firstWithDelta = chunks.find((c) => c.choices.length > 0)!;
  const firstDelta = (firstWithDelta.choices[0] as Json)['delta'] as Json;
  expect(firstDelta['role']).toBe('assistant');
  if (e['first_delta']) expect(firstDelta).toMatchObject(e['first_delta'] as Json);
  for (const field of (e['chunk_fields'] ?? []) as string[]) expect(chunks.every((c) => field in c)).toBe(true);
  if (e['no_empty_content_delta']) expect(chunks.some((c) => (c.choices as Json[]).some((ch) => (ch['delta'] as Json | undefined)?.['content'] === ''))).toBe(false);

  const a = assemble(chunks);
  expect(a.content).toEqual(e['content']);
  expect(a.reasoning).toEqual(e['reasoning']);
  expectToolCalls(a.toolCalls, e['tool_calls'] as Json[] | undefined);
  expect(a.finishReasons).toEqual([e['finish_reason']]);
  expectUsage(a.usage, e['usage'] as Json);
  if (e['usage_chunk_last']) {
    expect(chunks.at(-1)!.choices).toEqual([]);
    expect(chunks.at(-1)!.usage).toBeTruthy();
  }
}

function checkError(err: unknown, e: Json): void {
  expect(err).toBeInstanceOf(AppError);
  const env = (err as AppError).toEnvelope();
  expect(env.code).toBe(e['code']);
  expect(env.message).toBe(e['message']);
  expect(env.retryable).toBe(e['retryable']);
  // What the caller sees (edge-api): the upstream status, except 529 which becomes 503.
  const status = env.upstreamStatus === 529 ? 503 : env.upstreamStatus;
  expect(status).toBe(e['status']);
  if (e['upstream_status'] !== undefined) expect(env.upstreamStatus).toBe(e['upstream_status']);
  if ('type' in e) expect(env.type).toBe(e['type']);
  if ('openai_code' in e) expect(env.upstreamCode ?? null).toBe(e['openai_code']);
  if ('param' in e) expect(env.param ?? null).toBe(e['param']);
  if (e['upstream_request_id']) expect(env.details?.[0]?.['upstream_request_id']).toBe(e['upstream_request_id']);
}

describe('provider fixture conformance', () => {
  it('finds the fixture set, every data file with an expectation and every expectation with a data file', () => {
    expect(FIXTURES.length).toBeGreaterThanOrEqual(32);
    const missing = FIXTURES.filter((f) => !f.expect).map((f) => f.expectFile);
    expect(missing).toEqual([]);
  });

  const byProvider = new Map<string, ProviderFixture[]>();
  for (const f of FIXTURES) byProvider.set(f.provider, [...(byProvider.get(f.provider) ?? []), f]);

  for (const [provider, fixtures] of byProvider) {
    describe(provider, () => {
      let upstream: Upstream;
      let adapter: ProviderAdapter;
      const received: Buffer[] = [];

      beforeAll(async () => {
        const u = await upstreamFor(provider as ProviderFixture['provider']);
        upstream = u.upstream;
        adapter = createAdapter(`fx-${provider}`, { type: u.type, api_key_required: false, api_key: 'fixture-key', endpoint: u.endpoint, rate_limit: 0 } as ProviderConfig, { fetch: recordingFetch(received) });
      });
      afterAll(() => upstream.close());
      beforeEach(() => {
        received.length = 0;
      });

      it.each(fixtures.map((f) => [f.file, f] as const))('%s', async (_file, f) => {
        const e = f.expect ?? {};
        const signal = new AbortController().signal;
        if (e['call'] === 'models') {
          upstream.serveListing(f);
          const models = await adapter.listModels(signal);
          expect(received[0]).toEqual(fixtureWire(f)); // byte-exact replay
          expect(models.map((m) => ({ id: m.id, created: m.created, owned_by: m.ownedBy }))).toEqual(e['models']);
          return;
        }
        upstream.replay(f);
        const stream = fixtureIsStream(f);
        const req = {
          model: recordedModel(f),
          body: { model: `fx/${recordedModel(f)}`, messages: [{ role: 'user', content: 'Hello' }], ...(stream ? { stream: true } : {}) } as ChatCompletionRequest,
          includeUsage: true,
          signal,
          timeoutMs: 10_000,
        };
        let result: ChatCompletion | ChatCompletionChunk[] | undefined;
        let error: unknown;
        const chunks: ChatCompletionChunk[] = [];
        try {
          if (stream) {
            for await (const c of adapter.stream(req)) chunks.push(c);
            result = chunks;
          } else {
            result = await adapter.complete(req);
          }
        } catch (err) {
          error = err;
        }
        expect(received[0]).toEqual(fixtureWire(f)); // the SDK got the recorded bytes, unchanged
        if (e['error']) {
          checkError(error, e['error'] as Json);
          return;
        }
        if (error) throw error;
        if (stream) checkStream(result as ChatCompletionChunk[], e['completion'] as Json);
        else checkCompletion(result as ChatCompletion, e['completion'] as Json);
      });
    });
  }
});
