import type { AppEnv } from '@aisbf/platform-config';
import { type DynamicModule, Global, Module, type OnApplicationShutdown } from '@nestjs/common';
import { Inject, Injectable } from '@nestjs/common';
import type { NatsConnection } from 'nats';
import { EventBus } from './event-bus';
import { InflightRegistry } from './inflight-registry';
import { MessagingClient } from './messaging-client';
import { PrefixedClientNats, PrefixedServerNats } from './prefixed-nats.transport';

export const NATS_CONNECTION = Symbol('NATS_CONNECTION');

/** Options for `app.connectMicroservice()`: Nest's NATS server, prefixed subjects, one queue group per service. */
export function natsServerStrategy(env: AppEnv, queue: string = env.service): { strategy: PrefixedServerNats } {
  return {
    strategy: new PrefixedServerNats({ servers: [env.nats.url], queue, name: `${env.instanceId}-server` } as never, env.nats.prefix),
  };
}

@Injectable()
class MessagingLifecycle implements OnApplicationShutdown {
  constructor(
    @Inject(MessagingClient) private readonly client: MessagingClient,
    @Inject(EventBus) private readonly bus: EventBus,
  ) {}
  async onApplicationShutdown(): Promise<void> {
    this.bus.close();
    await this.client.close();
  }
}

@Global()
@Module({})
export class MessagingModule {
  /** Connects once at start-up (fails start-up if NATS is unreachable) and shares the connection with the event bus. */
  static forRoot(env: AppEnv, onError: (err: unknown, where: string) => void = () => undefined): DynamicModule {
    return {
      module: MessagingModule,
      providers: [
        {
          provide: PrefixedClientNats,
          useFactory: async () => {
            const client = new PrefixedClientNats({ servers: [env.nats.url], name: `${env.instanceId}-client` } as never, env.nats.prefix);
            await client.connect();
            return client;
          },
        },
        { provide: NATS_CONNECTION, useFactory: (c: PrefixedClientNats) => c.unwrap<NatsConnection>(), inject: [PrefixedClientNats] },
        { provide: MessagingClient, useFactory: (c: PrefixedClientNats) => new MessagingClient(c), inject: [PrefixedClientNats] },
        { provide: EventBus, useFactory: (nc: NatsConnection) => new EventBus(nc, env.nats.prefix, onError), inject: [NATS_CONNECTION] },
        { provide: InflightRegistry, useFactory: (bus: EventBus) => new InflightRegistry(bus), inject: [EventBus] },
        MessagingLifecycle,
      ],
      exports: [MessagingClient, EventBus, InflightRegistry, NATS_CONNECTION],
    };
  }
}
