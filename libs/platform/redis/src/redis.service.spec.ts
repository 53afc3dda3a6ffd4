import { loadEnv } from '@aisbf/platform-config';
import { RedisService } from './redis.service';

describe('RedisService', () => {
  it('prefixes every key and the BullMQ queues with the deployment prefix', () => {
    const redis = new RedisService(loadEnv('router', { AISBF_REDIS_PREFIX: 'aisbf:staging:' }), { lazyConnect: true });
    expect(redis.key('cooldown', 'openai-prod', 'gpt-4o')).toBe('aisbf:staging:cooldown:openai-prod:gpt-4o');
    expect(redis.bullPrefix).toBe('aisbf:staging:bull');
    redis.client.disconnect();
  });
});
