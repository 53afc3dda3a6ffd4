import { RequestCancelledV1, type RouterChatEvent } from '@aisbf/contracts';
import { AppError } from '@aisbf/platform-errors';
import { Observable, Subject } from 'rxjs';
import { ChatForwarder, parseChatBody } from './chat-forwarder.service';

const caller = { kind: 'global' as const, label: 'global:0', isAdmin: true };
const body = parseChatBody({ model: 'up/m', messages: [{ role: 'user', content: 'hi' }] });
const env = { timeouts: { ackMs: 1000, upstreamMs: 10_000 } };
const meta = { route: 'up/m', routeKind: 'provider' as const, providerId: 'up', model: 'm', attempts: 1 };

function setup() {
  const replies = new Subject<RouterChatEvent>();
  const unsubscribed = jest.fn();
  const messaging = {
    request: jest.fn(
      () =>
        new Observable<RouterChatEvent>((sub) => {
          const s = replies.subscribe(sub);
          return () => {
            unsubscribed();
            s.unsubscribe();
          };
        }),
    ),
  };
  const bus = { publish: jest.fn() };
  const forwarder = new ChatForwarder(messaging as never, bus as never, env as never);
  return { forwarder, replies, unsubscribed, bus };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('ChatForwarder', () => {
  it('resolves with the route meta once the router commits', async () => {
    const { forwarder, replies } = setup();
    const pending = forwarder.forward('r1', caller, { kind: 'openai' }, body);
    await tick();
    replies.next({ type: 'accepted', instanceId: 'router-1' });
    replies.next({ type: 'meta', meta });
    await expect(pending).resolves.toMatchObject({ meta });
  });

  it('a client that leaves before the router commits cancels the request everywhere', async () => {
    const { forwarder, replies, unsubscribed, bus } = setup();
    const gone = new AbortController();
    const pending = forwarder.forward('r2', caller, { kind: 'openai' }, body, gone.signal);
    await tick();
    replies.next({ type: 'accepted', instanceId: 'router-1' }); // the router works on it (e.g. an upstream that hangs)
    await tick();
    gone.abort();
    const err = await pending.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('CANCELLED');
    expect(bus.publish).toHaveBeenCalledWith(RequestCancelledV1, { requestId: 'r2', reason: 'client disconnected' }, 'r2');
    expect(bus.publish).toHaveBeenCalledTimes(1);
    expect(unsubscribed).toHaveBeenCalled();
  });

  it('a client already gone cancels at once', async () => {
    const { forwarder, bus } = setup();
    const gone = new AbortController();
    gone.abort();
    await expect(forwarder.forward('r3', caller, { kind: 'openai' }, body, gone.signal)).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(bus.publish).toHaveBeenCalledTimes(1);
  });

  it('a client leaving after the commit cancels once, also when cancel() is called too', async () => {
    const { forwarder, replies, bus } = setup();
    const gone = new AbortController();
    const pending = forwarder.forward('r4', caller, { kind: 'openai' }, body, gone.signal);
    await tick();
    replies.next({ type: 'meta', meta });
    const chat = await pending;
    gone.abort();
    chat.cancel('client disconnected');
    expect(bus.publish).toHaveBeenCalledTimes(1);
    await expect(chat.events.next()).rejects.toMatchObject({ code: 'CANCELLED' });
  });
});
