import { UsageRecordJobV1 } from '@aisbf/contracts';
import type { AppEnv } from '@aisbf/platform-config';
import type { AppLogger } from '@aisbf/platform-observability';
import { RedisService } from '@aisbf/platform-redis';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { ENV, LOGGER } from '../tokens';
import { UsageRepository } from './usage.repository';

/**
 * Consumes usage-record jobs and writes them through Prisma. A failed write (MySQL briefly gone) throws, so BullMQ
 * retries the job with the producer's exponential backoff; a malformed job is dropped as unrecoverable.
 */
@Injectable()
export class UsageIngestWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private worker?: Worker;
  /** Ours, not BullMQ's: a worker given a connection does not close it, so we do on shutdown. */
  private connection?: Redis;

  constructor(
    @Inject(RedisService) private readonly redis: RedisService,
    @Inject(UsageRepository) private readonly repo: UsageRepository,
    @Inject(ENV) private readonly env: AppEnv,
    @Inject(LOGGER) private readonly log: AppLogger,
  ) {}

  onApplicationBootstrap(): void {
    this.connection = this.redis.bullConnection();
    this.worker = new Worker(
      UsageRecordJobV1.queue,
      async (job) => {
        const parsed = UsageRecordJobV1.schema.safeParse(job.data);
        if (!parsed.success) throw new UnrecoverableError(`malformed usage record: ${parsed.error.issues[0]?.message ?? ''}`);
        const written = await this.repo.insertOnce(parsed.data);
        return { written };
      },
      { connection: this.connection, prefix: this.redis.bullPrefix, concurrency: 8 },
    );
    this.worker.on('failed', (job, err) =>
      this.log.warn({ requestId: job?.id, attemptsMade: job?.attemptsMade, err: err.message }, 'usage record write failed; will retry'),
    );
    this.worker.on('error', (err) => this.log.warn({ err: err.message }, 'usage worker error'));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.worker?.close();
    await this.connection?.quit().catch(() => this.connection?.disconnect());
  }
}
