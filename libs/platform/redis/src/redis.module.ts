import type { AppEnv } from '@aisbf/platform-config';
import { type DynamicModule, Global, Inject, Injectable, Module, type OnApplicationShutdown } from '@nestjs/common';
import { RedisService } from './redis.service';

@Injectable()
class RedisLifecycle implements OnApplicationShutdown {
  constructor(@Inject(RedisService) private readonly redis: RedisService) {}
  async onApplicationShutdown(): Promise<void> {
    await this.redis.close();
  }
}

@Global()
@Module({})
export class RedisModule {
  static forRoot(env: AppEnv): DynamicModule {
    return {
      module: RedisModule,
      providers: [{ provide: RedisService, useFactory: () => new RedisService(env) }, RedisLifecycle],
      exports: [RedisService],
    };
  }
}
