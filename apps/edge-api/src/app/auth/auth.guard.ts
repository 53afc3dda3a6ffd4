import type { Caller } from '@aisbf/contracts';
import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { Authenticator } from './authenticator.service';

export type AuthedRequest = FastifyRequest & { caller: Caller; aisbfRequestId?: string };

/** Puts the authenticated caller on the request, or fails with UNAUTHENTICATED (401). */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(@Inject(Authenticator) private readonly auth: Authenticator) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const req = ctx.switchToHttp().getRequest<AuthedRequest>();
    req.caller = await this.auth.authenticate(req.headers.authorization);
    return true;
  }
}
