import { type ModelCatalogEntry, ModelCatalogEntrySchema, modelCatalogKey, ModelCatalogRefreshJobV1 } from '@aisbf/contracts';
import type { AppEnv, GatewayConfig } from '@aisbf/platform-config';
import { AppError } from '@aisbf/platform-errors';
import type { AppLogger } from '@aisbf/platform-observability';
import { RedisService } from '@aisbf/platform-redis';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { Queue, Worker } from 'bullmq';
import { AdapterPool } from '../adapters/adapter-pool.service';
import { ENV, GATEWAY_CONFIG, LOGGER } from '../tokens';

const SCHEDULER_ID = 'model-catalog-refresh';

/**
 * Keeps each provider's live model list (`adapter.listModels`: ids, context sizes, capabilities) in Redis, refreshed
 * by a BullMQ job scheduler every `AISBF_MODEL_REFRESH_MS` (one schedule shared by all replicas) and once at start.
 * The router reads these entries when it lists models, so a listing never waits on a slow or dead upstream. A failed
 * refresh keeps the previous models and records the error.
 */
@Injectable()
export class ModelCatalogService implements OnApplicationBootstrap, OnApplicationShutdown {
  private queue?: Queue;
  private worker?: Worker;

  constructor(
    @Inject(RedisService) private readonly redis: RedisService,
    @Inject(AdapterPool) private readonly adapters: AdapterPool,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    @Inject(ENV) private readonly env: AppEnv,
    @Inject(LOGGER) private readonly log: AppLogger,
  ) {}

  onApplicationBootstrap(): void {
    const opts = { connection: this.redis.bullConnection(), prefix: this.redis.bullPrefix };
    this.queue = new Queue(ModelCatalogRefreshJobV1.queue, opts);
    this.queue.on('error', (err) => this.log.warn({ err: err.message }, 'model catalog queue connection error'));
    this.worker = new Worker(
      ModelCatalogRefreshJobV1.queue,
      async (job) => {
        const { providerId } = ModelCatalogRefreshJobV1.schema.parse(job.data);
        await this.refresh(providerId);
      },
      { connection: this.redis.bullConnection(), prefix: this.redis.bullPrefix, concurrency: 1 },
    );
    this.worker.on('error', (err) => this.log.warn({ err: err.message }, 'model catalog worker connection error'));
    // Not awaited: a Redis outage must not hold up the service (chat does not need Redis here).
    void this.schedule().catch((err: unknown) => this.log.warn({ err: (err as Error).message }, 'could not schedule the model catalog refresh'));
  }

  private async schedule(): Promise<void> {
    const { name } = ModelCatalogRefreshJobV1;
    if (this.env.models.refreshMs > 0) {
      await this.queue!.upsertJobScheduler(SCHEDULER_ID, { every: this.env.models.refreshMs }, { name, data: {}, opts: { removeOnComplete: { count: 10 }, removeOnFail: { count: 50 } } });
    }
    await this.queue!.add(name, {}, { jobId: `boot-${this.env.instanceId}-${Date.now()}`, removeOnComplete: true, removeOnFail: { count: 50 } });
  }

  /** Refreshes one provider, or every global provider. */
  async refresh(providerId?: string): Promise<void> {
    const ids = providerId ? [providerId] : Object.keys(this.config.providers.providers);
    await Promise.all(ids.map((id) => this.refreshOne(id)));
  }

  private key(providerId: string): string {
    return this.redis.key(...modelCatalogKey('global', providerId));
  }

  async read(providerId: string): Promise<ModelCatalogEntry | undefined> {
    const raw = await this.redis.client.get(this.key(providerId));
    const parsed = raw ? ModelCatalogEntrySchema.safeParse(JSON.parse(raw)) : undefined;
    return parsed?.success ? parsed.data : undefined;
  }

  private async refreshOne(providerId: string): Promise<void> {
    const ttlSeconds = Math.max(86_400, Math.ceil((3 * this.env.models.refreshMs) / 1000));
    let entry: ModelCatalogEntry;
    const signal = AbortSignal.timeout(this.env.models.listTimeoutMs);
    try {
      const adapter = await this.adapters.get({ kind: 'global' }, providerId);
      const models = await adapter.listModels(signal);
      entry = {
        providerId,
        fetchedAt: Date.now(),
        models: models.map((m) => ({
          id: m.id,
          ...(m.contextSize ? { contextSize: m.contextSize } : {}),
          ...(m.ownedBy ? { ownedBy: m.ownedBy } : {}),
          ...(m.created ? { created: m.created } : {}),
          ...(m.capabilities ? { capabilities: m.capabilities } : {}),
        })),
      };
    } catch (err) {
      const e = signal.aborted
        ? new AppError('TIMEOUT', `the upstream did not list its models within ${this.env.models.listTimeoutMs} ms`)
        : err instanceof AppError ? err : new AppError('UPSTREAM_UNAVAILABLE', 'model listing failed');
      this.log.warn({ providerId, code: e.code, err: e.message }, 'model catalog refresh failed; keeping the previous list');
      const previous = await this.read(providerId).catch(() => undefined);
      entry = { providerId, ...(previous?.fetchedAt ? { fetchedAt: previous.fetchedAt } : {}), models: previous?.models ?? [], error: { code: e.code, message: e.message, at: Date.now() } };
    }
    await this.redis.client.set(this.key(providerId), JSON.stringify(ModelCatalogEntrySchema.parse(entry)), 'EX', ttlSeconds);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.worker?.close();
    await this.queue?.close();
  }
}
