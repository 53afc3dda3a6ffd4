import type { ServerResponse } from 'node:http';
import { once } from 'node:events';

/** Write one SSE frame, waiting for the socket to drain when a slow client applies backpressure. */
export async function writeFrame(res: ServerResponse, data: string): Promise<void> {
  if (!res.write(`data: ${data}\n\n`)) await once(res, 'drain');
}

export const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache, no-transform',
  connection: 'keep-alive',
  'x-accel-buffering': 'no',
} as const;
