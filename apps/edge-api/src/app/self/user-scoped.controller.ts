import { UserRouteStore, type StoredUserRoute } from '@aisbf/tenancy';
import { Controller, Get, Inject, Req, UseGuards } from '@nestjs/common';
import { Access } from '../auth/access';
import { AuthGuard, type AuthedRequest } from '../auth/auth.guard';
import { modelIdsOf } from '../routes/user-routes.service';

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/**
 * The original's user-scoped read endpoints, `GET /api/u/{username}/{providers|rotations|autoselects}`, in its shapes
 * (keyed by id), for a user token whose owner is `{username}` (403 otherwise). Secrets are masked at every depth.
 */
@Controller('api/u/:username')
@UseGuards(AuthGuard)
@Access('user-path')
export class UserScopedController {
  constructor(@Inject(UserRouteStore) private readonly store: UserRouteStore) {}

  @Get('providers')
  async providers(@Req() req: AuthedRequest) {
    const rows = await this.store.list(req.token!.userId, 'provider');
    return {
      providers: Object.fromEntries(
        rows.map((r) => {
          const config = UserRouteStore.masked(r);
          const models = Array.isArray(config['models']) ? config['models'] : [];
          return [r.id, { name: str(config['name']) ?? r.id, type: str(config['type']), endpoint: str(config['endpoint']), models_count: models.length, model_ids: modelIdsOf(r), config }];
        }),
      ),
    };
  }

  @Get('rotations')
  async rotations(@Req() req: AuthedRequest) {
    const rows = await this.store.list(req.token!.userId, 'rotation');
    return { rotations: keyed(rows, (r, config) => ({ model_name: config['model_name'], model_id: modelIdsOf(r)[0], providers: config['providers'] })) };
  }

  @Get('autoselects')
  async autoselects(@Req() req: AuthedRequest) {
    const rows = await this.store.list(req.token!.userId, 'autoselect');
    return {
      autoselects: keyed(rows, (r, config) => ({
        model_name: config['model_name'],
        model_id: modelIdsOf(r)[0],
        description: config['description'] ?? '',
        fallback: config['fallback'],
        available_models: config['available_models'] ?? [],
      })),
    };
  }
}

function keyed(rows: StoredUserRoute[], view: (r: StoredUserRoute, config: Record<string, unknown>) => unknown): Record<string, unknown> {
  return Object.fromEntries(rows.map((r) => [r.id, view(r, UserRouteStore.masked(r))]));
}
