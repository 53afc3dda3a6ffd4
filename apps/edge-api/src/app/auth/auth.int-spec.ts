// Authentication, access policies, revocation across replicas and the per-token rate limit, on real MariaDB, Redis
// and NATS with two in-process edge-api replicas. The token cache TTL is a minute here, so anything faster than that
// is the event path.
import { PrismaService } from '@aisbf/platform-prisma';
import { hashToken } from '@aisbf/tenancy';
import { eventually } from '@aisbf/testing';
import { GLOBAL_TOKEN, startEdgeHarness, type EdgeHarness } from '../../test/edge-harness';

let h: EdgeHarness;
let aliceId: number;
let alice: string;
let aliceTokenId: number;
let adminUserToken: string;

const issue = async (userId: number, body: Record<string, unknown> = {}) => {
  const r = await h.call('POST', `/api/admin/users/${userId}/tokens`, { token: GLOBAL_TOKEN, body });
  expect(r.status).toBe(201);
  return r.body as { id: number; token: string };
};

beforeAll(async () => {
  h = await startEdgeHarness({ instances: 2, env: { AISBF_AUTH_CACHE_TTL_MS: '60000' } });
  aliceId = (await h.call('POST', '/api/admin/users', { token: GLOBAL_TOKEN, body: { username: 'alice' } })).body.id;
  const t = await issue(aliceId, { description: 'laptop' });
  alice = t.token;
  aliceTokenId = t.id;
  const rootId = (await h.call('POST', '/api/admin/users', { token: GLOBAL_TOKEN, body: { username: 'root', role: 'admin' } })).body.id;
  adminUserToken = (await issue(rootId)).token;
});

afterAll(async () => {
  await h?.close();
});

describe('authentication', () => {
  it('answers 401 for a missing or unknown token, with an OpenAI-shaped error', async () => {
    const none = await h.call('GET', '/api/user/me');
    expect(none.status).toBe(401);
    expect(none.body).toEqual({ error: { message: expect.stringMatching(/Missing API token/), type: 'authentication_error', code: 'invalid_api_key', param: null } });
    expect((await h.call('GET', '/api/user/me', { token: 'aisbf_guess' })).status).toBe(401);
  });

  it('stores only the SHA-256 of a token, shows the token once, and lists a prefix', async () => {
    const rows = await h.apps[0]!.app.get(PrismaService).apiToken.findMany({ where: { userId: aliceId } });
    expect(rows[0]!.tokenHash).toBe(hashToken(alice));
    expect(JSON.stringify(rows)).not.toContain(alice);
    const list = await h.call('GET', `/api/admin/users/${aliceId}/tokens`, { token: GLOBAL_TOKEN });
    expect(list.body.data[0]).toMatchObject({ id: aliceTokenId, prefix: alice.slice(0, 10), description: 'laptop', scope: 'api', active: true });
    expect(list.body.data[0]).not.toHaveProperty('token');
    expect(JSON.stringify(list.body)).not.toContain(alice);
  });

  it('records when a token was last used', async () => {
    await h.call('GET', '/api/user/me', { token: alice });
    await eventually(async () => {
      const list = await h.call('GET', `/api/admin/users/${aliceId}/tokens`, { token: GLOBAL_TOKEN });
      expect(list.body.data.find((t: { id: number }) => t.id === aliceTokenId).last_used_at).not.toBeNull();
    });
  });

  it('refuses an expired token', async () => {
    const t = await issue(aliceId, { expires_at: new Date(Date.now() + 1500).toISOString() });
    expect((await h.call('GET', '/api/user/me', { token: t.token })).status).toBe(200);
    await eventually(async () => expect((await h.call('GET', '/api/user/me', { token: t.token })).body.error.message).toMatch(/expired/), { timeoutMs: 4000 });
  });
});

describe('access policies', () => {
  it('lets a global token or an admin user use the admin API, and refuses ordinary users with 403', async () => {
    expect((await h.call('GET', '/api/admin/users', { token: GLOBAL_TOKEN })).status).toBe(200);
    expect((await h.call('GET', '/api/admin/users', { token: adminUserToken })).status).toBe(200);
    const r = await h.call('GET', '/api/admin/users', { token: alice });
    expect(r.status).toBe(403);
    expect(r.body.error).toMatchObject({ type: 'permission_error', message: expect.stringMatching(/admin API needs a global token or an admin user/) });
  });

  it('refuses global tokens on the self-service and user-path APIs (they have no user)', async () => {
    expect((await h.call('GET', '/api/user/tokens', { token: GLOBAL_TOKEN })).body.error.message).toMatch(/needs a user token/);
    expect((await h.call('GET', '/api/u/alice/providers', { token: GLOBAL_TOKEN })).status).toBe(403);
  });

  it("checks that /api/u/{username} is the token's owner", async () => {
    expect((await h.call('GET', '/api/u/alice/providers', { token: alice })).status).toBe(200);
    const other = await h.call('GET', '/api/u/root/providers', { token: alice });
    expect(other.status).toBe(403);
    expect(other.body.error.message).toMatch(/username in the URL must be the owner/);
    expect((await h.call('GET', '/api/u/nobody/models', { token: alice })).status).toBe(403);
  });

  it("keeps an 'mcp' token off the HTTP API, and lets a token create tokens only of its own scope", async () => {
    const mcp = await issue(aliceId, { scope: 'mcp' });
    const r = await h.call('GET', '/api/user/me', { token: mcp.token });
    expect(r.status).toBe(403);
    expect(r.body.error.message).toMatch(/scope is 'mcp'/);
    expect((await h.call('POST', '/api/user/tokens', { token: alice, body: { scope: 'both' } })).status).toBe(403);
    const own = await h.call('POST', '/api/user/tokens', { token: alice, body: { scope: 'api', description: 'ci' } });
    expect(own.status).toBe(201);
    expect(own.body.token).toMatch(/^aisbf_/);
  });
});

describe('revocation and disabling reach every replica at once', () => {
  it('a revoked token stops on the other replica within one second', async () => {
    const t = await issue(aliceId);
    // Warm both replicas' caches.
    for (const instance of [0, 1]) expect((await h.call('GET', '/api/user/me', { token: t.token, instance })).status).toBe(200);
    const revoked = await h.call('DELETE', `/api/user/tokens/${t.id}`, { token: alice, instance: 0 });
    expect(revoked.body).toMatchObject({ id: t.id, active: false, revoked_at: expect.any(String) });
    const at = Date.now();
    await eventually(async () => expect((await h.call('GET', '/api/user/me', { token: t.token, instance: 1 })).status).toBe(401), { timeoutMs: 1000 });
    expect(Date.now() - at).toBeLessThan(1000);
    expect((await h.call('GET', '/api/user/me', { token: t.token, instance: 0 })).status).toBe(401);
  });

  it("a disabled user's tokens stop at once on every replica, and work again when enabled", async () => {
    const bobId = (await h.call('POST', '/api/admin/users', { token: GLOBAL_TOKEN, body: { username: 'bob' } })).body.id;
    const bob = (await issue(bobId)).token;
    for (const instance of [0, 1]) expect((await h.call('GET', '/api/user/me', { token: bob, instance })).status).toBe(200);
    expect((await h.call('POST', `/api/admin/users/${bobId}/disable`, { token: adminUserToken, instance: 1 })).body.status).toBe('disabled');
    expect((await h.call('GET', '/api/user/me', { token: bob, instance: 1 })).status).toBe(401);
    await eventually(async () => {
      const r = await h.call('GET', '/api/user/me', { token: bob, instance: 0 });
      expect(r.status).toBe(401);
      expect(r.body.error.message).toMatch(/disabled/);
    }, { timeoutMs: 1000 });
    await h.call('POST', `/api/admin/users/${bobId}/enable`, { token: GLOBAL_TOKEN });
    await eventually(async () => expect((await h.call('GET', '/api/user/me', { token: bob, instance: 0 })).status).toBe(200), { timeoutMs: 1000 });
  });
});

describe('per-token rate limit (Redis, across replicas)', () => {
  it('allows requests_per_minute per token across both replicas, then 429 with Retry-After', async () => {
    const tier = await h.call('POST', '/api/admin/tiers', { token: GLOBAL_TOKEN, body: { name: 'tiny', requests_per_minute: 3 } });
    expect(tier.status).toBe(201);
    const carolId = (await h.call('POST', '/api/admin/users', { token: GLOBAL_TOKEN, body: { username: 'carol', tier_id: tier.body.id } })).body.id;
    const carol = (await issue(carolId)).token;
    const other = (await issue(carolId)).token;
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await h.call('GET', '/api/user/me', { token: carol, instance: i % 2 })).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const limited = await h.call('GET', '/api/user/me', { token: carol, instance: 1 });
    expect(limited.body.error).toMatchObject({ type: 'rate_limit_error', message: expect.stringMatching(/tier 'tiny' allows 3 requests per minute per token/) });
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    // Per token: another token of the same user has its own minute.
    expect((await h.call('GET', '/api/user/me', { token: other })).status).toBe(200);
    // A tier change reaches cached tokens at once.
    await h.call('PATCH', `/api/admin/tiers/${tier.body.id}`, { token: GLOBAL_TOKEN, body: { requests_per_minute: null } });
    await eventually(async () => expect((await h.call('GET', '/api/user/me', { token: carol, instance: 1 })).status).toBe(200), { timeoutMs: 1000 });
  });
});
