import type { ProviderConfig, ProviderScope } from '@aisbf/contracts';
import type { GatewayConfig } from '@aisbf/platform-config';
import { AppError } from '@aisbf/platform-errors';
import { createAdapter, type ProviderAdapter } from '@aisbf/provider-adapters';
import { Inject, Injectable } from '@nestjs/common';
import { GATEWAY_CONFIG } from '../tokens';

/**
 * One adapter (one SDK client, one keep-alive connection pool) per provider, built lazily and reused for every call.
 * User-owned providers (from MySQL) join with the users issue.
 */
@Injectable()
export class AdapterPool {
  private readonly adapters = new Map<string, ProviderAdapter>();

  constructor(@Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig) {}

  get(scope: ProviderScope, providerId: string): ProviderAdapter {
    if (scope.kind !== 'global') {
      throw new AppError('ROUTE_NOT_FOUND', `User provider '${providerId}' not found`, { retryable: false });
    }
    const key = `global/${providerId}`;
    let adapter = this.adapters.get(key);
    if (!adapter) {
      const cfg: ProviderConfig | undefined = this.config.providers.providers[providerId];
      if (!cfg) throw new AppError('ROUTE_NOT_FOUND', `Provider '${providerId}' not found`, { retryable: false });
      adapter = createAdapter(providerId, cfg);
      this.adapters.set(key, adapter);
    }
    return adapter;
  }
}
