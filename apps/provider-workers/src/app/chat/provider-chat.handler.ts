import { ProviderChatV1, type ProviderChatCommand, type ProviderChatEvent, type Usage } from '@aisbf/contracts';
import type { AppEnv } from '@aisbf/platform-config';
import { AppError } from '@aisbf/platform-errors';
import { ContractPipe, InflightRegistry } from '@aisbf/platform-messaging';
import type { AppLogger } from '@aisbf/platform-observability';
import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { Observable } from 'rxjs';
import { AdapterPool } from '../adapters/adapter-pool.service';
import { ENV, LOGGER } from '../tokens';

/**
 * `svc.provider.chat.v1`: one upstream call through the provider's adapter. Chunks are forwarded as they arrive;
 * the call is aborted when the request is cancelled (client gone) anywhere upstream of us.
 */
@Controller()
export class ProviderChatHandler {
  constructor(
    @Inject(AdapterPool) private readonly adapters: AdapterPool,
    @Inject(InflightRegistry) private readonly inflight: InflightRegistry,
    @Inject(ENV) private readonly env: AppEnv,
    @Inject(LOGGER) private readonly log: AppLogger,
  ) {}

  @MessagePattern(ProviderChatV1.subject)
  handle(@Payload(new ContractPipe(ProviderChatV1.request)) cmd: ProviderChatCommand): Observable<ProviderChatEvent> {
    return new Observable<ProviderChatEvent>((subscriber) => {
      const work = this.inflight.track(cmd.requestId);
      subscriber.next({ type: 'accepted', instanceId: this.env.instanceId });
      void this.run(cmd, work.signal, (e) => subscriber.next(e)).finally(() => {
        work.release();
        subscriber.complete();
      });
      return () => work.controller.abort(new Error('unsubscribed'));
    });
  }

  private async run(cmd: ProviderChatCommand, signal: AbortSignal, emit: (e: ProviderChatEvent) => void): Promise<void> {
    try {
      const adapter = await this.adapters.get(cmd.scope, cmd.providerId);
      const req = { model: cmd.model, body: cmd.body, includeUsage: cmd.includeUsage, signal, timeoutMs: cmd.timeoutMs };
      if (!cmd.stream) {
        emit({ type: 'completion', completion: await adapter.complete(req) });
        return;
      }
      let usage: Usage | null = null;
      for await (const chunk of adapter.stream(req)) {
        if (chunk.usage) usage = chunk.usage;
        // Usage-only chunk that the caller did not ask for: we asked upstream for it to record usage.
        if (chunk.choices.length === 0 && chunk.usage && !cmd.includeUsage) continue;
        emit({ type: 'chunk', chunk });
      }
      emit({ type: 'end', usage });
    } catch (err) {
      if (signal.aborted) return; // nobody is listening any more
      const appErr = AppError.from(err);
      if (!(err instanceof AppError)) this.log.error({ err, requestId: cmd.requestId, providerId: cmd.providerId }, 'adapter failed unexpectedly');
      emit({ type: 'error', error: appErr.toEnvelope() });
    }
  }
}
