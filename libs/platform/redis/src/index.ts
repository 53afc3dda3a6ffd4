export { RedisService } from './redis.service';
export { RedisModule } from './redis.module';
