import { AppError } from '@aisbf/platform-errors';
import { RedisService } from '@aisbf/platform-redis';
import { Inject, Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';

const WINDOW_MS = 60_000;

/**
 * Sliding one-minute window per token, in Redis (one sorted set per token), so the limit holds across every
 * edge-api replica. Redis's own clock is used, so replicas with skewed clocks agree.
 * Returns [allowed (1|0), count, retryAfterMs].
 */
const SLIDING_WINDOW = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local n = redis.call('ZCARD', KEYS[1])
if n >= limit then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  local retry = window
  if oldest[2] then retry = tonumber(oldest[2]) + window - now end
  return {0, n, retry}
end
redis.call('ZADD', KEYS[1], now, now .. '-' .. ARGV[3])
redis.call('PEXPIRE', KEYS[1], window)
return {1, n + 1, 0}
`;

/** The per-token client rate limit (requests per minute, from the user's tier). */
@Injectable()
export class RateLimiter {
  constructor(@Inject(RedisService) private readonly redis: RedisService) {}

  /** Counts one request of `tokenId`, or throws RATE_LIMITED (429 with Retry-After) when the minute is full. */
  async hit(tokenId: number, perMinute: number, tierName: string): Promise<void> {
    if (perMinute <= 0) {
      throw new AppError('RATE_LIMITED', `Tier '${tierName}' allows no API requests (requests_per_minute is 0).`, { retryable: false });
    }
    const [allowed, , retryMs] = (await this.redis.client.eval(
      SLIDING_WINDOW,
      1,
      this.redis.key('ratelimit', 'token', tokenId),
      WINDOW_MS,
      perMinute,
      randomBytes(6).toString('hex'),
    )) as [number, number, number];
    if (allowed === 1) return;
    throw new AppError(
      'RATE_LIMITED',
      `Rate limit reached: tier '${tierName}' allows ${perMinute} requests per minute per token; retry in ${Math.max(1, Math.ceil(retryMs / 1000))} s.`,
      { retryable: false, retryAfterMs: Math.max(1, retryMs) },
    );
  }
}
