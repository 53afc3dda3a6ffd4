import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import type { NatsContext } from '@nestjs/microservices';
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { Observable } from 'rxjs';
import { inboundContext, requestIdOf } from './nats-headers';

const tracer = trace.getTracer('aisbf-messaging');

/**
 * Continues the caller's trace in every NATS handler: a CONSUMER span, child of the span whose context came in the
 * message headers, active for the whole handler (including the Observable it returns).
 */
@Injectable()
export class TracingInterceptor implements NestInterceptor {
  constructor(private readonly prefix: string) {}

  intercept(ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (ctx.getType() !== 'rpc') return next.handle();
    const nats = ctx.switchToRpc().getContext<NatsContext>();
    const headers = nats.getHeaders?.();
    const subject = String(nats.getSubject?.() ?? 'unknown').replace(`${this.prefix}.`, '');
    const parent = inboundContext(headers);
    const requestId = requestIdOf(headers);
    const span = tracer.startSpan(
      `${subject} process`,
      { kind: SpanKind.CONSUMER, attributes: { 'messaging.system': 'nats', 'messaging.destination.name': subject, ...(requestId ? { 'aisbf.request_id': requestId } : {}) } },
      parent,
    );
    const active = trace.setSpan(parent, span);
    return new Observable((subscriber) => {
      const sub = context.with(active, () =>
        next.handle().subscribe({
          next: (v) => subscriber.next(v),
          error: (e: unknown) => {
            span.setStatus({ code: SpanStatusCode.ERROR });
            span.end();
            subscriber.error(e);
          },
          complete: () => {
            span.end();
            subscriber.complete();
          },
        }),
      );
      return () => sub.unsubscribe();
    });
  }
}
