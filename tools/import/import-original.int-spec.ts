// The importer against a SQLite database in the original product's schema and the real MariaDB: users, tiers,
// plaintext tokens (stored as SHA-256, still valid), user routes validated by the shared schemas (bad ones skipped
// with the field named), secrets encrypted, idempotent re-runs, and the original's global files as one user's routes.
import { PrismaService } from '@aisbf/platform-prisma';
import { hashToken, SecretBox, UserRouteStore } from '@aisbf/tenancy';
import { createTestDatabase, type TestDatabase } from '@aisbf/testing';
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { importOriginal } from './import-original';
import { sqliteSource } from './original-source';

const ROOT = resolve(__dirname, '../..');
const key = randomBytes(32);
let db: TestDatabase;
let prisma: PrismaService;
let sqlite: string;
let configDir: string;

const ORIGINAL_SCHEMA = `
CREATE TABLE account_tiers (id INTEGER PRIMARY KEY AUTOINCREMENT, name VARCHAR(255) UNIQUE NOT NULL, description TEXT, price_monthly DECIMAL(10,2) DEFAULT 0.00,
  is_default BOOLEAN DEFAULT 0, is_active BOOLEAN DEFAULT 1, max_requests_per_day INTEGER DEFAULT -1, max_requests_per_month INTEGER DEFAULT -1, max_providers INTEGER DEFAULT -1);
CREATE TABLE users (id INTEGER PRIMARY KEY AUTOINCREMENT, username VARCHAR(255) UNIQUE NOT NULL, email VARCHAR(255) UNIQUE, display_name VARCHAR(255),
  password_hash VARCHAR(255) NOT NULL, role VARCHAR(50) DEFAULT 'user', created_by VARCHAR(255), created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
  last_login TIMESTAMP NULL, is_active BOOLEAN DEFAULT 1, email_verified BOOLEAN DEFAULT 0, tier_id INTEGER DEFAULT 1);
CREATE TABLE user_api_tokens (id INTEGER PRIMARY KEY AUTOINCREMENT, user_id INTEGER NOT NULL, token VARCHAR(255) UNIQUE NOT NULL, description TEXT,
  scope VARCHAR(10) DEFAULT 'api', created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP, last_used TIMESTAMP NULL, is_active BOOLEAN DEFAULT 1);
CREATE TABLE user_providers (id INTEGER PRIMARY KEY AUTOINCREMENT, user_id INTEGER NOT NULL, provider_id VARCHAR(255) NOT NULL, config TEXT NOT NULL,
  created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP, updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP, UNIQUE(user_id, provider_id));
CREATE TABLE user_rotations (id INTEGER PRIMARY KEY AUTOINCREMENT, user_id INTEGER NOT NULL, rotation_id VARCHAR(255) NOT NULL, config TEXT NOT NULL,
  created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP, updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP, UNIQUE(user_id, rotation_id));
INSERT INTO account_tiers (id, name, description, is_default, max_requests_per_day, max_requests_per_month) VALUES (1, 'Free Tier', 'default', 1, -1, -1), (2, 'Pro', NULL, 0, 1000, 0);
INSERT INTO users (id, username, display_name, password_hash, role, is_active, tier_id, last_login) VALUES
  (1, 'alice', 'Alice', '$2b$12$abcdefghijklmnopqrstuv', 'user', 1, 2, '2026-06-01 10:00:00'),
  (2, 'admin2', NULL, 'x', 'admin', 1, 1, NULL),
  (3, 'gone', NULL, 'x', 'user', 0, 1, NULL),
  (4, 'bad name!', NULL, 'x', 'user', 1, 1, NULL);
INSERT INTO user_api_tokens (user_id, token, description, scope, is_active, last_used) VALUES
  (1, 'original-plain-token-alice', 'laptop', 'both', 1, '2026-06-02 08:30:00'),
  (1, 'original-revoked-token', NULL, 'api', 0, NULL),
  (4, 'token-of-skipped-user', NULL, 'api', 1, NULL);
INSERT INTO user_providers (user_id, provider_id, config) VALUES
  (1, 'openrouter', '{"id":"openrouter","name":"OpenRouter","type":"openai","endpoint":"https://openrouter.ai/api/v1","api_key_required":true,"api_key":"sk-or-secret","models":[{"name":"meta-llama/llama-3-70b"}]}'),
  (1, 'legacy', '{"type":"openai","api_key_required":false,"endpoint":"http://x/v1","dropped_by_the_original":1}'),
  (1, 'not json', '{');
INSERT INTO user_rotations (user_id, rotation_id, config) VALUES
  (1, 'coding', '{"model_name":"coding","providers":[{"provider_id":"openrouter","model":"meta-llama/llama-3-70b","weight":2}]}');
`;

beforeAll(async () => {
  db = await createTestDatabase('import');
  prisma = new PrismaService({ database: { url: db.url } });
  const dir = mkdtempSync(join(tmpdir(), 'aisbf-import-'));
  sqlite = join(dir, 'aisbf.db');
  execFileSync('sqlite3', [sqlite, ORIGINAL_SCHEMA]);
  configDir = join(dir, 'config');
  mkdirSync(configDir);
  writeFileSync(join(configDir, 'providers.json'), JSON.stringify({ providers: { ollama: { id: 'ollama', type: 'ollama', endpoint: 'http://gpu:11434', api_key_required: false, models: [{ name: 'qwen2.5-coder:32b' }] } } }));
  writeFileSync(join(configDir, 'rotations.json'), JSON.stringify({ rotations: { fast: { model_name: 'fast', providers: [{ provider_id: 'ollama', model: 'qwen2.5-coder:32b' }] } } }));
  writeFileSync(join(configDir, 'autoselect.json'), JSON.stringify({ eng: { model_name: 'eng', fallback: 'rotation/fast' } }));
});

afterAll(async () => {
  await prisma?.$disconnect();
  await db?.drop();
});

it('a dry run reports what it would do and writes nothing', async () => {
  const report = await importOriginal(prisma, new SecretBox(key), { source: sqliteSource(sqlite), dryRun: true });
  expect(report).toMatchObject({ tiers: 2, users: 3, tokens: 2, routes: { provider: 1, rotation: 1, autoselect: 0 } });
  expect(await prisma.user.count()).toBe(0);
});

it('imports users, tiers, tokens (as SHA-256) and valid routes, skipping bad rows with the reason', async () => {
  const report = await importOriginal(prisma, new SecretBox(key), { source: sqliteSource(sqlite) });
  expect(report).toMatchObject({ tiers: 2, users: 3, tokens: 2, routes: { provider: 1, rotation: 1, autoselect: 0 } });
  expect(report.skipped).toEqual([
    `user 'bad name!': the username must be 2-64 characters: letters, digits, ".", "_" or "-"`,
    'token 3: its user 4 was not imported',
    `alice's provider 'legacy': (top level): unknown key "dropped_by_the_original"`,
    `alice's provider 'not json': config is not valid JSON`,
  ]);

  const pro = await prisma.tier.findUnique({ where: { name: 'Pro' } });
  expect(pro).toMatchObject({ requestsPerDay: 1000, requestsPerMonth: 0, isDefault: false });
  expect(await prisma.tier.findUnique({ where: { name: 'Free Tier' } })).toMatchObject({ requestsPerDay: null, isDefault: true });
  const alice = await prisma.user.findUniqueOrThrow({ where: { username: 'alice' } });
  expect(alice).toMatchObject({ displayName: 'Alice', role: 'user', status: 'active', tierId: pro!.id, passwordHash: '$2b$12$abcdefghijklmnopqrstuv' });
  expect(await prisma.user.findUnique({ where: { username: 'gone' } })).toMatchObject({ status: 'disabled' });
  expect(await prisma.user.findUnique({ where: { username: 'admin2' } })).toMatchObject({ role: 'admin' });

  const tokens = await prisma.apiToken.findMany({ where: { userId: alice.id }, orderBy: { id: 'asc' } });
  expect(tokens.map((t) => [t.tokenHash, t.scope, t.revokedAt === null])).toEqual([
    [hashToken('original-plain-token-alice'), 'both', true],
    [hashToken('original-revoked-token'), 'api', false],
  ]);
  expect(tokens[0]!.lastUsedAt?.toISOString()).toBe('2026-06-02T08:30:00.000Z');
  expect(JSON.stringify(tokens)).not.toContain('original-plain-token-alice');

  const store = new UserRouteStore(prisma, new SecretBox(key));
  expect(await store.loadProviderWithSecrets(alice.id, 'openrouter')).toMatchObject({ api_key: 'sk-or-secret', models: [{ name: 'meta-llama/llama-3-70b' }] });
  const raw = await prisma.userProvider.findFirstOrThrow({ where: { userId: alice.id } });
  expect(JSON.stringify(raw)).not.toContain('sk-or-secret');
  expect(Object.keys((await store.loadRouteSet(alice.id)).rotations)).toEqual(['coding']);
});

it('is idempotent: a second run updates instead of duplicating', async () => {
  await importOriginal(prisma, new SecretBox(key), { source: sqliteSource(sqlite) });
  expect(await prisma.user.count()).toBe(3);
  expect(await prisma.apiToken.count()).toBe(2);
  expect(await prisma.userProvider.count()).toBe(1);
  expect(await prisma.tier.count({ where: { isDefault: true } })).toBe(1);
});

it("imports the original's global files as one user's routes, where the operator chooses", async () => {
  const report = await importOriginal(prisma, new SecretBox(key), { configDir, owner: 'ops' });
  expect(report).toMatchObject({ users: 1, routes: { provider: 1, rotation: 1, autoselect: 1 }, skipped: [] });
  const ops = await prisma.user.findUniqueOrThrow({ where: { username: 'ops' } });
  expect(ops.role).toBe('admin');
  const set = await new UserRouteStore(prisma).loadRouteSet(ops.id);
  expect(Object.keys(set.providers)).toEqual(['ollama']);
  expect(set.autoselects['eng']!.fallback).toBe('rotation/fast');
});

it('runs as a command', () => {
  const r = spawnSync(process.execPath, [join(ROOT, 'tools/import-original.mjs'), '--sqlite', sqlite, '--url', db.url, '--dry-run'], {
    cwd: ROOT,
    env: { ...process.env, AISBF_SECRET_KEY: key.toString('hex') },
    encoding: 'utf8',
  });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  expect(r.stdout).toMatch(/would import: 2 tier\(s\), 3 user\(s\), 2 token\(s\), 1 provider\(s\), 1 rotation\(s\), 0 autoselect\(s\); skipped 4/);
  const bad = spawnSync(process.execPath, [join(ROOT, 'tools/import-original.mjs'), '--sqlite', sqlite, '--url', db.url], { cwd: ROOT, env: { ...process.env, AISBF_SECRET_KEY: '' }, encoding: 'utf8' });
  expect(bad.status).toBe(1);
  expect(bad.stderr).toMatch(/AISBF_SECRET_KEY is not set, but 1 stored user route\(s\) hold secrets/);
});
