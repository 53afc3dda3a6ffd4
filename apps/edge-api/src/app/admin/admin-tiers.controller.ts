import { CreateTierBodySchema, type CreateTierBody, UpdateTierBodySchema, type UpdateTierBody } from '@aisbf/contracts';
import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Patch, Post, UseGuards } from '@nestjs/common';
import { Access } from '../auth/access';
import { AuthGuard } from '../auth/auth.guard';
import { ZodBody } from '../http/validation';
import { TiersService, tierNotFound } from '../users/tiers.service';
import { parseId } from '../users/users.service';

/** `/api/admin/tiers/...`: quotas and the per-token rate limit, for a global token or an admin user's token. */
@Controller('api/admin/tiers')
@UseGuards(AuthGuard)
@Access('admin')
export class AdminTiersController {
  constructor(@Inject(TiersService) private readonly tiers: TiersService) {}

  @Get()
  async list() {
    return { data: await this.tiers.list() };
  }

  @Post()
  create(@Body(new ZodBody(CreateTierBodySchema, 'tier')) body: CreateTierBody) {
    return this.tiers.create(body);
  }

  @Get(':tierId')
  get(@Param('tierId') tierId: string) {
    return this.tiers.get(parseId(tierId, () => tierNotFound(tierId)));
  }

  @Patch(':tierId')
  update(@Param('tierId') tierId: string, @Body(new ZodBody(UpdateTierBodySchema, 'tier')) body: UpdateTierBody) {
    return this.tiers.update(parseId(tierId, () => tierNotFound(tierId)), body);
  }

  @Delete(':tierId')
  @HttpCode(204)
  async remove(@Param('tierId') tierId: string): Promise<void> {
    await this.tiers.remove(parseId(tierId, () => tierNotFound(tierId)));
  }
}
