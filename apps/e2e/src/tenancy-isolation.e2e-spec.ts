// Multi-tenancy as a security property, end to end: the five services as processes with TWO edge-api replicas, two
// users (alice, bob) whose providers even share an id, an admin user, and fake upstreams per tenant. Every
// cross-tenant path (chat, listing, CRUD by id, token use after revocation, disabled user) is tried and refused;
// the owner's own paths work, and listed model ids round-trip with chat.
import { eventually, httpJson, type JsonResponse, startFakeOpenAI, startStack, type FakeOpenAI, type Stack } from '@aisbf/testing';
import OpenAI from 'openai';
import { randomBytes } from 'node:crypto';
import { GLOBAL_TOKEN, openaiProvider, writeConfig } from './support/config';

const ALICE_KEY = `sk-alice-${randomBytes(6).toString('hex')}`;
const BOB_KEY = `sk-bob-${randomBytes(6).toString('hex')}`;

let stack: Stack;
let globalFake: FakeOpenAI;
let aliceFake: FakeOpenAI;
let bobFake: FakeOpenAI;
const ids: Record<string, number> = {};
const tokens: Record<string, { id: number; token: string }> = {};

const call = (method: string, path: string, token: string | undefined, body?: unknown, replica = 0): Promise<JsonResponse> =>
  httpJson(stack.edgeUrls[replica]!, method, path, { token, body });

const sdk = (token: string, replica = 0, base = '/v1') => new OpenAI({ apiKey: token, baseURL: `${stack.edgeUrls[replica]}${base}`, maxRetries: 0 });
const msg = (model: string, content = 'hello') => ({ model, messages: [{ role: 'user' as const, content }] });
const chat = (token: string, model: string, path = '/v1/chat/completions', replica = 0) => call('POST', path, token, msg(model), replica);

beforeAll(async () => {
  [globalFake, aliceFake, bobFake] = await Promise.all([
    startFakeOpenAI({ models: ['g1'] }),
    startFakeOpenAI({ models: ['alice/model:7b', 'alice-extra'] }),
    startFakeOpenAI({ models: ['bob-model'] }),
  ]);
  const configDir = writeConfig({ providers: { providers: { globalp: openaiProvider('globalp', globalFake.url, ['g1']) } } });
  stack = await startStack({
    configDir,
    edgeReplicas: 2,
    env: { AISBF_SECRET_KEY: randomBytes(32).toString('hex'), AISBF_AUTH_CACHE_TTL_MS: '30000', AISBF_USER_ROUTES_CACHE_TTL_MS: '30000', LOG_LEVEL: 'debug' },
  });

  for (const [username, role] of [['alice', 'user'], ['bob', 'user'], ['root', 'admin']] as const) {
    const u = await call('POST', '/api/admin/users', GLOBAL_TOKEN, { username, role });
    expect(u.status).toBe(201);
    ids[username] = u.body.id;
    const t = await call('POST', `/api/admin/users/${u.body.id}/tokens`, GLOBAL_TOKEN, { description: `${username}'s token` });
    tokens[username] = { id: t.body.id, token: t.body.token };
  }
  const a = tokens['alice']!.token;
  const b = tokens['bob']!.token;
  // Both users own a provider called "shared": the ids live in separate namespaces.
  expect((await call('POST', '/api/user/providers', a, openaiProvider('shared', aliceFake.url, ['alice/model:7b'], { api_key: ALICE_KEY }))).status).toBe(201);
  expect((await call('POST', '/api/user/providers', b, openaiProvider('shared', bobFake.url, ['bob-model'], { api_key: BOB_KEY }))).status).toBe(201);
  expect((await call('PUT', '/api/user/rotations/coding', a, { model_name: 'coding', providers: [{ provider_id: 'shared', model: 'alice/model:7b' }] })).status).toBe(201);
  expect((await call('PUT', '/api/user/autoselects/engineering', a, { model_name: 'engineering', fallback: 'user-rotation/coding' })).status).toBe(201);
}, 180_000);

afterAll(async () => {
  await stack?.close();
  await Promise.all([globalFake, aliceFake, bobFake].map((f) => f?.close()));
});

describe("the owner's own paths work, and listed ids round-trip with chat", () => {
  it('lists the same ids on /v1/models, /api/user/models and /api/u/{username}/models', async () => {
    const a = tokens['alice']!.token;
    const listed = (await sdk(a).models.list()).data.map((m) => m.id).sort();
    expect(listed).toEqual(['user-autoselect/engineering', 'user-provider/shared/alice/model:7b', 'user-rotation/coding']);
    expect((await call('GET', '/api/user/models', a)).body.data.map((m: { id: string }) => m.id).sort()).toEqual(listed);
    expect((await call('GET', '/api/u/alice/models', a, undefined, 1)).body.data.map((m: { id: string }) => m.id).sort()).toEqual(listed);
  });

  it('chats with every listed provider model, on every user entry point, with the owner’s key', async () => {
    const a = tokens['alice']!.token;
    aliceFake.reset();
    const viaSdk = await sdk(a).chat.completions.create(msg('user-provider/shared/alice/model:7b', 'one'));
    expect(viaSdk.choices[0]!.message.content).toBe('echo: one');
    const viaUser = await sdk(a, 1, '/api/user').chat.completions.create(msg('user-provider/shared/alice/model:7b', 'two'));
    expect(viaUser.choices[0]!.message.content).toBe('echo: two');
    const viaPath = await sdk(a, 0, '/api/u/alice').chat.completions.create(msg('user-provider/shared/alice/model:7b', 'three'));
    expect(viaPath.choices[0]!.message.content).toBe('echo: three');
    const stream = await sdk(a, 1).chat.completions.create({ ...msg('user-provider/shared/alice/model:7b', 'streamed words'), stream: true });
    let text = '';
    for await (const c of stream) text += c.choices[0]?.delta?.content ?? '';
    expect(text).toBe('echo: streamed words');
    expect(aliceFake.requests.filter((r) => r.path === '/v1/chat/completions').map((r) => [r.headers['authorization'], (r.body as { model: string }).model])).toEqual(
      Array(4).fill([`Bearer ${ALICE_KEY}`, 'alice/model:7b']),
    );
  });

  it('resolves listed rotation and autoselect ids (no 404/403; running them is the rotation engine’s job)', async () => {
    for (const id of ['user-rotation/coding', 'user-autoselect/engineering']) {
      const r = await chat(tokens['alice']!.token, id);
      expect([403, 404]).not.toContain(r.status);
      expect(r.body.error?.message ?? '').not.toMatch(/not found/i);
    }
  });

  it('fetches the upstream models of an own provider live', async () => {
    const r = await call('POST', '/api/user/providers/shared/fetch-models', tokens['alice']!.token);
    expect(r.status).toBe(200);
    expect(r.body.data.map((m: { id: string }) => m.id)).toEqual(['alice/model:7b', 'alice-extra']);
  });

  it('lets an admin user use global routes', async () => {
    globalFake.reset();
    const r = await sdk(tokens['root']!.token).chat.completions.create(msg('globalp/g1', 'admin'));
    expect(r.choices[0]!.message.content).toBe('echo: admin');
    expect((await sdk(tokens['root']!.token).models.list()).data.map((m) => m.id)).toContain('globalp/g1');
  });
});

describe('cross-tenant chat is refused', () => {
  it("bob cannot reach alice's provider model through the shared provider id (his own namespace answers)", async () => {
    aliceFake.reset();
    const r = await chat(tokens['bob']!.token, 'user-provider/shared/alice/model:7b');
    expect(r.status).toBe(404);
    // Only bob's own models are named; nothing of alice's row (endpoint, key, models) shows.
    expect(r.body.error.message).toBe("Model 'alice/model:7b' is not configured for provider 'shared'. Available models: bob-model");
    expect(JSON.stringify(r.body)).not.toContain(aliceFake.url);
    expect(aliceFake.requests).toHaveLength(0);
  });

  it.each(['user-rotation/coding', 'user-autoselect/engineering'])("bob's %s is not alice's (404)", async (model) => {
    const r = await chat(tokens['bob']!.token, model);
    expect(r.status).toBe(404);
    expect(r.body.error.message).toMatch(/Available \w+: \(none\)/);
  });

  it("bob cannot chat as alice via /api/u/alice (403), nor through bare names of alice's routes", async () => {
    const r = await chat(tokens['bob']!.token, 'user-provider/shared/alice/model:7b', '/api/u/alice/chat/completions');
    expect(r.status).toBe(403);
    for (const bare of ['coding', 'engineering']) expect((await chat(tokens['bob']!.token, bare, '/api/user/chat/completions')).status).toBe(404);
    expect(aliceFake.requests).toHaveLength(0);
  });

  it('ordinary users get 403 with a clear message on global routes, on every entry point', async () => {
    const b = tokens['bob']!.token;
    globalFake.reset();
    for (const [path, model] of [
      ['/v1/chat/completions', 'globalp/g1'],
      ['/api/user/chat/completions', 'globalp/g1'],
      ['/api/globalp/chat/completions', 'g1'],
      ['/api/rotations/chat/completions', 'any'],
      ['/api/autoselect/chat/completions', 'any'],
    ] as const) {
      const r = await chat(b, model, path);
      expect({ path, status: r.status }).toEqual({ path, status: 403 });
      expect(r.body.error.message).toMatch(/Global routes are only available to admin users/);
    }
    expect(globalFake.requests.filter((r) => r.path.includes('/chat/completions'))).toHaveLength(0); // (provider-workers' model listing is not a chat request)
  });

  it("a global token cannot use a user's routes", async () => {
    expect((await chat(GLOBAL_TOKEN, 'user-provider/shared/alice/model:7b')).status).toBe(403);
    expect((await chat(GLOBAL_TOKEN, 'user-provider/shared/alice/model:7b', '/api/user/chat/completions')).status).toBe(403);
  });
});

describe('cross-tenant listing is refused', () => {
  it("bob's listings show only his own routes", async () => {
    const b = tokens['bob']!.token;
    expect((await sdk(b, 1).models.list()).data.map((m) => m.id)).toEqual(['user-provider/shared/bob-model']);
    for (const path of ['/api/user/providers', '/api/user/rotations', '/api/user/autoselects', '/api/u/bob/providers', '/api/u/bob/rotations']) {
      const body = JSON.stringify((await call('GET', path, b)).body);
      expect(body).not.toContain('alice');
      expect(body).not.toContain(ALICE_KEY);
    }
  });

  it.each(['models', 'models/user-rotation/coding', 'providers', 'rotations', 'autoselects'])("bob on /api/u/alice/%s gets 403", async (what) => {
    const r = await call('GET', `/api/u/alice/${what}`, tokens['bob']!.token);
    expect(r.status).toBe(403);
    expect(JSON.stringify(r.body)).not.toContain('coding');
  });

  it("bob's /v1/models/{alice's id} is 404", async () => {
    expect((await call('GET', '/v1/models/user-rotation/coding', tokens['bob']!.token)).status).toBe(404);
  });

  it('bob cannot use the admin API to read alice’s routes', async () => {
    expect((await call('GET', `/api/admin/users/${ids['alice']}/providers`, tokens['bob']!.token)).status).toBe(403);
    expect((await call('GET', '/api/admin/users', tokens['bob']!.token)).status).toBe(403);
  });
});

describe('cross-tenant CRUD by id is refused (404, never content)', () => {
  it.each([
    ['GET', '/api/user/rotations/coding'],
    ['DELETE', '/api/user/rotations/coding'],
    ['GET', '/api/user/autoselects/engineering'],
    ['DELETE', '/api/user/autoselects/engineering'],
  ])("bob: %s %s", async (method, path) => {
    const r = await call(method, path, tokens['bob']!.token);
    expect(r.status).toBe(404);
    expect(JSON.stringify(r.body)).not.toMatch(/alice|coding"|fallback/);
  });

  it('the shared provider id resolves to each user’s own row (GET, fetch-models, PUT)', async () => {
    const b = tokens['bob']!.token;
    const mine = await call('GET', '/api/user/providers/shared', b);
    expect(mine.body.config).toMatchObject({ endpoint: bobFake.url, api_key: '********' });
    const fetched = await call('POST', '/api/user/providers/shared/fetch-models', b);
    expect(fetched.body.data.map((m: { id: string }) => m.id)).toEqual(['bob-model']);
    // Bob replaces his own "shared" with the mask: his key is kept, alice's row is untouched.
    expect((await call('PUT', '/api/user/providers/shared', b, { ...mine.body.config, models: [{ name: 'bob-model' }, { name: 'bob-2' }] })).status).toBe(200);
    const alices = await call('GET', '/api/user/providers/shared', tokens['alice']!.token);
    expect(alices.body.config).toMatchObject({ endpoint: aliceFake.url, models: [{ name: 'alice/model:7b' }] });
  });

  it("bob cannot revoke alice's token by id, and alice's routes survive every attempt", async () => {
    expect((await call('DELETE', `/api/user/tokens/${tokens['alice']!.id}`, tokens['bob']!.token)).status).toBe(404);
    expect((await call('GET', '/api/user/me', tokens['alice']!.token)).status).toBe(200);
    expect((await call('GET', '/api/user/rotations/coding', tokens['alice']!.token)).status).toBe(200);
    expect((await call('GET', '/api/user/autoselects/engineering', tokens['alice']!.token)).status).toBe(200);
  });
});

describe('revocation, disabling and config changes reach every replica within a second', () => {
  it('a revoked token stops on the other replica (chat and listing) within one second', async () => {
    const t = await call('POST', '/api/user/tokens', tokens['alice']!.token, { description: 'short-lived' }, 0);
    const token = t.body.token as string;
    expect((await chat(token, 'user-provider/shared/alice/model:7b', '/v1/chat/completions', 1)).status).toBe(200); // warms replica 1
    expect((await call('DELETE', `/api/user/tokens/${t.body.id}`, tokens['alice']!.token, undefined, 0)).status).toBe(200);
    const at = Date.now();
    await eventually(async () => expect((await chat(token, 'user-provider/shared/alice/model:7b', '/v1/chat/completions', 1)).status).toBe(401), { timeoutMs: 1000 });
    expect(Date.now() - at).toBeLessThan(1000);
    expect((await call('GET', '/v1/models', token, undefined, 1)).status).toBe(401);
    expect((await call('GET', '/v1/models', token, undefined, 0)).status).toBe(401);
  });

  it("a disabled user's tokens stop on every replica at once", async () => {
    const b = tokens['bob']!.token;
    for (const replica of [0, 1]) expect((await call('GET', '/v1/models', b, undefined, replica)).status).toBe(200);
    expect((await call('POST', `/api/admin/users/${ids['bob']}/disable`, tokens['root']!.token, undefined, 1)).status).toBe(200);
    await eventually(async () => {
      for (const replica of [0, 1]) {
        expect((await call('GET', '/v1/models', b, undefined, replica)).status).toBe(401);
        expect((await chat(b, 'user-provider/shared/bob-model', '/v1/chat/completions', replica)).status).toBe(401);
      }
    }, { timeoutMs: 1000 });
    expect((await call('POST', `/api/admin/users/${ids['bob']}/enable`, GLOBAL_TOKEN)).status).toBe(200);
    await eventually(async () => expect((await call('GET', '/v1/models', b, undefined, 0)).status).toBe(200), { timeoutMs: 1000 });
  });

  it('a change made through one replica is routed by the next request on the other (router refresh, new key)', async () => {
    const a = tokens['alice']!.token;
    expect((await chat(a, 'user-provider/shared/alice-extra')).status).toBe(404);
    const cfg = (await call('GET', '/api/user/providers/shared', a)).body.config;
    const newKey = `${ALICE_KEY}-rotated`;
    expect((await call('PUT', '/api/user/providers/shared', a, { ...cfg, api_key: newKey, models: [...cfg.models, { name: 'alice-extra' }] }, 1)).status).toBe(200);
    aliceFake.reset();
    await eventually(async () => expect((await chat(a, 'user-provider/shared/alice-extra', '/v1/chat/completions', 0)).status).toBe(200), { timeoutMs: 1000 });
    expect(aliceFake.requests.at(-1)!.headers['authorization']).toBe(`Bearer ${newKey}`);
  });
});

describe('quotas', () => {
  it('answers 429 naming the quota and its reset time once the tier allows no more', async () => {
    const tier = await call('POST', '/api/admin/tiers', GLOBAL_TOKEN, { name: 'two-a-day', requests_per_day: 2 });
    const u = await call('POST', '/api/admin/users', GLOBAL_TOKEN, { username: 'quinn', tier_id: tier.body.id });
    const q = (await call('POST', `/api/admin/users/${u.body.id}/tokens`, GLOBAL_TOKEN, {})).body.token as string;
    await call('PUT', '/api/user/providers/p', q, openaiProvider('p', bobFake.url, ['bob-model']));
    expect((await chat(q, 'user-provider/p/bob-model', '/v1/chat/completions', 0)).status).toBe(200);
    expect((await chat(q, 'user-provider/p/bob-model', '/v1/chat/completions', 1)).status).toBe(200);
    const over = await chat(q, 'user-provider/p/bob-model', '/v1/chat/completions', 0);
    expect(over.status).toBe(429);
    expect(over.body.error.message).toMatch(/^Quota requests_per_day exceeded: tier 'two-a-day' allows 2 requests per day \(used 2\); it resets at \d{4}-\d\d-\d\dT00:00:00\.000Z\.$/);
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0);
    const me = await call('GET', '/api/user/me', q);
    expect(me.body.quotas[0]).toMatchObject({ name: 'requests_per_day', limit: 2, used: 2 });
    expect(me.body.quotas[2].used).toBeGreaterThan(0); // tokens counted
  });
});

describe('secrets', () => {
  it('never appear in any service log', () => {
    for (const s of ['edge-api', 'router', 'provider-workers', 'analytics', 'broker'] as const) {
      const logs = stack.logs(s);
      expect(logs).not.toContain(ALICE_KEY);
      expect(logs).not.toContain(BOB_KEY);
      for (const t of Object.values(tokens)) expect(logs).not.toContain(t.token);
    }
  });
});
