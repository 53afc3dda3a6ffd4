import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { Redis } from 'ioredis';
import mariadb from 'mariadb';

const ROOT = resolve(__dirname, '../../../..');

export interface TestDatabase {
  name: string;
  /** mysql:// URL of the database (same server, user and password as DATABASE_URL). */
  url: string;
  /** Drops the database. */
  drop(): Promise<void>;
}

/**
 * A fresh database on DATABASE_URL's server (default 127.0.0.1:3306, root), migrated with the repository's migrations
 * (`tools/db/migrate.mjs deploy`), for one integration-test run. Call `drop()` in afterAll.
 */
export async function createTestDatabase(label = 'int'): Promise<TestDatabase> {
  const server = new URL(process.env['DATABASE_URL'] ?? 'mysql://root@127.0.0.1:3306/aisbf');
  const name = `aisbf_${label}_${process.pid}_${randomBytes(3).toString('hex')}`.slice(0, 64);
  const url = new URL(server.toString());
  url.pathname = `/${name}`;
  await new Promise<void>((res, rej) => {
    const p = spawn(process.execPath, [join(ROOT, 'tools/db/migrate.mjs'), 'deploy', '--url', url.toString()], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (out += d));
    p.on('exit', (code) => (code === 0 ? res() : rej(new Error(`migrate deploy failed (${code}):\n${out}`))));
  });
  return {
    name,
    url: url.toString(),
    drop: async () => {
      const conn = await mariadb.createConnection({
        host: server.hostname,
        port: Number(server.port || 3306),
        user: decodeURIComponent(server.username || 'root'),
        password: decodeURIComponent(server.password || ''),
      });
      try {
        await conn.query(`DROP DATABASE IF EXISTS \`${name}\``);
      } finally {
        await conn.end();
      }
    },
  };
}

/** REDIS_URL and NATS_URL of the machine the tests run on (defaults: 127.0.0.1). */
export function testServiceUrls(): { redisUrl: string; natsUrl: string } {
  return { redisUrl: process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379', natsUrl: process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222' };
}

/** A Redis key prefix nobody else uses, for one test run (see `clearRedisPrefix`). */
export function testRedisPrefix(label = 'int'): string {
  return `aisbf:${label}_${process.pid}_${randomBytes(3).toString('hex')}:`;
}

/** Deletes every key under `prefix` (REDIS_URL's server, default 127.0.0.1:6379). */
export async function clearRedisPrefix(prefix: string): Promise<void> {
  const redis = new Redis(testServiceUrls().redisUrl, { maxRetriesPerRequest: 2 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
