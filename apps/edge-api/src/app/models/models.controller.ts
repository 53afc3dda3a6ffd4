import { type ModelEntry, RouterModelsV1 } from '@aisbf/contracts';
import { AppError } from '@aisbf/platform-errors';
import { MessagingClient } from '@aisbf/platform-messaging';
import { Controller, Get, Inject, Param, Req, UseGuards } from '@nestjs/common';
import { firstValueFrom, timeout } from 'rxjs';
import { Access } from '../auth/access';
import { AuthGuard, type AuthedRequest } from '../auth/auth.guard';
import type { AppEnv } from '@aisbf/platform-config';
import { ENV } from '../tokens';

@Controller()
@UseGuards(AuthGuard)
export class ModelsController {
  constructor(
    @Inject(MessagingClient) private readonly messaging: MessagingClient,
    @Inject(ENV) private readonly env: AppEnv,
  ) {}

  private async fetch(req: AuthedRequest, filter: 'all' | 'providers' | 'rotations' | 'autoselect' = 'all', providerId?: string): Promise<ModelEntry[]> {
    try {
      const r = await firstValueFrom(this.messaging.request(RouterModelsV1, { caller: req.caller, filter, ...(providerId !== undefined ? { providerId } : {}) }).pipe(timeout(this.env.timeouts.ackMs)));
      return r.data;
    } catch (err) {
      if (err instanceof AppError) throw err;
      throw new AppError('SERVICE_UNAVAILABLE', 'The router did not answer the model listing in time');
    }
  }

  @Get(['v1/models', 'api/v1/models', 'api/models'])
  async list(@Req() req: AuthedRequest) {
    return { object: 'list', data: await this.fetch(req) };
  }

  @Get(['v1/models/*', 'api/v1/models/*'])
  async one(@Req() req: AuthedRequest, @Param('*') id: string) {
    return this.find(req, id);
  }

  /** The caller's models (the user comes from the token): exactly the ids chat accepts. */
  @Get('api/user/models')
  @Access('user')
  async userList(@Req() req: AuthedRequest) {
    return { object: 'list', data: await this.fetch(req) };
  }

  @Get('api/u/:username/models')
  @Access('user-path')
  async userPathList(@Req() req: AuthedRequest) {
    return { object: 'list', data: await this.fetch(req) };
  }

  @Get('api/u/:username/models/*')
  @Access('user-path')
  async userPathOne(@Req() req: AuthedRequest, @Param('*') id: string) {
    return this.find(req, id);
  }

  private async find(req: AuthedRequest, id: string) {
    const found = (await this.fetch(req)).find((m) => m.id === id);
    if (!found) throw new AppError('ROUTE_NOT_FOUND', `Model '${id}' not found. GET /v1/models lists the models you can use.`, { retryable: false });
    return found;
  }

  /**
   * The original's per-provider listing: ids are the upstream model ids (what `POST /api/{provider_id}/chat/completions`
   * takes), with `context_size` also as `context_window`/`context_length` as the original reported it.
   */
  @Get('api/:providerId/models')
  async provider(@Req() req: AuthedRequest, @Param('providerId') providerId: string) {
    const data = await this.fetch(req, 'providers', providerId);
    return {
      object: 'list',
      data: data.map((m) => ({ ...m, id: String(m['model_name'] ?? m.id), context_window: m['context_size'] ?? null, context_length: m['context_size'] ?? null })),
    };
  }
}
