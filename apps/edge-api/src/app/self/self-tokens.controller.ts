import { CreateTokenBodySchema, type CreateTokenBody } from '@aisbf/contracts';
import { AppError } from '@aisbf/platform-errors';
import { Body, Controller, Delete, Get, Inject, Param, Post, Req, UseGuards } from '@nestjs/common';
import { Access } from '../auth/access';
import { AuthGuard, type AuthedRequest } from '../auth/auth.guard';
import type { TokenIdentity } from '../auth/token-identity';
import { ZodBody } from '../http/validation';
import { QuotaService } from '../limits/quota.service';
import { TokensService, tokenNotFound } from '../users/tokens.service';
import { UsersService, parseId } from '../users/users.service';
import { TiersService } from '../users/tiers.service';

const owner = (req: AuthedRequest): TokenIdentity => req.token!;

/** `/api/user/me` and `/api/user/tokens/...`: a user token; the user is the token's owner. */
@Controller('api/user')
@UseGuards(AuthGuard)
@Access('user')
export class SelfTokensController {
  constructor(
    @Inject(UsersService) private readonly users: UsersService,
    @Inject(TokensService) private readonly tokens: TokensService,
    @Inject(TiersService) private readonly tiers: TiersService,
    @Inject(QuotaService) private readonly quotas: QuotaService,
  ) {}

  @Get('me')
  async me(@Req() req: AuthedRequest) {
    const t = owner(req);
    const [user, tokens, tier, quotas] = await Promise.all([
      this.users.get(t.userId),
      this.tokens.list(t.userId),
      t.tier ? this.tiers.get(t.tier.id) : null,
      this.quotas.usage(t.userId, t.tier),
    ]);
    return { user, token: tokens.find((x) => x.id === t.tokenId)!, tier, quotas };
  }

  @Get('tokens')
  async list(@Req() req: AuthedRequest) {
    return { data: await this.tokens.list(owner(req).userId) };
  }

  /** A token may create tokens of its own scope (a `both` token any scope). */
  @Post('tokens')
  create(@Req() req: AuthedRequest, @Body(new ZodBody(CreateTokenBodySchema, 'token')) body: CreateTokenBody) {
    const t = owner(req);
    if (t.scope !== 'both' && body.scope !== t.scope) {
      throw new AppError('FORBIDDEN', `A token with scope '${t.scope}' may only create tokens with scope '${t.scope}'`, { retryable: false, param: 'scope' });
    }
    return this.tokens.issue(t.userId, body);
  }

  @Delete('tokens/:tokenId')
  revoke(@Req() req: AuthedRequest, @Param('tokenId') tokenId: string) {
    return this.tokens.revoke(owner(req).userId, parseId(tokenId, () => tokenNotFound(tokenId)));
  }
}
