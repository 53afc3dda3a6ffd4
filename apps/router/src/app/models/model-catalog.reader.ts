import { ModelCatalogEntrySchema, modelCatalogKey } from '@aisbf/contracts';
import type { AppLogger } from '@aisbf/platform-observability';
import { RedisService } from '@aisbf/platform-redis';
import type { ModelCatalog } from '@aisbf/routing';
import { Inject, Injectable } from '@nestjs/common';
import { LOGGER } from '../tokens';

const READ_TIMEOUT_MS = 500;

/**
 * Reads the live model catalog provider-workers keeps in Redis (one MGET). Listing never waits on an upstream; if
 * Redis itself is slow or down, the listing goes on with the configured values only.
 */
@Injectable()
export class ModelCatalogReader {
  constructor(
    @Inject(RedisService) private readonly redis: RedisService,
    @Inject(LOGGER) private readonly log: AppLogger,
  ) {}

  async read(providerIds: string[]): Promise<ModelCatalog> {
    if (providerIds.length === 0) return {};
    const keys = providerIds.map((id) => this.redis.key(...modelCatalogKey('global', id)));
    let timer: NodeJS.Timeout | undefined;
    try {
      const values = await Promise.race([
        this.redis.client.mget(...keys),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error('timeout')), READ_TIMEOUT_MS);
        }),
      ]);
      const out: ModelCatalog = {};
      values.forEach((raw, i) => {
        if (!raw) return;
        try {
          const parsed = ModelCatalogEntrySchema.safeParse(JSON.parse(raw));
          if (parsed.success) out[providerIds[i]!] = parsed.data;
        } catch {
          /* a corrupt entry is ignored until the next refresh overwrites it */
        }
      });
      return out;
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'model catalog unavailable; listing configured models only');
      return {};
    } finally {
      clearTimeout(timer);
    }
  }
}
