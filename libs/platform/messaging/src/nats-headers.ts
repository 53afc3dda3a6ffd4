import { context, propagation, type Context, type TextMapGetter, type TextMapSetter } from '@opentelemetry/api';
import { headers as natsHeaders, type MsgHdrs } from 'nats';

export const REQUEST_ID_HEADER = 'x-request-id';

const setter: TextMapSetter<MsgHdrs> = { set: (h, k, v) => h.set(k, v) };
const getter: TextMapGetter<MsgHdrs | undefined> = {
  get: (h, k) => h?.get(k) || undefined,
  keys: (h) => (h ? [...h.keys()] : []),
};

/** NATS headers carrying the W3C trace context of `ctx` and the request id. */
export function outboundHeaders(requestId: string | undefined, ctx: Context = context.active()): MsgHdrs {
  const h = natsHeaders();
  propagation.inject(ctx, h, setter);
  if (requestId) h.set(REQUEST_ID_HEADER, requestId);
  return h;
}

/** The trace context a message carries (or the active one when it has none). */
export function inboundContext(h: MsgHdrs | undefined): Context {
  return propagation.extract(context.active(), h, getter);
}

export function requestIdOf(h: MsgHdrs | undefined): string | undefined {
  return h?.get(REQUEST_ID_HEADER) || undefined;
}
