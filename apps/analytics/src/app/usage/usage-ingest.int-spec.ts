// Point 7, the durable half: analytics (started in-process with its real module) consumes usage jobs from BullMQ and
// writes them through Prisma to a per-run MariaDB database reached through a TCP proxy. With the proxy switched off
// ("MySQL briefly unavailable") the write fails and BullMQ retries it with backoff; once MySQL is back the row appears,
// exactly once. Replays of the same record (same job id, or the same request id under a new job) stay one row.
import { UsageRecordJobV1, type UsageRecordJob } from '@aisbf/contracts';
import { loadEnv } from '@aisbf/platform-config';
import { createLogger } from '@aisbf/platform-observability';
import type { ServiceApp } from '@aisbf/platform-service';
import { eventually, startTcpProxy, type TcpProxy } from '@aisbf/testing';
import { type Job, Queue } from 'bullmq';
import { Redis } from 'ioredis';
import mariadb from 'mariadb';
import { execFileSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { startAnalytics } from '../start';

const ROOT = join(__dirname, '../../../../..');
const SERVER_URL = process.env['DATABASE_URL'] || 'mysql://root@127.0.0.1:3306/aisbf';
const REDIS_URL = process.env['REDIS_URL'] || 'redis://127.0.0.1:6379';

function record(requestId: string): UsageRecordJob {
  return {
    requestId,
    caller: 'global:0',
    userId: null,
    tokenId: null,
    route: 'up/gpt-4o-mini',
    routeKind: 'provider',
    providerId: 'up',
    model: 'gpt-4o-mini',
    promptTokens: 11,
    completionTokens: 7,
    totalTokens: 18,
    latencyMs: 42,
    status: 'success',
    errorCode: null,
    attempts: 1,
    stream: false,
    createdAt: Date.now(),
  };
}

describe('analytics usage ingest: retried while MySQL is unavailable, idempotent on the request id', () => {
  const runId = `${process.pid}_${randomBytes(3).toString('hex')}`;
  const dbName = `aisbf_t_${runId}_usage`;
  const redisPrefix = `aisbf:int_${runId}:`;
  let proxy: TcpProxy;
  let app: ServiceApp;
  let queue: Queue;
  let redis: Redis;
  let db: mariadb.Connection;

  const rows = async (requestId: string) =>
    (await db.query('SELECT `requestId`, `promptTokens`, `completionTokens`, `totalTokens`, `status` FROM `UsageRecord` WHERE `requestId` = ?', [requestId])) as Array<
      Record<string, unknown>
    >;
  const enqueue = (rec: UsageRecordJob, jobId = rec.requestId) =>
    // The router's options, with a test-sized backoff (production: 1 s, doubling).
    queue.add(UsageRecordJobV1.name, rec, { jobId, attempts: 15, backoff: { type: 'exponential', delay: 200 }, removeOnComplete: { count: 1000 } });
  const settled = (job: Job) =>
    eventually(
      async () => {
        const state = await job.getState();
        expect(state).toBe('completed');
        return (await queue.getJob(job.id!))!;
      },
      { timeoutMs: 20_000, intervalMs: 100 },
    );

  beforeAll(async () => {
    // A fresh database with every migration, through the same runner `npm run db:migrate` uses.
    const server = new URL(SERVER_URL.replace(/^(mysql|mariadb):/, 'http:'));
    server.pathname = `/${dbName}`;
    const direct = server.toString().replace(/^http:/, 'mysql:');
    execFileSync(process.execPath, [join(ROOT, 'tools/db/migrate.mjs'), 'deploy'], { cwd: ROOT, env: { ...process.env, DATABASE_URL: direct }, stdio: 'pipe' });
    const host = server.hostname;
    const port = Number(server.port || 3306);
    db = await mariadb.createConnection({ host, port, user: decodeURIComponent(server.username || 'root'), password: decodeURIComponent(server.password), database: dbName });

    proxy = await startTcpProxy({ target: { host, port } });
    const viaProxy = new URL(server);
    viaProxy.host = proxy.address;
    // Fail an unavailable-database write within ~1 s instead of the driver's 10 s default.
    viaProxy.searchParams.set('acquireTimeout', '1000');
    viaProxy.searchParams.set('connectTimeout', '500');
    const env = loadEnv('analytics', {
      ...process.env,
      DATABASE_URL: viaProxy.toString().replace(/^http:/, 'mysql:'),
      REDIS_URL,
      AISBF_REDIS_PREFIX: redisPrefix,
      AISBF_NATS_PREFIX: `aisbf.int_${runId}`,
      AISBF_HOST: '127.0.0.1',
      AISBF_HEALTH_PORT: '0',
      LOG_LEVEL: 'silent',
    });
    app = await startAnalytics(env, createLogger('analytics', env.logLevel));

    redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
    queue = new Queue(UsageRecordJobV1.queue, { connection: redis, prefix: `${redisPrefix}bull` });
  });

  afterAll(async () => {
    await app?.close();
    await queue?.close();
    await proxy?.close();
    if (redis) {
      const keys = await redis.keys(`${redisPrefix}*`);
      if (keys.length) await redis.del(...keys);
      await redis.quit();
    }
    await db?.query(`DROP DATABASE IF EXISTS \`${dbName}\``);
    await db?.end();
  });

  it('a job that fails while MySQL is unreachable is retried with backoff and written exactly once when MySQL is back', async () => {
    proxy.setEnabled(false);
    const requestId = randomUUID();
    const job = await enqueue(record(requestId));

    // It fails (MySQL unreachable) and BullMQ schedules it again — more than once.
    const failing = await eventually(
      async () => {
        const j = (await queue.getJob(job.id!))!;
        expect(j.attemptsMade).toBeGreaterThanOrEqual(2);
        return j;
      },
      { timeoutMs: 20_000, intervalMs: 100 },
    );
    expect(['delayed', 'waiting', 'active']).toContain(await failing.getState());
    expect(failing.failedReason).toMatch(/pool timeout|connect/i); // the database, not the job, is the problem
    expect(proxy.refused).toBeGreaterThan(0);
    expect(await rows(requestId)).toHaveLength(0);

    proxy.setEnabled(true);
    const done = await settled(job);
    expect(done.returnvalue).toEqual({ written: true });
    expect(done.attemptsMade).toBeGreaterThanOrEqual(2);
    expect(await rows(requestId)).toEqual([{ requestId, promptTokens: 11, completionTokens: 7, totalTokens: 18, status: 'success' }]);
  });

  it('the same job id enqueued twice gives one job and one row', async () => {
    const requestId = randomUUID();
    const first = await enqueue(record(requestId));
    const second = await enqueue(record(requestId));
    expect(second.id).toBe(first.id);
    await settled(first);
    // Give a duplicate run every chance to happen before counting.
    await new Promise((r) => setTimeout(r, 300));
    expect(await rows(requestId)).toHaveLength(1);
  });

  it('a replay of a recorded request under a new job id is a no-op in MySQL', async () => {
    const requestId = randomUUID();
    const original = await settled(await enqueue(record(requestId)));
    expect(original.returnvalue).toEqual({ written: true });

    const replay = await settled(await enqueue({ ...record(requestId), promptTokens: 999 }, `${requestId}-replay`));
    expect(replay.returnvalue).toEqual({ written: false });
    expect(await rows(requestId)).toEqual([expect.objectContaining({ requestId, promptTokens: 11 })]);
  });
});
