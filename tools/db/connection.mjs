// DATABASE_URL parsing and MariaDB/MySQL connections for the migration tools (tools/db/migrate.mjs).
//
// Accepts the same URL shape as Prisma: mysql://user:password@host:port/database?socket=/path&connect_timeout=5
// (`mariadb://` is accepted too). User and password are percent-decoded, as Prisma does.
import mariadb from 'mariadb';

export const DEFAULT_DATABASE_URL = 'mysql://root@127.0.0.1:3306/aisbf';

/**
 * @param {string} url
 * @returns {{ host: string, port: number, user: string, password: string, database: string,
 *             socketPath?: string, connectTimeoutMs: number }}
 */
export function parseDatabaseUrl(url) {
  let parsed;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`DATABASE_URL is not a valid URL (expected mysql://user:password@host:3306/database)`);
  }
  if (parsed.protocol !== 'mysql:' && parsed.protocol !== 'mariadb:') {
    throw new Error(`DATABASE_URL must start with mysql:// or mariadb:// (got ${parsed.protocol}//)`);
  }
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  if (!database || database.includes('/')) {
    throw new Error(`DATABASE_URL must name a database, e.g. mysql://root@127.0.0.1:3306/aisbf`);
  }
  const connectTimeout = Number(parsed.searchParams.get('connect_timeout') ?? '10');
  return {
    host: parsed.hostname || '127.0.0.1',
    port: parsed.port ? Number(parsed.port) : 3306,
    user: decodeURIComponent(parsed.username || 'root'),
    password: decodeURIComponent(parsed.password || ''),
    database,
    socketPath: parsed.searchParams.get('socket') ?? undefined,
    connectTimeoutMs: Number.isFinite(connectTimeout) && connectTimeout > 0 ? connectTimeout * 1000 : 10_000,
  };
}

/** The same URL with another database name (used for scratch and per-test databases). */
export function withDatabase(url, database) {
  const parsed = new URL(url);
  parsed.pathname = '/' + encodeURIComponent(database);
  return parsed.toString();
}

/** A short description for logs, without the password. */
export function describeTarget(cfg) {
  return `${cfg.database} on ${cfg.socketPath ?? `${cfg.host}:${cfg.port}`}`;
}

/**
 * Opens ONE connection (not a pool): named locks (GET_LOCK) belong to the connection that took them, so the whole
 * deploy must run on a single connection. No database is selected; callers `USE` it once it is known to exist.
 */
export async function connectServer(cfg) {
  return mariadb.createConnection({
    host: cfg.host,
    port: cfg.port,
    socketPath: cfg.socketPath,
    user: cfg.user,
    password: cfg.password,
    connectTimeout: cfg.connectTimeoutMs,
    // Migration files contain several statements; the server splits them (so BEGIN…END bodies are fine too).
    multipleStatements: true,
    // information_schema counters come back as BigInt otherwise.
    bigIntAsNumber: true,
    // Needed to log in to MySQL 8 (caching_sha2_password) without TLS, the usual local/dev setup.
    allowPublicKeyRetrieval: true,
  });
}

/** Quotes an identifier for MySQL: `name`, with embedded backticks doubled. */
export function quoteIdent(name) {
  return '`' + String(name).replace(/`/g, '``') + '`';
}
