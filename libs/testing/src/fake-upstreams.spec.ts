import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  fixtureScenario,
  fixtureWire,
  listProviderFixtures,
  PROVIDER_FIXTURES_DIR,
  startFakeAnthropic,
  startFakeGemini,
  startFakeOllama,
  startFakeOpenAI,
  startFakeRunpod,
} from './index';

type Json = Record<string, unknown>;

async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

describe('fixture copy', () => {
  it('holds every file INDEX.md lists, with the listed size and sha256', () => {
    const index = readFileSync(join(PROVIDER_FIXTURES_DIR, 'INDEX.md'), 'utf8');
    const entries = [...index.matchAll(/#### `([^`]+)`\n\n- bytes (\d+), sha256 `([0-9a-f]+)`/g)];
    expect(entries.length).toBe(listProviderFixtures().length);
    for (const [, file, bytes, sha] of entries) {
      const data = readFileSync(join(PROVIDER_FIXTURES_DIR, file!));
      expect([file, data.length, createHash('sha256').update(data).digest('hex')]).toEqual([file, Number(bytes), sha]);
    }
  });

  it('frames .chunks.jsonl payloads the way each provider does', () => {
    const fx = listProviderFixtures();
    const anthropic = fixtureWire(fx.find((f) => f.file.endsWith('tool_use-args.claude-haiku-4-5.chunks.jsonl'))!).toString();
    expect(anthropic.startsWith('event: message_start\ndata: {"type":"message_start"')).toBe(true);
    expect(anthropic).toContain('event: ping\ndata: {"type":"ping"}\n\n');
    const gemini = fixtureWire(fx.find((f) => f.file.endsWith('function_call.gemini-3-pro-preview.chunks.jsonl'))!).toString();
    expect(gemini.split('\r\n\r\n').filter(Boolean)).toHaveLength(2);
    expect(fixtureScenario(fx.find((f) => f.file === 'anthropic/error.404.not_found_error.json')!)).toMatchObject({ status: 404, headers: { 'content-type': 'application/json' } });
    expect(fixtureScenario(fx.find((f) => f.file === 'openai/error.429.insufficient_quota.issue-quoted.json')!).status).toBe(429);
  });
});

describe('fake upstreams speak their wire formats', () => {
  it('anthropic: SSE with event: lines and a ping, final usage in message_delta, no [DONE]; checks version header and tool pairing', async () => {
    const fake = await startFakeAnthropic({ apiKey: 'k' });
    try {
      const url = `${fake.url}/v1/messages`;
      const h = { 'x-api-key': 'k', 'anthropic-version': '2023-06-01' };
      fake.enqueue({ kind: 'text', chunks: ['a', 'b'], usage: { input_tokens: 3, output_tokens: 2 } });
      const s = await post(url, { model: 'm', max_tokens: 5, stream: true, messages: [{ role: 'user', content: 'x' }] }, h);
      expect(s.headers.get('content-type')).toContain('text/event-stream');
      const events = s.text.split('\n\n').filter(Boolean).map((e) => e.split('\n')[0]);
      expect(events).toEqual(['event: message_start', 'event: content_block_start', 'event: ping', 'event: content_block_delta', 'event: content_block_delta', 'event: content_block_stop', 'event: message_delta', 'event: message_stop']);
      expect(s.text).not.toContain('[DONE]');
      expect(s.text).toContain('"usage":{"output_tokens":2}');
      expect((await post(url, { model: 'm', max_tokens: 5, messages: [] }, { 'x-api-key': 'k' })).status).toBe(400);
      expect((await post(url, { model: 'm', max_tokens: 5, messages: [] }, { ...h, 'x-api-key': 'bad' })).status).toBe(401);
      const unpaired = await post(url, { model: 'm', max_tokens: 5, messages: [{ role: 'user', content: 'x' }, { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'f', input: {} }] }, { role: 'user', content: 'y' }] }, h);
      expect(unpaired.status).toBe(400);
      expect(JSON.parse(unpaired.text)).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
      fake.enqueue({ kind: 'midstream-error', afterEvents: 2, mode: 'error-event' });
      expect((await post(url, { model: 'm', max_tokens: 5, stream: true, messages: [{ role: 'user', content: 'x' }] }, h)).text).toContain('event: error\ndata: {"type":"error","error":{"type":"overloaded_error"');
    } finally {
      await fake.close();
    }
  });

  it('gemini: alt=sse with CRLF separators and cumulative usage; key check; error envelope', async () => {
    const fake = await startFakeGemini({ apiKey: 'k' });
    try {
      fake.enqueue({ kind: 'text', chunks: ['1', '2'], usage: { prompt: 2, candidates: 2 } });
      const s = await post(`${fake.url}/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse`, { contents: [{ role: 'user', parts: [{ text: 'x' }] }] }, { 'x-goog-api-key': 'k' });
      const events = s.text.split('\r\n\r\n').filter(Boolean);
      expect(events).toHaveLength(2);
      expect(events.every((e) => e.startsWith('data: '))).toBe(true);
      expect((JSON.parse(events[1]!.slice(6)) as Json)['candidates']).toMatchObject([{ finishReason: 'STOP' }]);
      const noKey = await post(`${fake.url}/v1beta/models/m:generateContent`, { contents: [{ role: 'user', parts: [{ text: 'x' }] }] });
      expect(noKey.status).toBe(403);
      expect(JSON.parse(noKey.text)).toMatchObject({ error: { code: 403, status: 'PERMISSION_DENIED' } });
      const badRole = await post(`${fake.url}/v1beta/models/m:generateContent`, { contents: [{ role: 'assistant', parts: [{ text: 'x' }] }] }, { 'x-goog-api-key': 'k' });
      expect(badRole.status).toBe(400);
    } finally {
      await fake.close();
    }
  });

  it('ollama: streams NDJSON unless stream:false, done line last; /api/tags; errors as plain strings', async () => {
    const fake = await startFakeOllama({ noToolsModels: ['tiny'] });
    try {
      const s = await post(`${fake.url}/api/chat`, { model: 'llama3.2', messages: [{ role: 'user', content: 'x' }] });
      expect(s.headers.get('content-type')).toBe('application/x-ndjson');
      const lines = s.text.trim().split('\n').map((l) => JSON.parse(l) as Json);
      expect(lines.at(-1)).toMatchObject({ done: true, done_reason: 'stop' });
      expect(lines.slice(0, -1).every((l) => l['done'] === false)).toBe(true);
      const one = await post(`${fake.url}/api/chat`, { model: 'llama3.2', stream: false, messages: [{ role: 'user', content: 'x' }] });
      expect(JSON.parse(one.text)).toMatchObject({ done: true, message: { content: 'echo: x' } });
      const tools = await post(`${fake.url}/api/chat`, { model: 'tiny', stream: false, tools: [{}], messages: [] });
      expect([tools.status, JSON.parse(tools.text)]).toEqual([400, { error: 'registry.ollama.ai/library/tiny does not support tools' }]);
      expect(((await (await fetch(`${fake.url}/api/tags`)).json()) as Json)['models']).toHaveLength(1);
    } finally {
      await fake.close();
    }
  });

  it('replays recorded bytes (queue) and serves a route override until reset', async () => {
    const fake = await startFakeOllama();
    const openai = await startFakeOpenAI();
    try {
      fake.serve('GET', '/api/tags', { kind: 'replay', headers: { 'content-type': 'application/json' }, body: '{"models":[]}' });
      expect(await (await fetch(`${fake.url}/api/tags`)).text()).toBe('{"models":[]}');
      fake.reset();
      expect(((await (await fetch(`${fake.url}/api/tags`)).json()) as Json)['models']).toHaveLength(1);
      openai.enqueue({ kind: 'replay', status: 418, headers: { 'content-type': 'text/plain', 'x-extra': '1' }, body: Buffer.from('teapot\r\n') });
      const r = await post(`${openai.url}/chat/completions`, { model: 'm', messages: [] });
      expect([r.status, r.text, r.headers.get('x-extra')]).toEqual([418, 'teapot\r\n', '1']);
    } finally {
      await Promise.all([fake.close(), openai.close()]);
    }
  });

  it('runpod: pods boot after start + polls; serverless jobs finish after status checks', async () => {
    const rp = await startFakeRunpod({ apiKey: 'k', pods: { p1: { upstreamPort: 9, startupPolls: 1 } } });
    const auth = { authorization: 'Bearer k' };
    try {
      const get = async () => (await (await fetch(`${rp.managementUrl}/pods/p1`, { headers: auth })).json()) as Json;
      expect(await get()).toMatchObject({ desiredStatus: 'EXITED', publicIp: null });
      expect(JSON.parse((await post(`${rp.managementUrl}/pods/p1/start`, {}, auth)).text)).toMatchObject({ desiredStatus: 'RUNNING' });
      expect(await get()).toMatchObject({ desiredStatus: 'RUNNING', publicIp: null });
      expect(await get()).toMatchObject({ publicIp: '127.0.0.1', portMappings: { '8000': 9 } });
      expect((await post(`${rp.managementUrl}/pods/p1/stop`, {}, auth)).status).toBe(200);
      rp.enqueue({ kind: 'job', polls: 1, output: 'ok' });
      const job = JSON.parse((await post(`${rp.serverlessUrl}/ep/run`, { input: { prompt: 'x' } }, auth)).text) as Json;
      expect(job).toMatchObject({ status: 'IN_QUEUE' });
      const status = async () => (await (await fetch(`${rp.serverlessUrl}/ep/status/${String(job['id'])}`, { headers: auth })).json()) as Json;
      expect(await status()).toMatchObject({ status: 'IN_PROGRESS' });
      expect(await status()).toMatchObject({ status: 'COMPLETED', output: 'ok' });
      expect((await fetch(`${rp.managementUrl}/pods/p1`)).status).toBe(401);
    } finally {
      await rp.close();
    }
  });
});
