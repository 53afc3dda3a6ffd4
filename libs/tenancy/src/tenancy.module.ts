import type { AppEnv } from '@aisbf/platform-config';
import type { AppLogger } from '@aisbf/platform-observability';
import { PrismaService } from '@aisbf/platform-prisma';
import { type DynamicModule, Global, Module } from '@nestjs/common';
import type { SecretBox } from './secret-box';
import { checkSecretKey } from './secret-key.check';
import { UserRouteStore } from './user-route.store';

/** The SecretBox (null when the service does not handle secrets, or no key is configured and none is needed). */
export const SECRET_BOX = Symbol('SECRET_BOX');

export interface TenancyModuleOptions {
  /** The service reads or writes provider secrets: check AISBF_SECRET_KEY against the stored rows at start-up. */
  secrets: boolean;
  logger: AppLogger;
}

/** Provides `UserRouteStore` (needs `PrismaModule`). With `secrets`, start-up fails clearly on a missing/wrong key. */
@Global()
@Module({})
export class TenancyModule {
  static forRoot(env: AppEnv, opts: TenancyModuleOptions): DynamicModule {
    const onInvalidRow = (info: { kind: string; userId: number; id: string; problem: string }) =>
      opts.logger.warn(info, 'a stored user route no longer validates against its schema; it is skipped');
    return {
      module: TenancyModule,
      providers: [
        {
          provide: SECRET_BOX,
          useFactory: async (prisma: PrismaService): Promise<SecretBox | null> =>
            opts.secrets ? ((await checkSecretKey(new UserRouteStore(prisma), env.secrets.key)) ?? null) : null,
          inject: [PrismaService],
        },
        {
          provide: UserRouteStore,
          useFactory: (prisma: PrismaService, box: SecretBox | null) => new UserRouteStore(prisma, box ?? undefined, onInvalidRow),
          inject: [PrismaService, SECRET_BOX],
        },
      ],
      exports: [UserRouteStore, SECRET_BOX],
    };
  }
}
