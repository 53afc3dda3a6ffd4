import { Observable, Subject } from 'rxjs';
import { toAsyncIterable } from './async-iterable';

describe('toAsyncIterable', () => {
  it('yields buffered and later values, then ends', async () => {
    const s = new Subject<number>();
    const it = toAsyncIterable(s);
    s.next(1);
    const p = (async () => {
      const out: number[] = [];
      for await (const v of it) out.push(v);
      return out;
    })();
    s.next(2);
    s.complete();
    await expect(p).resolves.toEqual([1, 2]);
  });

  it('rethrows the error', async () => {
    const it = toAsyncIterable(new Observable<number>((sub) => sub.error(new Error('boom'))));
    await expect(it.next()).rejects.toThrow('boom');
  });

  it('unsubscribes when the consumer leaves early', async () => {
    let unsubscribed = false;
    const obs = new Observable<number>((sub) => {
      sub.next(1);
      return () => (unsubscribed = true);
    });
    for await (const v of toAsyncIterable(obs)) {
      expect(v).toBe(1);
      break;
    }
    expect(unsubscribed).toBe(true);
  });
});
