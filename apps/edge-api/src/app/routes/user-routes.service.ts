import {
  ConfigChangedV1,
  CreateUserAutoselectBodySchema,
  CreateUserProviderBodySchema,
  CreateUserRotationBodySchema,
  ProviderModelsV1,
  RouteIdSchema,
  type RouteView,
  type UpstreamModelEntry,
} from '@aisbf/contracts';
import type { AppEnv } from '@aisbf/platform-config';
import { AppError } from '@aisbf/platform-errors';
import { EventBus, MessagingClient } from '@aisbf/platform-messaging';
import { formatModelName } from '@aisbf/routing';
import { schemaOf, type StoredUserRoute, UserRouteStore, type UserRouteKind } from '@aisbf/tenancy';
import { Inject, Injectable } from '@nestjs/common';
import { firstValueFrom, timeout } from 'rxjs';
import { parseBody } from '../http/validation';
import { ENV } from '../tokens';

const FETCH_MODELS_TIMEOUT_MS = 30_000;

/** POST bodies: the config entry plus the new route's `id`. */
export const CREATE_SCHEMAS = {
  provider: CreateUserProviderBodySchema,
  rotation: CreateUserRotationBodySchema,
  autoselect: CreateUserAutoselectBodySchema,
} as const;

/** The model names a route is called by in chat (what `/models` lists for it). */
export function modelIdsOf(route: StoredUserRoute): string[] {
  if (route.kind === 'provider') {
    const models = Array.isArray(route.config['models']) ? (route.config['models'] as Array<{ name?: unknown }>) : [];
    return models.filter((m) => typeof m?.name === 'string').map((m) => formatModelName({ kind: 'provider', scope: 'user', providerId: route.id, model: m.name as string }));
  }
  return [formatModelName({ kind: route.kind, scope: 'user', id: route.id })];
}

export function routeView(route: StoredUserRoute): RouteView {
  return {
    id: route.id,
    model_ids: modelIdsOf(route),
    config: UserRouteStore.masked(route),
    created_at: route.createdAt.toISOString(),
    updated_at: route.updatedAt.toISOString(),
  };
}

/**
 * A user's providers, rotations and autoselects: bodies checked by the config-file schemas (errors name the field),
 * stored through UserRouteStore (secrets encrypted), and every change announced so routers and provider-workers
 * reload the user's routes. Every operation is scoped by the owner: another user's id is simply not found.
 */
@Injectable()
export class UserRoutesService {
  constructor(
    @Inject(UserRouteStore) private readonly store: UserRouteStore,
    @Inject(EventBus) private readonly bus: EventBus,
    @Inject(MessagingClient) private readonly messaging: MessagingClient,
    @Inject(ENV) private readonly env: AppEnv,
  ) {}

  async list(userId: number, kind: UserRouteKind): Promise<RouteView[]> {
    return (await this.store.list(userId, kind)).map(routeView);
  }

  async get(userId: number, kind: UserRouteKind, id: string): Promise<RouteView> {
    const route = await this.store.get(userId, kind, id);
    if (!route) throw this.store.notFound(kind, id);
    return routeView(route);
  }

  /** POST: the body is the config entry plus its `id`; an existing id is a CONFLICT. */
  async create(userId: number, kind: UserRouteKind, body: unknown): Promise<RouteView> {
    const { id } = parseBody(CREATE_SCHEMAS[kind], body, kind) as { id: string };
    const { id: _id, ...config } = body as Record<string, unknown>;
    const { route } = await this.store.save(userId, kind, id, config, 'create');
    this.announce(userId, kind, id);
    return routeView(route);
  }

  /** PUT: create or replace; the body is the config entry (a provider's optional `id` must match the path). */
  async put(userId: number, kind: UserRouteKind, id: string, body: unknown): Promise<{ view: RouteView; created: boolean }> {
    const r = RouteIdSchema.safeParse(id);
    if (!r.success) throw new AppError('INVALID_REQUEST', `Invalid ${kind} id '${id}': ${r.error.issues[0]?.message}`, { retryable: false, param: 'id' });
    const config = this.parseConfig(kind, body, id);
    const { route, created } = await this.store.save(userId, kind, id, config, 'upsert');
    this.announce(userId, kind, id);
    return { view: routeView(route), created };
  }

  async remove(userId: number, kind: UserRouteKind, id: string): Promise<void> {
    if (!(await this.store.remove(userId, kind, id))) throw this.store.notFound(kind, id);
    this.announce(userId, kind, id);
  }

  /** What the provider's upstream lists right now (asked through provider-workers, which hold the key). */
  async fetchModels(userId: number, providerId: string): Promise<UpstreamModelEntry[]> {
    if (!(await this.store.get(userId, 'provider', providerId))) throw this.store.notFound('provider', providerId);
    const reply = await firstValueFrom(
      this.messaging
        .request(ProviderModelsV1, { scope: { kind: 'user', userId }, providerId, timeoutMs: FETCH_MODELS_TIMEOUT_MS })
        .pipe(timeout(FETCH_MODELS_TIMEOUT_MS + this.env.timeouts.ackMs)),
    ).catch((err: unknown) => {
      if (err instanceof AppError) throw err;
      throw new AppError('SERVICE_UNAVAILABLE', 'provider-workers did not answer the model listing in time');
    });
    return reply.data;
  }

  /** The body as sent, checked by the kind's schema; `id` (only a provider entry may carry one) must match the path. */
  private parseConfig(kind: UserRouteKind, body: unknown, id: string): Record<string, unknown> {
    const given = body && typeof body === 'object' ? (body as Record<string, unknown>)['id'] : undefined;
    if (given !== undefined && kind === 'provider' && given !== id) {
      throw new AppError('INVALID_REQUEST', `Invalid provider config: id: "${String(given)}" differs from the id in the path "${id}"`, { retryable: false, param: 'id' });
    }
    parseBody(schemaOf(kind), body, `${kind} config`);
    const { id: _id, ...config } = body as Record<string, unknown>;
    return config;
  }

  private announce(userId: number, kind: UserRouteKind, id: string): void {
    this.bus.publish(ConfigChangedV1, { scope: 'user', userId, kind, id });
  }
}
