import { RouterRotationsV1, type RequestOf } from '@aisbf/contracts';
import type { AppEnv } from '@aisbf/platform-config';
import { AppError } from '@aisbf/platform-errors';
import { MessagingClient } from '@aisbf/platform-messaging';
import { Controller, Get, Inject, Param, Req, UseGuards } from '@nestjs/common';
import { firstValueFrom, timeout } from 'rxjs';
import { Access } from '../auth/access';
import { AuthGuard, type AuthedRequest } from '../auth/auth.guard';
import { ENV } from '../tokens';

/** The original's rotation listings (aisbf-behaviour §1.4–1.5), answered by the router (which holds the inventory). */
@Controller('api/rotations')
@UseGuards(AuthGuard)
@Access('admin')
export class RotationsController {
  constructor(
    @Inject(MessagingClient) private readonly messaging: MessagingClient,
    @Inject(ENV) private readonly env: AppEnv,
  ) {}

  private async ask(req: AuthedRequest, op: RequestOf<typeof RouterRotationsV1>['op'], id?: string): Promise<unknown> {
    try {
      const r = await firstValueFrom(this.messaging.request(RouterRotationsV1, { caller: req.caller, op, ...(id ? { id } : {}) }).pipe(timeout(this.env.timeouts.ackMs)));
      return r.data;
    } catch (err) {
      if (err instanceof AppError) throw err;
      throw new AppError('SERVICE_UNAVAILABLE', 'The router did not answer the rotation listing in time');
    }
  }

  /** `{<id>: {model_name, models: [{name, provider_id, weight, rate_limit}]}}` */
  @Get()
  list(@Req() req: AuthedRequest) {
    return this.ask(req, 'list');
  }

  /** Every rotation's members, flattened: `{data: [{id, name, provider_id, rotation_id, weight, ...}]}`. */
  @Get('models')
  async models(@Req() req: AuthedRequest) {
    return { data: await this.ask(req, 'models') };
  }

  /** `{id, model_name, providers, candidates}`: the configuration and the live state of each candidate. */
  @Get(':id')
  one(@Req() req: AuthedRequest, @Param('id') id: string) {
    return this.ask(req, 'get', id);
  }
}
