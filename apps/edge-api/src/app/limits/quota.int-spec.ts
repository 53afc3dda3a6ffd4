// Tier quotas on the real Redis: atomic admission per UTC day and month, token counting, and 429 messages that name
// the quota and its reset time.
import { loadEnv } from '@aisbf/platform-config';
import { RedisService } from '@aisbf/platform-redis';
import { clearRedisPrefix, testRedisPrefix } from '@aisbf/testing';
import type { TierLimits } from '../auth/token-identity';
import { periods, QuotaService } from './quota.service';

const prefix = testRedisPrefix('quota');
const redis = new RedisService(loadEnv('edge-api', { AISBF_REDIS_PREFIX: prefix, REDIS_URL: process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379' }));
const quotas = new QuotaService(redis);
const tier = (l: Partial<TierLimits>): TierLimits => ({
  id: 1,
  name: 'free',
  requestsPerDay: null,
  requestsPerMonth: null,
  tokensPerDay: null,
  tokensPerMonth: null,
  requestsPerMinute: null,
  ...l,
});

afterAll(async () => {
  await clearRedisPrefix(prefix);
  await redis.close();
});

it('admits requests up to the daily limit, then names the quota and when it resets', async () => {
  const t = tier({ requestsPerDay: 2 });
  await quotas.admit(1, t);
  await quotas.admit(1, t);
  const err = await quotas.admit(1, t).catch((e) => e);
  expect(err).toMatchObject({ code: 'QUOTA_EXCEEDED' });
  expect(err.message).toBe(`Quota requests_per_day exceeded: tier 'free' allows 2 requests per day (used 2); it resets at ${periods().dayEnds.toISOString()}.`);
  expect(err.extras.retryAfterMs).toBeGreaterThan(0);
  // Other users have their own counters.
  await quotas.admit(2, t);
});

it('admits concurrent requests exactly up to the limit (atomic across replicas)', async () => {
  const t = tier({ requestsPerMonth: 5 });
  const results = await Promise.allSettled(Array.from({ length: 12 }, () => quotas.admit(3, t)));
  expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(5);
  expect((results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason.message).toMatch(/^Quota requests_per_month exceeded/);
});

it('counts tokens after the fact: the request that crosses the limit completes, the next is refused', async () => {
  const t = tier({ tokensPerDay: 100 });
  await quotas.admit(4, t);
  await quotas.addTokens(4, 150);
  const err = await quotas.admit(4, t).catch((e) => e);
  expect(err.message).toMatch(/^Quota tokens_per_day exceeded: tier 'free' allows 100 tokens per day \(used 150\)/);
  expect(await quotas.usage(4, t)).toEqual([
    { name: 'requests_per_day', limit: null, used: 1, resets_at: periods().dayEnds.toISOString() },
    { name: 'requests_per_month', limit: null, used: 1, resets_at: periods().monthEnds.toISOString() },
    { name: 'tokens_per_day', limit: 100, used: 150, resets_at: periods().dayEnds.toISOString() },
    { name: 'tokens_per_month', limit: null, used: 150, resets_at: periods().monthEnds.toISOString() },
  ]);
});

it('a limit of 0 means not permitted; no tier means no limits', async () => {
  await expect(quotas.admit(5, tier({ requestsPerDay: 0 }))).rejects.toThrow("Quota requests_per_day of tier 'free' is 0: requests are not permitted on this tier.");
  await quotas.admit(5, null);
});

it('periods are UTC days and months', () => {
  const p = periods(new Date('2026-12-31T23:59:59Z'));
  expect(p).toMatchObject({ day: '20261231', month: '202612' });
  expect(p.dayEnds.toISOString()).toBe('2027-01-01T00:00:00.000Z');
  expect(p.monthEnds.toISOString()).toBe('2027-01-01T00:00:00.000Z');
});
