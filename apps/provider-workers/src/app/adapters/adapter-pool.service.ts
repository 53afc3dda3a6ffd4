import type { ProviderConfig, ProviderScope } from '@aisbf/contracts';
import type { GatewayConfig } from '@aisbf/platform-config';
import { AppError } from '@aisbf/platform-errors';
import { RedisService } from '@aisbf/platform-redis';
import { type AdapterDeps, createAdapter, type ProviderAdapter } from '@aisbf/provider-adapters';
import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { GATEWAY_CONFIG } from '../tokens';
import { RedisPodActivity } from './redis-pod-activity';

/**
 * One adapter (one SDK client, one keep-alive connection pool) per provider, built lazily and reused for every call.
 * User-owned providers (from MySQL) join with the users issue.
 */
@Injectable()
export class AdapterPool implements OnApplicationShutdown {
  private readonly adapters = new Map<string, ProviderAdapter>();
  private readonly deps: AdapterDeps;

  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    @Inject(RedisService) redis: RedisService,
  ) {
    this.deps = { podActivity: new RedisPodActivity(redis) };
  }

  get(scope: ProviderScope, providerId: string): ProviderAdapter {
    if (scope.kind !== 'global') {
      throw new AppError('ROUTE_NOT_FOUND', `User provider '${providerId}' not found`, { retryable: false });
    }
    const key = `global/${providerId}`;
    let adapter = this.adapters.get(key);
    if (!adapter) {
      const cfg: ProviderConfig | undefined = this.config.providers.providers[providerId];
      if (!cfg) throw new AppError('ROUTE_NOT_FOUND', `Provider '${providerId}' not found`, { retryable: false });
      adapter = createAdapter(providerId, cfg, this.deps);
      this.adapters.set(key, adapter);
    }
    return adapter;
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([...this.adapters.values()].map((a) => a.close?.().catch(() => undefined)));
  }
}
