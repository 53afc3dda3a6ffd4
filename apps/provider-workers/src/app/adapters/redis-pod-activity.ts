import type { PodActivityStore } from '@aisbf/provider-adapters';
import type { RedisService } from '@aisbf/platform-redis';

/** Keeps the later of the stored and the given time (replicas touch the same pod concurrently). */
const TOUCH_MAX = `local v = redis.call('GET', KEYS[1])
if (not v) or tonumber(v) < tonumber(ARGV[1]) then redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2]) end
return 1`;

/**
 * RunPod pod last-use times in Redis (`<prefix>runpod:pod-activity:<provider>:<pod>`), so the idle watcher of every
 * provider-workers replica sees the traffic of all of them and no replica stops a pod another one is using.
 */
export class RedisPodActivity implements PodActivityStore {
  constructor(private readonly redis: RedisService) {}

  private key(podKey: string): string {
    return this.redis.key('runpod', 'pod-activity', podKey);
  }

  async touch(podKey: string, at: number): Promise<void> {
    await this.redis.client.eval(TOUCH_MAX, 1, this.key(podKey), String(at), String(7 * 86_400));
  }

  async lastUsed(podKey: string): Promise<number | undefined> {
    const v = await this.redis.client.get(this.key(podKey));
    return v === null ? undefined : Number(v);
  }
}
