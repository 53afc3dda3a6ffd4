/**
 * AISBF gateway benchmark (`npm run bench -- [--duration 10] ...`, see tools/bench/README.md).
 *
 * Starts the fake OpenAI upstream (own process) and the five services (startStack: separate processes, a per-run
 * database, NATS subject prefix and Redis key prefix), then measures chat completions directly against the fake and
 * through the gateway: non-streaming at several concurrencies with wrk or autocannon, streaming time to the first
 * `data:` event with a node:http client. Prints RPS, p50/p99, the gateway/direct ratios, CPU per request per process
 * and each service's RSS, and writes everything to tmp/bench-<timestamp>.json. A measurement, not a pass/fail test.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { ALL_SERVICES, startStack, type Stack, type StackService } from '@aisbf/testing';
import { autocannonVersion, runAutocannon, runStreams, runWrk, wrkVersion, type LoadResult, type Target, type Tool } from './load';
import { alive, childPids, cpuTicks, environ, machineTicks, memory, pidsByComm, ticksPerSecond } from './proc';
import { chatBody, configFiles, CONTENT, GLOBAL_TOKEN, MODEL, PROVIDER_ID, UPSTREAM_API_KEY } from './scenario';

const ROOT = resolve(__dirname, '../..');

// ------------------------------------------------------------------------------------------------ options

interface Options {
  durationS: number;
  warmupS: number;
  tool: Tool;
  concurrency: number[];
  streamConcurrency: number;
  chunkDelayMs: number;
  logLevel: string;
  settleMaxS: number;
  out: string;
}

const USAGE = `usage: npm run bench -- [options]
  --duration <s>            seconds per measurement (default 10)
  --warmup <s>              seconds per warm-up phase, 4 phases (default 2)
  --tool <auto|wrk|autocannon>  non-streaming load generator; auto = wrk when installed, else autocannon (default auto)
  --concurrency <list>      non-streaming concurrencies (default 1,16,64)
  --stream-concurrency <n>  concurrent streaming callers (default 16)
  --chunk-delay <ms>        delay between the fake's stream events (default 10)
  --log-level <level>       LOG_LEVEL of the services (default warn: stack.ts keeps all service output in memory)
  --settle-max <s>          max wait for the services to go idle before each measurement (default 20)
  --out <file>              JSON results (default tmp/bench-<timestamp>.json)`;

function parseOptions(): Options {
  const { values } = parseArgs({
    options: {
      duration: { type: 'string', default: '10' },
      warmup: { type: 'string', default: '2' },
      tool: { type: 'string', default: 'auto' },
      concurrency: { type: 'string', default: '1,16,64' },
      'stream-concurrency': { type: 'string', default: '16' },
      'chunk-delay': { type: 'string', default: '10' },
      'log-level': { type: 'string', default: 'warn' },
      'settle-max': { type: 'string', default: '20' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const num = (name: string, v: string | undefined, min: number) => {
    const n = Number(v);
    if (!Number.isFinite(n) || n < min) throw new Error(`--${name} must be a number >= ${min}, got ${JSON.stringify(v)}\n${USAGE}`);
    return n;
  };
  let tool: Tool;
  if (values.tool === 'auto') tool = wrkVersion() ? 'wrk' : 'autocannon';
  else if (values.tool === 'wrk' || values.tool === 'autocannon') tool = values.tool;
  else throw new Error(`--tool must be auto, wrk or autocannon\n${USAGE}`);
  if (tool === 'wrk' && !wrkVersion()) throw new Error('--tool wrk: wrk is not installed (apt-get install -y wrk), or use --tool autocannon');
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  return {
    durationS: Math.round(num('duration', values.duration, 1)),
    warmupS: Math.round(num('warmup', values.warmup, 0)),
    tool,
    concurrency: (values.concurrency ?? '').split(',').map((c) => Math.round(num('concurrency', c.trim(), 1))),
    streamConcurrency: Math.round(num('stream-concurrency', values['stream-concurrency'], 1)),
    chunkDelayMs: num('chunk-delay', values['chunk-delay'], 0),
    logLevel: values['log-level'] ?? 'warn',
    settleMaxS: num('settle-max', values['settle-max'], 0),
    out: resolve(ROOT, values.out ?? join('tmp', `bench-${stamp}.json`)),
  };
}

// ------------------------------------------------------------------------------------------------ state + cleanup

const ctrl = new AbortController();
const state: { stack?: Stack; fake?: ChildProcess; configDir?: string; servicePids: Partial<Record<StackService, number>> } = { servicePids: {} };
const delay = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const say = (msg: string) => process.stderr.write(`[bench] ${msg}\n`);

function execText(cmd: string, args: string[]): Promise<string> {
  return new Promise((res, rej) => execFile(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20 }, (err, out) => (err ? rej(err) : res(out))));
}

/** Processes this run started through startStack (migrate runner and services): they carry our per-run NATS prefix. */
function ourStackChildren(): number[] {
  const prefix = `aisbf.e2e_${process.pid}_`;
  return childPids(process.pid).filter((pid) => environ(pid)['AISBF_NATS_PREFIX']?.startsWith(prefix));
}

/**
 * Safety net behind `stack.close()`: stop leftover service processes, drop databases and Redis keys named after this
 * process (startStack names them `aisbf_e2e_<pid>_…` / `aisbf:e2e_<pid>_…`). Covers Ctrl-C during startStack (no Stack
 * handle yet) and a close() that never returns (its stop() waits for an 'exit' that already happened when a service
 * died from the terminal's SIGINT: exitCode is null for a signal death).
 */
async function purgeLeftovers(): Promise<void> {
  const procs = ourStackChildren();
  for (const pid of procs) process.kill(pid, 'SIGTERM');
  for (let i = 0; i < 50 && procs.some(alive); i++) await delay(100);
  for (const pid of procs.filter(alive)) process.kill(pid, 'SIGKILL');

  const db = new URL((process.env['DATABASE_URL'] ?? 'mysql://root@127.0.0.1:3306/aisbf').replace(/^(mysql|mariadb):/, 'http:'));
  const mysql = ['-h', db.hostname, '-P', db.port || '3306', `-u${decodeURIComponent(db.username) || 'root'}`, ...(db.password ? [`-p${decodeURIComponent(db.password)}`] : [])];
  const dbs = await execText('mysql', [...mysql, '-N', '-e', `SHOW DATABASES LIKE 'aisbf\\_e2e\\_${process.pid}\\_%'`])
    .then((o) => o.split('\n').filter(Boolean))
    .catch(() => [] as string[]);
  for (const name of dbs) await execText('mysql', [...mysql, '-e', `DROP DATABASE IF EXISTS \`${name}\``]).catch(() => undefined);

  const redisUrl = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
  const keys = await execText('redis-cli', ['-u', redisUrl, '--scan', '--pattern', `aisbf:e2e_${process.pid}_*`])
    .then((o) => o.split('\n').filter(Boolean))
    .catch(() => [] as string[]);
  for (let i = 0; i < keys.length; i += 500) await execText('redis-cli', ['-u', redisUrl, 'DEL', ...keys.slice(i, i + 500)]).catch(() => undefined);
  if (procs.length || dbs.length || keys.length) say(`cleanup safety net: stopped ${procs.length} processes, dropped ${dbs.length} databases, deleted ${keys.length} Redis keys`);
}

let cleaning: Promise<void> | undefined;
function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    const { stack, fake } = state;
    if (stack) {
      say('stopping the services and dropping the run database...');
      const pids = Object.values(state.servicePids);
      const allGone = (async () => {
        while (pids.some(alive)) await delay(200);
        await delay(3000); // close() drops the database and Redis keys right after the services exit
      })();
      await Promise.race([stack.close().catch((e: unknown) => say(`stack.close failed: ${String(e)}`)), allGone, delay(20_000)]);
    }
    await purgeLeftovers();
    if (fake && fake.exitCode === null && fake.signalCode === null) {
      const exited = new Promise<void>((r) => fake.once('exit', () => r()));
      fake.kill('SIGTERM');
      await Promise.race([exited, delay(3000)]);
      if (fake.pid && alive(fake.pid)) fake.kill('SIGKILL');
    }
    if (state.configDir) rmSync(state.configDir, { recursive: true, force: true });
  })();
  return cleaning;
}

function onSignal(signal: NodeJS.Signals): void {
  const code = signal === 'SIGINT' ? 130 : 143;
  if (cleaning) {
    say('second signal: killing everything now');
    for (const pid of childPids(process.pid)) process.kill(pid, 'SIGKILL');
    process.exit(code);
  }
  say(`${signal}: stopping the load and cleaning up (again to force)...`);
  ctrl.abort();
  void cleanup().finally(() => process.exit(code));
}

// ------------------------------------------------------------------------------------------------ processes

async function startFake(chunkDelayMs: number): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['-r', '@swc-node/register', join(__dirname, 'fake-upstream.ts')], {
    cwd: ROOT,
    env: { ...process.env, SWC_NODE_PROJECT: process.env['SWC_NODE_PROJECT'] ?? join(ROOT, 'tsconfig.base.json'), BENCH_CHUNK_DELAY_MS: String(chunkDelayMs) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  state.fake = child;
  const url = await new Promise<string>((res, rej) => {
    const t = setTimeout(() => rej(new Error('fake upstream did not start within 30 s')), 30_000);
    child.once('message', (m: { type?: string; url?: string }) => {
      clearTimeout(t);
      if (m.type === 'ready' && m.url) res(m.url);
      else rej(new Error(`unexpected message from the fake upstream: ${JSON.stringify(m)}`));
    });
    child.once('exit', (c) => rej(new Error(`fake upstream exited ${c}`)));
  });
  return { child, url };
}

/** The service processes of this stack: our children whose AISBF_INSTANCE_ID is `<service>-<stack id>`. */
function findServicePids(stack: Stack): Partial<Record<StackService, number>> {
  const out: Partial<Record<StackService, number>> = {};
  for (const pid of childPids(process.pid)) {
    const id = environ(pid)['AISBF_INSTANCE_ID'];
    const svc = ALL_SERVICES.find((s) => id === `${s}-${stack.id}`);
    if (svc) out[svc] = pid;
  }
  return out;
}

type Watched = Record<string, number>;

function watched(): Watched {
  const w: Watched = {};
  for (const s of ALL_SERVICES) if (state.servicePids[s]) w[s] = state.servicePids[s]!;
  if (state.fake?.pid) w['upstream'] = state.fake.pid;
  return w;
}

/** The shared MariaDB/MySQL, Redis and NATS servers (also used by whoever else runs tests on the machine). */
const INFRA_COMMS = { mysqld: 'mariadb', mariadbd: 'mariadb', 'redis-server': 'redis', 'nats-server': 'nats' } as const;
let infraPids: Record<string, number> | undefined;
function infra(): Record<string, number> {
  if (!infraPids) {
    infraPids = {};
    for (const [comm, pid] of Object.entries(pidsByComm(Object.keys(INFRA_COMMS)))) infraPids[INFRA_COMMS[comm as keyof typeof INFRA_COMMS]] = pid;
  }
  return infraPids;
}

interface Snapshot {
  at: number;
  machine: { busy: number; total: number };
  ticks: Record<string, number>;
}

function snapshot(): Snapshot {
  const ticks: Record<string, number> = {};
  for (const [name, pid] of Object.entries(watched())) ticks[name] = cpuTicks(pid) ?? NaN;
  for (const [name, pid] of Object.entries(infra())) ticks[name] = cpuTicks(pid) ?? NaN;
  ticks['bench'] = cpuTicks('self') ?? NaN;
  return { at: performance.now(), machine: machineTicks(), ticks };
}

/** Waits until the services and the fake are (nearly) idle: leftover work (e.g. usage rows) must not spill into the next row. */
async function settle(maxS: number): Promise<number> {
  const t0 = performance.now();
  const budget = (0.1 * ticksPerSecond()) / 2; // 0.1 core over a 500 ms window, all watched processes together
  const sum = () => Object.values(watched()).reduce((a, pid) => a + (cpuTicks(pid) ?? 0), 0);
  let last = sum();
  for (;;) {
    await delay(500);
    const now = sum();
    if (now - last <= budget || performance.now() - t0 > maxS * 1000) return (performance.now() - t0) / 1000;
    last = now;
  }
}

// ------------------------------------------------------------------------------------------------ measurements

type Kind = 'chat' | 'stream';

interface Row {
  kind: Kind;
  concurrency: number;
  target: Target['name'];
  tool: string;
  settleS: number;
  result: LoadResult;
  /**
   * CPU microseconds per completed request, by process: the services, `upstream` (the fake), the shared `mariadb`,
   * `redis` and `nats` servers, this process (`bench`: autocannon / stream client) and `wrk`.
   */
  cpuUsPerRequest: Record<string, number>;
  /** CPU used by every other process while the row ran, in cores (of the machine's N), and the machine's busy share. */
  othersCores: number;
  machineBusy: number;
}

async function measure(kind: Kind, target: Target, concurrency: number, opts: Options, record = true): Promise<Row> {
  const settleS = record ? await settle(opts.settleMaxS) : 0;
  const before = snapshot();
  const result =
    kind === 'stream'
      ? await runStreams(target, concurrency, opts.durationS, ctrl.signal)
      : opts.tool === 'wrk'
        ? await runWrk(target, concurrency, opts.durationS, ctrl.signal)
        : await runAutocannon(target, concurrency, opts.durationS, ctrl.signal);
  const after = snapshot();
  const tck = ticksPerSecond();
  const cpuUsPerRequest: Record<string, number> = {};
  let ours = 0;
  for (const name of Object.keys(after.ticks)) {
    const d = after.ticks[name]! - (before.ticks[name] ?? NaN);
    ours += Number.isFinite(d) ? d : 0;
    cpuUsPerRequest[name] = (d / tck / Math.max(1, result.completed)) * 1e6;
  }
  if (result.externalTicks !== null) {
    ours += result.externalTicks;
    cpuUsPerRequest['wrk'] = (result.externalTicks / tck / Math.max(1, result.completed)) * 1e6;
  }
  const elapsedS = (after.at - before.at) / 1000;
  const machineBusyTicks = after.machine.busy - before.machine.busy;
  const row: Row = {
    kind,
    concurrency,
    target: target.name,
    tool: kind === 'stream' ? 'node:http' : opts.tool,
    settleS,
    result,
    cpuUsPerRequest,
    othersCores: Math.max(0, (machineBusyTicks - ours) / tck / elapsedS),
    machineBusy: machineBusyTicks / Math.max(1, after.machine.total - before.machine.total),
  };
  if (record) {
    const l = result.latency;
    say(
      `${kind === 'stream' ? 'stream TTFB' : 'non-stream'} c=${concurrency} ${target.name}: ${result.rps.toFixed(0)} req/s, p50 ${l.p50.toFixed(2)} ms, p99 ${l.p99.toFixed(2)} ms` +
        `${result.errors ? `, ${result.errors} errors (${result.firstError})` : ''}, others ${row.othersCores.toFixed(2)} cores`,
    );
  }
  return row;
}

async function probe(target: Target, stream: boolean): Promise<void> {
  const res = await fetch(target.url, { method: 'POST', headers: target.headers, body: target.body });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`${target.name} ${stream ? 'stream' : 'chat'} probe: HTTP ${res.status}: ${text.slice(0, 500)}`);
  let content = '';
  if (stream) {
    const events = text.split('\n').filter((l) => l.startsWith('data: '));
    if (events[events.length - 1] !== 'data: [DONE]') throw new Error(`${target.name} stream probe: no [DONE]: ${text.slice(0, 500)}`);
    for (const e of events.slice(0, -1)) content += (JSON.parse(e.slice(6)) as { choices?: { delta?: { content?: string } }[] }).choices?.[0]?.delta?.content ?? '';
  } else {
    content = (JSON.parse(text) as { choices?: { message?: { content?: string } }[] }).choices?.[0]?.message?.content ?? '';
  }
  if (content !== CONTENT) say(`warning: ${target.name} ${stream ? 'stream' : 'chat'} probe answered ${JSON.stringify(content)}, expected ${JSON.stringify(CONTENT)}`);
}

// ------------------------------------------------------------------------------------------------ report

function table(header: string[], rows: string[][], leftCols = 1): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const fmt = (r: string[]) => r.map((c, i) => (i < leftCols ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [fmt(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(fmt)].join('\n');
}

const f = (n: number, d = 2) => (Number.isFinite(n) ? n.toFixed(d) : '-');
const ratio = (a: number, b: number) => (Number.isFinite(a / b) ? `${(a / b).toFixed(2)}x` : '-');
const mb = (kb: number | undefined) => (kb === undefined || !Number.isFinite(kb) ? '-' : (kb / 1024).toFixed(0));
const rowName = (r: Row) => `${r.kind === 'stream' ? 'stream TTFB' : 'non-stream'} c=${r.concurrency}`;

function report(rows: Row[], memStart: Record<string, MemRow>, memEnd: Record<string, MemRow>, meta: Record<string, unknown>): string {
  const find = (r: Row) => rows.find((o) => o.kind === r.kind && o.concurrency === r.concurrency && o.target === 'direct');
  const main = table(
    ['measurement', 'target', 'RPS', 'p50 ms', 'p99 ms', 'errors', 'RPS gw/direct', 'p50 gw/direct', 'p99 gw/direct', 'p50 +ms'],
    rows.map((r) => {
      const d = r.target === 'gateway' ? find(r) : undefined;
      const l = r.result.latency;
      return [
        rowName(r),
        r.target,
        f(r.result.rps, 0),
        f(l.p50),
        f(l.p99),
        String(r.result.errors),
        d ? ratio(r.result.rps, d.result.rps) : '',
        d ? ratio(l.p50, d.result.latency.p50) : '',
        d ? ratio(l.p99, d.result.latency.p99) : '',
        d ? f(l.p50 - d.result.latency.p50) : '',
      ];
    }),
    2,
  );
  const streams = rows.filter((r) => r.result.stream);
  const streamTable = table(
    ['streaming', 'target', 'headers p50', 'first event p50', 'first event p99', 'end p50', 'end p99', 'events/stream'],
    streams.map((r) => {
      const s = r.result.stream!;
      return [rowName(r), r.target, f(s.headers.p50), f(r.result.latency.p50), f(r.result.latency.p99), f(s.total.p50), f(s.total.p99), f(s.eventsPerStream, 1)];
    }),
    2,
  );
  const services: StackService[] = ['edge-api', 'router', 'provider-workers', 'analytics', 'broker'];
  const procNames = ['upstream', 'mariadb', 'redis', 'nats', 'bench', 'wrk'];
  const cell = (r: Row, p: string) => (p in r.cpuUsPerRequest ? f(r.cpuUsPerRequest[p]!, 0) : '-');
  const cpuTable = table(
    ['CPU µs per request', 'target', ...services, '5 services', ...procNames, 'others (cores)', 'machine busy'],
    rows.map((r) => [
      rowName(r),
      r.target,
      ...services.map((p) => cell(r, p)),
      f(services.reduce((a, p) => a + (r.cpuUsPerRequest[p] ?? 0), 0), 0),
      ...procNames.map((p) => cell(r, p)),
      f(r.othersCores),
      `${f(r.machineBusy * 100, 0)}%`,
    ]),
    2,
  );
  const memTable = table(
    ['process', 'pid', 'RSS after start MB', 'RSS after run MB', 'peak (VmHWM) MB'],
    Object.keys(memEnd).map((p) => [p, String(memEnd[p]!.pid), mb(memStart[p]?.rssKb), mb(memEnd[p]!.rssKb), mb(memEnd[p]!.hwmKb)]),
  );
  const lines = [
    '',
    `AISBF bench ${String(meta['startedAt'])} — ${String(meta['durationS'])} s per measurement, non-streaming load: ${String(meta['toolLabel'])}, streaming: node:http client`,
    `machine: ${String(meta['cpus'])} CPUs, node ${process.version}; load average before ${String(meta['loadBefore'])}, after ${String(meta['loadAfter'])}; stack startup ${String(meta['startupS'])} s`,
    `request: POST /v1/chat/completions, model ${PROVIDER_ID}/${MODEL} through the gateway, ${MODEL} direct; fixed 5-chunk completion, stream events ${String(meta['chunkDelayMs'])} ms apart`,
    '',
    main,
    '',
    'stream latencies in ms (first event = TTFB: first `data:` event; end = `[DONE]` received):',
    streamTable,
    '',
    'CPU time per completed request (µs) by process. mariadb/redis/nats are the shared servers (other users\' tests count there too);',
    '"bench" = this process (autocannon / stream client); "others" = cores used by every other process on the machine during the row:',
    cpuTable,
    '',
    memTable,
    '',
  ];
  return lines.join('\n');
}

interface MemRow {
  pid: number;
  rssKb: number;
  hwmKb: number;
}

function memoryOf(): Record<string, MemRow> {
  const out: Record<string, MemRow> = {};
  for (const [name, pid] of Object.entries(watched())) {
    const m = memory(pid);
    if (m) out[name] = { pid, ...m };
  }
  const self = memory(process.pid);
  if (self) out['bench'] = { pid: process.pid, ...self };
  return out;
}

// ------------------------------------------------------------------------------------------------ main

async function main(): Promise<void> {
  const opts = parseOptions();
  const startedAt = new Date().toISOString();
  const loadBefore = loadavg().map((l) => l.toFixed(2)).join(' ');
  const toolLabel = opts.tool === 'wrk' ? `wrk ${wrkVersion() ?? '?'} (1 thread)` : `autocannon ${autocannonVersion()} (in-process)`;
  say(`load generator: ${toolLabel}; ${opts.durationS} s per measurement; load average ${loadBefore} on ${cpus().length} CPUs`);

  const { url: upstreamUrl } = await startFake(opts.chunkDelayMs);
  say(`fake upstream at ${upstreamUrl} (pid ${state.fake?.pid})`);
  const configDir = mkdtempSync(join(tmpdir(), 'aisbf-bench-cfg-'));
  state.configDir = configDir;
  for (const [file, content] of Object.entries(configFiles(upstreamUrl))) writeFileSync(join(configDir, file), JSON.stringify(content, null, 2));

  say('starting the five services (migrations on a per-run database first)...');
  const t0 = performance.now();
  const stack = await startStack({ configDir, env: { LOG_LEVEL: opts.logLevel } });
  state.stack = stack;
  if (ctrl.signal.aborted) throw new Error('aborted');
  const startupS = ((performance.now() - t0) / 1000).toFixed(1);
  state.servicePids = findServicePids(stack);
  const missing = ALL_SERVICES.filter((s) => !state.servicePids[s]);
  if (missing.length) say(`warning: no process found for ${missing.join(', ')} (RSS/CPU will be missing)`);
  say(`stack ${stack.id} up in ${startupS} s at ${stack.baseUrl}; pids ${JSON.stringify(state.servicePids)}`);
  const memStart = memoryOf();

  const json = { 'content-type': 'application/json' };
  const targets = {
    chat: {
      direct: { name: 'direct', url: `${upstreamUrl}/chat/completions`, headers: { ...json, authorization: `Bearer ${UPSTREAM_API_KEY}` }, body: chatBody(MODEL, false) },
      gateway: { name: 'gateway', url: `${stack.baseUrl}/v1/chat/completions`, headers: { ...json, authorization: `Bearer ${GLOBAL_TOKEN}` }, body: chatBody(`${PROVIDER_ID}/${MODEL}`, false) },
    },
    stream: {
      direct: { name: 'direct', url: `${upstreamUrl}/chat/completions`, headers: { ...json, authorization: `Bearer ${UPSTREAM_API_KEY}` }, body: chatBody(MODEL, true) },
      gateway: { name: 'gateway', url: `${stack.baseUrl}/v1/chat/completions`, headers: { ...json, authorization: `Bearer ${GLOBAL_TOKEN}` }, body: chatBody(`${PROVIDER_ID}/${MODEL}`, true) },
    },
  } satisfies Record<Kind, Record<Target['name'], Target>>;

  for (const kind of ['chat', 'stream'] as const) for (const t of [targets[kind].direct, targets[kind].gateway]) await probe(t, kind === 'stream');

  if (opts.warmupS > 0) {
    say(`warming up (${opts.warmupS} s x 4)...`);
    const w = { ...opts, durationS: opts.warmupS };
    await measure('chat', targets.chat.gateway, 16, w, false);
    await measure('stream', targets.stream.gateway, opts.streamConcurrency, w, false);
    await measure('chat', targets.chat.direct, 16, w, false);
    await measure('stream', targets.stream.direct, opts.streamConcurrency, w, false);
  }

  const rows: Row[] = [];
  for (const c of opts.concurrency) {
    rows.push(await measure('chat', targets.chat.direct, c, opts));
    rows.push(await measure('chat', targets.chat.gateway, c, opts));
  }
  rows.push(await measure('stream', targets.stream.direct, opts.streamConcurrency, opts));
  rows.push(await measure('stream', targets.stream.gateway, opts.streamConcurrency, opts));

  const settleS = await settle(opts.settleMaxS);
  const memEnd = memoryOf();
  const loadAfter = loadavg().map((l) => l.toFixed(2)).join(' ');
  const meta = { startedAt, durationS: opts.durationS, toolLabel, cpus: cpus().length, loadBefore, loadAfter, startupS, chunkDelayMs: opts.chunkDelayMs };
  process.stdout.write(report(rows, memStart, memEnd, meta));

  mkdirSync(join(opts.out, '..'), { recursive: true });
  writeFileSync(
    opts.out,
    JSON.stringify(
      {
        startedAt,
        finishedAt: new Date().toISOString(),
        machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, node: process.version, loadavgBefore: loadBefore, loadavgAfter: loadAfter },
        options: { ...opts, out: undefined },
        loadGenerator: { nonStreaming: toolLabel, streaming: 'node:http (tools/bench/load.ts)' },
        scenario: { providerModel: `${PROVIDER_ID}/${MODEL}`, content: CONTENT, streamEvents: 'role + 5 content + finish + [DONE]', chunkDelayMs: opts.chunkDelayMs },
        stack: { id: stack.id, startupS: Number(startupS), pids: state.servicePids, logLevel: opts.logLevel },
        rows,
        memory: { afterStart: memStart, afterRun: memEnd, settleBeforeReadingS: settleS },
      },
      null,
      2,
    ),
  );
  say(`results written to ${relative(ROOT, opts.out)}`);
}

process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);
main()
  .then(() => cleanup())
  .then(() => process.exit(0))
  .catch(async (err: unknown) => {
    if (!ctrl.signal.aborted) {
      console.error(err instanceof Error ? (err.stack ?? err.message) : err);
      await cleanup();
      process.exit(1);
    }
  });
