import { ConfigChangedV1, type ProviderConfig, type ProviderScope } from '@aisbf/contracts';
import type { AppEnv, GatewayConfig } from '@aisbf/platform-config';
import { AppError } from '@aisbf/platform-errors';
import { EventBus } from '@aisbf/platform-messaging';
import { createAdapter, type ProviderAdapter } from '@aisbf/provider-adapters';
import { UserRouteStore } from '@aisbf/tenancy';
import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { ENV, GATEWAY_CONFIG } from '../tokens';

interface UserAdapter {
  adapter: Promise<ProviderAdapter>;
  builtAt: number;
}

/**
 * One adapter (one SDK client, one keep-alive connection pool) per provider, built lazily and reused for every call.
 * User providers are built from their MySQL row with the secrets decrypted; they are dropped when the user's routes
 * change (`evt.config.changed.v1`) or after the user-routes TTL, so an edited key is used at once.
 */
@Injectable()
export class AdapterPool implements OnModuleInit, OnModuleDestroy {
  private readonly adapters = new Map<string, ProviderAdapter>();
  private readonly userAdapters = new Map<number, Map<string, UserAdapter>>();
  private unsubscribe?: () => void;

  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    @Inject(UserRouteStore) private readonly store: UserRouteStore,
    @Inject(EventBus) private readonly bus: EventBus,
    @Inject(ENV) private readonly env: AppEnv,
  ) {}

  onModuleInit(): void {
    this.unsubscribe = this.bus.subscribe(ConfigChangedV1, (e) => void this.userAdapters.delete(e.userId));
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
  }

  async get(scope: ProviderScope, providerId: string): Promise<ProviderAdapter> {
    if (scope.kind === 'user') return this.userAdapter(scope.userId, providerId);
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

  private userAdapter(userId: number, providerId: string): Promise<ProviderAdapter> {
    let mine = this.userAdapters.get(userId);
    const cached = mine?.get(providerId);
    if (cached && Date.now() - cached.builtAt < this.env.userRoutes.cacheTtlMs) return cached.adapter;
    const adapter = this.store
      .loadProviderWithSecrets(userId, providerId)
      .catch((err: unknown) => {
        if (err instanceof AppError) throw err;
        // Never the error itself in the message: a driver error may quote the row.
        throw new AppError('SERVICE_UNAVAILABLE', `User provider '${providerId}' cannot be loaded right now: ${(err as Error).name}`);
      })
      .then((cfg) => {
        if (!cfg) throw new AppError('ROUTE_NOT_FOUND', `User provider '${providerId}' not found`, { retryable: false });
        return createAdapter(providerId, cfg);
      });
    const entry = { adapter, builtAt: Date.now() };
    if (!mine) this.userAdapters.set(userId, (mine = new Map()));
    mine.set(providerId, entry);
    // Failures (no such provider, MySQL down, no key) are not cached.
    adapter.catch(() => mine.get(providerId) === entry && mine.delete(providerId));
    return adapter;
  }
}
