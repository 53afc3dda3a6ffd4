// Point 8 with an in-memory exporter: edge-api, router and provider-workers run in THIS Jest process (their start*
// functions, real NATS/Redis with per-run prefixes), and one chat request must give one trace whose spans form the
// chain  HTTP server (edge-api) → `svc.router.chat.v1 send` → `svc.router.chat.v1 process` (router)
//        → `svc.provider.chat.v1 send` → `svc.provider.chat.v1 process` (provider-workers),  each the parent of the next.
//
// Telemetry must be started before Nest, Fastify and `http` are loaded, so the services are `require`d only after
// `startTelemetry` ran (the static imports below load no HTTP framework). Under Jest one more step is needed: Jest hands
// every module a mock of `module`, so the require hook of OpenTelemetry's HTTP instrumentation never sees `http` being
// loaded (in a real process it does; the OTLP e2e test shows it). `patchHttpUnderJest` applies the instrumentation's
// own patch to the `http`/`https` core modules, which Jest shares with the real Node runtime.
import { loadEnv, type AppEnv } from '@aisbf/platform-config';
import { createLogger, shutdownTelemetry, startTelemetry } from '@aisbf/platform-observability';
import type { ServiceApp } from '@aisbf/platform-service';
import { eventually, startFakeOpenAI, type FakeOpenAI } from '@aisbf/testing';
import { SpanKind } from '@opentelemetry/api';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import OpenAI from 'openai';
import { GLOBAL_TOKEN, openaiProvider, writeConfig } from './support/config';

type ServiceName = 'edge-api' | 'router' | 'provider-workers';
type Starter = (env: AppEnv, logger: ReturnType<typeof createLogger>) => Promise<ServiceApp>;

const APPS = join(__dirname, '../..');
/** The services' own start functions, loaded lazily (after telemetry) from their sources. */
function starter(service: ServiceName): Starter {
  const exported = { 'edge-api': 'startEdgeApi', router: 'startRouter', 'provider-workers': 'startProviderWorkers' }[service];
  return (require(join(APPS, service, 'src/app/start')) as Record<string, Starter>)[exported]!;
}

/** See the header: what require-in-the-middle does in a real process, done by hand for Jest. Idempotent. */
function patchHttpUnderJest(): void {
  const instrumentation = new HttpInstrumentation({ ignoreIncomingRequestHook: (req) => (req.url ?? '').startsWith('/health') });
  for (const def of instrumentation.getModuleDefinitions()) {
    if (def.name !== 'http' && def.name !== 'https') continue;
      const core = require(def.name) as { Server: { prototype: { emit: { __wrapped?: boolean } } } };
    if (core.Server.prototype.emit.__wrapped) continue; // the regular hook did it after all
    def.patch?.(core);
  }
}

describe('one trace per request across edge-api, router and provider-workers (in-memory exporter)', () => {
  const exporter = new InMemorySpanExporter();
  const runId = `trace_${process.pid}_${randomBytes(3).toString('hex')}`;
  const natsPrefix = `aisbf.${runId}`;
  const redisPrefix = `aisbf:${runId}:`;
  const redisUrl = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
  const apps: ServiceApp[] = [];
  let fake: FakeOpenAI;
  let client: OpenAI;

  beforeAll(async () => {
    startTelemetry({ serviceName: 'aisbf-tracing-test', spanProcessors: [new SimpleSpanProcessor(exporter)] });
    patchHttpUnderJest();
    fake = await startFakeOpenAI({ models: ['gpt-4o-mini'] });
    const configDir = writeConfig({ providers: { providers: { up: openaiProvider('up', fake.url, ['gpt-4o-mini']) } } });
    const envFor = (service: ServiceName) =>
      loadEnv(service, {
        ...process.env,
        AISBF_CONFIG_DIR: configDir,
        AISBF_HOST: '127.0.0.1',
        AISBF_PORT: '0',
        AISBF_HEALTH_PORT: '0',
        AISBF_NATS_PREFIX: natsPrefix,
        AISBF_REDIS_PREFIX: redisPrefix,
        AISBF_INSTANCE_ID: `${service}-${runId}`,
        LOG_LEVEL: 'silent',
        OTEL_EXPORTER_OTLP_ENDPOINT: undefined,
      });
    for (const s of ['router', 'provider-workers', 'edge-api'] as const) {
      const env = envFor(s);
      apps.push(await starter(s)(env, createLogger(s, env.logLevel)));
    }
    client = new OpenAI({ apiKey: GLOBAL_TOKEN, baseURL: `http://127.0.0.1:${apps.at(-1)!.port}/v1`, maxRetries: 0 });
  });

  afterAll(async () => {
    for (const app of apps.reverse()) await app.close().catch(() => undefined);
    await fake?.close();
    await shutdownTelemetry();
    // The router enqueued usage jobs under this run's prefix; nobody consumes them here.
    const redis = new Redis(redisUrl);
    const keys = await redis.keys(`${redisPrefix}*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  });

  beforeEach(() => exporter.reset());

  const parentId = (s: ReadableSpan) => s.parentSpanContext?.spanId;
  const id = (s: ReadableSpan) => s.spanContext().spanId;

  async function chain(requestId: string): Promise<{ server: ReadableSpan; spans: ReadableSpan[] }> {
    return eventually(
      () => {
        const all = exporter.getFinishedSpans();
        const byName = (name: string) => {
          const found = all.filter((s) => s.name === name && s.attributes['aisbf.request_id'] === requestId);
          expect(found.map((s) => s.name)).toEqual([name]);
          return found[0]!;
        };
        const spans = [
          byName('svc.router.chat.v1 send'),
          byName('svc.router.chat.v1 process'),
          byName('svc.provider.chat.v1 send'),
          byName('svc.provider.chat.v1 process'),
        ];
        const server = all.find((s) => id(s) === parentId(spans[0]!));
        expect(server).toBeDefined();
        return { server: server!, spans };
      },
      { timeoutMs: 5000, intervalMs: 50 },
    );
  }

  it.each([false, true])('stream=%s: HTTP server span → router send → router process → provider send → provider process', async (stream) => {
    const messages = [{ role: 'user' as const, content: 'trace me' }];
    let requestId: string;
    if (stream) {
      const { data, response } = await client.chat.completions.create({ model: 'up/gpt-4o-mini', stream: true, messages }).withResponse();
      for await (const _ of data) {
        /* drain */
      }
      requestId = response.headers.get('x-aisbf-request-id')!;
    } else {
      const { response } = await client.chat.completions.create({ model: 'up/gpt-4o-mini', messages }).withResponse();
      requestId = response.headers.get('x-aisbf-request-id')!;
    }
    expect(requestId).toBeTruthy();

    const { server, spans } = await chain(requestId);
    const [routerSend, routerProcess, providerSend, providerProcess] = spans as [ReadableSpan, ReadableSpan, ReadableSpan, ReadableSpan];

    // edge-api's HTTP server span is the root of the request's trace.
    expect(server.kind).toBe(SpanKind.SERVER);
    expect(JSON.stringify(server.attributes)).toContain('/v1/chat/completions');
    expect(server.parentSpanContext).toBeUndefined();

    // One trace id from the HTTP request to provider-workers.
    const traceId = server.spanContext().traceId;
    for (const s of spans) expect(s.spanContext().traceId).toBe(traceId);

    // Each span is the parent of the next.
    expect(parentId(routerSend)).toBe(id(server));
    expect(parentId(routerProcess)).toBe(id(routerSend));
    expect(parentId(providerSend)).toBe(id(routerProcess));
    expect(parentId(providerProcess)).toBe(id(providerSend));
    expect(routerProcess.parentSpanContext?.isRemote).toBe(true); // continued from the NATS headers
    expect(providerProcess.parentSpanContext?.isRemote).toBe(true);

    expect([routerSend.kind, routerProcess.kind, providerSend.kind, providerProcess.kind]).toEqual([
      SpanKind.PRODUCER,
      SpanKind.CONSUMER,
      SpanKind.PRODUCER,
      SpanKind.CONSUMER,
    ]);
    // The request id travels with every NATS hop.
    for (const s of spans) expect(s.attributes['aisbf.request_id']).toBe(requestId);
    for (const s of spans) expect(s.attributes['messaging.system']).toBe('nats');
  });
});
