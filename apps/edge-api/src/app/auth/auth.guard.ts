import type { Caller } from '@aisbf/contracts';
import { AppError } from '@aisbf/platform-errors';
import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { RateLimiter } from '../limits/rate-limiter.service';
import { ACCESS_KEY, type AccessPolicy } from './access';
import { Authenticator } from './authenticator.service';
import type { TokenIdentity } from './token-identity';

export type AuthedRequest = FastifyRequest & { caller: Caller; token?: TokenIdentity; aisbfRequestId?: string };

const forbidden = (message: string) => new AppError('FORBIDDEN', message, { retryable: false });

/**
 * Authenticates (401 on a missing/invalid/expired/revoked token or a disabled user), applies the endpoint's access
 * policy (403 with the reason), the token's scope, and the per-token rate limit of the user's tier (429). Puts the
 * caller (and, for user tokens, what is known about the token) on the request.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    @Inject(Authenticator) private readonly auth: Authenticator,
    @Inject(RateLimiter) private readonly rateLimiter: RateLimiter,
    @Inject(Reflector) private readonly reflector: Reflector,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const req = ctx.switchToHttp().getRequest<AuthedRequest>();
    const policy = this.reflector.getAllAndOverride<AccessPolicy | undefined>(ACCESS_KEY, [ctx.getHandler(), ctx.getClass()]) ?? 'any';
    const { caller, token } = await this.auth.authenticate(req.headers.authorization);
    req.caller = caller;
    req.token = token;
    this.check(policy, caller, token, req.params as Record<string, string> | undefined);
    if (token?.tier?.requestsPerMinute != null) await this.rateLimiter.hit(token.tokenId, token.tier.requestsPerMinute, token.tier.name);
    return true;
  }

  private check(policy: AccessPolicy, caller: Caller, token: TokenIdentity | undefined, params: Record<string, string> | undefined): void {
    if (token && token.scope === 'mcp') throw forbidden("This token's scope is 'mcp': it may only be used for MCP, not for the HTTP API.");
    if (policy === 'any') return;
    if (caller.kind === 'anonymous') {
      throw forbidden('Users and tokens need authentication: set auth.enabled to true in aisbf.json and send a token.');
    }
    switch (policy) {
      case 'admin':
        if (!caller.isAdmin) throw forbidden('The admin API needs a global token or an admin user’s token.');
        return;
      case 'user':
        if (!token) throw forbidden('This endpoint needs a user token (the user comes from the token); global tokens have no user. Admins use /api/admin/users/{id}/....');
        return;
      case 'user-path':
        if (!token) throw forbidden('Global tokens cannot access user-specific endpoints; use a token of that user.');
        if (params?.['username'] !== token.username) throw forbidden('Access denied: the username in the URL must be the owner of the token.');
        return;
    }
  }
}
