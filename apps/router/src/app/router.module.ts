import type { AppEnv, GatewayConfig } from '@aisbf/platform-config';
import { createPingController, MessagingModule, PING_CHECKS } from '@aisbf/platform-messaging';
import type { AppLogger } from '@aisbf/platform-observability';
import { PrismaModule } from '@aisbf/platform-prisma';
import { RedisModule, RedisService } from '@aisbf/platform-redis';
import { TenancyModule } from '@aisbf/tenancy';
import { HealthController, READINESS_CHECKS, SERVICE_IDENTITY } from '@aisbf/platform-service';
import { type DynamicModule, Module } from '@nestjs/common';
import { AutoselectExecutor } from './autoselect/autoselect-executor.service';
import { AutoselectsController } from './autoselect/autoselects.controller';
import { DecisionRecorder } from './autoselect/decision-recorder.service';
import { SelectionCacheService } from './autoselect/selection-cache.service';
import { ChatController } from './chat/chat.controller';
import { ChatUseCase } from './chat/chat.use-case';
import { ProviderCaller } from './chat/provider-caller.service';
import { RouteInventoryService } from './inventory/route-inventory.service';
import { ModelCatalogReader } from './models/model-catalog.reader';
import { ModelsController } from './models/models.controller';
import { ENV, GATEWAY_CONFIG, LOGGER } from './tokens';
import { UsageRecorder } from './usage/usage-recorder.service';
import { NATS_CONNECTION } from '@aisbf/platform-messaging';
import type { NatsConnection } from 'nats';
import type { Rng } from '@aisbf/routing';
import { AttemptRunner } from './rotation/attempt-runner.service';
import { RotationCatalog } from './rotation/rotation-catalog.service';
import { ROTATION_RNG, RotationExecutor } from './rotation/rotation-executor.service';
import { RotationsController } from './rotation/rotations.controller';
import { RouteDispatcher } from './rotation/route-dispatcher.service';
import { CandidateStateStore } from './rotation/state/candidate-state.store';

export interface RouterModuleOptions {
  /** Random source of rotation selection; tests pass a seeded one. */
  rng?: Rng;
}

@Module({})
export class RouterModule {
  static forRoot(env: AppEnv, config: GatewayConfig, logger: AppLogger, options: RouterModuleOptions = {}): DynamicModule {
    const checks = (redis: RedisService, nc: NatsConnection) => async () => ({ redis: await redis.ping(), nats: !nc.isClosed() });
    return {
      module: RouterModule,
      imports: [
        MessagingModule.forRoot(env, (err, where) => logger.warn({ err, where }, 'messaging error')),
        RedisModule.forRoot(env),
        // User routes (read without secrets: the router never needs a provider key).
        PrismaModule.forRoot(env),
        TenancyModule.forRoot(env, { secrets: false, logger }),
      ],
      controllers: [ChatController, ModelsController, RotationsController, AutoselectsController, HealthController, createPingController('router', env.instanceId)],
      providers: [
        { provide: ENV, useValue: env },
        { provide: LOGGER, useValue: logger },
        { provide: GATEWAY_CONFIG, useValue: config },
        { provide: SERVICE_IDENTITY, useValue: { service: env.service, instanceId: env.instanceId } },
        { provide: READINESS_CHECKS, useFactory: checks, inject: [RedisService, NATS_CONNECTION] },
        { provide: PING_CHECKS, useFactory: checks, inject: [RedisService, NATS_CONNECTION] },
        RouteInventoryService,
        ProviderCaller,
        UsageRecorder,
        { provide: ROTATION_RNG, useValue: options.rng ?? Math.random },
        CandidateStateStore,
        AttemptRunner,
        RotationExecutor,
        DecisionRecorder,
        SelectionCacheService,
        AutoselectExecutor,
        RouteDispatcher,
        RotationCatalog,
        ChatUseCase,
        ModelCatalogReader,
      ],
    };
  }
}
