import type { AppEnv } from '@aisbf/platform-config';
import { Redis, type RedisOptions } from 'ioredis';

/**
 * The shared Redis connection with the deployment's key prefix (`AISBF_REDIS_PREFIX`, default `aisbf:`). Keys are
 * built with `key()` so every key this code base writes is prefixed and listed in docs/redis-keys.md.
 */
export class RedisService {
  readonly client: Redis;

  constructor(
    private readonly env: AppEnv,
    options: RedisOptions = {},
  ) {
    this.client = new Redis(env.redis.url, { lazyConnect: false, maxRetriesPerRequest: 2, enableReadyCheck: true, ...options });
    // Errors surface through commands and readiness checks; an unhandled 'error' event would crash the process.
    this.client.on('error', () => undefined);
  }

  get prefix(): string {
    return this.env.redis.prefix;
  }

  key(...parts: Array<string | number>): string {
    return this.env.redis.prefix + parts.join(':');
  }

  /** A separate connection for BullMQ (workers need `maxRetriesPerRequest: null`); BullMQ gets `bullPrefix` instead. */
  bullConnection(): Redis {
    const c = new Redis(this.env.redis.url, { maxRetriesPerRequest: null, enableReadyCheck: true });
    c.on('error', () => undefined);
    return c;
  }

  /** BullMQ key prefix: `<prefix>bull`, e.g. `aisbf:bull`. */
  get bullPrefix(): string {
    return `${this.env.redis.prefix}bull`;
  }

  async ping(timeoutMs = 1000): Promise<boolean> {
    try {
      const r = await Promise.race([this.client.ping(), new Promise<never>((_, rej) => setTimeout(() => rej(new Error('timeout')), timeoutMs))]);
      return r === 'PONG';
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    this.client.disconnect();
  }
}
