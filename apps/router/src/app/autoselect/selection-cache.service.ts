import type { AppLogger } from '@aisbf/platform-observability';
import { RedisService } from '@aisbf/platform-redis';
import type { SelectionCache } from '@aisbf/routing';
import { Inject, Injectable } from '@nestjs/common';
import { LOGGER } from '../tokens';

/** How long an identical selection (same selection route, same prompt) is remembered. */
export const SELECTION_CACHE_TTL_MS = 60_000;
/** A cache that does not answer quickly is a miss: the request never waits on Redis for this. */
const CACHE_TIMEOUT_MS = 250;

const within = <T>(p: Promise<T>, ms: number): Promise<T> =>
  new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('selection cache timeout')), ms);
    p.then(
      (v) => (clearTimeout(t), resolve(v)),
      (e: unknown) => (clearTimeout(t), reject(e)),
    );
  });

/**
 * Identical selections, shared by every router replica: `<prefix>autoselect:sel:<scope>:<sha256>` → the chosen route
 * id, for {@link SELECTION_CACHE_TTL_MS}. The scope (`g`, `u<userId>`) keeps users apart: user route ids repeat across
 * users. The hash covers the selection route and the exact prompt (candidates, descriptions, conversation). Redis
 * errors are misses.
 */
@Injectable()
export class SelectionCacheService {
  constructor(
    @Inject(RedisService) private readonly redis: RedisService,
    @Inject(LOGGER) private readonly log: AppLogger,
  ) {}

  forScope(scope: string): SelectionCache {
    const key = (k: string) => this.redis.key('autoselect', 'sel', scope, k.replace(/^autoselect:sel:/, ''));
    return {
      get: async (k) => {
        try {
          return (await within(this.redis.client.get(key(k)), CACHE_TIMEOUT_MS)) ?? undefined;
        } catch (err) {
          this.log.debug({ err: (err as Error).message }, 'selection cache read failed (a miss)');
          return undefined;
        }
      },
      set: async (k, routeId) => {
        try {
          await within(this.redis.client.set(key(k), routeId, 'PX', SELECTION_CACHE_TTL_MS), CACHE_TIMEOUT_MS);
        } catch (err) {
          this.log.debug({ err: (err as Error).message }, 'selection cache write failed');
        }
      },
    };
  }
}
