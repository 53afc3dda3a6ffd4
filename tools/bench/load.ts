/**
 * Load generators: wrk (Debian package, preferred: a C program costs the 2-core box less CPU) or autocannon (npm,
 * in-process) for non-streaming requests, and a small node:http client for streaming time-to-first-byte, which
 * neither tool measures.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import { cpuTicks } from './proc';

export interface Target {
  /** `direct` (the fake upstream) or `gateway` (edge-api). */
  name: 'direct' | 'gateway';
  url: string;
  headers: Record<string, string>;
  body: string;
}

export interface Latency {
  p50: number;
  p99: number;
  mean: number;
  max: number;
}

export interface LoadResult {
  /** Responses received (any status). */
  completed: number;
  /** Non-2xx responses plus connection errors and timeouts. */
  errors: number;
  durationS: number;
  rps: number;
  /** Milliseconds. Non-streaming: full response time; streaming: time to the first `data:` event (TTFB). */
  latency: Latency;
  /** Streaming only: time to the response headers and to the end of the stream, events per stream. */
  stream?: { headers: Latency; total: Latency; eventsPerStream: number };
  /** CPU clock ticks of an out-of-process load generator (wrk), sampled every 100 ms while it ran; null when in-process. */
  externalTicks: number | null;
  firstError?: string;
}

export type Tool = 'wrk' | 'autocannon';

export function wrkVersion(): string | null {
  const r = spawnSync('wrk', ['-v'], { encoding: 'utf8' });
  if (r.error) return null;
  return /wrk\s+(\S+)/.exec(`${r.stdout}${r.stderr}`)?.[1] ?? 'unknown';
}

export function autocannonVersion(): string {
  return (require('autocannon/package.json') as { version: string }).version;
}

/** Nearest-rank percentiles of latencies in ms. */
export function summarize(values: number[]): Latency {
  if (values.length === 0) return { p50: NaN, p99: NaN, mean: NaN, max: NaN };
  const sorted = Float64Array.from(values).sort();
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
  let sum = 0;
  for (const v of sorted) sum += v;
  return { p50: at(0.5), p99: at(0.99), mean: sum / sorted.length, max: sorted[sorted.length - 1]! };
}

// ------------------------------------------------------------------------------------------------ wrk

const luaString = (s: string) => `[==[${s}]==]`;

export async function runWrk(target: Target, connections: number, durationS: number, signal: AbortSignal): Promise<LoadResult> {
  const dir = mkdtempSync(join(tmpdir(), 'aisbf-bench-wrk-'));
  const script = join(dir, 'post.lua');
  writeFileSync(
    script,
    [
      'wrk.method = "POST"',
      `wrk.body = ${luaString(target.body)}`,
      ...Object.entries(target.headers).map(([k, v]) => `wrk.headers[ ${luaString(k)} ] = ${luaString(v)}`),
      'done = function(summary, latency, requests)',
      '  local e = summary.errors',
      '  io.write(string.format("BENCHJSON {\\"requests\\":%d,\\"duration_us\\":%d,\\"connect\\":%d,\\"read\\":%d,\\"write\\":%d,\\"status\\":%d,\\"timeout\\":%d,\\"p50\\":%d,\\"p99\\":%d,\\"mean\\":%f,\\"max\\":%d}\\n",',
      '    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,',
      '    latency:percentile(50), latency:percentile(99), latency.mean, latency.max))',
      'end',
      '',
    ].join('\n'),
  );
  try {
    const args = ['-t1', `-c${connections}`, `-d${durationS}s`, '--timeout', '10s', '-s', script, target.url];
    const child = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    let ticks = 0;
    const poll = setInterval(() => {
      const t = child.pid ? cpuTicks(child.pid) : null;
      if (t !== null) ticks = t;
    }, 100);
    const onAbort = () => child.kill('SIGTERM');
    signal.addEventListener('abort', onAbort, { once: true });
    const code = await new Promise<number | null>((resolve) => child.once('close', (c) => resolve(c)));
    clearInterval(poll);
    signal.removeEventListener('abort', onAbort);
    if (signal.aborted) throw new Error('aborted');
    const line = out.split('\n').find((l) => l.startsWith('BENCHJSON '));
    if (code !== 0 || !line) throw new Error(`wrk ${args.join(' ')} exited ${code}:\n${out}`);
    const r = JSON.parse(line.slice('BENCHJSON '.length)) as Record<string, number>;
    const durS = r['duration_us']! / 1e6;
    const errors = r['status']! + r['connect']! + r['read']! + r['write']! + r['timeout']!;
    return {
      completed: r['requests']!,
      errors,
      durationS: durS,
      rps: r['requests']! / durS,
      latency: { p50: r['p50']! / 1000, p99: r['p99']! / 1000, mean: r['mean']! / 1000, max: r['max']! / 1000 },
      externalTicks: ticks,
      ...(errors ? { firstError: `wrk: ${r['status']} non-2xx, ${r['connect']} connect, ${r['read']} read, ${r['write']} write errors, ${r['timeout']} timeouts` } : {}),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ------------------------------------------------------------------------------------------------ autocannon

export async function runAutocannon(target: Target, connections: number, durationS: number, signal: AbortSignal): Promise<LoadResult> {
  // autocannon's own histogram stores whole milliseconds; record the exact response times instead.
  const latencies: number[] = [];
  let completed = 0;
  let non2xx = 0;
  let firstError: string | undefined;
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      { url: target.url, method: 'POST', headers: target.headers, body: target.body, connections, duration: durationS, pipelining: 1, timeout: 10 },
      (err, res) => (err ? reject(err) : resolve(res)),
    );
    instance.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
      completed++;
      if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime);
      else {
        non2xx++;
        firstError ??= `HTTP ${statusCode}`;
      }
    });
    instance.on('reqError', (err: Error) => {
      firstError ??= String(err);
    });
    signal.addEventListener('abort', () => instance.stop(), { once: true });
  });
  if (signal.aborted) throw new Error('aborted');
  const errors = non2xx + result.errors + result.timeouts;
  return {
    completed,
    errors,
    durationS: result.duration,
    rps: completed / result.duration,
    latency: summarize(latencies),
    externalTicks: null,
    ...(firstError ? { firstError } : {}),
  };
}

// ------------------------------------------------------------------------------------------------ streaming client

interface StreamSample {
  ok: boolean;
  headersMs: number;
  firstEventMs: number;
  totalMs: number;
  events: number;
  error?: string;
}

function oneStream(agent: Agent, url: URL, headers: Record<string, string>, body: string): Promise<StreamSample> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    let headersMs = NaN;
    let firstEventMs = NaN;
    let text = '';
    let status = 0;
    const fail = (error: string) => resolve({ ok: false, headersMs, firstEventMs, totalMs: performance.now() - t0, events: 0, error });
    const req = request(
      { host: url.hostname, port: url.port, path: url.pathname, method: 'POST', agent, headers: { ...headers, 'content-length': Buffer.byteLength(body) } },
      (res) => {
        headersMs = performance.now() - t0;
        status = res.statusCode ?? 0;
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
          if (Number.isNaN(firstEventMs) && text.includes('data:')) firstEventMs = performance.now() - t0;
        });
        res.on('end', () => {
          const totalMs = performance.now() - t0;
          const events = (text.match(/^data: /gm) ?? []).length;
          if (status !== 200) return fail(`HTTP ${status}: ${text.slice(0, 200)}`);
          if (!text.includes('data: [DONE]')) return fail(`stream ended without [DONE] after ${events} events`);
          if (text.includes('"error"')) return fail(`in-band error: ${text.slice(0, 200)}`);
          resolve({ ok: true, headersMs, firstEventMs, totalMs, events });
        });
        res.on('error', (err) => fail(String(err)));
      },
    );
    req.on('error', (err) => fail(String(err)));
    req.end(body);
  });
}

/** `concurrency` callers, each sending one streaming request after the other for `durationS`. */
export async function runStreams(target: Target, concurrency: number, durationS: number, signal: AbortSignal): Promise<LoadResult> {
  const url = new URL(target.url);
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const headersMs: number[] = [];
  const firstMs: number[] = [];
  const totalMs: number[] = [];
  let events = 0;
  let completed = 0;
  let errors = 0;
  let firstError: string | undefined;
  const start = performance.now();
  const deadline = start + durationS * 1000;
  const worker = async () => {
    while (performance.now() < deadline && !signal.aborted) {
      const s = await oneStream(agent, url, target.headers, target.body);
      completed++;
      if (!s.ok) {
        errors++;
        firstError ??= s.error;
        continue;
      }
      headersMs.push(s.headersMs);
      firstMs.push(s.firstEventMs);
      totalMs.push(s.totalMs);
      events += s.events;
    }
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, worker));
  } finally {
    agent.destroy();
  }
  if (signal.aborted) throw new Error('aborted');
  const durS = (performance.now() - start) / 1000;
  return {
    completed,
    errors,
    durationS: durS,
    rps: completed / durS,
    latency: summarize(firstMs),
    stream: { headers: summarize(headersMs), total: summarize(totalMs), eventsPerStream: firstMs.length ? events / firstMs.length : NaN },
    externalTicks: null,
    ...(firstError ? { firstError } : {}),
  };
}
