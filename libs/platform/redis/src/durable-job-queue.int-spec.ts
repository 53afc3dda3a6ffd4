import { UsageRecordJobV1, type UsageRecordJob } from '@aisbf/contracts';
import { loadEnv } from '@aisbf/platform-config';
import { Queue } from 'bullmq';
import { randomBytes } from 'node:crypto';
import { DurableJobQueue } from './durable-job-queue';
import { RedisService } from './redis.service';

const record = (requestId: string): UsageRecordJob => ({
  requestId,
  caller: 'global:0',
  userId: null,
  tokenId: null,
  route: 'p/m',
  routeKind: 'provider',
  providerId: 'p',
  model: 'm',
  promptTokens: 1,
  completionTokens: 2,
  totalTokens: 3,
  latencyMs: 4,
  status: 'success',
  errorCode: null,
  attempts: 1,
  stream: false,
  createdAt: Date.now(),
});

describe('DurableJobQueue (real Redis)', () => {
  const prefix = `aisbf:int_${randomBytes(4).toString('hex')}:`;
  const redis = new RedisService(loadEnv('router', { ...process.env, AISBF_REDIS_PREFIX: prefix }));
  const logged: string[] = [];
  const log = { warn: (_f: object, m: string) => logged.push(m), error: (_f: object, m: string) => logged.push(m) };
  const jobs = new DurableJobQueue(redis, UsageRecordJobV1, log);
  const reader = new Queue(UsageRecordJobV1.queue, { connection: redis.bullConnection(), prefix: redis.bullPrefix });

  afterAll(async () => {
    await jobs.close();
    await reader.close();
    const keys = await redis.client.keys(`${prefix}*`);
    if (keys.length) await redis.client.del(...keys);
    await redis.close();
  });

  it('queues a valid record under its id, with retries, once per id', async () => {
    await expect(jobs.enqueue(record('r-1'), 'r-1')).resolves.toBe(true);
    await expect(jobs.enqueue(record('r-1'), 'r-1')).resolves.toBe(true); // duplicate id: BullMQ keeps the first
    const job = await reader.getJob('r-1');
    expect(job?.name).toBe(UsageRecordJobV1.name);
    expect(job?.data).toMatchObject({ requestId: 'r-1', totalTokens: 3 });
    expect(job?.opts).toMatchObject({ attempts: 15, backoff: { type: 'exponential', delay: 1000 } });
    expect(await reader.getJobCounts('waiting')).toEqual({ waiting: 1 });
  });

  it('refuses a record that does not match the contract, without throwing', async () => {
    await expect(jobs.enqueue({ ...record('r-2'), status: 'bogus' } as never, 'r-2')).resolves.toBe(false);
    expect(await reader.getJob('r-2')).toBeUndefined();
    expect(logged).toContain('job does not match its contract; not queued');
  });
});
