import { randomBytes } from 'node:crypto';
import { countWords, type Exchange, type RouteContext, splitText, startFakeUpstream } from '../fake-upstream/fake-upstream.core';
import type { BaseScenario, FakeUpstream } from '../fake-upstream/fake-upstream.types';

type Json = Record<string, unknown>;

/**
 * A fake Ollama server (`POST /api/chat`, `GET /api/tags`, `POST /api/show`, `GET /api/version`) speaking the native
 * wire format: NDJSON lines (`application/x-ndjson`) ending with a `done: true` line carrying `done_reason` and the
 * counts, a single JSON object only when the request says `stream: false` (omitting `stream` streams, as the real
 * server does), `{"error":"…"}` bodies (plain strings), and `{"error":"…"}` lines mid-stream with status 200.
 */

export interface OllamaTextScenario {
  kind: 'text';
  content?: string;
  chunks?: string[];
  thinking?: string;
  doneReason?: 'stop' | 'length';
  usage?: { prompt: number; completion: number };
  model?: string;
  chunkDelayMs?: number;
  firstByteDelayMs?: number;
}

export interface OllamaToolCallsScenario {
  kind: 'tool_calls';
  calls: Array<{ name: string; arguments: Json; id?: string }>;
  content?: string;
  thinking?: string;
  /** Newer servers give calls an id (`call_…`); older ones do not. Default true. */
  withIds?: boolean;
  usage?: { prompt: number; completion: number };
}

export interface OllamaMidstreamScenario {
  kind: 'midstream-error';
  afterChunks: number;
  /** `error-line`: `{"error":…}` line then end; `destroy`; `end` (no `done` line). */
  mode: 'error-line' | 'destroy' | 'end';
  message?: string;
}

export type OllamaScenario = OllamaTextScenario | OllamaToolCallsScenario | OllamaMidstreamScenario;

export interface FakeOllamaModel {
  name: string;
  contextLength?: number;
  capabilities?: string[];
  family?: string;
}

export interface FakeOllamaOptions {
  port?: number;
  host?: string;
  /** Ollama Cloud style: requests must carry `Authorization: Bearer <apiKey>`. */
  apiKey?: string;
  /** Listed by `/api/tags`; with `strictModels`, other models answer 404. */
  models?: FakeOllamaModel[];
  strictModels?: boolean;
  /** Models that answer 400 "does not support tools" when tools are sent. */
  noToolsModels?: string[];
}

/** `url` is the server root (configure it as the provider `endpoint`). */
export type FakeOllama = FakeUpstream<OllamaScenario>;

const at = () => new Date().toISOString().replace('Z', '000Z');

function textOf(m: Json): string {
  return typeof m['content'] === 'string' ? m['content'] : '';
}

export async function startFakeOllama(options: FakeOllamaOptions = {}): Promise<FakeOllama> {
  const models = options.models ?? [{ name: 'llama3.2:latest', contextLength: 131072, capabilities: ['completion', 'tools'], family: 'llama' }];
  return startFakeUpstream<OllamaScenario>({
    name: 'fake-ollama',
    host: options.host,
    port: options.port,
    url: (hp) => `http://${hp}`,
    defaultScenario: () => ({ kind: 'text' }),
    errorBody: (status, model) =>
      status === 404 ? { error: `model '${model ?? 'unknown'}' not found` } : status === 429 ? { error: 'too many requests' } : status >= 500 ? { error: 'llama runner process has terminated: exit status 2' } : { error: `request failed with status ${status}` },
    route: async (ctx) => {
      const body = (ctx.body && typeof ctx.body === 'object' ? ctx.body : {}) as Json;
      const model = typeof body['model'] === 'string' ? body['model'] : undefined;
      const ex = ctx.exchange(model);
      const send = (status: number, payload: unknown) => {
        ex.head(status, { 'content-type': 'application/json; charset=utf-8' });
        ex.end(JSON.stringify(payload));
      };
      if (options.apiKey !== undefined && ctx.headers['authorization'] !== `Bearer ${options.apiKey}`) return send(401, { error: 'unauthorized' });
      if (ctx.method === 'GET' && ctx.pathname === '/api/version') return send(200, { version: '0.12.6' });
      if (ctx.method === 'GET' && ctx.pathname === '/api/tags') {
        return send(200, {
          models: models.map((m) => ({
            name: m.name,
            model: m.name,
            modified_at: '2025-05-04T17:37:44.706015396-07:00',
            size: 2019393189,
            digest: 'a80c4f17acd55265feec403c7aef86be0c25983ab279d83f3bcd3abbcb5b8b72',
            details: { parent_model: '', format: 'gguf', family: m.family ?? 'llama', families: [m.family ?? 'llama'], parameter_size: '3.2B', quantization_level: 'Q4_K_M' },
          })),
        });
      }
      if (ctx.method === 'POST' && ctx.pathname === '/api/show') {
        const found = models.find((m) => m.name === body['model'] || m.name === `${String(body['model'])}:latest`);
        if (!found) return send(404, { error: `model '${String(body['model'])}' not found` });
        const arch = found.family ?? 'llama';
        return send(200, {
          modelfile: '# fake',
          details: { format: 'gguf', family: arch },
          model_info: { 'general.architecture': arch, ...(found.contextLength ? { [`${arch}.context_length`]: found.contextLength } : {}) },
          capabilities: found.capabilities ?? ['completion'],
        });
      }
      if (ctx.method !== 'POST' || ctx.pathname !== '/api/chat') {
        ex.head(404, { 'content-type': 'text/plain' });
        return ex.end('404 page not found');
      }
      if (!model) return send(400, { error: 'model is required' });
      if (options.strictModels && !models.some((m) => m.name === model || m.name === `${model}:latest`)) return send(404, { error: `model '${model}' not found` });
      if (Array.isArray(body['tools']) && body['tools'].length && options.noToolsModels?.includes(model)) return send(400, { error: `registry.ollama.ai/library/${model} does not support tools` });
      const messages = Array.isArray(body['messages']) ? (body['messages'] as Json[]) : [];
      for (const m of messages) {
        if (!['system', 'user', 'assistant', 'tool'].includes(String(m['role']))) return send(400, { error: `invalid message role: ${String(m['role'])}` });
        for (const img of (m['images'] as unknown[] | undefined) ?? []) {
          if (typeof img !== 'string' || !/^[A-Za-z0-9+/]+={0,2}$/.test(img)) return send(400, { error: 'illegal base64 data at input byte 0' });
        }
      }
      const play = async (s: OllamaScenario | BaseScenario<OllamaScenario>): Promise<void> => {
        if (await ctx.playBase(ex, s, play)) return;
        await playScenario(ex, ctx, body, model, s as OllamaScenario);
      };
      await play(ctx.scenarioFor(model));
    },
  });
}

function durations(prompt: number, completion: number): Json {
  return { total_duration: 171946792, load_duration: 38473250, prompt_eval_count: prompt, prompt_eval_duration: 27608250, eval_count: completion, eval_duration: 105611917 };
}

async function playScenario(ex: Exchange, _ctx: RouteContext<OllamaScenario>, body: Json, requestModel: string, s: OllamaScenario): Promise<void> {
  const stream = body['stream'] !== false; // Ollama streams unless told otherwise
  const messages = Array.isArray(body['messages']) ? (body['messages'] as Json[]) : [];
  const model = (s.kind === 'text' && s.model) || requestModel;
  const line = (x: Json) => `${JSON.stringify({ model, created_at: at(), ...x })}\n`;
  const ndjsonHead = () => {
    ex.head(200, { 'content-type': 'application/x-ndjson' });
    ex.res.flushHeaders();
  };

  if (s.kind === 'midstream-error') {
    if (!stream) {
      ex.head(200, { 'content-type': 'application/json; charset=utf-8' });
      ex.write('{"model":"');
      return ex.destroy();
    }
    ndjsonHead();
    for (const t of ['partial ', 'answer ', 'that ', 'never ', 'ends'].slice(0, Math.max(0, s.afterChunks))) {
      if (!ex.event(line({ message: { role: 'assistant', content: t }, done: false }))) return;
    }
    if (s.mode === 'destroy') return ex.destroy();
    if (s.mode === 'error-line') ex.event(`${JSON.stringify({ error: s.message ?? 'an error was encountered while running the model: unexpected EOF' })}\n`);
    return ex.end();
  }

  const promptWords = messages.reduce((n, m) => n + countWords(textOf(m)), 0);
  let content: string;
  let pieces: string[];
  let calls: Json[] = [];
  if (s.kind === 'text') {
    const lastUser = [...messages].reverse().find((m) => m['role'] === 'user');
    content = s.content ?? (s.chunks ? s.chunks.join('') : `echo: ${lastUser ? textOf(lastUser) : ''}`);
    pieces = s.chunks ?? splitText(content);
  } else {
    content = s.content ?? '';
    pieces = content ? splitText(content) : [];
    calls = s.calls.map((c, i) => ({ ...(s.withIds === false ? {} : { id: c.id ?? `call_${randomBytes(4).toString('hex')}` }), function: { ...(s.withIds === false ? {} : { index: i }), name: c.name, arguments: c.arguments } }));
  }
  const thinking = s.thinking;
  const usage = s.usage ?? { prompt: promptWords, completion: countWords(content) + countWords(thinking ?? '') + calls.length * 5 };
  const doneReason = s.kind === 'text' ? (s.doneReason ?? 'stop') : 'stop';
  const firstDelay = s.kind === 'text' ? (s.firstByteDelayMs ?? 0) : 0;

  if (!stream) {
    if (!(await ex.delay(firstDelay))) return;
    ex.head(200, { 'content-type': 'application/json; charset=utf-8' });
    const message: Json = { role: 'assistant', content, ...(thinking ? { thinking } : {}), ...(calls.length ? { tool_calls: calls } : {}) };
    return ex.end(JSON.stringify({ model, created_at: at(), message, done: true, done_reason: doneReason, ...durations(usage.prompt, usage.completion) }));
  }
  ndjsonHead();
  if (!(await ex.delay(firstDelay))) return;
  const delay = s.kind === 'text' ? (s.chunkDelayMs ?? 0) : 0;
  const lines: Json[] = [];
  for (const t of thinking ? splitText(thinking) : []) lines.push({ message: { role: 'assistant', content: '', thinking: t }, done: false });
  for (const t of pieces) lines.push({ message: { role: 'assistant', content: t }, done: false });
  if (calls.length) lines.push({ message: { role: 'assistant', content: '', tool_calls: calls }, done: false });
  lines.push({ message: { role: 'assistant', content: '' }, done_reason: doneReason, done: true, ...durations(usage.prompt, usage.completion) });
  for (let i = 0; i < lines.length; i++) {
    if (i > 0 && !(await ex.delay(delay))) return;
    if (!ex.event(line(lines[i]!))) return;
  }
  ex.end();
}
