import { AppError } from '@aisbf/platform-errors';
import { Subject } from 'rxjs';
import { ackedStream } from './acked-stream';
import { toAsyncIterable } from './async-iterable';

type E = { type: 'accepted' } | { type: 'chunk'; n: number } | { type: 'end' };

async function collect(gen: AsyncGenerator<unknown>) {
  const out: unknown[] = [];
  for await (const v of gen) out.push(v);
  return out;
}

describe('ackedStream', () => {
  it('yields events after the acknowledgement', async () => {
    const s = new Subject<E>();
    const p = collect(ackedStream(toAsyncIterable(s), { ackMs: 200, idleMs: 200, hop: 'router' }));
    s.next({ type: 'accepted' });
    s.next({ type: 'chunk', n: 1 });
    s.next({ type: 'end' });
    s.complete();
    await expect(p).resolves.toEqual([{ type: 'chunk', n: 1 }, { type: 'end' }]);
  });

  it('fails with SERVICE_UNAVAILABLE when nobody acknowledges', async () => {
    const s = new Subject<E>();
    await expect(collect(ackedStream(toAsyncIterable(s), { ackMs: 30, idleMs: 1000, hop: 'router' }))).rejects.toMatchObject({
      code: 'SERVICE_UNAVAILABLE',
    });
  });

  it('fails with TIMEOUT when the stream goes silent', async () => {
    const s = new Subject<E>();
    const p = collect(ackedStream(toAsyncIterable(s), { ackMs: 1000, idleMs: 30, hop: 'router' }));
    s.next({ type: 'accepted' });
    await expect(p).rejects.toBeInstanceOf(AppError);
    await expect(p).rejects.toMatchObject({ code: 'TIMEOUT' });
  });

  it('stops and unsubscribes when the signal aborts', async () => {
    const s = new Subject<E>();
    const ac = new AbortController();
    const p = collect(ackedStream(toAsyncIterable(s), { ackMs: 1000, idleMs: 1000, hop: 'router', signal: ac.signal }));
    s.next({ type: 'accepted' });
    await new Promise((r) => setTimeout(r, 10));
    ac.abort();
    await expect(p).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(s.observed).toBe(false);
  });
});
