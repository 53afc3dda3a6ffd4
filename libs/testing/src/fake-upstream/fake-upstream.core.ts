import { RequestLog } from './request-log';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { BaseScenario, FakeUpstream, ReplayScenario } from './fake-upstream.types';


/**
 * One response in flight: events written, whether it finished, whether the client left. Timers started through
 * `delay` are cancelled when the client leaves, so nothing is written after an abort.
 */
export class Exchange {
  eventsSent = 0;
  /** Set by the fake once the response is complete or deliberately cut: not an abort. */
  finished = false;
  aborted = false;
  private readonly pending = new Set<{ timer: NodeJS.Timeout; resolve(ok: boolean): void }>();
  private lastWrite: Promise<void> = Promise.resolve();

  constructor(readonly res: ServerResponse) {}

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

  /** Writes one stream event (counted); false when the client is gone. */
  event(data: string | Buffer): boolean {
    if (!this.alive) return false;
    this.write(data);
    this.eventsSent += 1;
    return true;
  }

  write(data: string | Buffer): void {
    this.lastWrite = new Promise((resolve) => this.res.write(data, () => resolve()));
  }

  head(status: number, headers: Record<string, string>): void {
    if (!this.res.headersSent) this.res.writeHead(status, headers);
  }

  end(data?: string | Buffer): void {
    if (!this.alive) return;
    this.finished = true;
    this.res.end(data);
  }

  json(status: number, payload: unknown, headers: Record<string, string> = {}, space: number | undefined = undefined): void {
    if (!this.alive) return;
    this.head(status, { 'content-type': 'application/json', ...lower(headers) });
    this.end(typeof payload === 'string' ? payload : JSON.stringify(payload, null, space));
  }

  /** Destroy the connection on purpose, after what was written reached the socket. */
  async destroy(): Promise<void> {
    if (!this.alive) return;
    this.finished = true;
    await this.lastWrite;
    await new Promise((resolve) => setImmediate(resolve));
    this.res.destroy();
  }

  /** The socket dies without any answer. */
  reset(): void {
    this.finished = true;
    this.res.socket?.destroy();
  }

  cancelTimers(): void {
    for (const entry of this.pending) {
      clearTimeout(entry.timer);
      entry.resolve(false);
    }
    this.pending.clear();
  }
}

export interface RouteContext<S> {
  req: IncomingMessage;
  res: ServerResponse;
  method: string;
  /** Path without the query string and trailing slashes. */
  pathname: string;
  query: URLSearchParams;
  headers: Record<string, string>;
  raw: string;
  body: unknown;
  /** Sequence number of this request (1-based), for ids. */
  n: number;
  /** The scenario for a call of `model`: the queue first, then per model, then the default. */
  scenarioFor(model: string | undefined): S | BaseScenario<S>;
  /** Starts tracking a response for abort detection; `model` is recorded with an abort. */
  exchange(model: string | undefined): Exchange;
  /**
   * Plays the scenario kinds every fake shares (`error`, `hang`, `reset`, `delay-headers`, `replay`); returns false
   * when `s` is protocol-specific.
   */
  playBase(ex: Exchange, s: S | BaseScenario<S>, play: (s: S | BaseScenario<S>) => Promise<void>): Promise<boolean>;
}

export interface FakeUpstreamOptions<S> {
  name: string;
  host?: string;
  port?: number;
  /** The scenario when nothing is queued (and after `reset()`). */
  defaultScenario: () => S;
  /** The vendor's error body for an `error` scenario without one. */
  errorBody(status: number, model: string | undefined): unknown;
  /** Extra response headers on every answer (e.g. a request id). */
  commonHeaders?(n: number): Record<string, string>;
  /** Handles one request; unhandled paths should get the vendor's 404. */
  route(ctx: RouteContext<S>): Promise<void>;
  /** Formats of URL: `(host, port) => base url`. */
  url(hostPort: string): string;
  onReset?(): void;
}

/** Starts an HTTP fake with the machinery all fakes share: recording, scenario queue, abort detection, waits. */
export async function startFakeUpstream<S extends { kind: string }>(opts: FakeUpstreamOptions<S>): Promise<FakeUpstream<S>> {
  const host = opts.host ?? '127.0.0.1';
  const log = new RequestLog(opts.name);
  const queue: Array<S | BaseScenario<S>> = [];
  const perModel = new Map<string, S | BaseScenario<S>>();
  const served = new Map<string, BaseScenario<S>>();
  let defaultScenario: S | BaseScenario<S> = opts.defaultScenario();
  let generation = 0;
  let counter = 0;
  let closed: Promise<void> | undefined;
  const sockets = new Set<Socket>();

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (res.destroyed || res.writableEnded) return;
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: `${opts.name} internal error: ${String(err)}` } }));
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
    const headers = lowerCaseHeaders(req.rawHeaders);
    log.record({ method, path, headers, body, receivedAt: Date.now() });
    const n = ++counter;
    for (const [k, v] of Object.entries(opts.commonHeaders?.(n) ?? {})) res.setHeader(k, v);
    const url = new URL(path, 'http://fake');
    const ctx: RouteContext<S> = {
      req,
      res,
      method,
      pathname: url.pathname.replace(/\/+$/, '') || '/',
      query: url.searchParams,
      headers,
      raw,
      body,
      n,
      scenarioFor: (model) => queue.shift() ?? (model !== undefined ? perModel.get(model) : undefined) ?? defaultScenario,
      exchange: (model) => {
        const ex = new Exchange(res);
        const startedIn = generation;
        res.on('close', () => {
          ex.cancelTimers();
          if (ex.finished || log.closed || startedIn !== generation) return;
          ex.aborted = true;
          log.recordAbort({ path, model, chunksSent: ex.eventsSent, at: Date.now() });
        });
        return ex;
      },
      playBase: async (ex, s, play) => {
        switch (s.kind) {
          case 'error': {
            const e = s as Extract<BaseScenario<S>, { kind: 'error' }>;
            const payload = e.body === undefined ? opts.errorBody(e.status, modelOf(body)) : e.body;
            ex.head(e.status, { 'content-type': 'application/json', ...lower(e.headers ?? {}) });
            ex.end(typeof payload === 'string' ? payload : JSON.stringify(payload, null, 2));
            return true;
          }
          case 'hang':
            return true;
          case 'reset':
            ex.reset();
            return true;
          case 'delay-headers': {
            const d = s as Extract<BaseScenario<S>, { kind: 'delay-headers' }>;
            if (await ex.delay(d.ms)) await play(d.then);
            return true;
          }
          case 'replay':
            await replay(ex, s as ReplayScenario);
            return true;
          default:
            return false;
        }
      },
    };
    const override = served.get(`${method} ${ctx.pathname}`);
    if (override) {
      const ex = ctx.exchange(modelOf(body));
      await ctx.playBase(ex, override, async () => undefined);
      return;
    }
    await opts.route(ctx);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const hostPort = `${host.includes(':') ? `[${host}]` : host}:${port}`;

  return {
    url: opts.url(hostPort),
    port,
    requests: log.requests,
    aborts: log.aborts,
    enqueue: (...s) => void queue.push(...s),
    setDefault: (s) => void (defaultScenario = s),
    setForModel: (model, s) => void perModel.set(model, s),
    serve: (method, pathname, s) => void served.set(`${method.toUpperCase()} ${pathname}`, s),
    waitForAbort: (timeoutMs) => log.waitForAbort(timeoutMs),
    waitForRequests: (n, timeoutMs) => log.waitForRequests(n, timeoutMs),
    reset() {
      queue.length = 0;
      perModel.clear();
      served.clear();
      defaultScenario = opts.defaultScenario();
      log.clear();
      generation += 1;
      opts.onReset?.();
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
}

async function replay(ex: Exchange, s: ReplayScenario): Promise<void> {
  ex.head(s.status ?? 200, lower(s.headers ?? {}));
  if (s.frames) {
    ex.res.flushHeaders();
    for (let i = 0; i < s.frames.length; i++) {
      if (i > 0 && !(await ex.delay(s.frameDelayMs ?? 0))) return;
      if (!ex.event(s.frames[i]!)) return;
    }
    ex.end();
    return;
  }
  ex.end(s.body ?? '');
}

// ------------------------------------------------------------------------------------------------ helpers

export function modelOf(body: unknown): string | undefined {
  return body && typeof body === 'object' && typeof (body as Record<string, unknown>)['model'] === 'string' ? ((body as Record<string, unknown>)['model'] as string) : undefined;
}

export function lower(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}

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
    const name = rawHeaders[i]!.toLowerCase();
    out[name] = name in out ? `${out[name]}, ${rawHeaders[i + 1]}` : rawHeaders[i + 1]!;
  }
  return out;
}

/** Splits `text` into about `parts` pieces (by code point). */
export function splitText(text: string, parts = 3): string[] {
  const chars = Array.from(text);
  if (chars.length === 0) return [];
  const size = Math.ceil(chars.length / Math.min(parts, chars.length));
  const out: string[] = [];
  for (let i = 0; i < chars.length; i += size) out.push(chars.slice(i, i + size).join(''));
  return out;
}

export const countWords = (text: string): number => text.split(/\s+/).filter(Boolean).length;
