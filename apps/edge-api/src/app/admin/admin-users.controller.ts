import {
  CreateTokenBodySchema,
  type CreateTokenBody,
  CreateUserBodySchema,
  type CreateUserBody,
  UpdateUserBodySchema,
  type UpdateUserBody,
} from '@aisbf/contracts';
import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Patch, Post, Query, UseGuards } from '@nestjs/common';
import { Access } from '../auth/access';
import { AuthGuard } from '../auth/auth.guard';
import { ZodBody } from '../http/validation';
import { QuotaService } from '../limits/quota.service';
import { UserRoutesService } from '../routes/user-routes.service';
import { TokensService, tokenNotFound } from '../users/tokens.service';
import { TiersService } from '../users/tiers.service';
import { parseId, userNotFound, UsersService } from '../users/users.service';

/**
 * `/api/admin/users/...`: a global token or an admin user's token. Users, their tokens (issue/revoke), their quota
 * usage, and a read-only view of their routes (secrets masked).
 */
@Controller('api/admin/users')
@UseGuards(AuthGuard)
@Access('admin')
export class AdminUsersController {
  constructor(
    @Inject(UsersService) private readonly users: UsersService,
    @Inject(TokensService) private readonly tokens: TokensService,
    @Inject(TiersService) private readonly tiers: TiersService,
    @Inject(UserRoutesService) private readonly routes: UserRoutesService,
    @Inject(QuotaService) private readonly quotas: QuotaService,
  ) {}

  private async userId(raw: string): Promise<number> {
    const id = parseId(raw, () => userNotFound(raw));
    await this.users.get(id);
    return id;
  }

  @Get()
  async list(@Query('username') username?: string, @Query('status') status?: string, @Query('role') role?: string) {
    return { data: await this.users.list({ username, status, role }) };
  }

  @Post()
  create(@Body(new ZodBody(CreateUserBodySchema, 'user')) body: CreateUserBody) {
    return this.users.create(body);
  }

  @Get(':userId')
  get(@Param('userId') userId: string) {
    return this.users.get(parseId(userId, () => userNotFound(userId)));
  }

  @Patch(':userId')
  update(@Param('userId') userId: string, @Body(new ZodBody(UpdateUserBodySchema, 'user')) body: UpdateUserBody) {
    return this.users.update(parseId(userId, () => userNotFound(userId)), body);
  }

  @Post(':userId/disable')
  @HttpCode(200)
  disable(@Param('userId') userId: string) {
    return this.users.update(parseId(userId, () => userNotFound(userId)), { status: 'disabled' });
  }

  @Post(':userId/enable')
  @HttpCode(200)
  enable(@Param('userId') userId: string) {
    return this.users.update(parseId(userId, () => userNotFound(userId)), { status: 'active' });
  }

  @Get(':userId/tokens')
  async listTokens(@Param('userId') userId: string) {
    return { data: await this.tokens.list(await this.userId(userId)) };
  }

  @Post(':userId/tokens')
  async issueToken(@Param('userId') userId: string, @Body(new ZodBody(CreateTokenBodySchema, 'token')) body: CreateTokenBody) {
    return this.tokens.issue(await this.userId(userId), body);
  }

  @Delete(':userId/tokens/:tokenId')
  async revokeToken(@Param('userId') userId: string, @Param('tokenId') tokenId: string) {
    return this.tokens.revoke(await this.userId(userId), parseId(tokenId, () => tokenNotFound(tokenId)));
  }

  @Get(':userId/usage')
  async usage(@Param('userId') userId: string) {
    const user = await this.users.get(parseId(userId, () => userNotFound(userId)));
    return { data: await this.quotas.usage(user.id, user.tier ? await this.tiers.limits(user.tier.id) : null) };
  }

  @Get(':userId/providers')
  async providers(@Param('userId') userId: string) {
    return { data: await this.routes.list(await this.userId(userId), 'provider') };
  }

  @Get(':userId/providers/:routeId')
  async provider(@Param('userId') userId: string, @Param('routeId') routeId: string) {
    return this.routes.get(await this.userId(userId), 'provider', routeId);
  }

  @Get(':userId/rotations')
  async rotations(@Param('userId') userId: string) {
    return { data: await this.routes.list(await this.userId(userId), 'rotation') };
  }

  @Get(':userId/rotations/:routeId')
  async rotation(@Param('userId') userId: string, @Param('routeId') routeId: string) {
    return this.routes.get(await this.userId(userId), 'rotation', routeId);
  }

  @Get(':userId/autoselects')
  async autoselects(@Param('userId') userId: string) {
    return { data: await this.routes.list(await this.userId(userId), 'autoselect') };
  }

  @Get(':userId/autoselects/:routeId')
  async autoselect(@Param('userId') userId: string, @Param('routeId') routeId: string) {
    return this.routes.get(await this.userId(userId), 'autoselect', routeId);
  }
}
