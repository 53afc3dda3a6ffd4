import {
  type AutoselectConfig,
  AutoselectConfigSchema,
  describeIssues,
  type ProviderConfig,
  ProviderConfigSchema,
  type RotationConfig,
  RotationConfigSchema,
} from '@aisbf/contracts';
import { AppError } from '@aisbf/platform-errors';
import { isUniqueViolation, type PrismaService } from '@aisbf/platform-prisma';
import type { z } from 'zod';
import { SecretBox, SecretKeyError } from './secret-box';
import { maskSecrets, mergeSecrets, pointerToPath, resolveMaskedSecrets, splitSecrets } from './secret-fields';

export type UserRouteKind = 'provider' | 'rotation' | 'autoselect';
export const USER_ROUTE_KINDS: readonly UserRouteKind[] = ['provider', 'rotation', 'autoselect'];

export interface UserRouteConfigs {
  provider: ProviderConfig;
  rotation: RotationConfig;
  autoselect: AutoselectConfig;
}

/** One user's routes, parsed by the config-file schemas, without secrets (what the router needs). */
export interface UserRouteSet {
  providers: Record<string, ProviderConfig>;
  rotations: Record<string, RotationConfig>;
  autoselects: Record<string, AutoselectConfig>;
}

/** A stored route as the API shows it: config without secrets, and where the secrets were. */
export interface StoredUserRoute {
  kind: UserRouteKind;
  userId: number;
  id: string;
  /** The config as sent (defaults not applied), secrets removed. */
  config: Record<string, unknown>;
  /** JSON Pointers of the stored (encrypted) secrets. */
  secretPointers: string[];
  createdAt: Date;
  updatedAt: Date;
}

interface RouteRow {
  id: number;
  userId: number;
  config: unknown;
  secrets: string | null;
  secretKeyId: string | null;
  createdAt: Date;
  updatedAt: Date;
  [idField: string]: unknown;
}

/** The part of a Prisma model delegate this store uses (the three tables differ only in the id column's name). */
interface RouteDelegate {
  findMany(args: unknown): Promise<RouteRow[]>;
  findUnique(args: unknown): Promise<RouteRow | null>;
  create(args: unknown): Promise<RouteRow>;
  update(args: unknown): Promise<RouteRow>;
  deleteMany(args: unknown): Promise<{ count: number }>;
  groupBy(args: unknown): Promise<Array<{ secretKeyId: string | null; _count: { _all: number } }>>;
}

const SPEC = {
  provider: { table: 'UserProvider', idField: 'providerId', schema: ProviderConfigSchema as z.ZodType, label: 'Provider' },
  rotation: { table: 'UserRotation', idField: 'rotationId', schema: RotationConfigSchema as z.ZodType, label: 'Rotation' },
  autoselect: { table: 'UserAutoselect', idField: 'autoselectId', schema: AutoselectConfigSchema as z.ZodType, label: 'Autoselect' },
} as const;

export const schemaOf = (kind: UserRouteKind): z.ZodType => SPEC[kind].schema;

/** `UserProvider:<userId>:<providerId>:<pointer>`: a secret decrypts only in the row (and at the place) it was written for. */
const aadOf = (kind: UserRouteKind, userId: number, id: string, ptr: string) => `${SPEC[kind].table}:${userId}:${id}:${ptr}`;

/**
 * User-owned providers, rotations and autoselects in MySQL. Configs are the config files' entries, checked by the same
 * schemas on the way in (the API) and again on the way out (a row that no longer validates is skipped and reported,
 * never half-used). Secrets are encrypted one by one with AES-256-GCM and stored beside the config, keyed by their
 * JSON Pointer, so listings can mask them without the key.
 */
export class UserRouteStore {
  constructor(
    private readonly prisma: PrismaService,
    private readonly box?: SecretBox,
    private readonly onInvalidRow: (info: { kind: UserRouteKind; userId: number; id: string; problem: string }) => void = () => undefined,
  ) {}

  private table(kind: UserRouteKind): RouteDelegate {
    const p = this.prisma as unknown as Record<string, RouteDelegate>;
    return kind === 'provider' ? p['userProvider']! : kind === 'rotation' ? p['userRotation']! : p['userAutoselect']!;
  }

  private key(kind: UserRouteKind, userId: number, id: string) {
    return { [`userId_${SPEC[kind].idField}`]: { userId, [SPEC[kind].idField]: id } };
  }

  private view(kind: UserRouteKind, row: RouteRow): StoredUserRoute {
    return {
      kind,
      userId: row.userId,
      id: String(row[SPEC[kind].idField]),
      config: (row.config ?? {}) as Record<string, unknown>,
      secretPointers: Object.keys(parseSecretColumn(row.secrets)),
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
    };
  }

  async list(userId: number, kind: UserRouteKind): Promise<StoredUserRoute[]> {
    const rows = await this.table(kind).findMany({ where: { userId }, orderBy: { [SPEC[kind].idField]: 'asc' } });
    return rows.map((r) => this.view(kind, r));
  }

  async get(userId: number, kind: UserRouteKind, id: string): Promise<StoredUserRoute | null> {
    const row = await this.table(kind).findUnique({ where: this.key(kind, userId, id) });
    return row ? this.view(kind, row) : null;
  }

  /** The 404 for a route the caller does not own, whether it exists for someone else or not at all. */
  notFound(kind: UserRouteKind, id: string): AppError {
    return new AppError('RESOURCE_NOT_FOUND', `${SPEC[kind].label} '${id}' not found`, { retryable: false });
  }

  /**
   * Stores a config that already passed the kind's schema. `create` fails on an existing id (CONFLICT), `replace` on
   * a missing one (404), `upsert` does either. Secrets sent back as the mask keep their stored value.
   */
  async save(
    userId: number,
    kind: UserRouteKind,
    id: string,
    config: Record<string, unknown>,
    mode: 'create' | 'replace' | 'upsert',
  ): Promise<{ route: StoredUserRoute; created: boolean }> {
    const table = this.table(kind);
    const existing = mode === 'create' ? null : await table.findUnique({ where: this.key(kind, userId, id) });
    if (mode === 'replace' && !existing) throw this.notFound(kind, id);

    const split = splitSecrets(config);
    const stored = existing ? this.decryptAll(kind, userId, id, existing) : {};
    const { secrets, unresolved } = resolveMaskedSecrets(split.secrets, stored);
    if (unresolved.length) {
      const field = pointerToPath(unresolved[0]!);
      throw new AppError('INVALID_REQUEST', `Invalid ${kind} config: ${field}: "********" is the mask of a stored secret, and none is stored here; send the real value`, {
        retryable: false,
        param: field,
      });
    }
    const sealed = this.sealAll(kind, userId, id, secrets);
    const data = { config: split.config as object, secrets: sealed.column, secretKeyId: sealed.keyId };
    if (existing) {
      const row = await table.update({ where: { id: existing.id }, data });
      return { route: this.view(kind, row), created: false };
    }
    try {
      const row = await table.create({ data: { userId, [SPEC[kind].idField]: id, ...data } });
      return { route: this.view(kind, row), created: true };
    } catch (err) {
      if (isUniqueViolation(err)) {
        throw new AppError('CONFLICT', `${SPEC[kind].label} '${id}' exists already; use PUT to replace it`, { retryable: false });
      }
      throw err;
    }
  }

  async remove(userId: number, kind: UserRouteKind, id: string): Promise<boolean> {
    const r = await this.table(kind).deleteMany({ where: { userId, [SPEC[kind].idField]: id } });
    return r.count > 0;
  }

  /** Every route of a user, parsed by the schemas, without secrets (the router's view). */
  async loadRouteSet(userId: number): Promise<UserRouteSet> {
    const [providers, rotations, autoselects] = await Promise.all(USER_ROUTE_KINDS.map((k) => this.table(k).findMany({ where: { userId } })));
    return {
      providers: this.parseRows('provider', providers!) as Record<string, ProviderConfig>,
      rotations: this.parseRows('rotation', rotations!) as Record<string, RotationConfig>,
      autoselects: this.parseRows('autoselect', autoselects!) as Record<string, AutoselectConfig>,
    };
  }

  /** One provider with its secrets decrypted (what an adapter needs), or null when the user has no such provider. */
  async loadProviderWithSecrets(userId: number, providerId: string): Promise<ProviderConfig | null> {
    const row = await this.table('provider').findUnique({ where: this.key('provider', userId, providerId) });
    if (!row) return null;
    const full = mergeSecrets(row.config, this.decryptAll('provider', userId, providerId, row));
    const parsed = ProviderConfigSchema.safeParse(full);
    if (!parsed.success) {
      this.onInvalidRow({ kind: 'provider', userId, id: providerId, problem: describeIssue(parsed.error) });
      return null;
    }
    return parsed.data;
  }

  /** How many rows hold secrets, per key id (the start-up check). */
  async secretKeyUsage(): Promise<Map<string | null, number>> {
    const out = new Map<string | null, number>();
    for (const kind of USER_ROUTE_KINDS) {
      const groups = await this.table(kind).groupBy({ by: ['secretKeyId'], where: { secrets: { not: null } }, _count: { _all: true } });
      for (const g of groups) out.set(g.secretKeyId, (out.get(g.secretKeyId) ?? 0) + g._count._all);
    }
    return out;
  }

  /** The config an API may show: secrets replaced by the mask. */
  static masked(route: StoredUserRoute): Record<string, unknown> {
    return maskSecrets(route.config, route.secretPointers) as Record<string, unknown>;
  }

  private parseRows(kind: UserRouteKind, rows: RouteRow[]): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const row of rows) {
      const id = String(row[SPEC[kind].idField]);
      const parsed = SPEC[kind].schema.safeParse(row.config);
      if (parsed.success) out[id] = parsed.data;
      else this.onInvalidRow({ kind, userId: row.userId, id, problem: describeIssue(parsed.error) });
    }
    return out;
  }

  private requireBox(): SecretBox {
    if (!this.box) {
      throw new AppError('SERVICE_UNAVAILABLE', 'This gateway has no AISBF_SECRET_KEY, so it cannot store or read provider secrets; ask the operator to set it', {
        retryable: false,
      });
    }
    return this.box;
  }

  private sealAll(kind: UserRouteKind, userId: number, id: string, secrets: Record<string, string>): { column: string | null; keyId: string | null } {
    const pointers = Object.keys(secrets);
    if (pointers.length === 0) return { column: null, keyId: null };
    const box = this.requireBox();
    const sealed = Object.fromEntries(pointers.map((p) => [p, box.seal(secrets[p]!, aadOf(kind, userId, id, p))]));
    return { column: JSON.stringify(sealed), keyId: box.keyId };
  }

  private decryptAll(kind: UserRouteKind, userId: number, id: string, row: RouteRow): Record<string, string> {
    const sealed = parseSecretColumn(row.secrets);
    const pointers = Object.keys(sealed);
    if (pointers.length === 0) return {};
    const box = this.requireBox();
    if (row.secretKeyId && row.secretKeyId !== box.keyId) {
      throw new SecretKeyError(`${SPEC[kind].label} '${id}' secrets were encrypted with key ${row.secretKeyId}, but AISBF_SECRET_KEY is key ${box.keyId}`);
    }
    return Object.fromEntries(pointers.map((p) => [p, box.open(sealed[p]!, aadOf(kind, userId, id, p))]));
  }
}

function parseSecretColumn(column: string | null): Record<string, string> {
  if (!column) return {};
  try {
    const parsed = JSON.parse(column) as unknown;
    return parsed && typeof parsed === 'object' ? (parsed as Record<string, string>) : {};
  } catch {
    return {};
  }
}

function describeIssue(error: z.ZodError): string {
  return describeIssues(error, 1)
    .map((i) => `${i.path || '(top level)'}: ${i.message}`)
    .join('; ');
}
