import { UsageRecordJobV1, type UsageRecordJob } from '@aisbf/contracts';
import type { AppLogger } from '@aisbf/platform-observability';
import { DurableJobQueue, RedisService } from '@aisbf/platform-redis';
import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { LOGGER } from '../tokens';

/**
 * Enqueues one usage record per finished request (BullMQ queue `usage`, durable in Redis). analytics writes it to
 * MySQL; the job id is the request id, so a duplicate enqueue is a no-op, and the job is retried with exponential
 * backoff while MySQL is unavailable. Never throws (a record that cannot be queued is logged).
 */
@Injectable()
export class UsageRecorder implements OnApplicationShutdown {
  private readonly jobs: DurableJobQueue<typeof UsageRecordJobV1>;

  constructor(@Inject(RedisService) redis: RedisService, @Inject(LOGGER) log: AppLogger) {
    this.jobs = new DurableJobQueue(redis, UsageRecordJobV1, log);
  }

  async record(rec: UsageRecordJob): Promise<void> {
    await this.jobs.enqueue(rec, rec.requestId);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.jobs.close();
  }
}
