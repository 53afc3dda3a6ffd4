import { RouterChatV1 } from '@aisbf/contracts';
import { AppError } from '@aisbf/platform-errors';
import { context, propagation, trace, TraceFlags } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { lastValueFrom } from 'rxjs';
import { ContractPipe } from './contract.pipe';
import { InflightRegistry } from './inflight-registry';
import { errorFromReply } from './messaging-client';
import { inboundContext, outboundHeaders, requestIdOf } from './nats-headers';
import { RpcErrorFilter } from './rpc-error.filter';

describe('nats headers', () => {
  beforeAll(() => propagation.setGlobalPropagator(new W3CTraceContextPropagator()));

  it('carry the W3C trace context and the request id across a hop', () => {
    const spanContext = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: TraceFlags.SAMPLED };
    const ctx = trace.setSpanContext(context.active(), spanContext);
    const h = outboundHeaders('req-1', ctx);
    expect(h.get('traceparent')).toBe('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
    expect(requestIdOf(h)).toBe('req-1');
    expect(trace.getSpanContext(inboundContext(h))).toMatchObject({ traceId: spanContext.traceId, spanId: spanContext.spanId, isRemote: true });
  });
});

describe('InflightRegistry', () => {
  it('aborts every piece of work of a cancelled request, and only those', () => {
    const reg = new InflightRegistry();
    const a = reg.track('r1');
    const b = reg.track('r1');
    const c = reg.track('r2');
    expect(reg.abort('r1', 'client gone')).toBe(true);
    expect([a.signal.aborted, b.signal.aborted, c.signal.aborted]).toEqual([true, true, false]);
    c.release();
    expect(reg.size).toBe(0);
    expect(reg.abort('r2')).toBe(false);
  });
});

describe('error envelopes', () => {
  it('replies carry coded errors back as AppError; anything else becomes INTERNAL', () => {
    const env = new AppError('RATE_LIMITED', 'slow down', { retryAfterMs: 3000 }).toEnvelope();
    expect(errorFromReply(env)).toMatchObject({ code: 'RATE_LIMITED', message: 'slow down', extras: { retryAfterMs: 3000 } });
    expect(errorFromReply(env)).toBeInstanceOf(AppError);
    expect(errorFromReply('Internal server error').code).toBe('INTERNAL');
  });

  it('a message above NATS max_payload is the caller\'s PAYLOAD_TOO_LARGE, not an internal error', () => {
    const natsErr = Object.assign(new Error('MAX_PAYLOAD_EXCEEDED'), { code: 'MAX_PAYLOAD_EXCEEDED' });
    const e = errorFromReply(natsErr);
    expect([e.code, e.retryable]).toEqual(['PAYLOAD_TOO_LARGE', false]);
    expect(e.message).toContain('max_payload');
  });

  it('the RPC filter sends envelopes and hides unknown error text', async () => {
    const logged: unknown[] = [];
    const filter = new RpcErrorFilter((e) => logged.push(e));
    const host = { getType: () => 'rpc' } as never;
    await expect(lastValueFrom(filter.catch(new Error('db password=x'), host) as never)).rejects.toEqual({ code: 'INTERNAL', message: 'Internal error', retryable: false });
    expect(logged).toHaveLength(1);
    await expect(lastValueFrom(filter.catch(new AppError('NOT_FOUND', 'no model'), host) as never)).rejects.toMatchObject({ code: 'NOT_FOUND', message: 'no model' });
  });

  it('ContractPipe rejects malformed payloads with INVALID_REQUEST', () => {
    const pipe = new ContractPipe(RouterChatV1.request);
    expect(() => pipe.transform({ requestId: 'x' })).toThrow(AppError);
  });
});
