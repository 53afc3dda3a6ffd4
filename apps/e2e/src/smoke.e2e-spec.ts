import { startFakeOpenAI, startStack, type FakeOpenAI, type Stack } from '@aisbf/testing';
import OpenAI from 'openai';
import { GLOBAL_TOKEN, openaiProvider, writeConfig } from './support/config';

describe('smoke: the openai SDK through the whole stack', () => {
  let fake: FakeOpenAI;
  let stack: Stack;
  let client: OpenAI;

  beforeAll(async () => {
    fake = await startFakeOpenAI({ models: ['gpt-4o-mini'] });
    const configDir = writeConfig({ providers: { providers: { up: openaiProvider('up', fake.url, ['gpt-4o-mini']) } } });
    stack = await startStack({ configDir });
    client = new OpenAI({ apiKey: GLOBAL_TOKEN, baseURL: `${stack.baseUrl}/v1`, maxRetries: 0 });
  });

  afterAll(async () => {
    await stack?.close();
    await fake?.close();
  });

  it('answers a non-streaming request', async () => {
    const res = await client.chat.completions.create({ model: 'up/gpt-4o-mini', messages: [{ role: 'user', content: 'ping' }] });
    expect(res.choices[0]?.message.content).toBe('echo: ping');
  });

  it('a request too big to travel between the services is a clear 413, not a 500', async () => {
    // Under the edge's 10 MiB body limit but above NATS max_payload (1 MiB by default).
    const chats = () => fake.requests.filter((r) => r.path.includes('/chat/completions')).length;
    const before = chats();
    const err = await client.chat.completions
      .create({ model: 'up/gpt-4o-mini', messages: [{ role: 'user', content: 'x'.repeat(1_500_000) }] })
      .then(() => undefined, (e: unknown) => e as { status?: number; message?: string; code?: string });
    expect(err?.status).toBe(413);
    expect(err?.code).toBe('request_too_large');
    expect(err?.message).toContain('max_payload');
    expect(chats()).toBe(before);
  });

  it('streams a request chunk by chunk to [DONE]', async () => {
    const stream = await client.chat.completions.create({ model: 'up/gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'hello world' }] });
    let text = '';
    let chunks = 0;
    for await (const c of stream) {
      chunks++;
      text += c.choices[0]?.delta?.content ?? '';
    }
    expect(text).toBe('echo: hello world');
    expect(chunks).toBeGreaterThan(2);
  });
});
