import type { ServerResponse } from 'node:http';

/**
 * Write one SSE frame, waiting for the socket to drain when a slow client applies backpressure. A client that goes
 * away while we wait ends the wait too ('drain' never comes on a closed socket).
 */
export async function writeFrame(res: ServerResponse, data: string): Promise<void> {
  if (res.write(`data: ${data}\n\n`)) return;
  if (res.destroyed || res.writableEnded) return;
  await new Promise<void>((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

export const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache, no-transform',
  connection: 'keep-alive',
  'x-accel-buffering': 'no',
} as const;
