export { RedisService } from './redis.service';
export { RedisModule } from './redis.module';
export { DurableJobQueue } from './durable-job-queue';
export type { JobQueueLog } from './durable-job-queue';
