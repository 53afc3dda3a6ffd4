// Integration tests for tools/db/migrate.mjs against the real MariaDB (DATABASE_URL's server, default 127.0.0.1:3306).
// Every test works on its own uniquely named database (dropped in afterAll) and on temporary copies of the schema and
// migrations under os.tmpdir(); the real prisma/ folder is only read.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mariadb from 'mariadb';

// migrate.mjs is an ES module; this spec is CommonJS, so load it with a dynamic import.
type Migrate = typeof import('./migrate.mjs', { with: { 'resolution-mode': 'import' } });
let m: Migrate;

const REPO_ROOT = path.resolve(__dirname, '../..');
const CLI = path.join(REPO_ROOT, 'tools/db/migrate.mjs');
const MIGRATIONS_DIR = path.join(REPO_ROOT, 'prisma/migrations');
const SCHEMA = path.join(REPO_ROOT, 'prisma/schema.prisma');
const INIT = '20261121000000_init';
const SERVER_URL = process.env['DATABASE_URL'] || 'mysql://root@127.0.0.1:3306/aisbf';
const quiet = () => undefined;

let admin: mariadb.Connection;
/** Every folder in prisma/migrations (INIT first); tests must keep passing when later migrations are added. */
let ALL: string[];
/** A time after every existing migration, for newMigration() in tests. */
const FUTURE = new Date(Date.UTC(2099, 0, 1));
const databases: string[] = [];
const tempDirs: string[] = [];

/** A database name nobody else uses; dropped after the run. */
function freshDatabase(label: string): { name: string; url: string } {
  const name = `aisbf_t_${process.pid}_${randomBytes(3).toString('hex')}_${label}`;
  databases.push(name);
  return { name, url: m.withDatabase(SERVER_URL, name) };
}

function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'aisbf-migrate-'));
  tempDirs.push(dir);
  return dir;
}

/** Copies prisma/migrations (and optionally the schema) to a temp dir. */
function copyFixture(): { dir: string; migrationsDir: string; schemaPath: string } {
  const dir = tempDir();
  const migrationsDir = path.join(dir, 'migrations');
  const schemaPath = path.join(dir, 'schema.prisma');
  cpSync(MIGRATIONS_DIR, migrationsDir, { recursive: true });
  cpSync(SCHEMA, schemaPath);
  return { dir, migrationsDir, schemaPath };
}

function addMigration(migrationsDir: string, name: string, sql: string): void {
  mkdirSync(path.join(migrationsDir, name));
  writeFileSync(path.join(migrationsDir, name, 'migration.sql'), sql);
}

async function migrationRows(database: string) {
  return admin.query(
    `SELECT id, checksum, migration_name, logs, finished_at, rolled_back_at, started_at, applied_steps_count
       FROM \`${database}\`._prisma_migrations ORDER BY started_at, migration_name`,
  );
}

async function tableNames(database: string): Promise<string[]> {
  const rows = await admin.query(
    `SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME`,
    [database],
  );
  return rows.map((r: { name: string }) => r.name);
}

async function leftoverScratchDatabases(): Promise<string[]> {
  const rows = await admin.query(
    `SELECT SCHEMA_NAME AS name FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE ?`,
    [`aisbf\\_drift\\_${process.pid}\\_%`],
  );
  return rows.map((r: { name: string }) => r.name);
}

function runCli(args: string[]) {
  const result = spawnSync(process.execPath, [CLI, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, DATABASE_URL: SERVER_URL },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

beforeAll(async () => {
  m = await import('./migrate.mjs');
  ALL = (await m.readLocalMigrations(MIGRATIONS_DIR)).map((l) => l.name);
  expect(ALL[0]).toBe(INIT);
  const server = m.parseDatabaseUrl(SERVER_URL);
  admin = await mariadb.createConnection({
    host: server.host,
    port: server.port,
    user: server.user,
    password: server.password,
    bigIntAsNumber: true,
  });
});

afterAll(async () => {
  for (const name of databases) await admin?.query(`DROP DATABASE IF EXISTS \`${name}\``);
  await admin?.end();
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

describe('deploy', () => {
  it('creates the database, applies init and records it with its checksum; a second run is a no-op', async () => {
    const db = freshDatabase('deploy');
    const lines: string[] = [];

    const first = await m.deploy({ url: db.url, log: (line) => lines.push(line) });

    expect(first.applied.map((a) => a.name)).toEqual(ALL);
    expect(lines[0]).toMatch(new RegExp(`^applied ${INIT} to ${db.name} on [^ ]+ \\(\\d+ ms\\)$`));
    expect(lines).toHaveLength(ALL.length);
    expect(await tableNames(db.name)).toEqual(expect.arrayContaining(['UsageRecord', '_prisma_migrations']));
    const rows = await migrationRows(db.name);
    expect(rows).toHaveLength(ALL.length);
    const row = rows[0];
    expect(row.migration_name).toBe(INIT);
    expect(row.checksum).toBe(m.sha256Hex(readFileSync(path.join(MIGRATIONS_DIR, INIT, 'migration.sql'))));
    expect(row.checksum).toMatch(/^[0-9a-f]{64}$/);
    expect(row.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(row.finished_at).toBeInstanceOf(Date);
    expect(row.rolled_back_at).toBeNull();
    expect(row.logs).toBeNull();
    expect(row.applied_steps_count).toBe(1);

    const second = await m.deploy({ url: db.url, log: quiet });
    expect(second).toEqual({ database: db.name, applied: [], alreadyApplied: ALL.length });
    expect(await migrationRows(db.name)).toHaveLength(ALL.length);
  });

  it('applies each migration once when three deploys run at the same time', async () => {
    const db = freshDatabase('concurrent');
    const { migrationsDir } = copyFixture();
    // A slow second migration widens the window in which the other deploys would race.
    addMigration(
      migrationsDir,
      '20990101000000_slow',
      'SELECT SLEEP(0.5);\nCREATE TABLE `Slow` (`id` INTEGER NOT NULL, PRIMARY KEY (`id`));\n',
    );

    const results = await Promise.all([1, 2, 3].map(() => m.deploy({ url: db.url, migrationsDir, log: quiet })));

    const appliedNames = results.flatMap((r) => r.applied.map((a) => a.name)).sort();
    expect(appliedNames).toEqual([...ALL, '20990101000000_slow']);
    const rows = await migrationRows(db.name);
    expect(rows.map((r: { migration_name: string }) => r.migration_name)).toEqual([...ALL, '20990101000000_slow']);
    expect(rows.every((r: { finished_at: Date | null }) => r.finished_at !== null)).toBe(true);
  });

  it('records a failed migration and refuses to run until it is resolved', async () => {
    const db = freshDatabase('failed');
    const { migrationsDir } = copyFixture();
    const broken = '20990101000000_broken';
    const sql = 'CREATE TABLE `Half` (`id` INTEGER NOT NULL, PRIMARY KEY (`id`));\nCREATE TABLE `Oops` (;\n';
    addMigration(migrationsDir, broken, sql);

    await expect(m.deploy({ url: db.url, migrationsDir, log: quiet })).rejects.toMatchObject({
      code: 'MIGRATION_FAILED',
      migration: broken,
    });
    const rows = await migrationRows(db.name);
    const failedRow = rows.find((r: { migration_name: string }) => r.migration_name === broken);
    expect(failedRow.finished_at).toBeNull();
    expect(failedRow.rolled_back_at).toBeNull();
    expect(failedRow.logs).toMatch(/failed: .*syntax/i);

    // Every later deploy refuses, naming the failed migration.
    const refusal = m.deploy({ url: db.url, migrationsDir, log: quiet });
    await expect(refusal).rejects.toMatchObject({ code: 'FAILED_MIGRATION', migration: broken });
    await expect(refusal).rejects.toThrow(new RegExp(`Migration ${broken} failed .* is not resolved`));
    const st = await m.status({ url: db.url, migrationsDir });
    expect(st.failed.map((f) => f.name)).toEqual([broken]);
    expect(st.clean).toBe(false);

    // The CLI says the same and exits 1.
    const cli = runCli(['deploy', '--url', db.url, '--migrations', migrationsDir]);
    expect(cli.code).toBe(1);
    expect(cli.stderr).toContain(`Migration ${broken} failed`);

    // Fix the file (the first statement did run: DDL auto-commits), mark it rolled back, deploy again.
    writeFileSync(
      path.join(migrationsDir, broken, 'migration.sql'),
      'CREATE TABLE IF NOT EXISTS `Half` (`id` INTEGER NOT NULL, PRIMARY KEY (`id`));\n',
    );
    await m.resolve({ url: db.url, migrationsDir, name: broken, action: 'rolled-back', log: quiet });
    const retry = await m.deploy({ url: db.url, migrationsDir, log: quiet });
    expect(retry.applied.map((a) => a.name)).toEqual([broken]);
    expect((await m.status({ url: db.url, migrationsDir })).clean).toBe(true);
  });

  it('records a comment-only migration as applied', async () => {
    const db = freshDatabase('empty');
    const { migrationsDir } = copyFixture();
    const file = await m.newMigration({ name: 'nothing yet', migrationsDir, now: FUTURE });
    const result = await m.deploy({ url: db.url, migrationsDir, log: quiet });
    expect(result.applied.map((a) => a.name)).toEqual([...ALL, path.basename(path.dirname(file))]);
  });
});

describe('status', () => {
  it('reports pending, edited and unknown migrations, and is clean after deploy', async () => {
    const db = freshDatabase('status');
    const { migrationsDir } = copyFixture();

    const before = await m.status({ url: db.url, migrationsDir });
    expect(before).toMatchObject({ databaseExists: false, pending: ALL, edited: [], unknown: [], clean: false });
    expect(runCli(['status', '--url', db.url, '--migrations', migrationsDir]).code).toBe(1);

    await m.deploy({ url: db.url, migrationsDir, log: quiet });
    const after = await m.status({ url: db.url, migrationsDir });
    expect(after).toMatchObject({ applied: ALL, pending: [], edited: [], unknown: [], failed: [], clean: true });
    const cleanCli = runCli(['status', '--url', db.url, '--migrations', migrationsDir]);
    expect(cleanCli.code).toBe(0);
    expect(cleanCli.stdout).toContain('up to date');

    // Edited: the applied file changed. Pending: a new folder.
    appendFileSync(path.join(migrationsDir, INIT, 'migration.sql'), '\n-- edited after deploy\n');
    const added = path.basename(path.dirname(await m.newMigration({ name: 'add-stuff', migrationsDir, now: FUTURE })));
    const changed = await m.status({ url: db.url, migrationsDir });
    expect(changed).toMatchObject({ pending: [added], edited: [INIT], unknown: [], clean: false });

    // Unknown: applied in the database, but the folder is gone.
    rmSync(path.join(migrationsDir, INIT), { recursive: true });
    const missing = await m.status({ url: db.url, migrationsDir });
    expect(missing).toMatchObject({ pending: [added], edited: [], unknown: [INIT], clean: false });
    const cli = runCli(['status', '--url', db.url, '--migrations', migrationsDir]);
    expect(cli.code).toBe(1);
    expect(cli.stdout).toMatch(new RegExp(`Pending[^\\n]*\\n  - ${added}`));
    expect(cli.stdout).toMatch(new RegExp(`missing from the folder:\\n  - ${INIT}`));
  });

  it('does not count line-ending changes (CRLF checkouts) as edits', async () => {
    const db = freshDatabase('crlf');
    const { migrationsDir } = copyFixture();
    await m.deploy({ url: db.url, migrationsDir, log: quiet });
    const file = path.join(migrationsDir, INIT, 'migration.sql');
    writeFileSync(file, readFileSync(file, 'utf8').replace(/\n/g, '\r\n'));
    expect((await m.status({ url: db.url, migrationsDir })).edited).toEqual([]);
  });
});

describe('new', () => {
  it('creates <UTC yyyymmddHHMMSS>_<name>/migration.sql with a header comment', async () => {
    const { migrationsDir } = copyFixture();
    const file = await m.newMigration({
      name: 'Add API tokens',
      migrationsDir,
      now: new Date(Date.UTC(2099, 11, 31, 23, 59, 58)),
    });
    expect(path.relative(migrationsDir, file)).toBe(path.join('20991231235958_add_api_tokens', 'migration.sql'));
    expect(readFileSync(file, 'utf8')).toMatch(/^-- Migration: add_api_tokens\n-- Created: 2099-12-31T23:59:58.000Z\n/);

    // The CLI uses the current time; a name sorting before an existing folder is refused (clock check).
    rmSync(path.dirname(file), { recursive: true });
    const cli = runCli(['new', 'via_cli', '--migrations', migrationsDir]);
    expect(cli.code).toBe(0);
    expect(cli.stdout).toMatch(/created .*\d{14}_via_cli[/\\]migration\.sql/);
  });
});

describe('drift', () => {
  afterEach(async () => {
    // Whatever happened, no scratch database of this process may survive.
    expect(await leftoverScratchDatabases()).toEqual([]);
  });

  it('finds no drift between prisma/schema.prisma and prisma/migrations', async () => {
    const result = await m.drift({ url: SERVER_URL });
    expect(result.differences).toEqual([]);
    expect(result.database).toMatch(new RegExp(`^aisbf_drift_${process.pid}_[0-9a-f]{8}$`));

    const cli = runCli(['drift']);
    expect(cli.code).toBe(0);
    expect(cli.stdout.trim()).toBe('no drift');
  });

  // Each case edits a temp copy of the schema (or migrations) and names what must be reported.
  const cases: Array<{
    title: string;
    editSchema?: (schema: string) => string;
    addMigration?: string;
    expected: { table: string; column?: string; index?: string };
    line: RegExp;
  }> = [
    {
      title: 'a column added to the schema but missing from the SQL',
      editSchema: (s) => s.replace(/^(\s+)createdAt /m, '$1region           String?  @db.VarChar(32)\n$1createdAt '),
      expected: { table: 'UsageRecord', column: 'region' },
      line: /^UsageRecord\.region: column is in the schema .* missing from the migrations$/m,
    },
    {
      title: 'a nullability change',
      editSchema: (s) => s.replace(/^(\s+latencyMs\s+)Int\b/m, '$1Int?'),
      expected: { table: 'UsageRecord', column: 'latencyMs' },
      line: /^UsageRecord\.latencyMs: nullability differs: schema NULL, migrations NOT NULL$/m,
    },
    {
      title: 'a whole model missing from the SQL',
      editSchema: (s) =>
        s +
        '\nmodel LegacyToken {\n  id   Int    @id @default(autoincrement())\n  name String @db.VarChar(191)\n\n  @@map("api_tokens")\n}\n',
      expected: { table: 'api_tokens' },
      line: /^api_tokens: table is in the schema \(model LegacyToken\) but not created by the migrations$/m,
    },
    {
      title: 'a missing @@index',
      editSchema: (s) => s.replace(/^(\s+)@@index\(\[createdAt\]\)/m, '$1@@index([createdAt])\n$1@@index([route])'),
      expected: { table: 'UsageRecord', index: 'UsageRecord_route_idx' },
      line: /^UsageRecord: index UsageRecord_route_idx \(route\) is in the schema but missing from the migrations$/m,
    },
    {
      title: 'a column added by a migration but not to the schema',
      addMigration: 'ALTER TABLE `UsageRecord` ADD COLUMN `region` VARCHAR(32) NULL;\n',
      expected: { table: 'UsageRecord', column: 'region' },
      line: /^UsageRecord\.region: column is created by the migrations but is not in the schema$/m,
    },
  ];

  it.each(cases)('reports $title', async ({ editSchema, addMigration: sql, expected, line }) => {
    const { migrationsDir, schemaPath } = copyFixture();
    if (editSchema) {
      const edited = editSchema(readFileSync(schemaPath, 'utf8'));
      expect(edited).not.toBe(readFileSync(SCHEMA, 'utf8')); // the edit applied
      writeFileSync(schemaPath, edited);
    }
    if (sql) addMigration(migrationsDir, '20990101000000_extra', sql);

    const { differences } = await m.drift({ url: SERVER_URL, schemaPath, migrationsDir });
    expect(differences).toEqual([expect.objectContaining(expected)]);
    expect(differences[0].message).toMatch(line);

    const cli = runCli(['drift', '--schema', schemaPath, '--migrations', migrationsDir]);
    expect(cli.code).toBe(2);
    expect(cli.stdout).toMatch(line);
  });

  describe('relations, @map/@@map, enums and implicit many-to-many', () => {
    const schema = `datasource db {
  provider = "mysql"
}

enum Role {
  ADMIN
  USER  @map("user")
}

model User {
  id      Int     @id @default(autoincrement())
  email   String  @unique @map("email_addr") @db.VarChar(191)
  role    Role    @default(USER)
  meta    Json?
  active  Boolean @default(true)
  posts   Post[]
  tags    Tag[]

  @@index([role, email], map: "role_email")
  @@map("users")
}

model Tag {
  id    String @id @db.VarChar(36)
  users User[]
}

model Post {
  id       Int    @id @default(autoincrement())
  authorId Int    @map("author_id")
  author   User   @relation(fields: [authorId], references: [id], onDelete: Cascade)
  title    String @db.VarChar(191)
}
`;
    const sql = `-- CreateTable
CREATE TABLE \`users\` (
    \`id\` INTEGER NOT NULL AUTO_INCREMENT,
    \`email_addr\` VARCHAR(191) NOT NULL,
    \`role\` ENUM('ADMIN', 'user') NOT NULL DEFAULT 'user',
    \`meta\` JSON NULL,
    \`active\` BOOLEAN NOT NULL DEFAULT true,

    UNIQUE INDEX \`users_email_addr_key\`(\`email_addr\`),
    INDEX \`role_email\`(\`role\`, \`email_addr\`),
    PRIMARY KEY (\`id\`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

-- CreateTable
CREATE TABLE \`Tag\` (
    \`id\` VARCHAR(36) NOT NULL,

    PRIMARY KEY (\`id\`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

-- CreateTable
CREATE TABLE \`Post\` (
    \`id\` INTEGER NOT NULL AUTO_INCREMENT,
    \`author_id\` INTEGER NOT NULL,
    \`title\` VARCHAR(191) NOT NULL,

    PRIMARY KEY (\`id\`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

-- CreateTable
CREATE TABLE \`_TagToUser\` (
    \`A\` VARCHAR(36) NOT NULL,
    \`B\` INTEGER NOT NULL,

    UNIQUE INDEX \`_TagToUser_AB_unique\`(\`A\`, \`B\`),
    INDEX \`_TagToUser_B_index\`(\`B\`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

-- AddForeignKey
ALTER TABLE \`Post\` ADD CONSTRAINT \`Post_author_id_fkey\` FOREIGN KEY (\`author_id\`) REFERENCES \`users\`(\`id\`) ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE \`_TagToUser\` ADD CONSTRAINT \`_TagToUser_A_fkey\` FOREIGN KEY (\`A\`) REFERENCES \`Tag\`(\`id\`) ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE \`_TagToUser\` ADD CONSTRAINT \`_TagToUser_B_fkey\` FOREIGN KEY (\`B\`) REFERENCES \`users\`(\`id\`) ON DELETE CASCADE ON UPDATE CASCADE;
`;
    function fixture(migrationSql: string) {
      const dir = tempDir();
      const migrationsDir = path.join(dir, 'migrations');
      mkdirSync(migrationsDir);
      writeFileSync(path.join(migrationsDir, 'migration_lock.toml'), 'provider = "mysql"\n');
      addMigration(migrationsDir, '20260101000000_init', migrationSql);
      writeFileSync(path.join(dir, 'schema.prisma'), schema);
      return { migrationsDir, schemaPath: path.join(dir, 'schema.prisma') };
    }

    it('finds no drift when the SQL matches', async () => {
      const { differences } = await m.drift({ url: SERVER_URL, ...fixture(sql) });
      expect(differences).toEqual([]);
    });

    it('reports a missing foreign key, a wrong ON DELETE rule and wrong enum values', async () => {
      const broken = sql
        .replace(/^ALTER TABLE `_TagToUser` ADD CONSTRAINT `_TagToUser_A_fkey`.*$/m, '')
        .replace(/(`Post_author_id_fkey` .*) ON DELETE CASCADE/, '$1 ON DELETE RESTRICT')
        .replace("ENUM('ADMIN', 'user') NOT NULL DEFAULT 'user'", "ENUM('ADMIN', 'USER') NOT NULL DEFAULT 'USER'");
      expect(broken).not.toBe(sql);
      const { differences } = await m.drift({ url: SERVER_URL, ...fixture(broken) });
      expect(differences.map((d) => d.message).sort()).toEqual(
        [
          'Post: foreign key (author_id) -> users(id) ON DELETE differs: schema CASCADE, migrations RESTRICT',
          '_TagToUser: foreign key (A) -> Tag(id) is in the schema but missing from the migrations',
          'users.role: default differs: schema "user", migrations \'USER\'',
          'users.role: enum values differ: schema [ADMIN, user], migrations [ADMIN, USER]',
        ].sort(),
      );
    });
  });

  it('drops the scratch database when a migration fails to apply', async () => {
    const { migrationsDir, schemaPath } = copyFixture();
    addMigration(migrationsDir, '20990101000000_bad', 'ALTER TABLE `Nope` ADD COLUMN `x` INTEGER NULL;\n');
    await expect(m.drift({ url: SERVER_URL, schemaPath, migrationsDir })).rejects.toMatchObject({
      code: 'DRIFT_DEPLOY_FAILED',
      migration: '20990101000000_bad',
    });
    // afterEach checks that nothing is left behind.
    expect(existsSync(schemaPath)).toBe(true);
  });
});
