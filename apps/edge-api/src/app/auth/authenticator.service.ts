import { AuthChangedV1, type Caller, type EventOf } from '@aisbf/contracts';
import type { AppEnv, GatewayConfig } from '@aisbf/platform-config';
import { AppError } from '@aisbf/platform-errors';
import { EventBus } from '@aisbf/platform-messaging';
import type { AppLogger } from '@aisbf/platform-observability';
import { PrismaService } from '@aisbf/platform-prisma';
import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import { ENV, GATEWAY_CONFIG, LOGGER } from '../tokens';
import { TokenCache } from './token-cache';
import { tierLimits } from '../users/views';
import type { TokenIdentity } from './token-identity';

const sha256 = (s: string) => createHash('sha256').update(s).digest();
const LAST_USED_EVERY_MS = 60_000;

export interface Authenticated {
  caller: Caller;
  /** Present for user tokens. */
  token?: TokenIdentity;
}

/**
 * Who is calling. Global tokens come from aisbf.json `auth.tokens` (compared by SHA-256 digest in constant time).
 * User tokens are looked up by their SHA-256 in MySQL (cached briefly; `evt.auth.changed.v1` drops a revoked token,
 * a disabled user or a changed tier on every replica at once). With `auth.enabled: false` every caller is anonymous
 * with access to the global routes, as in the original.
 */
@Injectable()
export class Authenticator implements OnModuleInit, OnModuleDestroy {
  private readonly enabled: boolean;
  private readonly globalTokens: Buffer[];
  private readonly cache: TokenCache;
  private readonly lastUsedWritten = new Map<number, number>();
  private unsubscribe?: () => void;

  constructor(
    @Inject(GATEWAY_CONFIG) config: GatewayConfig,
    @Inject(PrismaService) private readonly prisma: PrismaService,
    @Inject(EventBus) private readonly bus: EventBus,
    @Inject(ENV) env: AppEnv,
    @Inject(LOGGER) private readonly log: AppLogger,
  ) {
    this.enabled = config.aisbf.auth.enabled;
    this.globalTokens = config.aisbf.auth.tokens.map(sha256);
    this.cache = new TokenCache(env.auth.cacheTtlMs);
  }

  onModuleInit(): void {
    this.unsubscribe = this.bus.subscribe(AuthChangedV1, (e) => this.invalidate(e));
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
  }

  get authEnabled(): boolean {
    return this.enabled;
  }

  /** Forget cached lookups affected by a change (called for local changes and for the events of other replicas). */
  invalidate(e: EventOf<typeof AuthChangedV1>): void {
    if (e.kind === 'token-revoked') this.cache.invalidate((t) => t.tokenId === e.tokenId);
    else if (e.kind === 'user-changed') this.cache.invalidate((t) => t.userId === e.userId);
    else this.cache.clear();
  }

  async authenticate(authorization: string | undefined): Promise<Authenticated> {
    if (!this.enabled) return { caller: { kind: 'anonymous', label: 'anonymous', isAdmin: false } };
    const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    if (!m) {
      throw new AppError('UNAUTHENTICATED', 'Missing API token. Send it as "Authorization: Bearer <token>".', { retryable: false });
    }
    const digest = sha256(m[1]!);
    const idx = this.globalTokens.findIndex((t) => timingSafeEqual(t, digest));
    if (idx >= 0) return { caller: { kind: 'global', label: `global:${idx}`, isAdmin: true } };

    // The digest is also the stored token hash (`hashToken`).
    const token = await this.lookup(digest.toString('hex'));
    if (!token || token.revoked) throw new AppError('UNAUTHENTICATED', 'Invalid API token.', { retryable: false });
    if (token.expiresAt !== null && token.expiresAt <= Date.now()) {
      throw new AppError('UNAUTHENTICATED', 'This API token has expired.', { retryable: false });
    }
    if (token.userStatus !== 'active') {
      throw new AppError('UNAUTHENTICATED', 'The user of this API token is disabled.', { retryable: false });
    }
    this.touch(token.tokenId);
    return {
      caller: { kind: 'user', label: `user:${token.username}`, userId: token.userId, username: token.username, tokenId: token.tokenId, isAdmin: token.role === 'admin' },
      token,
    };
  }

  private async lookup(hash: string): Promise<TokenIdentity | null> {
    const cached = this.cache.get(hash);
    if (cached !== undefined) return cached;
    const generation = this.cache.begin();
    const row = await this.prisma.apiToken
      .findUnique({ where: { tokenHash: hash }, include: { user: { include: { tier: true } } } })
      .catch((err: unknown) => {
        this.log.error({ err: (err as Error).message }, 'token lookup failed');
        throw new AppError('SERVICE_UNAVAILABLE', 'The API token cannot be checked right now (database unavailable); retry shortly.');
      });
    const identity: TokenIdentity | null = row
      ? {
          tokenId: row.id,
          userId: row.userId,
          username: row.user.username,
          role: row.user.role,
          userStatus: row.user.status,
          scope: row.scope,
          expiresAt: row.expiresAt?.getTime() ?? null,
          revoked: row.revokedAt !== null,
          tier: row.user.tier ? tierLimits(row.user.tier) : null,
        }
      : null;
    this.cache.set(hash, identity, generation);
    return identity;
  }

  /** Record last use, at most once a minute per token and replica, off the request path. */
  private touch(tokenId: number): void {
    const now = Date.now();
    if (now - (this.lastUsedWritten.get(tokenId) ?? 0) < LAST_USED_EVERY_MS) return;
    this.lastUsedWritten.set(tokenId, now);
    this.prisma.apiToken
      .update({ where: { id: tokenId }, data: { lastUsedAt: new Date(now) } })
      .catch((err: unknown) => this.log.debug({ err: (err as Error).message, tokenId }, 'could not record token last use'));
  }
}
