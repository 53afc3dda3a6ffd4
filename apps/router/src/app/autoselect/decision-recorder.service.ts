import { RouteDecisionJobV1, type RouteDecisionRecord } from '@aisbf/contracts';
import type { AppLogger } from '@aisbf/platform-observability';
import { RedisService } from '@aisbf/platform-redis';
import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { LOGGER } from '../tokens';

/**
 * Enqueues the audit record of each autoselect decision (BullMQ queue `decisions`, durable in Redis); analytics writes
 * it to MySQL (`RouteDecision`). The job id is the record's request id, so a duplicate is a no-op. Never awaited on the
 * request path: `record` does not throw.
 */
@Injectable()
export class DecisionRecorder implements OnApplicationShutdown {
  private readonly queue: Queue;
  private readonly connection: Redis;

  constructor(
    @Inject(RedisService) redis: RedisService,
    @Inject(LOGGER) private readonly log: AppLogger,
  ) {
    this.connection = redis.bullConnection();
    this.queue = new Queue(RouteDecisionJobV1.queue, { connection: this.connection, prefix: redis.bullPrefix });
    this.queue.on('error', (err) => this.log.warn({ err: err.message }, 'decisions queue connection error'));
  }

  async record(rec: RouteDecisionRecord): Promise<void> {
    const parsed = RouteDecisionJobV1.schema.safeParse(rec);
    if (!parsed.success) {
      this.log.error({ requestId: rec.requestId, issue: parsed.error.issues[0] }, 'decision record does not match its schema; not recorded');
      return;
    }
    try {
      await this.queue.add(RouteDecisionJobV1.name, parsed.data, {
        jobId: parsed.data.requestId,
        attempts: 15,
        backoff: { type: 'exponential', delay: 1000 },
        removeOnComplete: { count: 1000 },
        removeOnFail: { count: 10000 },
      });
    } catch (err) {
      this.log.error({ err: (err as Error).message, requestId: parsed.data.requestId }, 'could not enqueue decision record');
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.queue.close();
    await this.connection.quit().catch(() => this.connection.disconnect());
  }
}
