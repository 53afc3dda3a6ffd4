import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { writeFrame } from './sse';

/** A response whose socket buffer is full: write() returns false until the test says otherwise. */
function fullResponse() {
  const res = Object.assign(new EventEmitter(), { written: [] as string[], destroyed: false, writableEnded: false, full: true });
  const write = (s: string) => {
    res.written.push(s);
    return !res.full;
  };
  return Object.assign(res, { write }) as typeof res & { write: typeof write };
}

const settledWithin = (p: Promise<unknown>, ms: number) => Promise.race([p.then(() => true), new Promise((r) => setTimeout(() => r(false), ms))]);

describe('writeFrame', () => {
  it('writes one SSE data frame and returns at once when the socket takes it', async () => {
    const res = fullResponse();
    res.full = false;
    await writeFrame(res as unknown as ServerResponse, '{"a":1}');
    expect(res.written).toEqual(['data: {"a":1}\n\n']);
  });

  it('waits for drain under backpressure', async () => {
    const res = fullResponse();
    const p = writeFrame(res as unknown as ServerResponse, 'x');
    expect(await settledWithin(p, 30)).toBe(false);
    res.emit('drain');
    expect(await settledWithin(p, 30)).toBe(true);
    expect(res.listenerCount('drain') + res.listenerCount('close')).toBe(0);
  });

  it('stops waiting when the client goes away during backpressure (no hanging relay)', async () => {
    const res = fullResponse();
    const p = writeFrame(res as unknown as ServerResponse, 'x');
    res.destroyed = true;
    res.emit('close');
    expect(await settledWithin(p, 30)).toBe(true);
    expect(res.listenerCount('drain') + res.listenerCount('close')).toBe(0);
  });

  it('does not wait on a response that is already closed', async () => {
    const res = fullResponse();
    res.destroyed = true;
    expect(await settledWithin(writeFrame(res as unknown as ServerResponse, 'x'), 30)).toBe(true);
  });
});
