import type { EventContract, EventOf } from '@aisbf/contracts';
import type { NatsConnection, Subscription } from 'nats';
import { inboundContext, outboundHeaders, requestIdOf } from './nats-headers';
import { context } from '@opentelemetry/api';

/**
 * Broadcast notifications on core NATS without a queue group: every replica of every subscriber receives each event
 * (cancellations, config changes, cooldown changes). Request/reply goes through Nest's transport instead.
 */
export class EventBus {
  private readonly subs: Subscription[] = [];

  constructor(
    private readonly nc: NatsConnection,
    private readonly prefix: string,
    private readonly onError: (err: unknown, subject: string) => void = () => undefined,
  ) {}

  publish<C extends EventContract>(contract: C, payload: EventOf<C>, requestId?: string): void {
    const data = contract.schema.parse(payload);
    this.nc.publish(`${this.prefix}.${contract.subject}`, JSON.stringify(data), { headers: outboundHeaders(requestId) });
  }

  subscribe<C extends EventContract>(contract: C, handler: (event: EventOf<C>, requestId?: string) => void | Promise<void>): () => void {
    const sub = this.nc.subscribe(`${this.prefix}.${contract.subject}`, {
      callback: (err, msg) => {
        if (err) return this.onError(err, contract.subject);
        let parsed: EventOf<C>;
        try {
          parsed = contract.schema.parse(JSON.parse(new TextDecoder().decode(msg.data))) as EventOf<C>;
        } catch (e) {
          return this.onError(e, contract.subject);
        }
        context.with(inboundContext(msg.headers), () => {
          Promise.resolve(handler(parsed, requestIdOf(msg.headers))).catch((e) => this.onError(e, contract.subject));
        });
      },
    });
    this.subs.push(sub);
    return () => sub.unsubscribe();
  }

  /** Resolves once the server has seen every publish and subscription so far. */
  async flush(): Promise<void> {
    await this.nc.flush();
  }

  close(): void {
    for (const s of this.subs) s.unsubscribe();
  }
}
