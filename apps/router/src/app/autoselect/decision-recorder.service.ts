import { RouteDecisionJobV1, type RouteDecisionRecord } from '@aisbf/contracts';
import type { AppLogger } from '@aisbf/platform-observability';
import { DurableJobQueue, RedisService } from '@aisbf/platform-redis';
import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { LOGGER } from '../tokens';

/**
 * Enqueues the audit record of each autoselect decision (BullMQ queue `decisions`, durable in Redis); analytics writes
 * it to MySQL (`RouteDecision`). The job id is the record's request id, so a duplicate is a no-op. Never awaited on the
 * request path: `record` does not throw.
 */
@Injectable()
export class DecisionRecorder implements OnApplicationShutdown {
  private readonly jobs: DurableJobQueue<typeof RouteDecisionJobV1>;

  constructor(@Inject(RedisService) redis: RedisService, @Inject(LOGGER) log: AppLogger) {
    this.jobs = new DurableJobQueue(redis, RouteDecisionJobV1, log);
  }

  async record(rec: RouteDecisionRecord): Promise<void> {
    await this.jobs.enqueue(rec, rec.requestId);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.jobs.close();
  }
}
