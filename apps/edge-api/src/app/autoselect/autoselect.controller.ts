import { RouterAutoselectsV1, type RequestOf } from '@aisbf/contracts';
import type { AppEnv } from '@aisbf/platform-config';
import { AppError } from '@aisbf/platform-errors';
import { MessagingClient } from '@aisbf/platform-messaging';
import { Controller, Get, Inject, Param, Req, UseGuards } from '@nestjs/common';
import { firstValueFrom, timeout } from 'rxjs';
import { Access } from '../auth/access';
import { AuthGuard, type AuthedRequest } from '../auth/auth.guard';
import { ENV } from '../tokens';

/** The original's autoselect listings (aisbf-behaviour §1.4–1.5), answered by the router (which holds the inventory). */
@Controller()
@UseGuards(AuthGuard)
@Access('admin')
export class AutoselectController {
  constructor(
    @Inject(MessagingClient) private readonly messaging: MessagingClient,
    @Inject(ENV) private readonly env: AppEnv,
  ) {}

  private async ask(req: AuthedRequest, op: RequestOf<typeof RouterAutoselectsV1>['op'], id?: string): Promise<unknown> {
    try {
      const r = await firstValueFrom(this.messaging.request(RouterAutoselectsV1, { caller: req.caller, op, ...(id ? { id } : {}) }).pipe(timeout(this.env.timeouts.ackMs)));
      return r.data;
    } catch (err) {
      if (err instanceof AppError) throw err;
      throw new AppError('SERVICE_UNAVAILABLE', 'The router did not answer the autoselect listing in time');
    }
  }

  /** `{<id>: {model_name, description, fallback, available_models: [{model_id, description}]}}` */
  @Get('api/autoselect')
  list(@Req() req: AuthedRequest) {
    return this.ask(req, 'list');
  }

  /** Every autoselect's candidates, flattened: `{data: [{id, autoselect_id, description, priority, privacy, route, ...}]}`. */
  @Get(['api/autoselect/models', 'api/autoselections/models'])
  async models(@Req() req: AuthedRequest) {
    return { data: await this.ask(req, 'models') };
  }

  /** One autoselect's configuration, with its id. */
  @Get('api/autoselect/:id')
  one(@Req() req: AuthedRequest, @Param('id') id: string) {
    return this.ask(req, 'get', id);
  }
}
