import type { AppEnv, GatewayConfig } from '@aisbf/platform-config';
import { MessagingModule } from '@aisbf/platform-messaging';
import type { AppLogger } from '@aisbf/platform-observability';
import { PrismaModule } from '@aisbf/platform-prisma';
import { RedisModule } from '@aisbf/platform-redis';
import { type DynamicModule, Module } from '@nestjs/common';
import { AuthGuard } from './auth/auth.guard';
import { Authenticator } from './auth/authenticator.service';
import { ChatForwarder } from './chat/chat-forwarder.service';
import { ChatController } from './chat/chat.controller';
import { EdgeHealthController } from './health/edge-health.controller';
import { ModelsController } from './models/models.controller';
import { ProviderStateController } from './provider-state/provider-state.controller';
import { RotationsController } from './rotations/rotations.controller';
import { ENV, GATEWAY_CONFIG, LOGGER } from './tokens';

@Module({})
export class EdgeModule {
  static forRoot(env: AppEnv, config: GatewayConfig, logger: AppLogger): DynamicModule {
    return {
      module: EdgeModule,
      imports: [
        MessagingModule.forRoot(env, (err, where) => logger.warn({ err, where }, 'messaging error')),
        RedisModule.forRoot(env),
        PrismaModule.forRoot(env),
      ],
      controllers: [EdgeHealthController, ModelsController, ChatController, RotationsController, ProviderStateController],
      providers: [
        { provide: ENV, useValue: env },
        { provide: LOGGER, useValue: logger },
        { provide: GATEWAY_CONFIG, useValue: config },
        Authenticator,
        AuthGuard,
        ChatForwarder,
      ],
    };
  }
}
