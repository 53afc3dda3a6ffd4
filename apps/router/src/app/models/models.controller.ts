import { RouterModelsV1, type RequestOf, type ReplyOf } from '@aisbf/contracts';
import { AppError } from '@aisbf/platform-errors';
import { ContractPipe } from '@aisbf/platform-messaging';
import { listModels, withModelCatalog } from '@aisbf/routing';
import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { RouteInventoryService } from '../inventory/route-inventory.service';
import { ModelCatalogReader } from './model-catalog.reader';

@Controller()
export class ModelsController {
  constructor(
    @Inject(RouteInventoryService) private readonly inventory: RouteInventoryService,
    @Inject(ModelCatalogReader) private readonly catalog: ModelCatalogReader,
  ) {}

  @MessagePattern(RouterModelsV1.subject)
  async list(@Payload(new ContractPipe(RouterModelsV1.request)) req: RequestOf<typeof RouterModelsV1>): Promise<ReplyOf<typeof RouterModelsV1>> {
    const inv = await this.inventory.forCaller(req.caller);
    if (req.providerId !== undefined && !inv.providers[req.providerId]) {
      throw new AppError('ROUTE_NOT_FOUND', `Provider '${req.providerId}' not found. Available providers: ${Object.keys(inv.providers).join(', ') || '(none)'}`, { retryable: false });
    }
    const providerIds = req.providerId !== undefined ? [req.providerId] : Object.keys(inv.providers);
    const all = withModelCatalog(listModels(inv), inv, await this.catalog.read(providerIds));
    const kind = req.providerId !== undefined ? 'provider' : { all: undefined, providers: 'provider', rotations: 'rotation', autoselect: 'autoselect' }[req.filter];
    return { data: all.filter((m) => (!kind || m['type'] === kind) && (req.providerId === undefined || m['provider'] === req.providerId)) };
  }
}
