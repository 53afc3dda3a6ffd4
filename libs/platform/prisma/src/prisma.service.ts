import type { AppEnv } from '@aisbf/platform-config';
import { PrismaMariaDb } from '@prisma/adapter-mariadb';
import { PrismaClient } from './generated/client';

/** `mysql://…` (what operators and Prisma tooling use) as the `mariadb://…` URI the driver expects. */
export function driverUrl(url: string): string {
  return url.replace(/^mysql:\/\//, 'mariadb://');
}

/** Prisma 7 client over the MariaDB driver adapter (works for MySQL and MariaDB). */
export class PrismaService extends PrismaClient {
  constructor(env: Pick<AppEnv, 'database'>, opts: { connectionLimit?: number } = {}) {
    const url = new URL(driverUrl(env.database.url));
    if (opts.connectionLimit && !url.searchParams.has('connectionLimit')) url.searchParams.set('connectionLimit', String(opts.connectionLimit));
    super({ adapter: new PrismaMariaDb(url.toString()) });
  }

  async ping(timeoutMs = 1500): Promise<boolean> {
    try {
      await Promise.race([this.$queryRawUnsafe('SELECT 1'), new Promise<never>((_, rej) => setTimeout(() => rej(new Error('timeout')), timeoutMs))]);
      return true;
    } catch {
      return false;
    }
  }
}
