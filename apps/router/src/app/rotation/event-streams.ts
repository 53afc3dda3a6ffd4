import type { ProviderEvent } from '../chat/provider-caller.service';

type Events = AsyncGenerator<ProviderEvent>;

/** An event stream with its own `next`, whose `return`/`throw` go to `source` (so abandoning it frees the source). */
function forwarding(source: Events, next: () => Promise<IteratorResult<ProviderEvent>>): Events {
  const it = {
    next,
    return: (v?: unknown) => source.return(v),
    throw: (e?: unknown) => source.throw(e),
    [Symbol.asyncIterator]: () => it,
    [Symbol.asyncDispose]: async () => void (await source.return(undefined)),
  };
  return it as unknown as Events;
}

/** `source`, with `see` called on every event on its way through. */
export function observed(source: Events, see: (e: ProviderEvent) => void): Events {
  return forwarding(source, async () => {
    const r = await source.next();
    if (!r.done) see(r.value);
    return r;
  });
}

/** `head`, then the events of `rest`. */
export function prepend(head: ProviderEvent, rest: Events): Events {
  let pending: ProviderEvent | undefined = head;
  return forwarding(rest, async () => {
    if (!pending) return rest.next();
    const value = pending;
    pending = undefined;
    return { value, done: false };
  });
}

/** A fixed list of events. */
export async function* fromArray(events: ProviderEvent[]): Events {
  yield* events;
}
