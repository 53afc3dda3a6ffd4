import { AppError } from '@aisbf/platform-errors';
import { RedisService } from '@aisbf/platform-redis';
import { Inject, Injectable } from '@nestjs/common';
import type { TierLimits } from '../auth/token-identity';

export type QuotaName = 'requests_per_day' | 'requests_per_month' | 'tokens_per_day' | 'tokens_per_month';

export interface QuotaUsage {
  name: QuotaName;
  limit: number | null;
  used: number;
  resets_at: string;
}

/** UTC periods: the day and the month a quota counts in, and when they end. */
export function periods(now = new Date()): { day: string; month: string; dayEnds: Date; monthEnds: Date } {
  const y = now.getUTCFullYear();
  const m = now.getUTCMonth();
  const d = now.getUTCDate();
  const pad = (n: number) => String(n).padStart(2, '0');
  return {
    day: `${y}${pad(m + 1)}${pad(d)}`,
    month: `${y}${pad(m + 1)}`,
    dayEnds: new Date(Date.UTC(y, m, d + 1)),
    monthEnds: new Date(Date.UTC(y, m + 1, 1)),
  };
}

const ORDER: QuotaName[] = ['requests_per_day', 'requests_per_month', 'tokens_per_day', 'tokens_per_month'];

/**
 * Checks every limit, then counts the request, atomically (so replicas cannot both take the last request).
 * KEYS: requests/day, requests/month, tokens/day, tokens/month. ARGV: the four limits (-1 = unlimited), then the
 * day and month key lifetimes (seconds). Returns 0 when admitted, else the 1-based index of the exhausted quota.
 */
const ADMIT = `
for i = 1, 4 do
  local limit = tonumber(ARGV[i])
  if limit >= 0 and tonumber(redis.call('GET', KEYS[i]) or '0') >= limit then return {i, tonumber(redis.call('GET', KEYS[i]) or '0')} end
end
if redis.call('INCR', KEYS[1]) == 1 then redis.call('EXPIRE', KEYS[1], ARGV[5]) end
if redis.call('INCR', KEYS[2]) == 1 then redis.call('EXPIRE', KEYS[2], ARGV[6]) end
return {0, 0}
`;

const ADD_TOKENS = `
if redis.call('INCRBY', KEYS[1], ARGV[1]) == tonumber(ARGV[1]) then redis.call('EXPIRE', KEYS[1], ARGV[2]) end
if redis.call('INCRBY', KEYS[2], ARGV[1]) == tonumber(ARGV[1]) then redis.call('EXPIRE', KEYS[2], ARGV[3]) end
return 1
`;

/**
 * A user's tier quotas: requests and tokens per UTC day and month, counted in Redis across replicas. A chat request
 * is admitted (and counted) only while every quota has room; its tokens are added when it finishes, so the request
 * that crosses a token quota completes and the next one is refused. 429 names the quota and when it resets.
 */
@Injectable()
export class QuotaService {
  constructor(@Inject(RedisService) private readonly redis: RedisService) {}

  private keys(userId: number, now: Date) {
    const p = periods(now);
    const k = (what: string, period: string) => this.redis.key('quota', 'user', userId, what, period);
    return { p, keys: [k('requests', p.day), k('requests', p.month), k('tokens', p.day), k('tokens', p.month)] };
  }

  private static limits(tier: TierLimits | null): Array<number | null> {
    return tier ? [tier.requestsPerDay, tier.requestsPerMonth, tier.tokensPerDay, tier.tokensPerMonth] : [null, null, null, null];
  }

  private static ttl(until: Date, now: Date): number {
    return Math.ceil((until.getTime() - now.getTime()) / 1000) + 3600;
  }

  /** Counts one request of the user (always, so usage shows even without limits), or throws QUOTA_EXCEEDED. */
  async admit(userId: number, tier: TierLimits | null): Promise<void> {
    const limits = QuotaService.limits(tier);
    const now = new Date();
    const { p, keys } = this.keys(userId, now);
    const [exhausted, used] = (await this.redis.client.eval(
      ADMIT,
      4,
      ...keys,
      ...limits.map((l) => (l === null ? -1 : l)),
      QuotaService.ttl(p.dayEnds, now),
      QuotaService.ttl(p.monthEnds, now),
    )) as [number, number];
    if (exhausted === 0) return;
    const name = ORDER[exhausted - 1]!;
    const tierName = tier?.name ?? '';
    const limit = limits[exhausted - 1]!;
    const resetsAt = name.endsWith('_day') ? p.dayEnds : p.monthEnds;
    const [what, per] = name.split('_per_') as [string, string];
    const message =
      limit === 0
        ? `Quota ${name} of tier '${tierName}' is 0: ${what} are not permitted on this tier.`
        : `Quota ${name} exceeded: tier '${tierName}' allows ${limit} ${what} per ${per} (used ${used}); it resets at ${resetsAt.toISOString()}.`;
    throw new AppError('QUOTA_EXCEEDED', message, { retryable: false, retryAfterMs: Math.max(1000, resetsAt.getTime() - now.getTime()) });
  }

  async addTokens(userId: number, tokens: number): Promise<void> {
    if (tokens <= 0) return;
    const now = new Date();
    const { p, keys } = this.keys(userId, now);
    await this.redis.client.eval(ADD_TOKENS, 2, keys[2]!, keys[3]!, Math.round(tokens), QuotaService.ttl(p.dayEnds, now), QuotaService.ttl(p.monthEnds, now));
  }

  async usage(userId: number, tier: TierLimits | null): Promise<QuotaUsage[]> {
    const now = new Date();
    const { p, keys } = this.keys(userId, now);
    const values = await this.redis.client.mget(...keys);
    const limits = QuotaService.limits(tier);
    return ORDER.map((name, i) => ({
      name,
      limit: limits[i]!,
      used: Number(values[i] ?? 0),
      resets_at: (name.endsWith('_day') ? p.dayEnds : p.monthEnds).toISOString(),
    }));
  }
}
