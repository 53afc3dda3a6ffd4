// The autoselect audit, durable half: analytics (in-process, real module) consumes decision records from BullMQ and
// writes one RouteDecision row per request id; a replay (same job id, or the same request id under another job) stays
// one row, and a malformed record is dropped as unrecoverable instead of being retried forever.
import { RouteDecisionJobV1, type RouteDecisionRecord } from '@aisbf/contracts';
import { loadEnv } from '@aisbf/platform-config';
import { createLogger } from '@aisbf/platform-observability';
import type { ServiceApp } from '@aisbf/platform-service';
import { eventually } from '@aisbf/testing';
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

function record(requestId: string): RouteDecisionRecord {
  return {
    requestId,
    caller: 'user:alice',
    userId: 7,
    autoselect: 'user-autoselect/engineering',
    outcome: 'routed',
    privacy: 'private',
    privacyRules: ['secret.aws_key', 'pii.email'],
    privacyClassifier: null,
    failClosed: false,
    nsfw: 'off',
    candidates: {
      configured: ['user-rotation/coding', 'user-rotation/private'],
      stages: [{ stage: 'privacy', remaining: ['user-rotation/private'], removed: [{ id: 'user-rotation/coding', reason: 'not-privacy-marked' }] }],
      fallback: { id: 'user-rotation/coding', allowed: false, reason: 'fallback-not-privacy-marked' },
    },
    selection: { route: null, via: 'only-candidate', answer: null, cached: false, reason: 'one-candidate' },
    routeChosen: 'user-rotation/private',
    order: ['user-rotation/private'],
    routeTaken: 'user-rotation/private',
    escalation: [],
    errorCode: null,
    decisionMs: 3,
    header: 'privacy=private(secret.aws_key,pii.email);nsfw=off;candidates=1;selected=user-rotation/private;via=only-candidate',
    notes: ['selection_model internal: choice by priority (user autoselects have no internal model)'],
    createdAt: Date.now(),
  };
}

describe('analytics decision ingest: one RouteDecision row per request id', () => {
  const runId = `${process.pid}_${randomBytes(3).toString('hex')}`;
  const dbName = `aisbf_t_${runId}_decisions`;
  const redisPrefix = `aisbf:int_${runId}:`;
  let app: ServiceApp;
  let queue: Queue;
  let redis: Redis;
  let db: mariadb.Connection;

  const rows = async (requestId: string) => (await db.query('SELECT * FROM `RouteDecision` WHERE `requestId` = ?', [requestId])) as Array<Record<string, unknown>>;
  const enqueue = (rec: unknown, jobId: string) => queue.add(RouteDecisionJobV1.name, rec, { jobId, attempts: 3, backoff: { type: 'fixed', delay: 100 } });
  const finished = (job: Job, state: 'completed' | 'failed') =>
    eventually(
      async () => {
        expect(await job.getState()).toBe(state);
        return (await queue.getJob(job.id!))!;
      },
      { timeoutMs: 20_000, intervalMs: 100 },
    );

  beforeAll(async () => {
    const server = new URL(SERVER_URL.replace(/^(mysql|mariadb):/, 'http:'));
    server.pathname = `/${dbName}`;
    const direct = server.toString().replace(/^http:/, 'mysql:');
    execFileSync(process.execPath, [join(ROOT, 'tools/db/migrate.mjs'), 'deploy'], { cwd: ROOT, env: { ...process.env, DATABASE_URL: direct }, stdio: 'pipe' });
    db = await mariadb.createConnection({ host: server.hostname, port: Number(server.port || 3306), user: decodeURIComponent(server.username || 'root'), password: decodeURIComponent(server.password), database: dbName });
    const env = loadEnv('analytics', {
      ...process.env,
      DATABASE_URL: direct,
      REDIS_URL,
      AISBF_REDIS_PREFIX: redisPrefix,
      AISBF_NATS_PREFIX: `aisbf.int_${runId}`,
      AISBF_HOST: '127.0.0.1',
      AISBF_HEALTH_PORT: '0',
      LOG_LEVEL: 'silent',
    });
    app = await startAnalytics(env, createLogger('analytics', env.logLevel));
    redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
    queue = new Queue(RouteDecisionJobV1.queue, { connection: redis, prefix: `${redisPrefix}bull` });
  });

  afterAll(async () => {
    await app?.close();
    await queue?.close();
    if (redis) {
      const keys = await redis.keys(`${redisPrefix}*`);
      if (keys.length) await redis.del(...keys);
      await redis.quit();
    }
    await db?.query(`DROP DATABASE IF EXISTS \`${dbName}\``);
    await db?.end();
  });

  it('writes the record, and a replay under another job id stays one row', async () => {
    const requestId = randomUUID();
    const first = await finished(await enqueue(record(requestId), requestId), 'completed');
    expect(first.returnvalue).toEqual({ written: true });
    const replay = await finished(await enqueue(record(requestId), `${requestId}-replay`), 'completed');
    expect(replay.returnvalue).toEqual({ written: false });
    const r = await rows(requestId);
    expect(r).toHaveLength(1);
    expect(r[0]).toMatchObject({ autoselect: 'user-autoselect/engineering', outcome: 'routed', privacy: 'private', routeTaken: 'user-rotation/private', selectionVia: 'only-candidate', userId: 7 });
    const rules = r[0]!['privacyRules'];
    expect(typeof rules === 'string' ? JSON.parse(rules) : rules).toEqual(['secret.aws_key', 'pii.email']);
  });

  it('drops a malformed record without retrying it', async () => {
    const requestId = randomUUID();
    const job = await finished(await enqueue({ ...record(requestId), privacy: 'maybe' }, requestId), 'failed');
    expect(job.attemptsMade).toBe(1);
    expect(job.failedReason).toMatch(/malformed decision record/);
    expect(await rows(requestId)).toHaveLength(0);
  });
});
