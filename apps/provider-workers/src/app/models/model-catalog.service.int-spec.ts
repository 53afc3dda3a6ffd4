import type { EventBus } from '@aisbf/platform-messaging';
import type { UserRouteStore } from '@aisbf/tenancy';
/**
 * ModelCatalogService against this machine's Redis (a per-run key prefix) and fake upstreams: the BullMQ scheduler and
 * the boot refresh fill the catalog; a failed refresh keeps the previous models and records the error.
 */
import type { ProviderConfig } from '@aisbf/contracts';
import { type GatewayConfig, loadEnv } from '@aisbf/platform-config';
import { createLogger } from '@aisbf/platform-observability';
import { RedisService } from '@aisbf/platform-redis';
import { eventually, startFakeAnthropic, startFakeOllama, type FakeAnthropic, type FakeOllama } from '@aisbf/testing';
import { Queue } from 'bullmq';
import { randomBytes } from 'node:crypto';
import { AdapterPool } from '../adapters/adapter-pool.service';
import { ModelCatalogService } from './model-catalog.service';

describe('ModelCatalogService (Redis + BullMQ)', () => {
  let anthropic: FakeAnthropic;
  let ollama: FakeOllama;
  let redis: RedisService;
  let service: ModelCatalogService;
  const prefix = `aisbf-int-${randomBytes(4).toString('hex')}:`;

  beforeAll(async () => {
    anthropic = await startFakeAnthropic({ models: [{ id: 'claude-haiku-4-5', max_input_tokens: 200000 }] });
    ollama = await startFakeOllama();
    const env = loadEnv('provider-workers', { ...process.env, AISBF_REDIS_PREFIX: prefix, AISBF_MODEL_REFRESH_MS: '60000', AISBF_MODEL_LIST_TIMEOUT_MS: '500' });
    redis = new RedisService(env);
    const providers: Record<string, ProviderConfig> = {
      claude: { type: 'anthropic', api_key_required: true, api_key: 'k', endpoint: anthropic.url, rate_limit: 0 } as ProviderConfig,
      olla: { type: 'ollama', api_key_required: false, endpoint: ollama.url, rate_limit: 0 } as ProviderConfig,
      broken: { type: 'anthropic', api_key_required: true, endpoint: anthropic.url, rate_limit: 0 } as ProviderConfig, // no key
    };
    const config = { dir: '', providers: { providers }, rotations: { rotations: {} }, autoselect: {}, aisbf: {} } as unknown as GatewayConfig;
    service = new ModelCatalogService(redis, new AdapterPool(config, {} as UserRouteStore, { subscribe: () => () => undefined } as unknown as EventBus, env, redis), config, env, createLogger('provider-workers', 'silent'));
  });

  afterAll(async () => {
    await service.onApplicationShutdown();
    const keys = await redis.client.keys(`${prefix}*`);
    if (keys.length) await redis.client.del(...keys);
    await redis.close();
    await Promise.all([anthropic.close(), ollama.close()]);
  });

  it('schedules the refresh and fills the catalog at start', async () => {
    service.onApplicationBootstrap();
    const claude = await eventually(async () => {
      const e = await service.read('claude');
      expect(e?.models).toEqual([{ id: 'claude-haiku-4-5', contextSize: 200000, ownedBy: 'anthropic', created: expect.any(Number) }]);
      return e!;
    }, { timeoutMs: 10_000, intervalMs: 100 });
    expect(claude.fetchedAt).toBeGreaterThan(0);
    expect(await service.read('olla')).toMatchObject({ models: [{ id: 'llama3.2:latest', contextSize: 131072, capabilities: ['tools'] }] });
    expect(await service.read('broken')).toMatchObject({ models: [], error: { code: 'AUTH' } });
    const queue = new Queue('model-catalog', { connection: redis.bullConnection(), prefix: redis.bullPrefix });
    try {
      expect((await queue.getJobSchedulers()).map((s) => [s.key, s.every])).toEqual([['model-catalog-refresh', 60000]]);
    } finally {
      await queue.close();
    }
    const ttl = await redis.client.ttl(`${prefix}models:global:claude`);
    expect(ttl).toBeGreaterThan(86_000);
  });

  it('a failed refresh keeps the previous models and records the error; a slow upstream is cut at the list timeout', async () => {
    anthropic.serve('GET', '/v1/models', { kind: 'error', status: 500 });
    await service.refresh('claude');
    expect(await service.read('claude')).toMatchObject({ models: [{ id: 'claude-haiku-4-5' }], error: { code: 'UPSTREAM_UNAVAILABLE' } });
    anthropic.serve('GET', '/v1/models', { kind: 'hang' });
    const started = Date.now();
    await service.refresh('claude');
    expect(Date.now() - started).toBeLessThan(3000);
    expect(await service.read('claude')).toMatchObject({ models: [{ id: 'claude-haiku-4-5' }], error: { code: 'TIMEOUT' } });
    anthropic.reset();
    await service.refresh('claude');
    expect((await service.read('claude'))?.error).toBeUndefined();
  });
});
