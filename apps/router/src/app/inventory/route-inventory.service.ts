import { type Caller, ConfigChangedV1 } from '@aisbf/contracts';
import type { AppEnv, GatewayConfig } from '@aisbf/platform-config';
import { AppError } from '@aisbf/platform-errors';
import { EventBus } from '@aisbf/platform-messaging';
import type { AppLogger } from '@aisbf/platform-observability';
import type { RouteInventory, RouteSet } from '@aisbf/routing';
import { UserRouteStore } from '@aisbf/tenancy';
import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { ENV, GATEWAY_CONFIG, LOGGER } from '../tokens';

export const GLOBAL_ROUTES_DENIED =
  'Global routes are only available to admin users. Use your own routes: user-provider/<provider_id>/<model>, ' +
  'user-rotation/<id> or user-autoselect/<id> (GET /v1/models lists them).';

const MAX_CACHED_USERS = 10_000;

/**
 * The routes a caller may use. Global routes come from the config files. A user token adds that user's rows from
 * MySQL (cached per user; dropped on `evt.config.changed.v1`, so a change made through the API is used by every
 * replica's next request, with a TTL as a backstop for a missed event). Ordinary users do not see global routes.
 */
@Injectable()
export class RouteInventoryService implements OnModuleInit, OnModuleDestroy {
  private readonly global: RouteInventory;
  private readonly users = new Map<number, { routes: Promise<RouteSet>; loadedAt: number }>();
  private unsubscribe?: () => void;

  constructor(
    @Inject(GATEWAY_CONFIG) config: GatewayConfig,
    @Inject(UserRouteStore) private readonly store: UserRouteStore,
    @Inject(EventBus) private readonly bus: EventBus,
    @Inject(ENV) private readonly env: AppEnv,
    @Inject(LOGGER) private readonly log: AppLogger,
  ) {
    this.global = {
      providers: config.providers.providers,
      rotations: config.rotations.rotations,
      autoselects: config.autoselect,
    };
  }

  onModuleInit(): void {
    this.unsubscribe = this.bus.subscribe(ConfigChangedV1, (e) => this.invalidate(e.userId));
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
  }

  async forCaller(caller: Caller): Promise<RouteInventory> {
    if (caller.kind !== 'user' || caller.userId === undefined) return this.global;
    const user = await this.userRoutes(caller.userId);
    if (caller.isAdmin) return { ...this.global, user };
    return { providers: {}, rotations: {}, autoselects: {}, user, globalDenied: GLOBAL_ROUTES_DENIED };
  }

  /** Forget a user's routes; the next request loads them again. */
  invalidate(userId: number): void {
    this.users.delete(userId);
  }

  private userRoutes(userId: number): Promise<RouteSet> {
    const cached = this.users.get(userId);
    if (cached && Date.now() - cached.loadedAt < this.env.userRoutes.cacheTtlMs) return cached.routes;
    const routes = this.store.loadRouteSet(userId).catch((err: unknown) => {
      this.log.error({ err: (err as Error).message, userId }, 'could not load user routes');
      throw new AppError('SERVICE_UNAVAILABLE', 'Your routes cannot be loaded right now (database unavailable); retry shortly.');
    });
    const entry = { routes, loadedAt: Date.now() };
    this.users.delete(userId);
    this.users.set(userId, entry);
    if (this.users.size > MAX_CACHED_USERS) this.users.delete(this.users.keys().next().value!);
    // A failed load (MySQL down) is not cached.
    entry.routes.catch(() => this.users.get(userId) === entry && this.users.delete(userId));
    return entry.routes;
  }
}
