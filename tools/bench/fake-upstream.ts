/**
 * The fake OpenAI upstream for the bench, in its own process so that it neither shares an event loop with the load
 * generator nor with the gateway. Started by bench.ts with `node -r @swc-node/register`; reports its URL over IPC.
 *
 * Env: BENCH_CHUNK_DELAY_MS (delay between stream chunk events, default 10).
 */
import { startFakeOpenAI } from '@aisbf/testing';
import { CONTENT, CONTENT_CHUNKS, MODEL } from './scenario';

async function main(): Promise<void> {
  const chunkDelayMs = Number(process.env['BENCH_CHUNK_DELAY_MS'] ?? '10');
  const fake = await startFakeOpenAI({ host: '127.0.0.1', models: [MODEL] });
  fake.setDefault({ kind: 'text', content: CONTENT, chunks: CONTENT_CHUNKS, chunkDelayMs, usage: { prompt_tokens: 9, completion_tokens: 5 } });
  // The fake records every request for the tests; under load that is an unbounded array, so drop the records.
  const trim = setInterval(() => {
    fake.requests.length = 0;
  }, 500);
  let closing = false;
  const close = (code: number) => {
    if (closing) return;
    closing = true;
    clearInterval(trim);
    void fake.close().finally(() => process.exit(code));
    setTimeout(() => process.exit(code), 2000).unref();
  };
  process.on('SIGTERM', () => close(0));
  process.on('SIGINT', () => close(0));
  process.on('disconnect', () => close(0)); // the bench went away
  process.send?.({ type: 'ready', url: fake.url, port: fake.port });
}

main().catch((err: unknown) => {
  console.error('fake-upstream failed:', err);
  process.exit(1);
});
