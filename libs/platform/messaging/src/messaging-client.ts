import { ErrorEnvelopeSchema, type ReplyOf, type RequestContract, type RequestOf } from '@aisbf/contracts';
import { AppError } from '@aisbf/platform-errors';
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { NatsRecordBuilder } from '@nestjs/microservices';
import { catchError, finalize, map, Observable, throwError } from 'rxjs';
import { outboundHeaders } from './nats-headers';
import type { PrefixedClientNats } from './prefixed-nats.transport';

const tracer = trace.getTracer('aisbf-messaging');

/** Turns whatever a Nest NATS reply carried as `err` into an AppError. */
export function errorFromReply(err: unknown): AppError {
  if (err instanceof AppError) return err;
  const env = ErrorEnvelopeSchema.safeParse(err);
  if (env.success) return AppError.fromEnvelope(env.data);
  // nats.js refuses to publish a message above the server's max_payload (1 MiB by default): the request is too big to
  // travel between the services, which is the caller's to fix (e.g. smaller or fewer inline images).
  if ((err as { code?: unknown } | undefined)?.code === 'MAX_PAYLOAD_EXCEEDED') {
    return new AppError(
      'PAYLOAD_TOO_LARGE',
      'Request is larger than the message size the gateway can pass between its services (NATS max_payload, 1 MiB by default). Send a smaller request, e.g. smaller or fewer inline images.',
      { retryable: false },
    );
  }
  return new AppError('INTERNAL', 'A service answered with an unexpected error', { retryable: false });
}

/**
 * Typed request/reply and request/stream over NATS. Payloads are validated on the way out and every reply on the way
 * in; the W3C trace context and the request id travel in the message headers; coded errors come back as AppError.
 */
export class MessagingClient {
  constructor(private readonly client: PrefixedClientNats) {}

  /** All replies of a request (one for request/reply, many for a stream), as a cold Observable. */
  request<C extends RequestContract>(contract: C, payload: RequestOf<C>, requestId?: string): Observable<ReplyOf<C>> {
    const data = contract.request.parse(payload);
    return new Observable<ReplyOf<C>>((subscriber) => {
      const span = tracer.startSpan(`${contract.subject} send`, {
        kind: SpanKind.PRODUCER,
        attributes: { 'messaging.system': 'nats', 'messaging.destination.name': contract.subject, ...(requestId ? { 'aisbf.request_id': requestId } : {}) },
      });
      const ctx = trace.setSpan(context.active(), span);
      const record = new NatsRecordBuilder(data).setHeaders(outboundHeaders(requestId, ctx)).build();
      const sub = this.client
        .send<unknown>(contract.subject, record)
        .pipe(
          map((raw) => {
            const r = contract.reply.safeParse(raw);
            if (!r.success) throw new AppError('INTERNAL', `Malformed reply on ${contract.subject}: ${r.error.issues[0]?.message ?? ''}`);
            return r.data as ReplyOf<C>;
          }),
          catchError((err: unknown) => {
            const appErr = errorFromReply(err);
            span.setStatus({ code: SpanStatusCode.ERROR, message: appErr.code });
            return throwError(() => appErr);
          }),
          finalize(() => span.end()),
        )
        .subscribe(subscriber);
      return () => sub.unsubscribe();
    });
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}
