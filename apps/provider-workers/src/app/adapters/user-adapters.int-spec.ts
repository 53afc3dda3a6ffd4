// provider-workers with user providers, on the real MariaDB and NATS: adapters are built from the user's row with the
// key decrypted, never from another user's row, rebuilt after a config-changed event; start-up refuses to run when
// encrypted rows exist and AISBF_SECRET_KEY is missing or wrong.
import { ConfigChangedV1, ProviderChatV1, ProviderModelsV1, type ProviderChatEvent } from '@aisbf/contracts';
import { loadEnv } from '@aisbf/platform-config';
import { EventBus, MessagingClient, NATS_CONNECTION, PrefixedClientNats } from '@aisbf/platform-messaging';
import { createLogger } from '@aisbf/platform-observability';
import { PrismaService } from '@aisbf/platform-prisma';
import type { ServiceApp } from '@aisbf/platform-service';
import { SecretBox, UserRouteStore } from '@aisbf/tenancy';
import { createTestDatabase, eventually, startFakeOpenAI, type FakeOpenAI, type TestDatabase } from '@aisbf/testing';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { NatsConnection } from 'nats';
import { firstValueFrom, lastValueFrom, toArray } from 'rxjs';
import { startProviderWorkers } from '../start';

const natsPrefix = `aisbf.int_${process.pid}_${randomBytes(3).toString('hex')}`;
const key = randomBytes(32);
const logger = createLogger('provider-workers', 'silent');
let db: TestDatabase;
let prisma: PrismaService;
let store: UserRouteStore;
let fake: FakeOpenAI;
let configDir: string;
let svc: ServiceApp | undefined;
let client: PrefixedClientNats;
let messaging: MessagingClient;
let alice: number;
let bob: number;

const envWith = (extra: Record<string, string>) =>
  loadEnv('provider-workers', {
    DATABASE_URL: db.url,
    AISBF_NATS_PREFIX: natsPrefix,
    AISBF_HEALTH_PORT: '0',
    AISBF_HOST: '127.0.0.1',
    AISBF_CONFIG_DIR: configDir,
    LOG_LEVEL: 'silent',
    ...extra,
  });

beforeAll(async () => {
  db = await createTestDatabase('workers');
  prisma = new PrismaService({ database: { url: db.url } });
  store = new UserRouteStore(prisma, new SecretBox(key));
  fake = await startFakeOpenAI({ models: ['org/m:1', 'other'] });
  configDir = mkdtempSync(join(tmpdir(), 'aisbf-int-cfg-'));
  writeFileSync(join(configDir, 'providers.json'), JSON.stringify({ providers: {} }));
  alice = (await prisma.user.create({ data: { username: 'alice' } })).id;
  bob = (await prisma.user.create({ data: { username: 'bob' } })).id;
  await store.save(alice, 'provider', 'mine', { type: 'openai', endpoint: fake.url, api_key_required: true, api_key: 'sk-alice-1', models: [{ name: 'org/m:1' }] }, 'create');
  client = new PrefixedClientNats({ servers: [process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222'] } as never, natsPrefix);
  await client.connect();
  messaging = new MessagingClient(client);
});

afterAll(async () => {
  await svc?.close();
  await messaging?.close();
  await fake?.close();
  await prisma?.$disconnect();
  await db?.drop();
});

describe('start-up', () => {
  it('fails clearly when encrypted rows exist and AISBF_SECRET_KEY is missing', async () => {
    await expect(startProviderWorkers(envWith({}), logger)).rejects.toThrow(/AISBF_SECRET_KEY is not set, but 1 stored user route\(s\) hold secrets/);
  });

  it('fails clearly when AISBF_SECRET_KEY is another key', async () => {
    await expect(startProviderWorkers(envWith({ AISBF_SECRET_KEY: randomBytes(32).toString('hex') }), logger)).rejects.toThrow(/is not the key that encrypted/);
  });

  it('starts when the database has no tables yet (nothing can be encrypted there)', async () => {
    const empty = `${db.name}_empty`;
    await prisma.$executeRawUnsafe(`CREATE DATABASE \`${empty}\``);
    try {
      const url = new URL(db.url);
      url.pathname = `/${empty}`;
      const app = await startProviderWorkers(envWith({ DATABASE_URL: url.toString() }), logger);
      await app.close();
    } finally {
      await prisma.$executeRawUnsafe(`DROP DATABASE IF EXISTS \`${empty}\``);
    }
  });

  it('starts with the key the rows were written with', async () => {
    svc = await startProviderWorkers(envWith({ AISBF_SECRET_KEY: key.toString('base64') }), logger);
  });
});

describe('user providers', () => {
  const chat = (userId: number, providerId: string) =>
    lastValueFrom(
      messaging
        .request(ProviderChatV1, {
          requestId: randomBytes(6).toString('hex'),
          attempt: 1,
          scope: { kind: 'user', userId },
          providerId,
          model: 'org/m:1',
          body: { model: 'x', messages: [{ role: 'user', content: 'hi' }] },
          stream: false,
          includeUsage: false,
          timeoutMs: 5000,
        })
        .pipe(toArray()),
    ) as Promise<ProviderChatEvent[]>;

  it('calls the upstream with the decrypted key of the owner', async () => {
    fake.reset();
    const events = await chat(alice, 'mine');
    expect(events.map((e) => e.type)).toEqual(['accepted', 'completion']);
    expect(fake.requests.at(-1)!.headers['authorization']).toBe('Bearer sk-alice-1');
  });

  it("never builds an adapter from another user's row", async () => {
    fake.reset();
    const events = await chat(bob, 'mine');
    expect(events.at(-1)).toMatchObject({ type: 'error', error: { code: 'ROUTE_NOT_FOUND' } });
    expect(fake.requests).toHaveLength(0);
  });

  it('lists the upstream models live (the fetch-models action)', async () => {
    const r = await firstValueFrom(messaging.request(ProviderModelsV1, { scope: { kind: 'user', userId: alice }, providerId: 'mine', timeoutMs: 5000 }));
    expect(r.data.map((m) => m.id)).toEqual(['org/m:1', 'other']);
    await expect(firstValueFrom(messaging.request(ProviderModelsV1, { scope: { kind: 'user', userId: bob }, providerId: 'mine', timeoutMs: 5000 }))).rejects.toMatchObject({
      code: 'ROUTE_NOT_FOUND',
    });
  });

  it('uses an edited key as soon as the config-changed event arrives', async () => {
    await store.save(alice, 'provider', 'mine', { type: 'openai', endpoint: fake.url, api_key_required: true, api_key: 'sk-alice-2', models: [{ name: 'org/m:1' }] }, 'replace');
    const bus = new EventBus(svc!.app.get<NatsConnection>(NATS_CONNECTION), natsPrefix);
    bus.publish(ConfigChangedV1, { scope: 'user', userId: alice, kind: 'provider', id: 'mine' });
    await eventually(
      async () => {
        fake.reset();
        await chat(alice, 'mine');
        expect(fake.requests.at(-1)!.headers['authorization']).toBe('Bearer sk-alice-2');
      },
      { timeoutMs: 1000 },
    );
  });
});
