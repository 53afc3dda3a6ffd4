import type { Caller } from '@aisbf/contracts';
import type { GatewayConfig } from '@aisbf/platform-config';
import { AppError } from '@aisbf/platform-errors';
import { Inject, Injectable } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import { GATEWAY_CONFIG } from '../tokens';

const sha256 = (s: string) => createHash('sha256').update(s).digest();

/**
 * Who is calling. Global tokens come from aisbf.json `auth.tokens` (compared by SHA-256 digest in constant time);
 * with `auth.enabled: false` every caller is anonymous with access to the global routes, as in the original.
 */
@Injectable()
export class Authenticator {
  private readonly enabled: boolean;
  private readonly globalTokens: Buffer[];

  constructor(@Inject(GATEWAY_CONFIG) config: GatewayConfig) {
    this.enabled = config.aisbf.auth.enabled;
    this.globalTokens = config.aisbf.auth.tokens.map(sha256);
  }

  async authenticate(authorization: string | undefined): Promise<Caller> {
    if (!this.enabled) return { kind: 'anonymous', label: 'anonymous', isAdmin: false };
    const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    if (!m) {
      throw new AppError('UNAUTHENTICATED', 'Missing API token. Send it as "Authorization: Bearer <token>".', { retryable: false });
    }
    const digest = sha256(m[1]!);
    const idx = this.globalTokens.findIndex((t) => timingSafeEqual(t, digest));
    if (idx >= 0) return { kind: 'global', label: `global:${idx}`, isAdmin: true };
    throw new AppError('UNAUTHENTICATED', 'Invalid API token.', { retryable: false });
  }
}
