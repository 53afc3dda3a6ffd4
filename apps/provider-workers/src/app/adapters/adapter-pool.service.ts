import { ConfigChangedV1, type ProviderConfig, type ProviderScope } from '@aisbf/contracts';
import type { AppEnv, GatewayConfig } from '@aisbf/platform-config';
import { AppError } from '@aisbf/platform-errors';
import { EventBus } from '@aisbf/platform-messaging';
import { RedisService } from '@aisbf/platform-redis';
import { type AdapterDeps, createAdapter, type ProviderAdapter } from '@aisbf/provider-adapters';
import { UserRouteStore } from '@aisbf/tenancy';
import { Inject, Injectable, type OnApplicationShutdown, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { ENV, GATEWAY_CONFIG } from '../tokens';
import { RedisPodActivity } from './redis-pod-activity';

interface UserAdapter {
  adapter: Promise<ProviderAdapter>;
  builtAt: number;
}

const closeQuietly = (a: Promise<ProviderAdapter> | ProviderAdapter) =>
  Promise.resolve(a)
    .then((x) => x.close?.())
    .catch(() => undefined);

/**
 * One adapter (one SDK client, one keep-alive connection pool) per provider, built lazily and reused for every call.
 * User providers are built from their MySQL row with the secrets decrypted; they are dropped when the user's routes
 * change (`evt.config.changed.v1`) or after the user-routes TTL, so an edited key is used at once.
 */
@Injectable()
export class AdapterPool implements OnModuleInit, OnModuleDestroy, OnApplicationShutdown {
  private readonly adapters = new Map<string, ProviderAdapter>();
  private readonly userAdapters = new Map<number, Map<string, UserAdapter>>();
  private readonly deps: AdapterDeps;
  private unsubscribe?: () => void;

  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    @Inject(UserRouteStore) private readonly store: UserRouteStore,
    @Inject(EventBus) private readonly bus: EventBus,
    @Inject(ENV) private readonly env: AppEnv,
    @Inject(RedisService) redis: RedisService,
  ) {
    this.deps = { podActivity: new RedisPodActivity(redis) };
  }

  onModuleInit(): void {
    this.unsubscribe = this.bus.subscribe(ConfigChangedV1, (e) => this.dropUser(e.userId));
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
  }

  async onApplicationShutdown(): Promise<void> {
    const user = [...this.userAdapters.values()].flatMap((m) => [...m.values()].map((u) => u.adapter));
    await Promise.all([...this.adapters.values(), ...user].map(closeQuietly));
  }

  async get(scope: ProviderScope, providerId: string): Promise<ProviderAdapter> {
    if (scope.kind === 'user') return this.userAdapter(scope.userId, providerId);
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

  private dropUser(userId: number): void {
    const mine = this.userAdapters.get(userId);
    this.userAdapters.delete(userId);
    for (const u of mine?.values() ?? []) void closeQuietly(u.adapter);
  }

  private userAdapter(userId: number, providerId: string): Promise<ProviderAdapter> {
    let mine = this.userAdapters.get(userId);
    const cached = mine?.get(providerId);
    if (cached && Date.now() - cached.builtAt < this.env.userRoutes.cacheTtlMs) return cached.adapter;
    if (cached) void closeQuietly(cached.adapter);
    const adapter = this.store
      .loadProviderWithSecrets(userId, providerId)
      .catch((err: unknown) => {
        if (err instanceof AppError) throw err;
        // Never the error itself in the message: a driver error may quote the row.
        throw new AppError('SERVICE_UNAVAILABLE', `User provider '${providerId}' cannot be loaded right now: ${(err as Error).name}`);
      })
      .then((cfg) => {
        if (!cfg) throw new AppError('ROUTE_NOT_FOUND', `User provider '${providerId}' not found`, { retryable: false });
        return createAdapter(providerId, cfg, this.deps);
      });
    const entry = { adapter, builtAt: Date.now() };
    if (!mine) this.userAdapters.set(userId, (mine = new Map()));
    mine.set(providerId, entry);
    // Failures (no such provider, MySQL down, no key) are not cached.
    adapter.catch(() => mine.get(providerId) === entry && mine.delete(providerId));
    return adapter;
  }
}
