import { UsageRecordJobV1, type UsageRecordJob } from '@aisbf/contracts';
import { RedisService } from '@aisbf/platform-redis';
import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { AppLogger } from '@aisbf/platform-observability';
import { LOGGER } from '../tokens';

/**
 * Enqueues one usage record per finished request (BullMQ, durable in Redis). analytics writes it to MySQL; the job id
 * is the request id, so a duplicate enqueue is a no-op, and the job is retried with exponential backoff while MySQL is
 * unavailable.
 */
@Injectable()
export class UsageRecorder implements OnApplicationShutdown {
  private readonly queue: Queue;
  /** Ours, not BullMQ's: a queue given a connection does not close it, so we do on shutdown. */
  private readonly connection: Redis;

  constructor(
    @Inject(RedisService) redis: RedisService,
    @Inject(LOGGER) private readonly log: AppLogger,
  ) {
    this.connection = redis.bullConnection();
    this.queue = new Queue(UsageRecordJobV1.queue, { connection: this.connection, prefix: redis.bullPrefix });
    this.queue.on('error', (err) => this.log.warn({ err: err.message }, 'usage queue connection error'));
  }

  async record(rec: UsageRecordJob): Promise<void> {
    const data = UsageRecordJobV1.schema.parse(rec);
    try {
      await this.queue.add(UsageRecordJobV1.name, data, {
        jobId: data.requestId,
        attempts: 15,
        backoff: { type: 'exponential', delay: 1000 },
        removeOnComplete: { count: 1000 },
        removeOnFail: { count: 10000 },
      });
    } catch (err) {
      // Redis is down: the record is lost for analytics; say so loudly (the request itself has been answered).
      this.log.error({ err: (err as Error).message, requestId: data.requestId }, 'could not enqueue usage record');
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.queue.close();
    await this.connection.quit().catch(() => this.connection.disconnect());
  }
}
