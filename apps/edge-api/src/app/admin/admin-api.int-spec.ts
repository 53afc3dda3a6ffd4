// The admin API on real MariaDB/Redis/NATS: users, tiers, tokens for any user, validation that names the field.
import { GLOBAL_TOKEN, startEdgeHarness, type EdgeHarness } from '../../test/edge-harness';

let h: EdgeHarness;
const admin = (method: string, path: string, body?: unknown) => h.call(method, path, { token: GLOBAL_TOKEN, body });

beforeAll(async () => {
  h = await startEdgeHarness();
});

afterAll(async () => {
  await h?.close();
});

describe('users', () => {
  it('creates, lists, reads and updates users', async () => {
    const created = await admin('POST', '/api/admin/users', { username: 'dave', display_name: 'Dave', email: 'dave@example.org' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: expect.any(Number), username: 'dave', display_name: 'Dave', role: 'user', status: 'active', tier: null });
    expect(created.body).not.toHaveProperty('passwordHash');
    const id = created.body.id;
    expect((await admin('GET', `/api/admin/users/${id}`)).body.username).toBe('dave');
    expect((await admin('GET', '/api/admin/users?username=dave')).body.data).toHaveLength(1);
    const patched = await admin('PATCH', `/api/admin/users/${id}`, { role: 'admin', display_name: null });
    expect(patched.body).toMatchObject({ role: 'admin', display_name: null });
    expect((await admin('GET', '/api/admin/users?role=admin')).body.data.map((u: { username: string }) => u.username)).toEqual(['dave']);
  });

  it('names the bad field and rejects unknown keys', async () => {
    const bad = await admin('POST', '/api/admin/users', { username: 'x y', rol: 'admin' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/^Invalid user: username: must be 2-64 characters.*; rol: unknown key "rol"$/);
    expect(bad.body.error.param).toBe('username');
    expect((await admin('POST', '/api/admin/users', { username: 'dave' })).status).toBe(409);
    expect((await admin('PATCH', '/api/admin/users/999999', { role: 'user' })).status).toBe(404);
    expect((await admin('GET', '/api/admin/users/abc')).status).toBe(404);
    expect((await admin('PATCH', '/api/admin/users/1', { tier_id: 424242 })).body.error.param).toBe('tier_id');
  });
});

describe('tiers', () => {
  it('creates tiers, keeps one default, and gives new users the default tier', async () => {
    const free = await admin('POST', '/api/admin/tiers', { name: 'free', is_default: true, requests_per_day: 100, tokens_per_month: 5_000_000_000 });
    expect(free.status).toBe(201);
    expect(free.body).toMatchObject({ name: 'free', is_default: true, requests_per_day: 100, tokens_per_month: 5_000_000_000, requests_per_minute: null });
    const pro = await admin('POST', '/api/admin/tiers', { name: 'pro', is_default: true });
    expect((await admin('GET', `/api/admin/tiers/${free.body.id}`)).body.is_default).toBe(false);
    const u = await admin('POST', '/api/admin/users', { username: 'erin' });
    expect(u.body.tier).toEqual({ id: pro.body.id, name: 'pro' });
    const none = await admin('POST', '/api/admin/users', { username: 'frank', tier_id: null });
    expect(none.body.tier).toBeNull();
    expect((await admin('POST', '/api/admin/tiers', { name: 'free' })).status).toBe(409);
    expect((await admin('POST', '/api/admin/tiers', { name: 'neg', requests_per_day: -1 })).body.error.param).toBe('requests_per_day');
  });

  it('deleting a tier leaves its users without quotas', async () => {
    const t = await admin('POST', '/api/admin/tiers', { name: 'temp' });
    const u = await admin('POST', '/api/admin/users', { username: 'gina', tier_id: t.body.id });
    expect((await admin('DELETE', `/api/admin/tiers/${t.body.id}`)).status).toBe(204);
    expect((await admin('GET', `/api/admin/users/${u.body.id}`)).body.tier).toBeNull();
    expect((await admin('GET', `/api/admin/tiers/${t.body.id}`)).status).toBe(404);
  });
});

describe('tokens for any user', () => {
  it('issues (shown once), lists and revokes; a token id of another user is 404', async () => {
    const a = (await admin('POST', '/api/admin/users', { username: 'hank' })).body.id;
    const b = (await admin('POST', '/api/admin/users', { username: 'ivy' })).body.id;
    const t = await admin('POST', `/api/admin/users/${a}/tokens`, { description: 'ci', expires_in_days: 30, scope: 'both' });
    expect(t.status).toBe(201);
    expect(t.body).toMatchObject({ token: expect.stringMatching(/^aisbf_[\w-]{43}$/), scope: 'both', description: 'ci', expires_at: expect.any(String) });
    expect((await admin('DELETE', `/api/admin/users/${b}/tokens/${t.body.id}`)).status).toBe(404);
    expect((await h.call('GET', '/api/user/me', { token: t.body.token })).status).toBe(200);
    expect((await admin('DELETE', `/api/admin/users/${a}/tokens/${t.body.id}`)).body.active).toBe(false);
    expect((await h.call('GET', '/api/user/me', { token: t.body.token })).status).toBe(401);
    const bad = await admin('POST', `/api/admin/users/${a}/tokens`, { expires_at: '2001-01-01T00:00:00Z' });
    expect(bad.body.error).toMatchObject({ param: 'expires_at', message: expect.stringMatching(/must be in the future/) });
  });

  it("shows a user's quota usage", async () => {
    const a = (await admin('GET', '/api/admin/users?username=hank')).body.data[0].id;
    const usage = await admin('GET', `/api/admin/users/${a}/usage`);
    expect(usage.body.data).toHaveLength(4);
  });
});
