// Self-service routes (providers, rotations, autoselects), their secrets, and isolation between users, on real
// MariaDB/Redis/NATS with an in-process edge-api.
import { PrismaService } from '@aisbf/platform-prisma';
import { SECRET_MASK } from '@aisbf/tenancy';
import { randomBytes } from 'node:crypto';
import { GLOBAL_TOKEN, startEdgeHarness, type EdgeHarness } from '../../test/edge-harness';

let h: EdgeHarness;
let alice: string;
let bob: string;
let aliceId: number;
const SECRET = `sk-alice-${randomBytes(8).toString('hex')}`;
const REG_SECRET = `reg-${randomBytes(8).toString('hex')}`;

const provider = (extra: Record<string, unknown> = {}) => ({
  type: 'openai',
  endpoint: 'http://127.0.0.1:9/v1',
  api_key_required: true,
  api_key: SECRET,
  models: [{ name: 'org/model:7b' }, { name: 'plain' }],
  coderai_config: { registration_token: REG_SECRET },
  ...extra,
});

beforeAll(async () => {
  h = await startEdgeHarness({ env: { AISBF_SECRET_KEY: randomBytes(32).toString('base64') } });
  const mk = async (username: string) => {
    const id = (await h.call('POST', '/api/admin/users', { token: GLOBAL_TOKEN, body: { username } })).body.id;
    return { id, token: (await h.call('POST', `/api/admin/users/${id}/tokens`, { token: GLOBAL_TOKEN, body: {} })).body.token as string };
  };
  const a = await mk('alice');
  aliceId = a.id;
  alice = a.token;
  bob = (await mk('bob')).token;
});

afterAll(async () => {
  await h?.close();
});

describe('user providers', () => {
  it('creates a provider, masking every secret in the answer and encrypting it at rest', async () => {
    const r = await h.call('POST', '/api/user/providers', { token: alice, body: { id: 'mine', ...provider() } });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({
      id: 'mine',
      model_ids: ['user-provider/mine/org/model:7b', 'user-provider/mine/plain'],
      config: { api_key: SECRET_MASK, coderai_config: { registration_token: SECRET_MASK }, endpoint: 'http://127.0.0.1:9/v1' },
    });
    const rows = await h.apps[0]!.app.get(PrismaService).$queryRawUnsafe<unknown[]>('SELECT * FROM UserProvider');
    const raw = JSON.stringify(rows);
    expect(raw).not.toContain(SECRET);
    expect(raw).not.toContain(REG_SECRET);
    for (const path of ['/api/user/providers', '/api/user/providers/mine', '/api/u/alice/providers', `/api/admin/users/${aliceId}/providers`, `/api/admin/users/${aliceId}/providers/mine`]) {
      const body = JSON.stringify((await h.call('GET', path, { token: path.startsWith('/api/admin') ? GLOBAL_TOKEN : alice })).body);
      expect(body).toContain(SECRET_MASK);
      expect(body).not.toContain(SECRET);
      expect(body).not.toContain(REG_SECRET);
    }
  });

  it('names the bad field (schema errors and unknown keys), as the config files do', async () => {
    const missing = await h.call('POST', '/api/user/providers', { token: alice, body: { id: 'x', type: 'openai' } });
    expect(missing.status).toBe(400);
    expect(missing.body.error).toMatchObject({ type: 'invalid_request_error', param: 'api_key_required', message: expect.stringMatching(/^Invalid provider: api_key_required: /) });
    const model = await h.call('PUT', '/api/user/providers/x', { token: alice, body: provider({ models: [{ name: '' }] }) });
    expect(model.body.error).toMatchObject({ param: 'models[0].name', message: expect.stringContaining('models[0].name: model `name` must not be empty') });
    const unknown = await h.call('PUT', '/api/user/providers/x', { token: alice, body: provider({ surprise: true }) });
    expect(unknown.body.error.message).toBe('Invalid provider config: surprise: unknown key "surprise"');
    const badId = await h.call('POST', '/api/user/rotations', { token: alice, body: { id: 'has/slash', model_name: 'm', providers: [{ provider_id: 'mine', model: 'plain' }] } });
    expect(badId.body.error.param).toBe('id');
    expect((await h.call('POST', '/api/user/providers', { token: alice, body: { id: 'mine', ...provider() } })).status).toBe(409);
  });

  it('keeps a stored secret when the mask is sent back, and replaces it when a new one is sent', async () => {
    const current = (await h.call('GET', '/api/user/providers/mine', { token: alice })).body.config;
    const put = await h.call('PUT', '/api/user/providers/mine', { token: alice, body: { ...current, endpoint: 'http://127.0.0.1:10/v1' } });
    expect(put.status).toBe(200);
    expect(put.body.config).toMatchObject({ endpoint: 'http://127.0.0.1:10/v1', api_key: SECRET_MASK });
    const noSecret = await h.call('PUT', '/api/user/providers/fresh', { token: alice, body: provider({ api_key: SECRET_MASK }) });
    expect(noSecret.status).toBe(400);
    expect(noSecret.body.error.param).toBe('api_key');
    const created = await h.call('PUT', '/api/user/providers/fresh', { token: alice, body: provider({ api_key: 'sk-new' }) });
    expect(created.status).toBe(201);
  });
});

describe('rotations and autoselects', () => {
  it('stores them with the same schemas and lists their chat names', async () => {
    const rot = await h.call('PUT', '/api/user/rotations/coding', { token: alice, body: { model_name: 'coding', providers: [{ provider_id: 'mine', model: 'plain', weight: 2 }] } });
    expect(rot.status).toBe(201);
    expect(rot.body.model_ids).toEqual(['user-rotation/coding']);
    const auto = await h.call('POST', '/api/user/autoselects', { token: alice, body: { id: 'engineering', model_name: 'engineering', fallback: 'user-rotation/coding' } });
    expect(auto.status).toBe(201);
    expect(auto.body.model_ids).toEqual(['user-autoselect/engineering']);
    expect((await h.call('GET', '/api/u/alice/rotations', { token: alice })).body).toEqual({
      rotations: { coding: { model_name: 'coding', model_id: 'user-rotation/coding', providers: [{ provider_id: 'mine', model: 'plain', weight: 2 }] } },
    });
    expect((await h.call('GET', '/api/u/alice/autoselects', { token: alice })).body.autoselects.engineering).toMatchObject({ model_id: 'user-autoselect/engineering', fallback: 'user-rotation/coding' });
    const bad = await h.call('PUT', '/api/user/rotations/empty', { token: alice, body: { model_name: 'x', providers: [] } });
    expect(bad.body.error.message).toMatch(/providers: a rotation needs at least one provider entry/);
  });
});

describe('isolation: another user’s ids are 404, never content', () => {
  it.each([
    ['GET', '/api/user/providers/mine'],
    ['PUT', '/api/user/providers/mine'],
    ['DELETE', '/api/user/providers/mine'],
    ['GET', '/api/user/rotations/coding'],
    ['DELETE', '/api/user/rotations/coding'],
    ['GET', '/api/user/autoselects/engineering'],
    ['DELETE', '/api/user/autoselects/engineering'],
  ])('%s %s with bob’s token', async (method, path) => {
    const body = method === 'PUT' ? provider({ api_key: SECRET_MASK }) : undefined;
    const r = await h.call(method, path, { token: bob, body });
    if (method === 'PUT') {
      // PUT creates bob's own 'mine' — with the mask and nothing stored it is refused, never filled from alice's row.
      expect(r.status).toBe(400);
    } else {
      expect(r.status).toBe(404);
      expect(r.body.error).toMatchObject({ code: 'not_found' });
    }
    expect(JSON.stringify(r.body)).not.toContain('127.0.0.1:10');
  });

  it('lists only the caller’s own routes', async () => {
    expect((await h.call('GET', '/api/user/providers', { token: bob })).body).toEqual({ data: [] });
    expect((await h.call('GET', '/api/u/bob/providers', { token: bob })).body).toEqual({ providers: {} });
    // Alice's routes are intact.
    expect((await h.call('GET', '/api/user/providers/mine', { token: alice })).status).toBe(200);
    expect((await h.call('GET', '/api/user/rotations/coding', { token: alice })).status).toBe(200);
  });

  it("refuses revoking another user's token by id (404), and the token keeps working", async () => {
    const aliceTokens = (await h.call('GET', '/api/user/tokens', { token: alice })).body.data;
    const r = await h.call('DELETE', `/api/user/tokens/${aliceTokens[0].id}`, { token: bob });
    expect(r.status).toBe(404);
    expect((await h.call('GET', '/api/user/me', { token: alice })).status).toBe(200);
  });

  it('deletes and then 404s', async () => {
    expect((await h.call('DELETE', '/api/user/providers/fresh', { token: alice })).status).toBe(204);
    expect((await h.call('GET', '/api/user/providers/fresh', { token: alice })).status).toBe(404);
  });
});

describe('me, OpenAPI and docs', () => {
  it('shows the token, user, tier and quota usage', async () => {
    const me = await h.call('GET', '/api/user/me', { token: alice });
    expect(me.body).toMatchObject({ user: { username: 'alice', role: 'user' }, token: { scope: 'api', active: true }, tier: null });
    expect(me.body.quotas.map((q: { name: string }) => q.name)).toEqual(['requests_per_day', 'requests_per_month', 'tokens_per_day', 'tokens_per_month']);
  });

  it('serves the OpenAPI document and a self-contained docs page without a token', async () => {
    const doc = await h.call('GET', '/openapi.json');
    expect(doc.status).toBe(200);
    expect(doc.body.paths['/api/user/providers'].post.requestBody.content['application/json'].schema.$ref).toBe('#/components/schemas/CreateUserProviderBody');
    const page = await h.call('GET', '/docs');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(page.body).toContain("fetch('/openapi.json')");
    expect(page.body).not.toMatch(/<(script|link)[^>]+(src|href)=/);
  });

  it('never wrote a secret or a token to the logs', () => {
    const logs = h.logs();
    expect(logs).not.toContain(SECRET);
    expect(logs).not.toContain(REG_SECRET);
    expect(logs).not.toContain(alice);
    expect(logs).not.toContain(bob);
  });
});
