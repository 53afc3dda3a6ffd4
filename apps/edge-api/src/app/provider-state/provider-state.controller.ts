import { RouterProviderStateV1, type RequestOf } from '@aisbf/contracts';
import type { AppEnv } from '@aisbf/platform-config';
import { AppError } from '@aisbf/platform-errors';
import { MessagingClient } from '@aisbf/platform-messaging';
import { Body, Controller, Get, HttpCode, Inject, Param, Post, Req, UseGuards } from '@nestjs/common';
import { firstValueFrom, timeout } from 'rxjs';
import { z } from 'zod';
import { Access } from '../auth/access';
import { AuthGuard, type AuthedRequest } from '../auth/auth.guard';
import { ENV } from '../tokens';

const DisableBody = z.strictObject({ reason: z.string().max(500).optional() }).optional();

/**
 * Manual disable / enable of a global provider (every model, in every rotation), for a global token or an admin user. The state
 * lives in Redis, so every router replica honours it at once; enabling also clears the provider's cooldowns.
 */
@Controller('api/admin/providers')
@UseGuards(AuthGuard)
@Access('admin')
export class ProviderStateController {
  constructor(
    @Inject(MessagingClient) private readonly messaging: MessagingClient,
    @Inject(ENV) private readonly env: AppEnv,
  ) {}

  private async ask(req: AuthedRequest, op: RequestOf<typeof RouterProviderStateV1>['op'], providerId: string, reason?: string) {
    try {
      return await firstValueFrom(
        this.messaging.request(RouterProviderStateV1, { caller: req.caller, op, providerId, ...(reason ? { reason } : {}) }).pipe(timeout(this.env.timeouts.ackMs)),
      );
    } catch (err) {
      if (err instanceof AppError) throw err;
      throw new AppError('SERVICE_UNAVAILABLE', 'The router did not answer in time');
    }
  }

  @Get(':id/state')
  state(@Req() req: AuthedRequest, @Param('id') id: string) {
    return this.ask(req, 'get', id);
  }

  @Post(':id/disable')
  @HttpCode(200)
  disable(@Req() req: AuthedRequest, @Param('id') id: string, @Body() body: unknown) {
    const parsed = DisableBody.safeParse(body ?? undefined);
    if (!parsed.success) throw new AppError('INVALID_REQUEST', `Invalid body: ${parsed.error.issues[0]?.message ?? 'expected {"reason": "..."}'}`, { retryable: false });
    return this.ask(req, 'disable', id, parsed.data?.reason);
  }

  @Post(':id/enable')
  @HttpCode(200)
  enable(@Req() req: AuthedRequest, @Param('id') id: string) {
    return this.ask(req, 'enable', id);
  }
}
