import { ClientNats, ServerNats, type NatsOptions } from '@nestjs/microservices';
import type { Subscription } from 'nats';

type ServerNatsOptions = Required<NatsOptions>['options'];

/**
 * Nest's NATS transport with a deployment prefix on every subject (`AISBF_NATS_PREFIX`), so several deployments
 * (or test runs) can share one NATS server. Handlers stay registered under the unprefixed contract subject: only
 * the wire subject changes.
 */
export class PrefixedServerNats extends ServerNats {
  constructor(
    private readonly natsOptions: ServerNatsOptions,
    private readonly prefix: string,
  ) {
    super(natsOptions);
  }

  override bindEvents(client: { subscribe(subject: string, opts: object): Subscription }): void {
    const defaultQueue = this.natsOptions.queue;
    // `subscriptions` is private in Nest's typings; Nest unsubscribes these on close.
    const subscriptions = (this as unknown as { subscriptions: Subscription[] }).subscriptions;
    for (const channel of this.messageHandlers.keys()) {
      const queue = (this.messageHandlers.get(channel)?.extras?.['queue'] as string | undefined) ?? defaultQueue;
      subscriptions.push(
        client.subscribe(`${this.prefix}.${channel}`, {
          queue,
          callback: this.getMessageHandler(channel).bind(this),
        }),
      );
    }
  }
}

export class PrefixedClientNats extends ClientNats {
  constructor(
    options: ServerNatsOptions,
    private readonly prefix: string,
  ) {
    super(options);
  }

  protected override normalizePattern(pattern: Parameters<ClientNats['normalizePattern']>[0]): string {
    return `${this.prefix}.${super.normalizePattern(pattern)}`;
  }
}
