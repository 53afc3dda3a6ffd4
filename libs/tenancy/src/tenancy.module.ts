import type { AppEnv } from '@aisbf/platform-config';
import type { AppLogger } from '@aisbf/platform-observability';
import { PrismaService } from '@aisbf/platform-prisma';
import { type DynamicModule, Global, Module } from '@nestjs/common';
import { SecretBox, SecretKeyError } from './secret-box';
import { checkSecretKey } from './secret-key.check';
import { UserRouteStore } from './user-route.store';

/** The SecretBox (null when the service does not handle secrets, or no key is configured). */
export const SECRET_BOX = Symbol('SECRET_BOX');

export interface TenancyModuleOptions {
  /** The service reads or writes provider secrets (run `verifySecretKey` before starting it). */
  secrets: boolean;
  logger: AppLogger;
}

/**
 * Start-up check for services that handle provider secrets, run before the service opens any other connection: fails
 * with a message naming AISBF_SECRET_KEY when encrypted rows exist and the key is missing or another one. A database
 * without the tables (not migrated yet) holds no secrets; one that cannot be reached is logged and start-up goes on
 * (global routes do not need MySQL; a user provider then fails closed, its secrets cannot be read).
 */
export async function verifySecretKey(env: AppEnv, logger: AppLogger): Promise<void> {
  const prisma = new PrismaService(env, { connectionLimit: 1 });
  try {
    await checkSecretKey(new UserRouteStore(prisma), env.secrets.key);
  } catch (err) {
    if (err instanceof SecretKeyError) throw err;
    if ((err as { code?: unknown }).code === 'P2021') return; // a table does not exist: no encrypted rows
    logger.warn({ err: (err as Error).message }, 'could not check AISBF_SECRET_KEY against the stored user routes (is MySQL reachable?)');
  } finally {
    await prisma.$disconnect();
  }
}

/** Provides `UserRouteStore` (needs `PrismaModule`) and, with `secrets`, the SecretBox of AISBF_SECRET_KEY. */
@Global()
@Module({})
export class TenancyModule {
  static forRoot(env: AppEnv, opts: TenancyModuleOptions): DynamicModule {
    const onInvalidRow = (info: { kind: string; userId: number; id: string; problem: string }) =>
      opts.logger.warn(info, 'a stored user route no longer validates against its schema; it is skipped');
    const box = opts.secrets && env.secrets.key ? new SecretBox(env.secrets.key) : null;
    return {
      module: TenancyModule,
      providers: [
        { provide: SECRET_BOX, useValue: box },
        {
          provide: UserRouteStore,
          useFactory: (prisma: PrismaService) => new UserRouteStore(prisma, box ?? undefined, onInvalidRow),
          inject: [PrismaService],
        },
      ],
      exports: [UserRouteStore, SECRET_BOX],
    };
  }
}
