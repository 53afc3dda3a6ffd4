import { RouterAutoselectsV1, type AutoselectConfig, type ReplyOf, type RequestOf } from '@aisbf/contracts';
import { AppError } from '@aisbf/platform-errors';
import { ContractPipe } from '@aisbf/platform-messaging';
import { autoselectTraits, routeSetOf, tryResolveAutoselectTarget, type RouteInventory } from '@aisbf/routing';
import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { RouteInventoryService } from '../inventory/route-inventory.service';

/**
 * The original's autoselect listings (aisbf-behaviour §1.4–1.5) of the global autoselects: `list` →
 * `{<id>: {model_name, description, fallback, available_models: [{model_id, description}]}}`, `get` → one
 * configuration with its id, `models` → every autoselect's candidates, flattened, with the route each one resolves to
 * and whether that route is privacy-marked. Ordinary users get FORBIDDEN (theirs are under /api/u/{username}).
 */
@Controller()
export class AutoselectsController {
  constructor(@Inject(RouteInventoryService) private readonly inventory: RouteInventoryService) {}

  @MessagePattern(RouterAutoselectsV1.subject)
  async handle(@Payload(new ContractPipe(RouterAutoselectsV1.request)) req: RequestOf<typeof RouterAutoselectsV1>): Promise<ReplyOf<typeof RouterAutoselectsV1>> {
    const inv = await this.inventory.forCaller(req.caller);
    const all = routeSetOf(inv, 'global').autoselects;
    switch (req.op) {
      case 'list':
        return {
          data: Object.fromEntries(
            Object.entries(all).map(([id, a]) => [
              id,
              { model_name: a.model_name, description: a.description, fallback: a.fallback, available_models: a.available_models.map((m) => ({ model_id: m.model_id, description: m.description })) },
            ]),
          ),
        };
      case 'get': {
        const id = (req.id ?? '').replace(/^autoselect(?:ions)?\//, '');
        const a = all[id];
        if (!a) throw new AppError('ROUTE_NOT_FOUND', `Autoselect '${id}' not found. Available autoselects: ${Object.keys(all).join(', ') || '(none)'}`, { retryable: false });
        return { data: { id, ...a } };
      }
      case 'models':
        return { data: Object.entries(all).flatMap(([id, a]) => members(inv, id, a)) };
    }
  }
}

function members(inv: RouteInventory, autoselectId: string, a: AutoselectConfig): Array<Record<string, unknown>> {
  const traits = autoselectTraits(inv, 'global');
  return a.available_models.map((m) => {
    const route = tryResolveAutoselectTarget(inv, m.model_id, 'global');
    return {
      id: m.model_id,
      name: m.model_id,
      autoselect_id: autoselectId,
      description: m.description,
      priority: m.priority,
      privacy: m.privacy,
      nsfw: m.nsfw,
      capabilities: m.capabilities ?? traits(m.model_id)?.capabilities ?? [],
      context_size: m.context_size ?? traits(m.model_id)?.contextSize ?? null,
      ...(m.max_tokens !== undefined ? { max_tokens: m.max_tokens } : {}),
      route: route?.name ?? null,
      route_privacy: traits(m.model_id)?.privacy ?? null,
    };
  });
}
