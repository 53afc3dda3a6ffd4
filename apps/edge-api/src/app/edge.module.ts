import type { AppEnv, GatewayConfig } from '@aisbf/platform-config';
import { MessagingModule } from '@aisbf/platform-messaging';
import type { AppLogger } from '@aisbf/platform-observability';
import { PrismaModule } from '@aisbf/platform-prisma';
import { RedisModule } from '@aisbf/platform-redis';
import { TenancyModule } from '@aisbf/tenancy';
import { type DynamicModule, Module } from '@nestjs/common';
import { AdminTiersController } from './admin/admin-tiers.controller';
import { AdminUsersController } from './admin/admin-users.controller';
import { AuthGuard } from './auth/auth.guard';
import { AutoselectController } from './autoselect/autoselect.controller';
import { AdminDecisionsController } from './decisions/admin-decisions.controller';
import { Authenticator } from './auth/authenticator.service';
import { ChatForwarder } from './chat/chat-forwarder.service';
import { ChatController } from './chat/chat.controller';
import { EdgeHealthController } from './health/edge-health.controller';
import { QuotaService } from './limits/quota.service';
import { RateLimiter } from './limits/rate-limiter.service';
import { ModelsController } from './models/models.controller';
import { ProviderStateController } from './provider-state/provider-state.controller';
import { RotationsController } from './rotations/rotations.controller';
import { OpenApiController } from './openapi/openapi.controller';
import { UserRoutesService } from './routes/user-routes.service';
import { SelfTokensController } from './self/self-tokens.controller';
import { UserAutoselectsController, UserProviderModelsController, UserProvidersController, UserRotationsController } from './self/user-routes.controller';
import { UserScopedController } from './self/user-scoped.controller';
import { ENV, GATEWAY_CONFIG, LOGGER } from './tokens';
import { TiersService } from './users/tiers.service';
import { TokensService } from './users/tokens.service';
import { UsersService } from './users/users.service';

/** Every HTTP controller of edge-api (also what the OpenAPI coverage test checks). */
export const EDGE_CONTROLLERS = [
  EdgeHealthController,
  OpenApiController,
  ModelsController,
  ChatController,
  RotationsController,
  AutoselectController,
  ProviderStateController,
  AdminDecisionsController,
  AdminUsersController,
  AdminTiersController,
  SelfTokensController,
  UserProviderModelsController,
  UserProvidersController,
  UserRotationsController,
  UserAutoselectsController,
  UserScopedController,
];

@Module({})
export class EdgeModule {
  static forRoot(env: AppEnv, config: GatewayConfig, logger: AppLogger): DynamicModule {
    return {
      module: EdgeModule,
      imports: [
        MessagingModule.forRoot(env, (err, where) => logger.warn({ err, where }, 'messaging error')),
        RedisModule.forRoot(env),
        PrismaModule.forRoot(env),
        TenancyModule.forRoot(env, { secrets: true, logger }),
      ],
      controllers: EDGE_CONTROLLERS,
      providers: [
        { provide: ENV, useValue: env },
        { provide: LOGGER, useValue: logger },
        { provide: GATEWAY_CONFIG, useValue: config },
        Authenticator,
        AuthGuard,
        RateLimiter,
        QuotaService,
        ChatForwarder,
        UsersService,
        TokensService,
        TiersService,
        UserRoutesService,
      ],
    };
  }
}
