// In-process edge-api instances for integration tests: a fresh migrated database, per-run NATS subject and Redis key
// prefixes, a config directory with auth enabled, and a log capture (to prove secrets are never logged).
import { type AppEnv, loadEnv } from '@aisbf/platform-config';
import { REDACT_PATHS } from '@aisbf/platform-observability';
import type { ServiceApp } from '@aisbf/platform-service';
import { clearRedisPrefix, createTestDatabase, httpJson, type JsonResponse, testRedisPrefix, testServiceUrls, type TestDatabase } from '@aisbf/testing';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import pino from 'pino';
import { startEdgeApi } from '../app/start';

export const GLOBAL_TOKEN = 'int-global-token-0123456789';

export interface EdgeHarness {
  db: TestDatabase;
  env: AppEnv;
  urls: string[];
  apps: ServiceApp[];
  logs(): string;
  /** fetch against instance `i` (default 0) with an optional bearer token; JSON in and out. */
  call(method: string, path: string, opts?: { token?: string; body?: unknown; instance?: number }): Promise<JsonResponse>;
  close(): Promise<void>;
}

export async function startEdgeHarness(opts: { instances?: number; env?: Record<string, string> } = {}): Promise<EdgeHarness> {
  const db = await createTestDatabase('edge');
  const redisPrefix = testRedisPrefix('edge');
  const configDir = mkdtempSync(join(tmpdir(), 'aisbf-edge-int-'));
  writeFileSync(join(configDir, 'providers.json'), JSON.stringify({ providers: { globalp: { type: 'openai', endpoint: 'http://127.0.0.1:9/v1', api_key_required: false, models: [{ name: 'g1' }] } } }));
  writeFileSync(join(configDir, 'aisbf.json'), JSON.stringify({ auth: { enabled: true, tokens: [GLOBAL_TOKEN] } }));
  const env = loadEnv('edge-api', {
    DATABASE_URL: db.url,
    REDIS_URL: testServiceUrls().redisUrl,
    NATS_URL: testServiceUrls().natsUrl,
    AISBF_REDIS_PREFIX: redisPrefix,
    AISBF_NATS_PREFIX: `aisbf.int_${process.pid}_${randomBytes(3).toString('hex')}`,
    AISBF_CONFIG_DIR: configDir,
    AISBF_PORT: '0',
    AISBF_HOST: '127.0.0.1',
    AISBF_ACK_TIMEOUT_MS: '1000',
    ...opts.env,
  });
  let captured = '';
  const sink = new Writable({ write: (chunk, _enc, cb) => ((captured += chunk.toString()), cb()) });
  const logger = pino({ level: 'debug', base: { service: 'edge-api' }, redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, sink);
  const apps: ServiceApp[] = [];
  try {
    for (let i = 0; i < (opts.instances ?? 1); i++) apps.push(await startEdgeApi({ ...env, instanceId: `edge-${i}` }, logger));
  } catch (err) {
    await Promise.all(apps.map((a) => a.close()));
    await db.drop();
    throw err;
  }
  const urls = apps.map((a) => `http://127.0.0.1:${a.port}`);
  return {
    db,
    env,
    urls,
    apps,
    logs: () => captured,
    call: (method, path, { token, body, instance = 0 } = {}) => httpJson(urls[instance]!, method, path, { token, body }),
    close: async () => {
      await Promise.all(apps.map((a) => a.close()));
      await db.drop();
      await clearRedisPrefix(redisPrefix);
    },
  };
}
