// The importer behind tools/import-original.mjs. Global routes stay file-based by default (AISBF_CONFIG_DIR); this
// brings an existing installation's database (users, tokens, tiers, user routes) over, and, where the operator
// chooses, the original's global files as one user's routes. Every route is checked by the same schemas as the API
// and the config files (problems are reported naming the field, and the row is skipped); secrets are encrypted with
// AISBF_SECRET_KEY; plaintext tokens of the original are stored as SHA-256 only (they keep working). Idempotent:
// running it again updates what it imported before.
import { describeIssues, ROUTE_ID_PATTERN, USERNAME_PATTERN } from '@aisbf/contracts';
import { loadEnv, loadGatewayConfig } from '@aisbf/platform-config';
import { PrismaService } from '@aisbf/platform-prisma';
import { checkSecretKey, hashToken, schemaOf, SecretBox, tokenDisplayPrefix, UserRouteStore, type UserRouteKind } from '@aisbf/tenancy';
import { parseArgs } from 'node:util';
import { mysqlSource, type OriginalSource, sqliteSource } from './original-source';

const USAGE = `usage: node tools/import-original.mjs (--sqlite <aisbf.db> | --mysql <mysql://…/db>) [options]
       node tools/import-original.mjs --config-dir <dir> --owner <username> [options]

  --sqlite <file>       the original's SQLite database (default location ~/.aisbf/aisbf.db); needs the sqlite3 tool
  --mysql <url>         the original's MySQL database
  --config-dir <dir>    also import that directory's providers.json, rotations.json, autoselect.json ...
  --owner <username>    ... as routes of this user (created as an admin user if missing)
  --url <mysql://…>     target database (default: DATABASE_URL)
  --dry-run             check and report, write nothing
  --strict              exit 1 when anything was skipped

Environment: DATABASE_URL (target), AISBF_SECRET_KEY (needed when routes hold secrets such as api_key).
Running services pick the changes up within their cache TTLs (AISBF_AUTH_CACHE_TTL_MS, AISBF_USER_ROUTES_CACHE_TTL_MS).`;

export interface ImportReport {
  tiers: number;
  users: number;
  tokens: number;
  routes: Record<UserRouteKind, number>;
  skipped: string[];
}

const TABLE_KIND: Array<[string, UserRouteKind, string]> = [
  ['user_providers', 'provider', 'provider_id'],
  ['user_rotations', 'rotation', 'rotation_id'],
  ['user_autoselects', 'autoselect', 'autoselect_id'],
];

const truthy = (v: unknown) => v === true || v === 1 || v === '1' || v === 'true';
/** -1 / null = unlimited in the original; 0 = not permitted. */
const limit = (v: unknown): number | null => (v === null || v === undefined || Number(v) < 0 ? null : Number(v));
function date(v: unknown): Date | undefined {
  if (v === null || v === undefined || v === '') return undefined;
  const text = String(v);
  const d = new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(text) ? text : `${text.replace(' ', 'T')}Z`);
  return Number.isNaN(d.getTime()) ? undefined : d;
}
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

function problemOf(kind: UserRouteKind, config: unknown): string | undefined {
  const r = schemaOf(kind).safeParse(config);
  if (r.success) return undefined;
  return describeIssues(r.error, 5)
    .map((i) => `${i.path || '(top level)'}: ${i.message}`)
    .join('; ');
}

export interface ImportOptions {
  source?: OriginalSource;
  configDir?: string;
  owner?: string;
  dryRun?: boolean;
  log?: (line: string) => void;
}

/** Imports into the database behind `prisma`; `box` encrypts route secrets (required when there are any). */
export async function importOriginal(prisma: PrismaService, box: SecretBox | undefined, opts: ImportOptions): Promise<ImportReport> {
  const log = opts.log ?? (() => undefined);
  const store = new UserRouteStore(prisma, box);
  const report: ImportReport = { tiers: 0, users: 0, tokens: 0, routes: { provider: 0, rotation: 0, autoselect: 0 }, skipped: [] };
  const skip = (what: string, why: string) => {
    report.skipped.push(`${what}: ${why}`);
    log(`skipped ${what}: ${why}`);
  };
  const dry = opts.dryRun === true;

  const saveRoute = async (userId: number | null, who: string, kind: UserRouteKind, id: string, config: unknown) => {
    const what = `${who}'s ${kind} '${id}'`;
    if (!ROUTE_ID_PATTERN.test(id)) return skip(what, 'the id must be letters, digits, ".", "_", ":" or "-" (it is used in model names and URLs)');
    const problem = problemOf(kind, config);
    if (problem) return skip(what, problem);
    if (!dry && userId !== null) {
      try {
        await store.save(userId, kind, id, config as Record<string, unknown>, 'upsert');
      } catch (err) {
        return skip(what, (err as Error).message);
      }
    }
    report.routes[kind]++;
  };

  if (opts.source) {
    const src = opts.source;
    // Tiers, matched by name.
    const tierIds = new Map<number, number>();
    for (const t of await src.rows('account_tiers')) {
      const name = str(t['name']);
      if (!name) continue;
      const data = {
        description: str(t['description']) ?? null,
        isDefault: truthy(t['is_default']),
        requestsPerDay: limit(t['max_requests_per_day']),
        requestsPerMonth: limit(t['max_requests_per_month']),
      };
      if (!dry) {
        const row = await prisma.tier.upsert({ where: { name }, create: { name, ...data }, update: data });
        tierIds.set(Number(t['id']), row.id);
      }
      report.tiers++;
    }
    if (!dry && report.tiers > 0) {
      // Keep at most one default tier (the last one the original marked).
      const defaults = await prisma.tier.findMany({ where: { isDefault: true }, orderBy: { id: 'asc' } });
      for (const d of defaults.slice(0, -1)) await prisma.tier.update({ where: { id: d.id }, data: { isDefault: false } });
    }

    // Users, matched by username.
    const userIds = new Map<number, { id: number | null; username: string }>();
    for (const u of await src.rows('users')) {
      const username = str(u['username']);
      if (!username || !USERNAME_PATTERN.test(username)) {
        skip(`user '${String(u['username'])}'`, 'the username must be 2-64 characters: letters, digits, ".", "_" or "-"');
        continue;
      }
      const data = {
        displayName: str(u['display_name']) ?? null,
        email: str(u['email']) ?? null,
        role: u['role'] === 'admin' ? ('admin' as const) : ('user' as const),
        status: u['is_active'] === undefined || truthy(u['is_active']) ? ('active' as const) : ('disabled' as const),
        passwordHash: str(u['password_hash']) ?? null,
        tierId: u['tier_id'] === undefined || u['tier_id'] === null ? null : (tierIds.get(Number(u['tier_id'])) ?? null),
      };
      let id: number | null = null;
      if (!dry) {
        const row = await prisma.user.upsert({ where: { username }, create: { username, ...data, createdAt: date(u['created_at']) }, update: data });
        id = row.id;
      }
      userIds.set(Number(u['id']), { id, username });
      report.users++;
    }

    // Tokens: the original kept them in plaintext; only their SHA-256 is stored here, so they keep working.
    for (const t of await src.rows('user_api_tokens')) {
      const owner = userIds.get(Number(t['user_id']));
      const token = str(t['token']);
      if (!owner || !token) {
        skip(`token ${String(t['id'])}`, owner ? 'no token value' : `its user ${String(t['user_id'])} was not imported`);
        continue;
      }
      const scope = t['scope'] === 'mcp' || t['scope'] === 'both' ? t['scope'] : 'api';
      const data = {
        description: str(t['description'])?.slice(0, 191) ?? null,
        scope: scope as 'api' | 'mcp' | 'both',
        lastUsedAt: date(t['last_used']) ?? null,
        revokedAt: t['is_active'] === undefined || truthy(t['is_active']) ? null : new Date(),
      };
      if (!dry && owner.id !== null) {
        const tokenHash = hashToken(token);
        await prisma.apiToken.upsert({
          where: { tokenHash },
          create: { userId: owner.id, tokenHash, prefix: tokenDisplayPrefix(token), createdAt: date(t['created_at']), ...data },
          update: data,
        });
      }
      report.tokens++;
    }

    // User routes, validated by the config-file schemas.
    for (const [table, kind, idColumn] of TABLE_KIND) {
      for (const r of await src.rows(table as 'user_providers')) {
        const owner = userIds.get(Number(r['user_id']));
        const id = String(r[idColumn] ?? '');
        if (!owner) {
          skip(`${kind} '${id}'`, `its user ${String(r['user_id'])} was not imported`);
          continue;
        }
        let config: unknown;
        try {
          config = typeof r['config'] === 'string' ? JSON.parse(r['config']) : r['config'];
        } catch {
          skip(`${owner.username}'s ${kind} '${id}'`, 'config is not valid JSON');
          continue;
        }
        await saveRoute(owner.id, owner.username, kind, id, config);
      }
    }
  }

  if (opts.configDir) {
    if (!opts.owner) throw new Error('--config-dir needs --owner <username>: the user whose routes the files become');
    const cfg = loadGatewayConfig(opts.configDir);
    let owner = dry ? null : await prisma.user.findUnique({ where: { username: opts.owner } });
    if (!owner && !dry) {
      if (!USERNAME_PATTERN.test(opts.owner)) throw new Error(`--owner '${opts.owner}' is not a valid username`);
      owner = await prisma.user.create({ data: { username: opts.owner, role: 'admin', displayName: 'Imported global routes' } });
      report.users++;
      log(`created admin user '${opts.owner}' to own the imported routes`);
    }
    for (const [id, c] of Object.entries(cfg.providers.providers)) await saveRoute(owner?.id ?? null, opts.owner, 'provider', id, c);
    for (const [id, c] of Object.entries(cfg.rotations.rotations)) await saveRoute(owner?.id ?? null, opts.owner, 'rotation', id, c);
    for (const [id, c] of Object.entries(cfg.autoselect)) await saveRoute(owner?.id ?? null, opts.owner, 'autoselect', id, c);
  }
  return report;
}

export async function main(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        sqlite: { type: 'string' },
        mysql: { type: 'string' },
        'config-dir': { type: 'string' },
        owner: { type: 'string' },
        url: { type: 'string' },
        'dry-run': { type: 'boolean' },
        strict: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    console.error(`${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help || (!values.sqlite && !values.mysql && !values['config-dir'])) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  // The importer reads the same environment as the services (DATABASE_URL, AISBF_SECRET_KEY).
  const env = loadEnv('edge-api', { ...process.env, ...(values.url ? { DATABASE_URL: values.url } : {}) });
  const prisma = new PrismaService(env);
  const source = values.sqlite ? sqliteSource(values.sqlite) : values.mysql ? await mysqlSource(values.mysql) : undefined;
  try {
    await checkSecretKey(new UserRouteStore(prisma), env.secrets.key);
    const box = env.secrets.key ? new SecretBox(env.secrets.key) : undefined;
    const report = await importOriginal(prisma, box, {
      source,
      configDir: values['config-dir'],
      owner: values.owner,
      dryRun: values['dry-run'],
      log: (line) => console.log(line),
    });
    const r = report.routes;
    console.log(
      `${values['dry-run'] ? 'would import' : 'imported'}: ${report.tiers} tier(s), ${report.users} user(s), ${report.tokens} token(s), ` +
        `${r.provider} provider(s), ${r.rotation} rotation(s), ${r.autoselect} autoselect(s); skipped ${report.skipped.length}`,
    );
    return values.strict && report.skipped.length ? 1 : 0;
  } finally {
    await source?.close();
    await prisma.$disconnect();
  }
}
