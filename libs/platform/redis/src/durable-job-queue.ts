import type { JobContract, JobOf } from '@aisbf/contracts';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { RedisService } from './redis.service';

/** The two log levels a queue needs (pino-compatible). */
export interface JobQueueLog {
  warn(fields: object, msg: string): void;
  error(fields: object, msg: string): void;
}

/**
 * A BullMQ producer for one job contract: payloads are validated against the contract, the job id makes a duplicate
 * enqueue a no-op, and failed jobs are retried with exponential backoff by the consumer's queue. `enqueue` never throws:
 * a record that cannot be queued (invalid, or Redis down) is logged and reported as `false`, because the request it
 * describes has already been answered.
 */
export class DurableJobQueue<C extends JobContract> {
  private readonly queue: Queue;
  /** Ours, not BullMQ's: a queue given a connection does not close it, so `close` does. */
  private readonly connection: Redis;

  constructor(
    redis: RedisService,
    private readonly contract: C,
    private readonly log: JobQueueLog,
  ) {
    this.connection = redis.bullConnection();
    this.queue = new Queue(contract.queue, { connection: this.connection, prefix: redis.bullPrefix });
    this.queue.on('error', (err) => this.log.warn({ err: err.message, queue: contract.queue }, 'job queue connection error'));
  }

  async enqueue(data: JobOf<C>, jobId: string): Promise<boolean> {
    const parsed = this.contract.schema.safeParse(data);
    if (!parsed.success) {
      this.log.error({ jobId, queue: this.contract.queue, issue: parsed.error.issues[0] }, 'job does not match its contract; not queued');
      return false;
    }
    try {
      await this.queue.add(this.contract.name, parsed.data, {
        jobId,
        attempts: 15,
        backoff: { type: 'exponential', delay: 1000 },
        removeOnComplete: { count: 1000 },
        removeOnFail: { count: 10000 },
      });
      return true;
    } catch (err) {
      this.log.error({ err: (err as Error).message, jobId, queue: this.contract.queue }, 'could not queue the job (is Redis down?)');
      return false;
    }
  }

  async close(): Promise<void> {
    await this.queue.close();
    await this.connection.quit().catch(() => this.connection.disconnect());
  }
}
