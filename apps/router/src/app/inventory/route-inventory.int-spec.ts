// The router's route inventory on the real MariaDB and NATS: user routes join the caller's inventory, and a
// config-changed event refreshes every replica within one second (the TTL backstop is far longer here).
import { ConfigChangedV1, type Caller } from '@aisbf/contracts';
import type { AppEnv, GatewayConfig } from '@aisbf/platform-config';
import { EventBus } from '@aisbf/platform-messaging';
import { createLogger } from '@aisbf/platform-observability';
import { PrismaService } from '@aisbf/platform-prisma';
import { listModels, resolveRoute } from '@aisbf/routing';
import { UserRouteStore } from '@aisbf/tenancy';
import { createTestDatabase, eventually, type TestDatabase } from '@aisbf/testing';
import { connect, type NatsConnection } from 'nats';
import { randomBytes } from 'node:crypto';
import { GLOBAL_ROUTES_DENIED, RouteInventoryService } from './route-inventory.service';

const prefix = `aisbf.int_${process.pid}_${randomBytes(3).toString('hex')}`;
const config = {
  dir: '/dev/null',
  providers: { providers: { globalp: { type: 'openai', api_key_required: false, endpoint: 'http://x/v1', rate_limit: 0, models: [{ name: 'g1' }] } } },
  rotations: { notifyerrors: false, notify_on_failover: false, rotations: {} },
  autoselect: {},
  aisbf: { auth: { enabled: true, tokens: [] } },
} as unknown as GatewayConfig;
const env = { userRoutes: { cacheTtlMs: 600_000 } } as AppEnv;

let db: TestDatabase;
let prisma: PrismaService;
let store: UserRouteStore;
const conns: NatsConnection[] = [];
const replicas: RouteInventoryService[] = [];
let publisher: EventBus;
let alice: Caller;
let root: Caller;

beforeAll(async () => {
  db = await createTestDatabase('router');
  prisma = new PrismaService({ database: { url: db.url } });
  store = new UserRouteStore(prisma);
  const a = await prisma.user.create({ data: { username: 'alice' } });
  const r = await prisma.user.create({ data: { username: 'root', role: 'admin' } });
  alice = { kind: 'user', label: 'user:alice', userId: a.id, username: 'alice', tokenId: 1, isAdmin: false };
  root = { kind: 'user', label: 'user:root', userId: r.id, username: 'root', tokenId: 2, isAdmin: true };
  for (let i = 0; i < 3; i++) conns.push(await connect({ servers: process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222' }));
  for (const nc of conns.slice(0, 2)) {
    const svc = new RouteInventoryService(config, store, new EventBus(nc, prefix), env, createLogger('router', 'silent'));
    svc.onModuleInit();
    replicas.push(svc);
  }
  publisher = new EventBus(conns[2]!, prefix);
  await Promise.all(conns.map((c) => c.flush()));
});

afterAll(async () => {
  for (const r of replicas) r.onModuleDestroy();
  await Promise.all(conns.map((c) => c.close()));
  await prisma?.$disconnect();
  await db?.drop();
});

const providerIds = async (svc: RouteInventoryService, who: Caller) => Object.keys((await svc.forCaller(who)).user?.providers ?? {}).sort();

it("joins the user's rows to the inventory; ordinary users get no global routes", async () => {
  await store.save(alice.userId!, 'provider', 'mine', { type: 'openai', api_key_required: false, endpoint: 'http://u/v1', models: [{ name: 'org/m:1' }] }, 'create');
  const inv = await replicas[0]!.forCaller(alice);
  expect(inv.globalDenied).toBe(GLOBAL_ROUTES_DENIED);
  expect(listModels(inv).map((m) => m.id)).toEqual(['user-provider/mine/org/m:1']);
  expect(resolveRoute(inv, 'user-provider/mine/org/m:1', { kind: 'user' })).toMatchObject({ scope: 'user', providerId: 'mine' });
  expect(() => resolveRoute(inv, 'globalp/g1', { kind: 'openai' })).toThrow(GLOBAL_ROUTES_DENIED);

  const adminInv = await replicas[0]!.forCaller(root);
  expect(listModels(adminInv).map((m) => m.id)).toEqual(['globalp/g1']);
  expect(await replicas[0]!.forCaller({ kind: 'global', label: 'global:0', isAdmin: true })).not.toHaveProperty('user');
});

it('refreshes every replica within one second of a config-changed event', async () => {
  for (const r of replicas) expect(await providerIds(r, alice)).toEqual(['mine']); // both cached now
  await store.save(alice.userId!, 'provider', 'second', { type: 'openai', api_key_required: false, endpoint: 'http://u2/v1' }, 'create');
  await store.remove(alice.userId!, 'provider', 'mine');
  // Still cached (the TTL is ten minutes here) until the event arrives.
  expect(await providerIds(replicas[1]!, alice)).toEqual(['mine']);
  const sent = Date.now();
  publisher.publish(ConfigChangedV1, { scope: 'user', userId: alice.userId!, kind: 'provider', id: 'second' });
  await Promise.all(replicas.map((r) => eventually(async () => expect(await providerIds(r, alice)).toEqual(['second']), { timeoutMs: 1000 })));
  expect(Date.now() - sent).toBeLessThan(1000);
});

it("an event for one user leaves other users' caches alone", async () => {
  await store.save(root.userId!, 'rotation', 'rr', { model_name: 'rr', providers: [{ provider_id: 'x', model: 'y' }] }, 'create');
  publisher.publish(ConfigChangedV1, { scope: 'user', userId: root.userId!, kind: 'rotation', id: 'rr' });
  await eventually(async () => expect(Object.keys((await replicas[0]!.forCaller(root)).user!.rotations)).toEqual(['rr']), { timeoutMs: 1000 });
  await store.remove(root.userId!, 'rotation', 'rr');
  publisher.publish(ConfigChangedV1, { scope: 'user', userId: alice.userId!, kind: 'provider' });
  await publisher.flush();
  await new Promise((r) => setTimeout(r, 200));
  expect(Object.keys((await replicas[0]!.forCaller(root)).user!.rotations)).toEqual(['rr']);
});
