// Types for tools/db/migrate.mjs (plain JavaScript, no build step), for TypeScript callers such as the tests.

export const DEFAULT_DATABASE_URL: string;
export const DEFAULT_MIGRATIONS_DIR: string;
export const DEFAULT_SCHEMA_PATH: string;

export class MigrationError extends Error {
  code?: string;
  /** The migration concerned, when there is one. */
  migration?: string;
}

export interface CommonOptions {
  /** mysql:// or mariadb:// URL; default $DATABASE_URL, else mysql://root@127.0.0.1:3306/aisbf. */
  url?: string;
  /** Folder holding <timestamp>_<name>/migration.sql; default prisma/migrations. */
  migrationsDir?: string;
}

export interface DeployOptions extends CommonOptions {
  /** Progress lines (one per applied migration); default console.log. */
  log?: (line: string) => void;
  /** How long to wait for another process's deploy on the same database; default 300. */
  lockTimeoutSeconds?: number;
}

export interface DeployResult {
  database: string;
  applied: Array<{ name: string; durationMs: number }>;
  /** Migrations that were already applied before this run. */
  alreadyApplied: number;
}

export interface StatusResult {
  database: string;
  databaseExists: boolean;
  local: string[];
  applied: string[];
  pending: string[];
  edited: string[];
  unknown: string[];
  failed: Array<{ name: string; startedAt: string; logs: string | null }>;
  clean: boolean;
}

export interface DriftOptions extends CommonOptions {
  /** schema.prisma file, or a folder of .prisma files; default prisma/schema.prisma. */
  schemaPath?: string;
  /** Drop the scratch database on SIGINT/SIGTERM and exit (the CLI sets this). */
  handleSignals?: boolean;
}

export interface DriftDifference {
  table: string;
  column?: string;
  index?: string;
  foreignKey?: string;
  /** One line, starting with the table (and `.column`). */
  message: string;
}

export interface DriftResult {
  differences: DriftDifference[];
  /** Name of the (already dropped) scratch database. */
  database: string;
}

export interface LocalMigration {
  name: string;
  file: string;
  bytes: Buffer;
  checksum: string;
}

export function deploy(options?: DeployOptions): Promise<DeployResult>;
export function status(options?: CommonOptions): Promise<StatusResult>;
export function drift(options?: DriftOptions): Promise<DriftResult>;
export function newMigration(options: { name: string; migrationsDir?: string; now?: Date }): Promise<string>;
export function resolve(
  options: CommonOptions & { name: string; action: 'applied' | 'rolled-back'; log?: (line: string) => void },
): Promise<void>;
export function readLocalMigrations(migrationsDir?: string): Promise<LocalMigration[]>;
export function sha256Hex(bytes: Buffer | string): string;
export function checksumMatches(stored: string, bytes: Buffer): boolean;
export function parseDatabaseUrl(url: string): {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
  socketPath?: string;
  connectTimeoutMs: number;
};
export function withDatabase(url: string, database: string): string;
/** Runs the CLI with these arguments and returns the exit code. */
export function main(argv?: string[]): Promise<number>;

// Lower-level drift pieces (opaque shapes).
export function loadExpectedSchema(schemaPath?: string): Promise<unknown>;
export function introspect(connection: unknown, database: string): Promise<unknown>;
export function compareSchemas(expected: unknown, actual: unknown): DriftDifference[];
