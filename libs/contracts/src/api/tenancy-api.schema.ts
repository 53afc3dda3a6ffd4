import { z } from 'zod';
import { AutoselectConfigSchema } from '../config/autoselect.schema';
import { ProviderConfigSchema } from '../config/providers.schema';
import { RotationConfigSchema } from '../config/rotations.schema';

/**
 * Bodies and views of the admin (`/api/admin/...`) and self-service (`/api/user/...`) APIs. The route bodies are the
 * config-file schemas themselves, so a providers.json entry, an API body and a stored row are checked by one schema.
 * JSON keys are snake_case like the config files. These schemas also generate the OpenAPI document.
 */

export const USERNAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{1,63}$/;
/** Ids of user providers, rotations and autoselects: they appear in model names and URL paths, so no `/`. */
export const ROUTE_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

export const UserRoleSchema = z.enum(['admin', 'user']);
export const UserStatusSchema = z.enum(['active', 'disabled']);
export const TokenScopeSchema = z.enum(['api', 'mcp', 'both']);
export type TokenScopeName = z.infer<typeof TokenScopeSchema>;

const username = z
  .string({ error: '`username` is required' })
  .regex(USERNAME_PATTERN, 'must be 2-64 characters: letters, digits, ".", "_" or "-", starting with a letter or digit');
const displayName = z.string().max(191);
const email = z.email().max(191);
const tierId = z.number().int().positive();
/** A quota: null or absent = unlimited, 0 = not permitted. */
const limit = z.number().int().nonnegative().nullable();
export const RouteIdSchema = z
  .string()
  .regex(ROUTE_ID_PATTERN, 'must be 1-128 characters: letters, digits, ".", "_", ":" or "-", starting with a letter or digit');

export const CreateUserBodySchema = z.strictObject({
  username,
  display_name: displayName.optional(),
  email: email.optional(),
  role: UserRoleSchema.default('user'),
  status: UserStatusSchema.default('active'),
  /** Omitted: the default tier (if one is marked default); null: no tier (no quotas). */
  tier_id: tierId.nullable().optional(),
});
export type CreateUserBody = z.infer<typeof CreateUserBodySchema>;

export const UpdateUserBodySchema = z.strictObject({
  display_name: displayName.nullable().optional(),
  email: email.nullable().optional(),
  role: UserRoleSchema.optional(),
  status: UserStatusSchema.optional(),
  tier_id: tierId.nullable().optional(),
});
export type UpdateUserBody = z.infer<typeof UpdateUserBodySchema>;

export const CreateTokenBodySchema = z
  .strictObject({
    description: z.string().max(191).optional(),
    scope: TokenScopeSchema.default('api'),
    /** Absolute expiry (RFC 3339). */
    expires_at: z.iso.datetime({ offset: true }).optional(),
    /** Relative expiry. */
    expires_in_days: z.number().int().positive().max(3650).optional(),
  })
  .refine((b) => !(b.expires_at && b.expires_in_days), { message: 'give either `expires_at` or `expires_in_days`, not both', path: ['expires_at'] })
  .refine((b) => !b.expires_at || Date.parse(b.expires_at) > Date.now(), { message: 'must be in the future', path: ['expires_at'] });
export type CreateTokenBody = z.infer<typeof CreateTokenBodySchema>;

const tierShape = {
  description: z.string().max(2000).nullable().optional(),
  requests_per_day: limit.optional(),
  requests_per_month: limit.optional(),
  tokens_per_day: limit.optional(),
  tokens_per_month: limit.optional(),
  /** Client rate limit per API token. */
  requests_per_minute: limit.optional(),
};
export const CreateTierBodySchema = z.strictObject({
  name: z.string().min(1).max(64),
  is_default: z.boolean().default(false),
  ...tierShape,
});
export type CreateTierBody = z.infer<typeof CreateTierBodySchema>;
export const UpdateTierBodySchema = z.strictObject({ name: z.string().min(1).max(64).optional(), is_default: z.boolean().optional(), ...tierShape });
export type UpdateTierBody = z.infer<typeof UpdateTierBodySchema>;

/** POST bodies name the new route's id; PUT takes it from the path. */
export const CreateUserProviderBodySchema = ProviderConfigSchema.extend({ id: RouteIdSchema });
export const CreateUserRotationBodySchema = RotationConfigSchema.extend({ id: RouteIdSchema });
export const CreateUserAutoselectBodySchema = AutoselectConfigSchema.extend({ id: RouteIdSchema });

// ---------------------------------------------------------------------------------------------------------------------
// Views (responses)

const timestamp = z.iso.datetime();
export const TierViewSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  description: z.string().nullable(),
  is_default: z.boolean(),
  requests_per_day: z.number().nullable(),
  requests_per_month: z.number().nullable(),
  tokens_per_day: z.number().nullable(),
  tokens_per_month: z.number().nullable(),
  requests_per_minute: z.number().nullable(),
  created_at: timestamp,
  updated_at: timestamp,
});
export type TierView = z.infer<typeof TierViewSchema>;

export const UserViewSchema = z.object({
  id: z.number().int(),
  username: z.string(),
  display_name: z.string().nullable(),
  email: z.string().nullable(),
  role: UserRoleSchema,
  status: UserStatusSchema,
  tier: z.object({ id: z.number().int(), name: z.string() }).nullable(),
  created_at: timestamp,
  updated_at: timestamp,
});
export type UserView = z.infer<typeof UserViewSchema>;

export const TokenViewSchema = z.object({
  id: z.number().int(),
  user_id: z.number().int(),
  /** The first characters of the token, to recognise it; the token itself is shown only once, at creation. */
  prefix: z.string(),
  description: z.string().nullable(),
  scope: TokenScopeSchema,
  expires_at: timestamp.nullable(),
  last_used_at: timestamp.nullable(),
  revoked_at: timestamp.nullable(),
  created_at: timestamp,
  active: z.boolean(),
});
export type TokenView = z.infer<typeof TokenViewSchema>;
export const CreatedTokenViewSchema = TokenViewSchema.extend({ token: z.string().describe('The token. Shown only in this response.') });
export type CreatedTokenView = z.infer<typeof CreatedTokenViewSchema>;

/** A user route as the API shows it: its config with every secret replaced by `********`. */
export const RouteViewSchema = z.object({
  id: z.string(),
  /** The model name to use in chat (providers: one per configured model, `user-provider/<id>/<model>`). */
  model_ids: z.array(z.string()),
  config: z.record(z.string(), z.unknown()),
  created_at: timestamp,
  updated_at: timestamp,
});
export type RouteView = z.infer<typeof RouteViewSchema>;

export const QuotaUsageSchema = z.object({
  name: z.enum(['requests_per_day', 'requests_per_month', 'tokens_per_day', 'tokens_per_month']),
  limit: z.number().nullable(),
  used: z.number(),
  resets_at: timestamp,
});
export const MeViewSchema = z.object({
  user: UserViewSchema,
  token: TokenViewSchema,
  tier: TierViewSchema.nullable(),
  quotas: z.array(QuotaUsageSchema),
});

export const ListOf = <S extends z.ZodType>(item: S) => z.object({ data: z.array(item) });
