import { z } from 'zod';

const mysqlShape = {
  mysql_host: z.string().optional(),
  mysql_port: z.number().int().optional(),
  mysql_user: z.string().optional(),
  mysql_password: z.string().optional(),
  mysql_database: z.string().optional(),
};
const redisShape = {
  redis_host: z.string().optional(),
  redis_port: z.number().int().optional(),
  redis_db: z.number().int().optional(),
  redis_password: z.string().optional(),
  redis_key_prefix: z.string().optional(),
};

const FeatureMode = z.strictObject({ mode: z.enum(['inherit', 'enabled', 'disabled']).default('inherit') });
const RateWindow = z.strictObject({
  requests_per_minute: z.number().int().nonnegative().optional(),
  requests_per_hour: z.number().int().nonnegative().optional(),
});

/** aisbf.json. Sections the gateway acts on are strict; product sections out of our scope are accepted as they are. */
export const AisbfFileSchema = z.strictObject({
  server: z
    .strictObject({
      host: z.string().default('127.0.0.1'),
      port: z.number().int().min(1).max(65535).default(17765),
      protocol: z.enum(['http', 'https']).default('http'),
      ssl_certfile: z.string().optional(),
      ssl_keyfile: z.string().optional(),
    })
    .optional(),
  auth: z
    .strictObject({
      enabled: z.boolean().default(false),
      tokens: z.array(z.string().min(1)).default([]),
    })
    .default({ enabled: false, tokens: [] }),
  mcp: z
    .strictObject({
      enabled: z.boolean().optional(),
      autoselect_tokens: z.array(z.string()).optional(),
      fullconfig_tokens: z.array(z.string()).optional(),
    })
    .optional(),
  dashboard: z
    .strictObject({ enabled: z.boolean().optional(), username: z.string().optional(), password: z.string().optional() })
    .optional(),
  database: z
    .strictObject({ type: z.enum(['sqlite', 'mysql']).optional(), sqlite_path: z.string().optional(), ...mysqlShape })
    .optional(),
  cache: z
    .strictObject({
      type: z.enum(['sqlite', 'redis', 'mysql', 'file', 'memory']).optional(),
      sqlite_path: z.string().optional(),
      ...redisShape,
      ...mysqlShape,
    })
    .optional(),
  response_cache: z
    .strictObject({
      enabled: z.boolean().default(false),
      backend: z.enum(['memory', 'redis', 'sqlite', 'mysql']).optional(),
      ttl: z.number().int().positive().default(600),
      max_memory_cache: z.number().int().positive().optional(),
      sqlite_path: z.string().optional(),
      ...redisShape,
      ...mysqlShape,
    })
    .optional(),
  feature_controls: z
    .strictObject({
      nsfw_classification: FeatureMode.optional(),
      privacy_classification: FeatureMode.optional(),
      context_condensation: FeatureMode.optional(),
      response_cache: FeatureMode.optional(),
      prompt_batching: FeatureMode.optional(),
      prompt_security: z.record(z.string(), z.unknown()).optional(),
    })
    .optional(),
  classify_nsfw: z.boolean().optional(),
  classify_privacy: z.boolean().optional(),
  classify_semantic: z.boolean().optional(),
  internal_model: z.record(z.string(), z.unknown()).optional(),
  batching: z.record(z.string(), z.unknown()).optional(),
  adaptive_rate_limiting: z.record(z.string(), z.unknown()).optional(),
  client_rate_limiting: z
    .strictObject({ enabled: z.boolean().default(false), api: RateWindow.optional(), general: RateWindow.optional() })
    .optional(),
  // Product sections outside the gateway's scope, accepted so an operator can point us at the original's files.
  signup: z.unknown().optional(),
  smtp: z.unknown().optional(),
  oauth2: z.unknown().optional(),
  tor: z.unknown().optional(),
  currency: z.unknown().optional(),
  payment_gateways: z.unknown().optional(),
  billing: z.unknown().optional(),
});
export type AisbfFile = z.infer<typeof AisbfFileSchema>;
