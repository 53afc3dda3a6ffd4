import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { freePort } from '../util/free-port';

export const ALL_SERVICES = ['router', 'provider-workers', 'analytics', 'broker', 'edge-api'] as const;
export type StackService = (typeof ALL_SERVICES)[number];

export interface StackOptions {
  /** Directory with providers.json etc. */
  configDir: string;
  services?: readonly StackService[];
  /** Extra environment for every service (e.g. OTEL_EXPORTER_OTLP_ENDPOINT). */
  env?: Record<string, string>;
  /** Per-service extra environment. */
  serviceEnv?: Partial<Record<StackService, Record<string, string>>>;
  /** Repository root (defaults to the monorepo root). */
  root?: string;
  readyTimeoutMs?: number;
  /** How many edge-api processes to run (default 1); replica i listens on `edgeUrls[i]`. */
  edgeReplicas?: number;
}

export interface Stack {
  id: string;
  baseUrl: string;
  /** Every edge-api replica's base URL; `edgeUrls[0]` is `baseUrl`. */
  edgeUrls: string[];
  ports: Record<StackService, number>;
  /** Environment shared by the services: DATABASE_URL, REDIS_URL, NATS_URL and the per-run prefixes. */
  env: Record<string, string>;
  dbName: string;
  natsPrefix: string;
  redisPrefix: string;
  /** Output of a service (all of its replicas). */
  logs(service: StackService): string;
  /** Stop one service (SIGTERM, then SIGKILL after 5 s). */
  stop(service: StackService, signal?: NodeJS.Signals): Promise<void>;
  /** (Re)start one service and wait until its health endpoint answers. */
  start(service: StackService): Promise<void>;
  /** Stop everything and drop the per-run database and Redis keys. */
  close(): Promise<void>;
}

const ROOT = resolve(__dirname, '../../../..');

function baseUrl(url: string): URL {
  return new URL(url.replace(/^mysql:/, 'http:').replace(/^mariadb:/, 'http:'));
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what: string, logs: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n--- logs ---\n${logs().slice(-4000)}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

async function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<string> {
  return new Promise((res, rej) => {
    const p = spawn(cmd, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (out += d));
    p.on('exit', (code) => (code === 0 ? res(out) : rej(new Error(`${cmd} ${args.join(' ')} exited ${code}:\n${out}`))));
  });
}

/**
 * Start the real services as separate processes (`node tools/run-service.mjs <svc>`) against the machine's MariaDB,
 * Redis and NATS, isolated from every other run by a fresh database, a NATS subject prefix and a Redis key prefix.
 */
export async function startStack(opts: StackOptions): Promise<Stack> {
  const root = opts.root ?? ROOT;
  const id = `e2e_${process.pid}_${randomBytes(3).toString('hex')}`;
  const dbBase = process.env['DATABASE_URL'] ?? 'mysql://root@127.0.0.1:3306/aisbf';
  const dbUrl = baseUrl(dbBase);
  const dbName = `aisbf_${id}`;
  const databaseUrl = `mysql://${dbUrl.username}${dbUrl.password ? `:${dbUrl.password}` : ''}@${dbUrl.host}/${dbName}`;
  const natsPrefix = `aisbf.${id}`;
  const redisPrefix = `aisbf:${id}:`;
  const services = opts.services ?? ALL_SERVICES;
  const ports = {} as Record<StackService, number>;
  for (const s of ALL_SERVICES) ports[s] = await freePort();
  const edgeReplicas = Math.max(1, opts.edgeReplicas ?? 1);
  const edgePorts = [ports['edge-api']];
  for (let i = 1; i < edgeReplicas; i++) edgePorts.push(await freePort());
  const env: Record<string, string> = {
    DATABASE_URL: databaseUrl,
    REDIS_URL: process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379',
    NATS_URL: process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222',
    AISBF_NATS_PREFIX: natsPrefix,
    AISBF_REDIS_PREFIX: redisPrefix,
    AISBF_CONFIG_DIR: resolve(opts.configDir),
    AISBF_HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    ...opts.env,
  };
  const baseEnv = { ...process.env, ...env };
  delete baseEnv['OTEL_EXPORTER_OTLP_ENDPOINT'];
  if (opts.env?.['OTEL_EXPORTER_OTLP_ENDPOINT']) baseEnv['OTEL_EXPORTER_OTLP_ENDPOINT'] = opts.env['OTEL_EXPORTER_OTLP_ENDPOINT'];

  await run(process.execPath, [join(root, 'tools/db/migrate.mjs'), 'deploy'], { ...baseEnv }, root);

  // Keyed by service name; extra edge-api replicas are `edge-api#<i>`.
  const procs = new Map<string, ChildProcess>();
  const logs = new Map<string, string>();
  const allLogs = () => [...logs.entries()].map(([s, l]) => `[${s}]\n${l.slice(-1500)}`).join('\n');

  const startProcess = async (s: StackService, name: string, port: number) => {
    const portVar = s === 'edge-api' ? 'AISBF_PORT' : 'AISBF_HEALTH_PORT';
    const child = spawn(process.execPath, [join(root, 'tools/run-service.mjs'), s], {
      cwd: root,
      env: { ...baseEnv, ...opts.serviceEnv?.[s], [portVar]: String(port), AISBF_INSTANCE_ID: `${name.replace('#', '-')}-${id}` },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    logs.set(name, logs.get(name) ?? '');
    const append = (d: Buffer) => logs.set(name, (logs.get(name) ?? '') + d.toString());
    child.stdout!.on('data', append);
    child.stderr!.on('data', append);
    procs.set(name, child);
    await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/health`)).ok, opts.readyTimeoutMs ?? 60_000, `${name} /health`, allLogs);
  };
  const start = (s: StackService) => startProcess(s, s, ports[s]);
  const stop = async (s: string, signal: NodeJS.Signals = 'SIGTERM') => {
    const p = procs.get(s);
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    const exited = new Promise<void>((r) => p.once('exit', () => r()));
    p.kill(signal);
    const t = setTimeout(() => p.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(t);
    procs.delete(s);
  };

  const stack: Stack = {
    id,
    baseUrl: `http://127.0.0.1:${ports['edge-api']}`,
    edgeUrls: edgePorts.map((p) => `http://127.0.0.1:${p}`),
    ports,
    env,
    dbName,
    natsPrefix,
    redisPrefix,
    logs: (s) => [...logs.entries()].filter(([name]) => name === s || name.startsWith(`${s}#`)).map(([, l]) => l).join(''),
    stop,
    start,
    close: async () => {
      await Promise.all([...procs.keys()].map((s) => stop(s)));
      await run('mysql', ['-h', dbUrl.hostname, '-P', dbUrl.port || '3306', `-u${dbUrl.username || 'root'}`, ...(dbUrl.password ? [`-p${dbUrl.password}`] : []), '-e', `DROP DATABASE IF EXISTS \`${dbName}\``], process.env, root).catch(() => undefined);
      await run('redis-cli', ['-u', env['REDIS_URL']!, '--scan', '--pattern', `${redisPrefix}*`], process.env, root)
        .then(async (keys) => {
          const list = keys.split('\n').filter(Boolean);
          for (let i = 0; i < list.length; i += 500) await run('redis-cli', ['-u', env['REDIS_URL']!, 'DEL', ...list.slice(i, i + 500)], process.env, root);
        })
        .catch(() => undefined);
    },
  };
  try {
    await Promise.all(services.filter((s) => s !== 'edge-api').map(start));
    if (services.includes('edge-api')) {
      await start('edge-api');
      for (let i = 1; i < edgeReplicas; i++) await startProcess('edge-api', `edge-api#${i}`, edgePorts[i]!);
      let lastReady = '';
      await waitFor(
        async () => {
          const r = await fetch(`${stack.baseUrl}/health/ready`);
          lastReady = await r.text();
          return r.status === 200 || services.length < ALL_SERVICES.length;
        },
        opts.readyTimeoutMs ?? 60_000,
        'edge-api /health/ready',
        () => `last /health/ready answer: ${lastReady}\n${allLogs()}`,
      );
    }
  } catch (err) {
    await stack.close();
    throw err;
  }
  return stack;
}
