// Migration runner for MySQL/MariaDB: `deploy`, `status`, `resolve` and `new`, the subset of `prisma migrate` we need.
//
// Why this exists: the Prisma CLI cannot download its schema engine here, and @prisma/schema-engine-wasm has no MySQL
// connector (see /work/shared/reference/stack-notes.md §2.3). So migrations are hand-written SQL files, laid out
// exactly like Prisma's (prisma/migrations/<yyyymmddHHMMSS>_<name>/migration.sql), and this runner applies them.
// Bookkeeping goes in Prisma's own `_prisma_migrations` table with Prisma's columns and checksum (sha256 hex of the
// file), so a real Prisma engine should be able to take over later (not verifiable here).
//
// Semantics (as `prisma migrate deploy`):
//  - pending migrations are applied in folder-name order, each file as one multi-statement query;
//  - a migration that failed (finished_at NULL, rolled_back_at NULL) blocks every later deploy until it is resolved
//    (`resolve --rolled-back <name>` to retry it, `resolve --applied <name>` if it was completed by hand);
//  - MySQL DDL auto-commits, so a failed migration may be left half-applied: fix the database by hand before resolving.
import { createHash, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { connectServer, DEFAULT_DATABASE_URL, describeTarget, parseDatabaseUrl, quoteIdent } from './connection.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = path.resolve(HERE, '../..');
export const DEFAULT_MIGRATIONS_DIR = path.join(REPO_ROOT, 'prisma/migrations');

export const MIGRATIONS_TABLE = '_prisma_migrations';

// Exactly the table `prisma migrate` creates on MySQL.
const CREATE_MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS ${MIGRATIONS_TABLE} (
    id                      VARCHAR(36) PRIMARY KEY NOT NULL,
    checksum                VARCHAR(64) NOT NULL,
    finished_at             DATETIME(3),
    migration_name          VARCHAR(255) NOT NULL,
    logs                    TEXT,
    rolled_back_at          DATETIME(3),
    started_at              DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    applied_steps_count     INTEGER UNSIGNED NOT NULL DEFAULT 0
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`;

/** Errors the CLI prints as a plain message (no stack): bad state, failed migration, lock timeout… */
export class MigrationError extends Error {
  constructor(message, { code, migration, cause } = {}) {
    super(message, { cause });
    this.name = 'MigrationError';
    this.code = code;
    this.migration = migration;
  }
}

const ER_EMPTY_QUERY = 1065; // "Query was empty": a migration.sql holding only comments.

// ---------------------------------------------------------------------------------------------------------------------
// Local migration folders

export function sha256Hex(bytes) {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Does a stored checksum match this file? Besides the exact bytes we also accept the file with its line endings
 * flipped (LF <-> CRLF), so a git checkout with autocrlf does not make every migration look edited.
 */
export function checksumMatches(stored, bytes) {
  if (stored === sha256Hex(bytes)) return true;
  const text = bytes.toString('utf8');
  const lf = text.replace(/\r\n/g, '\n');
  return stored === sha256Hex(Buffer.from(lf)) || stored === sha256Hex(Buffer.from(lf.replace(/\n/g, '\r\n')));
}

/**
 * Lists `<dir>/<name>/migration.sql`, sorted by folder name (the timestamp prefix makes that chronological).
 * @returns {Promise<Array<{ name: string, file: string, bytes: Buffer, checksum: string }>>}
 */
export async function readLocalMigrations(migrationsDir = DEFAULT_MIGRATIONS_DIR) {
  if (!existsSync(migrationsDir)) {
    throw new MigrationError(`Migrations directory ${migrationsDir} does not exist`, { code: 'NO_MIGRATIONS_DIR' });
  }
  await checkLockFile(migrationsDir);
  const entries = await readdir(migrationsDir, { withFileTypes: true });
  const names = entries
    .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
    .map((e) => e.name)
    .sort(); // plain code-unit order, like Prisma
  const migrations = [];
  for (const name of names) {
    const file = path.join(migrationsDir, name, 'migration.sql');
    if (!existsSync(file)) {
      throw new MigrationError(`Migration folder ${name} has no migration.sql`, {
        code: 'NO_MIGRATION_FILE',
        migration: name,
      });
    }
    const bytes = await readFile(file);
    migrations.push({ name, file, bytes, checksum: sha256Hex(bytes) });
  }
  return migrations;
}

/** migration_lock.toml, when present, must say provider = "mysql" (the files are MySQL DDL). */
async function checkLockFile(migrationsDir) {
  const lockFile = path.join(migrationsDir, 'migration_lock.toml');
  if (!existsSync(lockFile)) return;
  const match = /^\s*provider\s*=\s*"([^"]*)"/m.exec(await readFile(lockFile, 'utf8'));
  if (match && match[1] !== 'mysql') {
    throw new MigrationError(`${lockFile} says provider = "${match[1]}", but these tools only handle mysql`, {
      code: 'WRONG_PROVIDER',
    });
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// Database helpers

/** Name of the server-wide advisory lock for one database. MySQL limits lock names to 64 characters. */
export function lockNameFor(database) {
  const name = `prisma_migrate:${database}`;
  return name.length <= 64 ? name : `prisma_migrate:${sha256Hex(Buffer.from(database)).slice(0, 40)}`;
}

async function databaseExists(conn, database) {
  const rows = await conn.query('SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [database]);
  return rows.length > 0;
}

async function migrationsTableExists(conn, database) {
  const rows = await conn.query(
    'SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?',
    [database, MIGRATIONS_TABLE],
  );
  return rows.length > 0;
}

/** Rows of _prisma_migrations, oldest first. Timestamps are formatted by the server to avoid time-zone conversions. */
async function readMigrationRows(conn) {
  return conn.query(
    `SELECT id, checksum, migration_name, logs, applied_steps_count,
            DATE_FORMAT(started_at, '%Y-%m-%d %H:%i:%s.%f') AS started_at,
            DATE_FORMAT(finished_at, '%Y-%m-%d %H:%i:%s.%f') AS finished_at,
            DATE_FORMAT(rolled_back_at, '%Y-%m-%d %H:%i:%s.%f') AS rolled_back_at
       FROM ${MIGRATIONS_TABLE} ORDER BY started_at, migration_name`,
  );
}

// Marks the unfinished attempts of one migration as rolled back.
const ROLL_BACK_FAILED = `UPDATE ${MIGRATIONS_TABLE} SET rolled_back_at = NOW(3)
  WHERE migration_name = ? AND finished_at IS NULL AND rolled_back_at IS NULL`;

const isFailed = (row) => row.finished_at == null && row.rolled_back_at == null;
const isApplied = (row) => row.finished_at != null && row.rolled_back_at == null;

function failedMigrationError(failedRows) {
  const names = failedRows.map((r) => r.migration_name);
  const first = failedRows[0];
  const firstLog = String(first.logs ?? '').split('\n')[0] || '(no log recorded)';
  return new MigrationError(
    `Migration ${names.join(', ')} failed (started ${first.started_at}) and is not resolved, so nothing else will be ` +
      `applied. Error: ${firstLog}\n` +
      `MySQL DDL auto-commits, so it may be half-applied: check the database, then either fix the migration and run\n` +
      `  node tools/db/migrate.mjs resolve --rolled-back ${first.migration_name}   (deploy will retry it)\n` +
      `or, if you completed it by hand,\n` +
      `  node tools/db/migrate.mjs resolve --applied ${first.migration_name}`,
    { code: 'FAILED_MIGRATION', migration: first.migration_name },
  );
}

/** Short text for a driver error: the server's message without the SQL text the driver appends. */
function sqlErrorText(err) {
  const text = err?.text ?? err?.sqlMessage ?? err?.message ?? String(err);
  const code = err?.code ? ` [${err.code}${err.errno ? ` ${err.errno}` : ''}]` : '';
  return `${text}${code}`;
}

/**
 * Takes the named lock for `database` on `conn`, runs `fn`, releases it. Several processes calling deploy at once
 * (service start-up, parallel test runs) are serialised here; each re-reads _prisma_migrations after getting the lock.
 */
async function withMigrationLock(conn, database, { timeoutSeconds, log }, fn) {
  const lockName = lockNameFor(database);
  let [{ got }] = await conn.query('SELECT GET_LOCK(?, 0) AS got', [lockName]);
  if (Number(got) !== 1) {
    log(`Another process is migrating ${database}; waiting up to ${timeoutSeconds}s for lock "${lockName}"…`);
    [{ got }] = await conn.query('SELECT GET_LOCK(?, ?) AS got', [lockName, timeoutSeconds]);
  }
  if (Number(got) !== 1) {
    throw new MigrationError(`Timed out after ${timeoutSeconds}s waiting for migration lock "${lockName}"`, {
      code: 'LOCK_TIMEOUT',
    });
  }
  try {
    return await fn();
  } finally {
    // Also released automatically if the connection dies.
    await conn.query('SELECT RELEASE_LOCK(?)', [lockName]).catch(() => undefined);
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// deploy

/**
 * Creates the database if needed and applies every pending migration.
 * @param {import('./migrate.d.mts').DeployOptions} [options]
 * @returns {Promise<import('./migrate.d.mts').DeployResult>}
 */
export async function deploy(options = {}) {
  const {
    url = process.env.DATABASE_URL || DEFAULT_DATABASE_URL,
    migrationsDir = DEFAULT_MIGRATIONS_DIR,
    log = console.log,
    lockTimeoutSeconds = 300,
  } = options;
  const cfg = parseDatabaseUrl(url);
  const local = await readLocalMigrations(migrationsDir); // fail on a broken folder before touching the database
  const conn = await connectServer(cfg);
  try {
    return await withMigrationLock(conn, cfg.database, { timeoutSeconds: lockTimeoutSeconds, log }, async () => {
      await conn.query(
        `CREATE DATABASE IF NOT EXISTS ${quoteIdent(cfg.database)} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
      );
      await conn.query(`USE ${quoteIdent(cfg.database)}`);
      await conn.query(CREATE_MIGRATIONS_TABLE);

      const rows = await readMigrationRows(conn);
      const failed = rows.filter(isFailed);
      if (failed.length > 0) throw failedMigrationError(failed);

      const appliedRows = new Map(rows.filter(isApplied).map((r) => [r.migration_name, r]));
      for (const m of local) {
        const row = appliedRows.get(m.name);
        if (row && !checksumMatches(row.checksum, m.bytes)) {
          log(`warning: ${m.name} was edited after it was applied (checksum differs); the change is NOT applied`);
        }
      }
      const localNames = new Set(local.map((m) => m.name));
      for (const name of appliedRows.keys()) {
        if (!localNames.has(name)) log(`warning: ${name} is recorded in the database but has no local folder`);
      }

      const pending = local.filter((m) => !appliedRows.has(m.name));
      const applied = [];
      for (const m of pending) {
        applied.push(await applyOne(conn, m));
        log(`applied ${m.name} to ${describeTarget(cfg)} (${applied.at(-1).durationMs} ms)`);
      }
      if (applied.length === 0) {
        log(`${describeTarget(cfg)} is up to date (${appliedRows.size} migration(s) applied, none pending)`);
      }
      return { database: cfg.database, applied, alreadyApplied: appliedRows.size };
    });
  } finally {
    await conn.end().catch(() => undefined);
  }
}

/** Applies one migration and records it; on failure the row stays unfinished with the error in `logs`. */
async function applyOne(conn, migration) {
  const id = randomUUID();
  const started = Date.now();
  await conn.query(
    `INSERT INTO ${MIGRATIONS_TABLE} (id, checksum, migration_name, started_at, applied_steps_count)
     VALUES (?, ?, ?, NOW(3), 0)`,
    [id, migration.checksum, migration.name],
  );
  try {
    await conn.query(migration.bytes.toString('utf8'));
  } catch (err) {
    if (err?.errno !== ER_EMPTY_QUERY) {
      const message = sqlErrorText(err);
      await conn
        .query(`UPDATE ${MIGRATIONS_TABLE} SET logs = ? WHERE id = ?`, [
          `Migration ${migration.name} failed: ${message}`,
          id,
        ])
        .catch(() => undefined);
      throw new MigrationError(`Migration ${migration.name} failed: ${message}`, {
        code: 'MIGRATION_FAILED',
        migration: migration.name,
        cause: err,
      });
    }
    // Only comments in the file: nothing to run, still record it as applied (like Prisma).
  }
  await conn.query(
    `UPDATE ${MIGRATIONS_TABLE} SET finished_at = NOW(3), applied_steps_count = 1 WHERE id = ?`,
    [id],
  );
  return { name: migration.name, durationMs: Date.now() - started };
}

// ---------------------------------------------------------------------------------------------------------------------
// status

/**
 * Compares the migration folders with _prisma_migrations. Read-only: never creates the database or the table.
 * `clean` is true when nothing is pending, edited, unknown or failed.
 */
export async function status(options = {}) {
  const { url = process.env.DATABASE_URL || DEFAULT_DATABASE_URL, migrationsDir = DEFAULT_MIGRATIONS_DIR } = options;
  const cfg = parseDatabaseUrl(url);
  const local = await readLocalMigrations(migrationsDir);
  const conn = await connectServer(cfg);
  let rows = [];
  let databaseFound = false;
  try {
    databaseFound = await databaseExists(conn, cfg.database);
    if (databaseFound && (await migrationsTableExists(conn, cfg.database))) {
      await conn.query(`USE ${quoteIdent(cfg.database)}`);
      rows = await readMigrationRows(conn);
    }
  } finally {
    await conn.end().catch(() => undefined);
  }

  const appliedRows = new Map(rows.filter(isApplied).map((r) => [r.migration_name, r]));
  const localNames = new Set(local.map((m) => m.name));
  const result = {
    database: cfg.database,
    databaseExists: databaseFound,
    local: local.map((m) => m.name),
    applied: local.filter((m) => appliedRows.has(m.name)).map((m) => m.name),
    pending: local.filter((m) => !appliedRows.has(m.name)).map((m) => m.name),
    edited: local
      .filter((m) => appliedRows.has(m.name) && !checksumMatches(appliedRows.get(m.name).checksum, m.bytes))
      .map((m) => m.name),
    unknown: [...appliedRows.keys()].filter((name) => !localNames.has(name)),
    // Unfinished and not rolled back: failed, or being applied right now by another process.
    failed: rows.filter(isFailed).map((r) => ({ name: r.migration_name, startedAt: r.started_at, logs: r.logs })),
  };
  result.clean = [result.pending, result.edited, result.unknown, result.failed].every((list) => list.length === 0);
  return result;
}

// ---------------------------------------------------------------------------------------------------------------------
// resolve

/**
 * Like `prisma migrate resolve`: `rolled-back` marks a failed migration as rolled back (deploy will retry it);
 * `applied` records a migration as applied without running it (after finishing it by hand).
 * @param {Parameters<typeof import('./migrate.d.mts').resolve>[0]} options
 */
export async function resolve(options) {
  const {
    url = process.env.DATABASE_URL || DEFAULT_DATABASE_URL,
    migrationsDir = DEFAULT_MIGRATIONS_DIR,
    name,
    action,
    log = console.log,
  } = options;
  if (action !== 'applied' && action !== 'rolled-back') {
    throw new MigrationError(`resolve: action must be "applied" or "rolled-back"`, { code: 'USAGE' });
  }
  const cfg = parseDatabaseUrl(url);
  const local = await readLocalMigrations(migrationsDir);
  const migration = local.find((m) => m.name === name);
  if (!migration) throw new MigrationError(`resolve: no local migration named ${name}`, { code: 'USAGE' });
  const conn = await connectServer(cfg);
  try {
    if (!(await databaseExists(conn, cfg.database)) || !(await migrationsTableExists(conn, cfg.database))) {
      throw new MigrationError(`resolve: ${cfg.database} has no ${MIGRATIONS_TABLE} table yet`, { code: 'USAGE' });
    }
    await conn.query(`USE ${quoteIdent(cfg.database)}`);
    await withMigrationLock(conn, cfg.database, { timeoutSeconds: 60, log }, async () => {
      const rows = (await readMigrationRows(conn)).filter((r) => r.migration_name === name);
      const failedRows = rows.filter(isFailed);
      if (action === 'rolled-back') {
        if (failedRows.length === 0) {
          throw new MigrationError(`resolve: ${name} is not in a failed state`, { code: 'USAGE', migration: name });
        }
        await conn.query(ROLL_BACK_FAILED, [name]);
        log(`${name} marked as rolled back; deploy will apply it again`);
        return;
      }
      if (rows.some(isApplied)) {
        throw new MigrationError(`resolve: ${name} is already applied`, { code: 'USAGE', migration: name });
      }
      await conn.query(ROLL_BACK_FAILED, [name]);
      await conn.query(
        `INSERT INTO ${MIGRATIONS_TABLE} (id, checksum, migration_name, started_at, finished_at, applied_steps_count)
         VALUES (?, ?, ?, NOW(3), NOW(3), 0)`,
        [randomUUID(), migration.checksum, name],
      );
      log(`${name} recorded as applied (without running it)`);
    });
  } finally {
    await conn.end().catch(() => undefined);
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// new

/** UTC yyyymmddHHMMSS, Prisma's migration prefix. */
export function migrationTimestamp(date = new Date()) {
  return date.toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

/**
 * Creates `<migrationsDir>/<timestamp>_<name>/migration.sql` with a header comment and returns its path.
 * The name is normalised to lower snake case (letters, digits, underscores).
 */
export async function newMigration(options) {
  const { name, migrationsDir = DEFAULT_MIGRATIONS_DIR, now = new Date() } = options;
  const slug = String(name ?? '')
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  if (!slug) {
    throw new MigrationError('new: give the migration a name, e.g. `npm run db:migration:new -- add_api_tokens`', {
      code: 'USAGE',
    });
  }
  const folder = `${migrationTimestamp(now)}_${slug}`;
  const existing = existsSync(migrationsDir) ? (await readLocalMigrations(migrationsDir)).map((m) => m.name) : [];
  const later = existing.filter((n) => n > folder);
  if (later.length > 0) {
    throw new MigrationError(
      `new: ${folder} would sort before the existing migration ${later.at(-1)} (check the clock); not created`,
      { code: 'USAGE' },
    );
  }
  const dir = path.join(migrationsDir, folder);
  await mkdir(dir, { recursive: false }).catch((err) => {
    if (err.code === 'ENOENT') return mkdir(dir, { recursive: true });
    if (err.code === 'EEXIST') throw new MigrationError(`new: ${dir} already exists`, { code: 'USAGE' });
    throw err;
  });
  const file = path.join(dir, 'migration.sql');
  await writeFile(
    file,
    `-- Migration: ${slug}
-- Created: ${now.toISOString()}
--
-- Hand-written MySQL DDL in Prisma's style (see 20261121000000_init): DATETIME(3), VARCHAR(191), INTEGER,
-- utf8mb4_unicode_ci tables, index names <Table>_<columns>_idx / _key, foreign keys <Table>_<columns>_fkey.
-- Change prisma/schema.prisma in the same commit and check both agree with \`npm run db:drift\`.
-- Once applied anywhere, do not edit this file (its sha256 is recorded); add a new migration instead.

`,
    { flag: 'wx' },
  );
  return file;
}
