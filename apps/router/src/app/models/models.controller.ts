import { RouterModelsV1, type RequestOf, type ReplyOf } from '@aisbf/contracts';
import { ContractPipe } from '@aisbf/platform-messaging';
import { listModels } from '@aisbf/routing';
import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { RouteInventoryService } from '../inventory/route-inventory.service';

@Controller()
export class ModelsController {
  constructor(@Inject(RouteInventoryService) private readonly inventory: RouteInventoryService) {}

  @MessagePattern(RouterModelsV1.subject)
  async list(@Payload(new ContractPipe(RouterModelsV1.request)) req: RequestOf<typeof RouterModelsV1>): Promise<ReplyOf<typeof RouterModelsV1>> {
    const all = listModels(await this.inventory.forCaller(req.caller));
    const kind = { all: undefined, providers: 'provider', rotations: 'rotation', autoselect: 'autoselect' }[req.filter];
    return { data: kind ? all.filter((m) => m['type'] === kind) : all };
  }
}
