import { RouteDecisionJobV1 } from '@aisbf/contracts';
import type { AppLogger } from '@aisbf/platform-observability';
import { RedisService } from '@aisbf/platform-redis';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { LOGGER } from '../tokens';
import { DecisionRepository } from './decision.repository';

/**
 * Consumes autoselect decision records (the router enqueues one per autoselect request) and writes them through Prisma.
 * A failed write throws, so BullMQ retries with the producer's backoff; a malformed job is dropped as unrecoverable.
 */
@Injectable()
export class DecisionIngestWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private worker?: Worker;
  private connection?: Redis;

  constructor(
    @Inject(RedisService) private readonly redis: RedisService,
    @Inject(DecisionRepository) private readonly repo: DecisionRepository,
    @Inject(LOGGER) private readonly log: AppLogger,
  ) {}

  onApplicationBootstrap(): void {
    this.connection = this.redis.bullConnection();
    this.worker = new Worker(
      RouteDecisionJobV1.queue,
      async (job) => {
        const parsed = RouteDecisionJobV1.schema.safeParse(job.data);
        if (!parsed.success) throw new UnrecoverableError(`malformed decision record: ${parsed.error.issues[0]?.message ?? ''}`);
        return { written: await this.repo.insertOnce(parsed.data) };
      },
      { connection: this.connection, prefix: this.redis.bullPrefix, concurrency: 4 },
    );
    this.worker.on('failed', (job, err) => this.log.warn({ requestId: job?.id, attemptsMade: job?.attemptsMade, err: err.message }, 'decision record write failed; will retry'));
    this.worker.on('error', (err) => this.log.warn({ err: err.message }, 'decision worker error'));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.worker?.close();
    await this.connection?.quit().catch(() => this.connection?.disconnect());
  }
}
