import type { TierView, TokenView, UserView } from '@aisbf/contracts';
import type { ApiToken, Tier, User } from '@aisbf/platform-prisma';
import type { TierLimits } from '../auth/token-identity';

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);
const num = (v: number | bigint | null): number | null => (v === null ? null : Number(v));

/** API views of the rows: snake_case, timestamps as RFC 3339, never a password hash or a token hash. */
export function userView(u: User & { tier: Pick<Tier, 'id' | 'name'> | null }): UserView {
  return {
    id: u.id,
    username: u.username,
    display_name: u.displayName,
    email: u.email,
    role: u.role,
    status: u.status,
    tier: u.tier ? { id: u.tier.id, name: u.tier.name } : null,
    created_at: u.createdAt.toISOString(),
    updated_at: u.updatedAt.toISOString(),
  };
}

export function tokenView(t: ApiToken, now = Date.now()): TokenView {
  return {
    id: t.id,
    user_id: t.userId,
    prefix: t.prefix,
    description: t.description,
    scope: t.scope,
    expires_at: iso(t.expiresAt),
    last_used_at: iso(t.lastUsedAt),
    revoked_at: iso(t.revokedAt),
    created_at: t.createdAt.toISOString(),
    active: t.revokedAt === null && (t.expiresAt === null || t.expiresAt.getTime() > now),
  };
}

export function tierView(t: Tier): TierView {
  return {
    id: t.id,
    name: t.name,
    description: t.description,
    is_default: t.isDefault,
    requests_per_day: t.requestsPerDay,
    requests_per_month: t.requestsPerMonth,
    tokens_per_day: num(t.tokensPerDay),
    tokens_per_month: num(t.tokensPerMonth),
    requests_per_minute: t.requestsPerMinute,
    created_at: t.createdAt.toISOString(),
    updated_at: t.updatedAt.toISOString(),
  };
}

/** A tier's limits as edge-api enforces them (cached with each token lookup). */
export function tierLimits(t: Tier): TierLimits {
  return {
    id: t.id,
    name: t.name,
    requestsPerDay: t.requestsPerDay,
    requestsPerMonth: t.requestsPerMonth,
    tokensPerDay: num(t.tokensPerDay),
    tokensPerMonth: num(t.tokensPerMonth),
    requestsPerMinute: t.requestsPerMinute,
  };
}
