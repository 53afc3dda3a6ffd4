import type { UserRouteKind } from '@aisbf/tenancy';
import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, Put, Req, Res, type Type, UseGuards } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { Access } from '../auth/access';
import { AuthGuard, type AuthedRequest } from '../auth/auth.guard';
import { UserRoutesService } from '../routes/user-routes.service';

/** URL segment per kind. */
export const ROUTE_PATHS: Record<UserRouteKind, string> = { provider: 'providers', rotation: 'rotations', autoselect: 'autoselects' };

/**
 * `/api/user/{providers|rotations|autoselects}/...`: CRUD of the caller's own routes (user token). Bodies are the
 * config-file entries, checked by the same schemas; answers mask every secret.
 */
function createUserRoutesController(kind: UserRouteKind): Type<unknown> {
  @Controller(`api/user/${ROUTE_PATHS[kind]}`)
  @UseGuards(AuthGuard)
  @Access('user')
  class UserRoutesController {
    constructor(@Inject(UserRoutesService) readonly routes: UserRoutesService) {}

    @Get()
    async list(@Req() req: AuthedRequest) {
      return { data: await this.routes.list(req.token!.userId, kind) };
    }

    @Post()
    create(@Req() req: AuthedRequest, @Body() body: unknown) {
      return this.routes.create(req.token!.userId, kind, body);
    }

    @Get(':id')
    get(@Req() req: AuthedRequest, @Param('id') id: string) {
      return this.routes.get(req.token!.userId, kind, id);
    }

    /** Create or replace: 201 when created, 200 when replaced. */
    @Put(':id')
    async put(@Req() req: AuthedRequest, @Param('id') id: string, @Body() body: unknown, @Res({ passthrough: true }) reply: FastifyReply) {
      const { view, created } = await this.routes.put(req.token!.userId, kind, id, body);
      void reply.status(created ? 201 : 200);
      return view;
    }

    @Delete(':id')
    @HttpCode(204)
    async remove(@Req() req: AuthedRequest, @Param('id') id: string): Promise<void> {
      await this.routes.remove(req.token!.userId, kind, id);
    }
  }
  Object.defineProperty(UserRoutesController, 'name', { value: `User${ROUTE_PATHS[kind][0]!.toUpperCase()}${ROUTE_PATHS[kind].slice(1)}Controller` });
  return UserRoutesController;
}

export const UserProvidersController = createUserRoutesController('provider');
export const UserRotationsController = createUserRoutesController('rotation');
export const UserAutoselectsController = createUserRoutesController('autoselect');

/** `POST /api/user/providers/{id}/fetch-models`: the models the provider's upstream lists right now. */
@Controller('api/user/providers')
@UseGuards(AuthGuard)
@Access('user')
export class UserProviderModelsController {
  constructor(@Inject(UserRoutesService) private readonly routes: UserRoutesService) {}

  @Post(':id/fetch-models')
  @HttpCode(200)
  async fetchModels(@Req() req: AuthedRequest, @Param('id') id: string) {
    return { object: 'list', data: await this.routes.fetchModels(req.token!.userId, id) };
  }
}
