// Point 2 (liveness / readiness, naming what is down) and the OTLP half of point 8 (the three services on the request
// path export their spans to OTEL_EXPORTER_OTLP_ENDPOINT, all in one trace), with the five services as processes.
import { eventually, startFakeOpenAI, startOtlpStub, startStack, type FakeOpenAI, type OtlpStub, type Stack } from '@aisbf/testing';
import OpenAI from 'openai';
import { GLOBAL_TOKEN, openaiProvider, writeConfig } from './support/config';
import { rawRequest } from './support/http';

const ALL_CHECKS = ['mysql', 'redis', 'nats', 'router', 'provider-workers', 'analytics', 'broker'];

describe('health and telemetry (five services as processes)', () => {
  let fake: FakeOpenAI;
  let otlp: OtlpStub;
  let stack: Stack;

  beforeAll(async () => {
    fake = await startFakeOpenAI({ models: ['gpt-4o-mini'] });
    otlp = await startOtlpStub();
    const configDir = writeConfig({ providers: { providers: { up: openaiProvider('up', fake.url, ['gpt-4o-mini']) } } });
    stack = await startStack({
      configDir,
      // Export batches every 200 ms instead of every 5 s.
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url, OTEL_BSP_SCHEDULE_DELAY: '200' },
    });
  });

  afterAll(async () => {
    await stack?.close();
    await otlp?.close();
    await fake?.close();
  });

  describe('point 2: /health and /health/ready', () => {
    it('/health answers 200 without a token', async () => {
      const r = await rawRequest(`${stack.baseUrl}/health`);
      expect(r.status).toBe(200);
      expect(r.json).toEqual({ status: 'ok', service: 'edge-api' });
    });

    it('/health/ready answers 200 with every check passing', async () => {
      const r = await rawRequest(`${stack.baseUrl}/health/ready`);
      expect(r.status).toBe(200);
      const body = r.json as { status: string; checks: Record<string, boolean>; down: string[] };
      expect(body.status).toBe('ready');
      expect(Object.keys(body.checks).sort()).toEqual([...ALL_CHECKS].sort());
      expect(Object.values(body.checks).every(Boolean)).toBe(true);
      expect(body.down).toEqual([]);
    });

    it('a stopped service makes /health/ready 503 naming it; once it is back, 200 again', async () => {
      await stack.stop('broker');
      const down = await eventually(
        async () => {
          const r = await rawRequest(`${stack.baseUrl}/health/ready`);
          expect(r.status).toBe(503);
          return r;
        },
        { timeoutMs: 15_000, intervalMs: 200 },
      );
      expect(down.headers.get('content-type')).toMatch(/^application\/json/);
      expect(down.json).toEqual({
        status: 'unavailable',
        checks: expect.objectContaining({ broker: false, router: true, 'provider-workers': true, analytics: true, mysql: true, redis: true, nats: true }),
        down: ['broker'],
      });
      // Liveness is about edge-api alone.
      expect((await rawRequest(`${stack.baseUrl}/health`)).status).toBe(200);

      await stack.start('broker');
      await eventually(async () => expect((await rawRequest(`${stack.baseUrl}/health/ready`)).status).toBe(200), { timeoutMs: 15_000, intervalMs: 200 });
    });
  });

  describe('point 8: spans exported over OTLP', () => {
    it('edge-api, router and provider-workers export spans of one request sharing one trace id', async () => {
      const client = new OpenAI({ apiKey: GLOBAL_TOKEN, baseURL: `${stack.baseUrl}/v1`, maxRetries: 0 });
      const { response } = await client.chat.completions.create({ model: 'up/gpt-4o-mini', messages: [{ role: 'user', content: 'trace me' }] }).withResponse();
      const requestId = response.headers.get('x-aisbf-request-id')!;

      const spans = await eventually(
        () => {
          const mine = otlp.spans.filter((s) => s.attributes['aisbf.request_id'] === requestId);
          const names = mine.map((s) => `${s.service}:${s.name}`);
          expect(names).toEqual(
            expect.arrayContaining([
              'edge-api:svc.router.chat.v1 send',
              'router:svc.router.chat.v1 process',
              'router:svc.provider.chat.v1 send',
              'provider-workers:svc.provider.chat.v1 process',
            ]),
          );
          return mine;
        },
        { timeoutMs: 15_000, intervalMs: 100 },
      );
      const traceIds = new Set(spans.map((s) => s.traceId));
      expect(traceIds.size).toBe(1);
      const [traceId] = [...traceIds];
      expect(traceId).toMatch(/^[0-9a-f]{32}$/);

      // The trace starts at edge-api's HTTP server span (kind 2), exported too.
      const inTrace = otlp.spans.filter((s) => s.traceId === traceId);
      const server = inTrace.find((s) => s.service === 'edge-api' && s.kind === 2);
      expect(server).toBeDefined();
      expect(server!.parentSpanId).toBeUndefined();
      const producer = spans.find((s) => s.name === 'svc.router.chat.v1 send')!;
      expect(producer.parentSpanId).toBe(server!.spanId);
      expect(new Set(inTrace.map((s) => s.service))).toEqual(new Set(['edge-api', 'router', 'provider-workers']));
    });
  });
});
