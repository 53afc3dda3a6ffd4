import type { AppEnv } from '@aisbf/platform-config';
import { createPingController, MessagingModule, NATS_CONNECTION, PING_CHECKS } from '@aisbf/platform-messaging';
import type { AppLogger } from '@aisbf/platform-observability';
import { RedisModule, RedisService } from '@aisbf/platform-redis';
import { HealthController, READINESS_CHECKS, SERVICE_IDENTITY } from '@aisbf/platform-service';
import { type DynamicModule, Module } from '@nestjs/common';
import type { NatsConnection } from 'nats';

/**
 * The CoderAI broker service. In this build it joins the mesh (NATS ping, health, Redis for worker sessions); the
 * worker websocket registration and dispatch come with the CoderAI broker work.
 */
@Module({})
export class BrokerModule {
  static forRoot(env: AppEnv, logger: AppLogger): DynamicModule {
    const checks = (redis: RedisService, nc: NatsConnection) => async () => ({ redis: await redis.ping(), nats: !nc.isClosed() });
    return {
      module: BrokerModule,
      imports: [MessagingModule.forRoot(env, (err, where) => logger.warn({ err, where }, 'messaging error')), RedisModule.forRoot(env)],
      controllers: [HealthController, createPingController('broker', env.instanceId)],
      providers: [
        { provide: SERVICE_IDENTITY, useValue: { service: env.service, instanceId: env.instanceId } },
        { provide: READINESS_CHECKS, useFactory: checks, inject: [RedisService, NATS_CONNECTION] },
        { provide: PING_CHECKS, useFactory: checks, inject: [RedisService, NATS_CONNECTION] },
      ],
    };
  }
}
