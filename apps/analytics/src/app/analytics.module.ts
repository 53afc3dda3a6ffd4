import type { AppEnv } from '@aisbf/platform-config';
import { createPingController, MessagingModule, NATS_CONNECTION, PING_CHECKS } from '@aisbf/platform-messaging';
import type { AppLogger } from '@aisbf/platform-observability';
import { PrismaModule, PrismaService } from '@aisbf/platform-prisma';
import { RedisModule, RedisService } from '@aisbf/platform-redis';
import { HealthController, READINESS_CHECKS, SERVICE_IDENTITY } from '@aisbf/platform-service';
import { type DynamicModule, Module } from '@nestjs/common';
import type { NatsConnection } from 'nats';
import { DecisionIngestWorker } from './decisions/decision-ingest.worker';
import { DecisionRepository } from './decisions/decision.repository';
import { ENV, LOGGER } from './tokens';
import { UsageIngestWorker } from './usage/usage-ingest.worker';
import { UsageRepository } from './usage/usage.repository';

@Module({})
export class AnalyticsModule {
  static forRoot(env: AppEnv, logger: AppLogger): DynamicModule {
    const checks = (prisma: PrismaService, redis: RedisService, nc: NatsConnection) => async () => ({
      mysql: await prisma.ping(),
      redis: await redis.ping(),
      nats: !nc.isClosed(),
    });
    const inject = [PrismaService, RedisService, NATS_CONNECTION];
    return {
      module: AnalyticsModule,
      imports: [
        MessagingModule.forRoot(env, (err, where) => logger.warn({ err, where }, 'messaging error')),
        RedisModule.forRoot(env),
        PrismaModule.forRoot(env),
      ],
      controllers: [HealthController, createPingController('analytics', env.instanceId)],
      providers: [
        { provide: ENV, useValue: env },
        { provide: LOGGER, useValue: logger },
        { provide: SERVICE_IDENTITY, useValue: { service: env.service, instanceId: env.instanceId } },
        { provide: READINESS_CHECKS, useFactory: checks, inject },
        { provide: PING_CHECKS, useFactory: checks, inject },
        UsageRepository,
        UsageIngestWorker,
        DecisionRepository,
        DecisionIngestWorker,
      ],
    };
  }
}
