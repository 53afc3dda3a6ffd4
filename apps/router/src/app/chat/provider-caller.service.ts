import { ProviderChatV1, type ProviderChatCommand, type ProviderChatEvent } from '@aisbf/contracts';
import type { AppEnv } from '@aisbf/platform-config';
import { MessagingClient } from '@aisbf/platform-messaging';
import { ackedStream, toAsyncIterable } from '@aisbf/platform-service';
import { Inject, Injectable } from '@nestjs/common';
import { ENV } from '../tokens';

export type ProviderEvent = Exclude<ProviderChatEvent, { type: 'accepted' }>;

/** One attempt against provider-workers over NATS, as a pull stream of events. */
@Injectable()
export class ProviderCaller {
  constructor(
    @Inject(MessagingClient) private readonly messaging: MessagingClient,
    @Inject(ENV) private readonly env: AppEnv,
  ) {}

  /**
   * `cmd.requestId` identifies the attempt (provider-workers tracks and cancels it under that id); `requestId` is the
   * client request's id, which travels in the headers so logs and spans of every hop share it.
   */
  call(cmd: ProviderChatCommand, signal: AbortSignal, requestId: string = cmd.requestId): AsyncGenerator<ProviderEvent> {
    const replies = toAsyncIterable(this.messaging.request(ProviderChatV1, cmd, requestId));
    return ackedStream(replies, {
      ackMs: this.env.timeouts.ackMs,
      idleMs: cmd.timeoutMs + this.env.timeouts.ackMs,
      hop: 'provider-workers',
      signal,
    });
  }
}
