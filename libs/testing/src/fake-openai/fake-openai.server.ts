import { RequestLog } from '../fake-upstream/request-log';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type {
  FakeOpenAI,
  FakeOpenAIOptions,
  MidstreamErrorScenario,
  Scenario,
  TextScenario,
  ToolCallScenario,
} from './fake-openai.types';
import {
  completionJson,
  countWords,
  defaultErrorBody,
  errorEnvelope,
  errorJson,
  INVALID_JSON_BODY,
  lastUserText,
  partialTextChunks,
  promptWords,
  sseData,
  SSE_DONE,
  splitIntoChunks,
  textChunks,
  textCompletion,
  toolCallChunks,
  toolCallCompletion,
  type Json,
  type ResponseContext,
  type Usage,
} from './fake-openai.wire';

const ECHO: Scenario = { kind: 'text' };
const DEFAULT_MODELS = ['gpt-4o-mini'];
const DEFAULT_MIDSTREAM_CHUNKS = ['partial ', 'answer ', 'that ', 'never ', 'ends'];
/** Fixed `created` of listed models (OpenAI reports the model's creation date, not "now"). */
const MODEL_CREATED = 1721172741;

const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  connection: 'keep-alive',
};

/**
 * State of one chat completion in flight: chunks sent, whether it finished, whether the client left.
 * Timers started through `delay` are cancelled when the client leaves, so nothing is written after an abort.
 */
class Exchange {
  chunksSent = 0;
  /** Set by the fake itself once the response is complete or deliberately cut (reset / destroy): not an abort. */
  finished = false;
  aborted = false;
  private readonly pending = new Set<{ timer: NodeJS.Timeout; resolve(ok: boolean): void }>();
  private lastWrite: Promise<void> = Promise.resolve();

  constructor(
    readonly res: ServerResponse,
    readonly stream: boolean,
  ) {}

  get alive(): boolean {
    return !this.aborted && !this.finished && !this.res.destroyed;
  }

  /** Resolves true after `ms`, or false as soon as the client has gone away. */
  delay(ms: number): Promise<boolean> {
    if (!this.alive) return Promise.resolve(false);
    if (!(ms > 0)) return Promise.resolve(true);
    return new Promise((resolve) => {
      const entry = {
        timer: setTimeout(() => {
          this.pending.delete(entry);
          resolve(this.alive);
        }, ms),
        resolve,
      };
      this.pending.add(entry);
    });
  }

  /** Writes one SSE `data:` event; false when the client is gone. */
  sendChunk(payload: unknown): boolean {
    if (!this.alive) return false;
    this.write(sseData(payload));
    this.chunksSent += 1;
    return true;
  }

  write(text: string): void {
    this.lastWrite = new Promise((resolve) => this.res.write(text, () => resolve()));
  }

  /** Complete the response normally. */
  end(text?: string | Buffer): void {
    if (!this.alive) return;
    this.finished = true;
    this.res.end(text);
  }

  /** Destroy the connection on purpose (after what was written reached the socket). */
  async destroy(): Promise<void> {
    if (!this.alive) return;
    this.finished = true;
    await this.lastWrite;
    await new Promise((resolve) => setImmediate(resolve));
    this.res.destroy();
  }

  cancelTimers(): void {
    for (const entry of this.pending) {
      clearTimeout(entry.timer);
      entry.resolve(false);
    }
    this.pending.clear();
  }
}

/**
 * Starts a fake OpenAI-compatible upstream (`POST /v1/chat/completions`, `GET /v1/models`) on node:http, speaking the
 * real wire format, scripted per request with {@link Scenario}s and recording requests and client aborts.
 */
export async function startFakeOpenAI(options: FakeOpenAIOptions = {}): Promise<FakeOpenAI> {
  const host = options.host ?? '127.0.0.1';
  const initialModels = [...(options.models ?? DEFAULT_MODELS)];

  const log = new RequestLog('fake-openai');
  const queue: Scenario[] = [];
  const perModel = new Map<string, Scenario>();
  let defaultScenario: Scenario = ECHO;
  let models = [...initialModels];
  /** Bumped by reset(): exchanges started before it no longer record aborts (no leaking into the next test). */
  let generation = 0;
  let responseCounter = 0;
  let closed: Promise<void> | undefined;

  const sockets = new Set<Socket>();

  // -------------------------------------------------------------------------------------------- http

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (res.destroyed || res.writableEnded) return;
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(errorJson(errorEnvelope(`fake-openai internal error: ${String(err)}`, 'server_error', null)));
      } else {
        res.destroy();
      }
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const method = req.method ?? 'GET';
    const path = req.url ?? '/';
    const body = parseBody(raw);
    log.record({ method, path, headers: lowerCaseHeaders(req.rawHeaders), body, receivedAt: Date.now() });

    const requestId = `req_fake_${++responseCounter}`;
    res.setHeader('x-request-id', requestId);
    res.setHeader('openai-version', '2020-10-01');

    const pathname = path.split('?')[0].replace(/\/+$/, '');
    if (method === 'POST' && pathname === '/v1/chat/completions') return chatCompletions(req, res, raw, body, responseCounter);
    if (method === 'GET' && pathname === '/v1/models') return sendJson(res, 200, { object: 'list', data: listedModels().map(modelObject) });
    const single = /^\/v1\/models\/(.+)$/.exec(pathname);
    if (method === 'GET' && single) {
      const id = decodeURIComponent(single[1]);
      if (listedModels().includes(id)) return sendJson(res, 200, modelObject(id));
      return sendError(res, 404, defaultErrorBody(404, id));
    }
    return sendError(res, 404, errorEnvelope(`Invalid URL (${method} ${pathname || '/'})`, 'invalid_request_error', null));
  }

  function listedModels(): string[] {
    return [...new Set([...models, ...perModel.keys()])];
  }

  async function chatCompletions(req: IncomingMessage, res: ServerResponse, raw: string, body: unknown, n: number): Promise<void> {
    if (!body || typeof body !== 'object' || Array.isArray(body)) {
      return sendError(res, 400, raw.trim() === '' ? errorEnvelope('you must provide a model parameter', 'invalid_request_error', null) : INVALID_JSON_BODY);
    }
    const request = body as Json;
    const requestModel = typeof request['model'] === 'string' ? (request['model'] as string) : undefined;
    const scenario = queue.shift() ?? (requestModel !== undefined ? perModel.get(requestModel) : undefined) ?? defaultScenario;

    const ex = new Exchange(res, request['stream'] === true);
    const startedIn = generation;
    res.on('close', () => {
      ex.cancelTimers();
      if (ex.finished || log.closed || startedIn !== generation) return;
      ex.aborted = true;
      log.recordAbort({ path: req.url ?? '', model: requestModel, chunksSent: ex.chunksSent, at: Date.now() });
    });

    await play(ex, request, requestModel, scenario, n);
  }

  async function play(ex: Exchange, request: Json, requestModel: string | undefined, scenario: Scenario, n: number): Promise<void> {
    switch (scenario.kind) {
      case 'text':
        return playText(ex, request, contextFor(request, scenario.model ?? requestModel, n, scenario.extra), scenario);
      case 'tool_call':
        return playToolCall(ex, request, contextFor(request, requestModel, n), scenario, n);
      case 'error': {
        const headers = { 'content-type': 'application/json', ...lowerCaseRecord(scenario.headers ?? {}) };
        const payload = scenario.body === undefined ? errorJson(defaultErrorBody(scenario.status, requestModel)) : typeof scenario.body === 'string' ? scenario.body : errorJson(scenario.body);
        ex.res.writeHead(scenario.status, headers);
        return ex.end(payload);
      }
      case 'midstream-error':
        return playMidstream(ex, contextFor(request, requestModel, n), scenario);
      case 'hang':
        return; // the exchange stays open until the client leaves or close()
      case 'reset':
        ex.finished = true;
        ex.res.socket?.destroy();
        return;
      case 'delay-headers':
        if (!(await ex.delay(scenario.ms))) return;
        return play(ex, request, requestModel, scenario.then, n);
      case 'replay': {
        ex.res.writeHead(scenario.status ?? 200, lowerCaseRecord(scenario.headers ?? {}));
        if (!scenario.frames) return ex.end(scenario.body ?? '');
        ex.res.flushHeaders();
        for (let i = 0; i < scenario.frames.length; i++) {
          if (i > 0 && !(await ex.delay(scenario.frameDelayMs ?? 0))) return;
          if (!ex.alive) return;
          ex.res.write(scenario.frames[i]!);
          ex.chunksSent += 1;
        }
        return ex.end();
      }
    }
  }

  async function playText(ex: Exchange, request: Json, ctx: ResponseContext, scenario: TextScenario): Promise<void> {
    const content = scenario.content ?? (scenario.chunks ? scenario.chunks.join('') : `echo: ${lastUserText(request)}`);
    const pieces = scenario.chunks ?? splitIntoChunks(content);
    const finishReason = scenario.finishReason ?? 'stop';
    const usage: Usage = scenario.usage ?? { prompt_tokens: promptWords(request), completion_tokens: countWords(content) * ctx.n };

    if (!ex.stream) {
      if (!(await ex.delay(scenario.firstByteDelayMs ?? 0))) return;
      return sendCompletion(ex, textCompletion(ctx, content, finishReason, usage));
    }
    return streamChunks(ex, textChunks(ctx, pieces, finishReason, usage), scenario.firstByteDelayMs ?? 0, scenario.chunkDelayMs ?? 0);
  }

  async function playToolCall(ex: Exchange, request: Json, ctx: ResponseContext, scenario: ToolCallScenario, n: number): Promise<void> {
    const call = { id: scenario.id ?? `call_fake_${n}`, name: scenario.name, arguments: scenario.arguments };
    const usage: Usage = {
      prompt_tokens: promptWords(request),
      completion_tokens: 1 + countWords(scenario.arguments.replace(/[{}[\]":,]/g, ' ')),
    };
    if (!ex.stream) return sendCompletion(ex, toolCallCompletion({ ...ctx, n: 1 }, call, usage));
    return streamChunks(ex, toolCallChunks(ctx, call, scenario.argumentChunks ?? splitIntoChunks(scenario.arguments), usage), 0, 0);
  }

  async function playMidstream(ex: Exchange, ctx: ResponseContext, scenario: MidstreamErrorScenario): Promise<void> {
    const serverError = errorEnvelope('The server had an error while processing your request. Sorry about that!', 'server_error', null);
    if (!ex.stream) {
      if (scenario.mode === 'error-event') return sendCompletion(ex, serverError);
      const full = completionJsonFor(ctx, (scenario.chunks ?? DEFAULT_MIDSTREAM_CHUNKS).join(''));
      ex.res.writeHead(200, { 'content-type': 'application/json' });
      ex.write(full.slice(0, Math.max(1, Math.floor(full.length / 2))));
      return scenario.mode === 'destroy' ? ex.destroy() : ex.end();
    }

    ex.res.writeHead(200, SSE_HEADERS);
    ex.res.flushHeaders();
    const events = partialTextChunks(ctx, scenario.chunks ?? DEFAULT_MIDSTREAM_CHUNKS).slice(0, Math.max(0, scenario.afterChunks));
    for (const event of events) if (!ex.sendChunk(event)) return;
    switch (scenario.mode) {
      case 'destroy':
        return ex.destroy();
      case 'error-event':
        ex.sendChunk(serverError);
        return ex.end();
      case 'end':
        return ex.end();
    }
  }

  function completionJsonFor(ctx: ResponseContext, content: string): string {
    return completionJson(textCompletion({ ...ctx, n: 1 }, content, 'stop', { prompt_tokens: 0, completion_tokens: countWords(content) }));
  }

  async function streamChunks(ex: Exchange, events: Json[], firstByteDelayMs: number, chunkDelayMs: number): Promise<void> {
    ex.res.writeHead(200, SSE_HEADERS);
    ex.res.flushHeaders();
    if (!(await ex.delay(firstByteDelayMs))) return;
    for (let i = 0; i < events.length; i++) {
      if (i > 0 && !(await ex.delay(chunkDelayMs))) return;
      if (!ex.sendChunk(events[i])) return;
    }
    ex.end(SSE_DONE);
  }

  function sendCompletion(ex: Exchange, payload: Json): void {
    if (!ex.alive) return;
    ex.res.writeHead(200, { 'content-type': 'application/json' });
    ex.end(completionJson(payload));
  }

  function contextFor(request: Json, model: string | undefined, n: number, extra?: Record<string, unknown>): ResponseContext {
    const tier = request['service_tier'];
    const choices = request['n'];
    const streamOptions = request['stream_options'];
    return {
      id: `chatcmpl-fake-${n}`,
      created: Math.floor(Date.now() / 1000),
      model: model ?? 'gpt-4o-mini',
      serviceTier: typeof tier === 'string' && tier !== 'auto' ? tier : 'default',
      includeUsage: !!streamOptions && typeof streamOptions === 'object' && (streamOptions as Json)['include_usage'] === true,
      n: typeof choices === 'number' && Number.isInteger(choices) && choices > 1 ? choices : 1,
      extra: extra ?? {},
    };
  }

  // -------------------------------------------------------------------------------------------- listen

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;

  const fake: FakeOpenAI = {
    url: `http://${urlHost}:${port}/v1`,
    port,
    requests: log.requests,
    aborts: log.aborts,
    enqueue(...scenarios) {
      queue.push(...scenarios);
    },
    setDefault(s) {
      defaultScenario = s;
    },
    setForModel(model, s) {
      perModel.set(model, s);
    },
    setModels(ids) {
      models = [...ids];
    },
    waitForAbort: (timeoutMs) => log.waitForAbort(timeoutMs),
    waitForRequests: (n, timeoutMs) => log.waitForRequests(n, timeoutMs),
    reset() {
      queue.length = 0;
      perModel.clear();
      defaultScenario = ECHO;
      models = [...initialModels];
      log.clear();
      generation += 1;
    },
    close() {
      if (closed) return closed;
      log.close();
      closed = new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
        server.closeAllConnections();
      });
      return closed;
    },
  };
  return fake;
}

// ---------------------------------------------------------------------------------------------- helpers

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseBody(raw: string): unknown {
  if (raw === '') return '';
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return raw;
  }
}

function lowerCaseHeaders(rawHeaders: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i].toLowerCase();
    out[name] = name in out ? `${out[name]}, ${rawHeaders[i + 1]}` : rawHeaders[i + 1];
  }
  return out;
}

function lowerCaseRecord(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}

function modelObject(id: string): Json {
  return { id, object: 'model', created: MODEL_CREATED, owned_by: 'system' };
}

function sendJson(res: ServerResponse, status: number, payload: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(payload, null, 2));
}

function sendError(res: ServerResponse, status: number, payload: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(errorJson(payload));
}
