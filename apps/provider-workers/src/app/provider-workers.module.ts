import type { AppEnv, GatewayConfig } from '@aisbf/platform-config';
import { createPingController, MessagingModule, NATS_CONNECTION, PING_CHECKS } from '@aisbf/platform-messaging';
import type { AppLogger } from '@aisbf/platform-observability';
import { RedisModule } from '@aisbf/platform-redis';
import { PrismaModule } from '@aisbf/platform-prisma';
import { TenancyModule } from '@aisbf/tenancy';
import { HealthController, READINESS_CHECKS, SERVICE_IDENTITY } from '@aisbf/platform-service';
import { type DynamicModule, Module } from '@nestjs/common';
import type { NatsConnection } from 'nats';
import { AdapterPool } from './adapters/adapter-pool.service';
import { ProviderChatHandler } from './chat/provider-chat.handler';
import { ModelCatalogService } from './models/model-catalog.service';
import { ProviderModelsHandler } from './models/provider-models.handler';
import { ENV, GATEWAY_CONFIG, LOGGER } from './tokens';

@Module({})
export class ProviderWorkersModule {
  static forRoot(env: AppEnv, config: GatewayConfig, logger: AppLogger): DynamicModule {
    const checks = (nc: NatsConnection) => async () => ({ nats: !nc.isClosed() });
    return {
      module: ProviderWorkersModule,
      imports: [
        MessagingModule.forRoot(env, (err, where) => logger.warn({ err, where }, 'messaging error')),
        RedisModule.forRoot(env),
        // User providers: rows from MySQL, secrets decrypted with AISBF_SECRET_KEY (checked at start-up).
        PrismaModule.forRoot(env),
        TenancyModule.forRoot(env, { secrets: true, logger }),
      ],
      controllers: [ProviderChatHandler, ProviderModelsHandler, HealthController, createPingController('provider-workers', env.instanceId)],
      providers: [
        { provide: ENV, useValue: env },
        { provide: LOGGER, useValue: logger },
        { provide: GATEWAY_CONFIG, useValue: config },
        { provide: SERVICE_IDENTITY, useValue: { service: env.service, instanceId: env.instanceId } },
        { provide: READINESS_CHECKS, useFactory: checks, inject: [NATS_CONNECTION] },
        { provide: PING_CHECKS, useFactory: checks, inject: [NATS_CONNECTION] },
        AdapterPool,
        ModelCatalogService,
      ],
    };
  }
}
