import type { ServiceName } from '@aisbf/contracts';
import { z } from 'zod';

/** Default HTTP port per service: edge-api serves the API there, the others only /health and /health/ready. */
export const DEFAULT_PORTS: Record<ServiceName, number> = {
  'edge-api': 17765,
  router: 17770,
  'provider-workers': 17771,
  analytics: 17772,
  broker: 17773,
};

const port = z.coerce.number().int().min(0).max(65535);
const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

const EnvSchema = z.object({
  AISBF_CONFIG_DIR: z.string().min(1).default('./config'),
  AISBF_PORT: port.optional(),
  AISBF_HOST: z.string().default('0.0.0.0'),
  AISBF_HEALTH_PORT: port.optional(),
  AISBF_MAX_BODY_BYTES: z.coerce.number().int().positive().default(10 * 1024 * 1024),
  DATABASE_URL: z
    .string()
    .regex(/^(mysql|mariadb):\/\//, 'must be a mysql:// or mariadb:// URL')
    .default('mysql://root@127.0.0.1:3306/aisbf'),
  REDIS_URL: z.string().regex(/^rediss?:\/\//, 'must be a redis:// URL').default('redis://127.0.0.1:6379'),
  AISBF_REDIS_PREFIX: z.string().default('aisbf:'),
  NATS_URL: z.string().min(1).default('nats://127.0.0.1:4222'),
  AISBF_NATS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/, 'must be NATS subject tokens like "aisbf" or "aisbf.staging"')
    .default('aisbf'),
  OTEL_EXPORTER_OTLP_ENDPOINT: z.string().url().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  AISBF_MIGRATE_ON_START: bool.default(false),
  /** Upper bound for one upstream call (ms). */
  AISBF_UPSTREAM_TIMEOUT_MS: z.coerce.number().int().positive().default(600_000),
  /** How long edge-api / the router wait for the next hop to acknowledge a request (ms). */
  AISBF_ACK_TIMEOUT_MS: z.coerce.number().int().positive().default(5_000),
  AISBF_INSTANCE_ID: z.string().optional(),
  /** How often provider-workers refresh the live model catalog (ms); 0 disables the repeatable job. */
  AISBF_MODEL_REFRESH_MS: z.coerce.number().int().nonnegative().default(600_000),
  /** Upper bound for one upstream model listing (ms). */
  AISBF_MODEL_LIST_TIMEOUT_MS: z.coerce.number().int().positive().default(20_000),
  /** Key that encrypts user provider secrets at rest (AES-256-GCM): 32 bytes as 64 hex characters or base64. */
  AISBF_SECRET_KEY: z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === '') return undefined;
      const key = parseSecretKey(v.trim());
      if (!key) {
        ctx.addIssue({ code: 'custom', message: 'must be 32 bytes, as 64 hex characters or base64 (e.g. `openssl rand -base64 32`)' });
        return z.NEVER;
      }
      return key;
    }),
  /** How long edge-api trusts a cached token lookup (ms); revocations also reach every replica at once by event. */
  AISBF_AUTH_CACHE_TTL_MS: z.coerce.number().int().nonnegative().default(10_000),
  /** How long the router and provider-workers keep a user's routes (ms); config-changed events refresh them sooner. */
  AISBF_USER_ROUTES_CACHE_TTL_MS: z.coerce.number().int().nonnegative().default(60_000),
});

/** 32 bytes from 64 hex characters or base64/base64url; undefined when the text is neither. */
function parseSecretKey(text: string): Buffer | undefined {
  if (/^[0-9a-fA-F]{64}$/.test(text)) return Buffer.from(text, 'hex');
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(text)) {
    const key = Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    if (key.length === 32) return key;
  }
  return undefined;
}

export interface AppEnv {
  service: ServiceName;
  instanceId: string;
  configDir: string;
  http: { host: string; port: number; bodyLimitBytes: number };
  database: { url: string };
  redis: { url: string; prefix: string };
  nats: { url: string; prefix: string };
  otel: { endpoint?: string };
  logLevel: string;
  migrateOnStart: boolean;
  timeouts: { upstreamMs: number; ackMs: number };
  models: { refreshMs: number; listTimeoutMs: number };
  /** `key` is absent when AISBF_SECRET_KEY is not set (then no provider secret can be stored or read). */
  secrets: { key?: Buffer };
  auth: { cacheTtlMs: number };
  userRoutes: { cacheTtlMs: number };
}

export class EnvError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid environment:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'EnvError';
  }
}

/**
 * Parse the environment once, listing every bad key in one error, and hand out a typed object grouped by concern.
 * Nothing else in the code base reads `process.env` for settings.
 */
export function loadEnv(service: ServiceName, source: NodeJS.ProcessEnv = process.env): AppEnv {
  const parsed = EnvSchema.safeParse(source);
  if (!parsed.success) {
    throw new EnvError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  const e = parsed.data;
  const httpPort = service === 'edge-api' ? (e.AISBF_PORT ?? DEFAULT_PORTS[service]) : (e.AISBF_HEALTH_PORT ?? DEFAULT_PORTS[service]);
  return {
    service,
    instanceId: e.AISBF_INSTANCE_ID ?? `${service}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`,
    configDir: e.AISBF_CONFIG_DIR,
    http: { host: e.AISBF_HOST, port: httpPort, bodyLimitBytes: e.AISBF_MAX_BODY_BYTES },
    database: { url: e.DATABASE_URL },
    redis: { url: e.REDIS_URL, prefix: e.AISBF_REDIS_PREFIX },
    nats: { url: e.NATS_URL, prefix: e.AISBF_NATS_PREFIX },
    otel: { endpoint: e.OTEL_EXPORTER_OTLP_ENDPOINT },
    logLevel: e.LOG_LEVEL,
    migrateOnStart: e.AISBF_MIGRATE_ON_START,
    timeouts: { upstreamMs: e.AISBF_UPSTREAM_TIMEOUT_MS, ackMs: e.AISBF_ACK_TIMEOUT_MS },
    models: { refreshMs: e.AISBF_MODEL_REFRESH_MS, listTimeoutMs: e.AISBF_MODEL_LIST_TIMEOUT_MS },
    secrets: { key: e.AISBF_SECRET_KEY },
    auth: { cacheTtlMs: e.AISBF_AUTH_CACHE_TTL_MS },
    userRoutes: { cacheTtlMs: e.AISBF_USER_ROUTES_CACHE_TTL_MS },
  };
}
