import { ProviderModelsV1, type ReplyOf, type RequestOf } from '@aisbf/contracts';
import { ContractPipe } from '@aisbf/platform-messaging';
import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { AdapterPool } from '../adapters/adapter-pool.service';

/** `svc.provider.models.v1`: what a provider's upstream lists right now (the self-service "fetch models" action). */
@Controller()
export class ProviderModelsHandler {
  constructor(@Inject(AdapterPool) private readonly adapters: AdapterPool) {}

  @MessagePattern(ProviderModelsV1.subject)
  async list(@Payload(new ContractPipe(ProviderModelsV1.request)) cmd: RequestOf<typeof ProviderModelsV1>): Promise<ReplyOf<typeof ProviderModelsV1>> {
    const adapter = await this.adapters.get(cmd.scope, cmd.providerId);
    const signal = AbortSignal.timeout(cmd.timeoutMs);
    const models = await adapter.listModels(signal);
    return { data: models.map((m) => ({ id: m.id, owned_by: m.ownedBy, created: m.created, context_size: m.contextSize })) };
  }
}
