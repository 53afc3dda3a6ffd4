import type { ChatCompletionChunk, ProviderChatCommand, ProviderChatEvent } from '@aisbf/contracts';
import type { AppEnv } from '@aisbf/platform-config';
import { AppError } from '@aisbf/platform-errors';
import { InflightRegistry } from '@aisbf/platform-messaging';
import { createLogger } from '@aisbf/platform-observability';
import type { ProviderAdapter } from '@aisbf/provider-adapters';
import { lastValueFrom, toArray } from 'rxjs';
import type { AdapterPool } from '../adapters/adapter-pool.service';
import { ProviderChatHandler } from './provider-chat.handler';

const chunk = (choices: unknown[], usage?: unknown): ChatCompletionChunk => ({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'm', choices, ...(usage ? { usage } : {}) }) as ChatCompletionChunk;
const USAGE = { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 };

function handlerWith(adapter: Partial<ProviderAdapter>) {
  const pool = { get: () => adapter as ProviderAdapter } as unknown as AdapterPool;
  return new ProviderChatHandler(pool, new InflightRegistry(), { instanceId: 'pw-1' } as AppEnv, createLogger('provider-workers', 'silent'));
}

const cmd = (over: Partial<ProviderChatCommand> = {}): ProviderChatCommand => ({
  requestId: 'r1',
  attempt: 1,
  scope: { kind: 'global' },
  providerId: 'p',
  model: 'm',
  body: { model: 'p/m', messages: [{ role: 'user', content: 'x' }] },
  stream: true,
  includeUsage: false,
  timeoutMs: 1000,
  ...over,
});

async function run(h: ProviderChatHandler, c: ProviderChatCommand): Promise<ProviderChatEvent[]> {
  return lastValueFrom(h.handle(c).pipe(toArray()));
}

describe('ProviderChatHandler', () => {
  const chunks = [chunk([{ index: 0, delta: { role: 'assistant', content: 'hi' }, finish_reason: null }]), chunk([{ index: 0, delta: {}, finish_reason: 'stop' }]), chunk([], USAGE)];
  const adapter: Partial<ProviderAdapter> = {
    async *stream() {
      yield* chunks;
    },
  };

  it('forwards the adapter chunks unchanged and ends with the usage; drops the usage-only chunk the caller did not ask for', async () => {
    const events = await run(handlerWith(adapter), cmd());
    expect(events).toEqual([{ type: 'accepted', instanceId: 'pw-1' }, { type: 'chunk', chunk: chunks[0] }, { type: 'chunk', chunk: chunks[1] }, { type: 'end', usage: USAGE }]);
  });

  it('keeps the usage-only chunk when the caller asked for include_usage', async () => {
    const events = await run(handlerWith(adapter), cmd({ includeUsage: true }));
    expect(events.filter((e) => e.type === 'chunk')).toHaveLength(3);
  });

  it('turns an adapter failure into a coded error event (mid-stream too)', async () => {
    const failing: Partial<ProviderAdapter> = {
      async *stream() {
        yield chunks[0]!;
        throw new AppError('UPSTREAM_UNAVAILABLE', 'Overloaded', { upstreamStatus: 529 });
      },
    };
    const events = await run(handlerWith(failing), cmd());
    expect(events.at(-1)).toMatchObject({ type: 'error', error: { code: 'UPSTREAM_UNAVAILABLE', message: 'Overloaded', upstreamStatus: 529, retryable: true } });
    const crash = await run(handlerWith({ complete: () => Promise.reject(new Error('secret sk-123 leaked')) }), cmd({ stream: false }));
    expect(crash.at(-1)).toMatchObject({ type: 'error', error: { code: 'INTERNAL', message: 'Internal error' } });
  });
});
