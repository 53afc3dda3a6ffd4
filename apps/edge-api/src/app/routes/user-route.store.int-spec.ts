// @aisbf/tenancy's UserRouteStore and the secret-key check on the real MariaDB (a fresh, migrated database per run).
// It lives here, with the service that writes user routes, because libraries may not depend on @aisbf/testing.
import { PrismaService } from '@aisbf/platform-prisma';
import { createTestDatabase, type TestDatabase } from '@aisbf/testing';
import { randomBytes } from 'node:crypto';
import { checkSecretKey, SECRET_MASK, SecretBox, UserRouteStore } from '@aisbf/tenancy';

let db: TestDatabase;
let prisma: PrismaService;
let store: UserRouteStore;
const invalid: unknown[] = [];
const key = randomBytes(32);
let alice: number;
let bob: number;

const provider = (extra: Record<string, unknown> = {}) => ({
  type: 'openai',
  endpoint: 'http://127.0.0.1:1/v1',
  api_key_required: true,
  api_key: 'sk-alice-secret',
  models: [{ name: 'org/m:1' }],
  coderai_config: { registration_token: 'reg-secret' },
  ...extra,
});

beforeAll(async () => {
  db = await createTestDatabase('tenancy');
  prisma = new PrismaService({ database: { url: db.url } });
  store = new UserRouteStore(prisma, new SecretBox(key), (i) => invalid.push(i));
  alice = (await prisma.user.create({ data: { username: 'alice' } })).id;
  bob = (await prisma.user.create({ data: { username: 'bob' } })).id;
});

afterAll(async () => {
  await prisma?.$disconnect();
  await db?.drop();
});

describe('UserRouteStore', () => {
  it('stores a provider with its secrets encrypted apart from the config', async () => {
    const { created, route } = await store.save(alice, 'provider', 'mine', provider(), 'create');
    expect(created).toBe(true);
    expect(route.secretPointers.sort()).toEqual(['/api_key', '/coderai_config/registration_token']);
    const [raw] = await prisma.$queryRawUnsafe<Array<{ config: string; secrets: string; secretKeyId: string }>>(
      'SELECT config, secrets, secretKeyId FROM UserProvider WHERE userId = ?',
      alice,
    );
    const rawText = JSON.stringify(raw);
    expect(rawText).not.toContain('sk-alice-secret');
    expect(rawText).not.toContain('reg-secret');
    expect(raw!.secretKeyId).toBe(new SecretBox(key).keyId);
    expect(UserRouteStore.masked(route)).toMatchObject({ api_key: SECRET_MASK, coderai_config: { registration_token: SECRET_MASK } });
    expect(await store.loadProviderWithSecrets(alice, 'mine')).toMatchObject({ api_key: 'sk-alice-secret', coderai_config: { registration_token: 'reg-secret' } });
  });

  it('never finds another user’s route by id', async () => {
    expect(await store.get(bob, 'provider', 'mine')).toBeNull();
    expect(await store.loadProviderWithSecrets(bob, 'mine')).toBeNull();
    expect(await store.remove(bob, 'provider', 'mine')).toBe(false);
    await expect(store.save(bob, 'provider', 'mine', provider(), 'replace')).rejects.toMatchObject({ code: 'RESOURCE_NOT_FOUND' });
    expect((await store.loadRouteSet(bob)).providers).toEqual({});
    expect(await store.get(alice, 'provider', 'mine')).not.toBeNull();
  });

  it('refuses a duplicate id on create, and keeps stored secrets when the mask comes back', async () => {
    await expect(store.save(alice, 'provider', 'mine', provider(), 'create')).rejects.toMatchObject({ code: 'CONFLICT' });
    await store.save(alice, 'provider', 'mine', provider({ api_key: SECRET_MASK, endpoint: 'http://127.0.0.1:2/v1' }), 'replace');
    expect(await store.loadProviderWithSecrets(alice, 'mine')).toMatchObject({ api_key: 'sk-alice-secret', endpoint: 'http://127.0.0.1:2/v1' });
    await expect(store.save(alice, 'provider', 'other', provider({ api_key: SECRET_MASK }), 'create')).rejects.toThrow(/api_key: .*mask/);
  });

  it('binds a ciphertext to its row: copied into another user’s row it does not decrypt', async () => {
    await store.save(bob, 'provider', 'mine', provider({ api_key: 'sk-bob' }), 'create');
    await prisma.$executeRawUnsafe(
      'UPDATE UserProvider b JOIN UserProvider a ON a.userId = ? AND a.providerId = ? SET b.secrets = a.secrets WHERE b.userId = ? AND b.providerId = ?',
      alice,
      'mine',
      bob,
      'mine',
    );
    await expect(store.loadProviderWithSecrets(bob, 'mine')).rejects.toThrow(/does not decrypt/);
    await store.remove(bob, 'provider', 'mine');
  });

  it('gives the router every valid route without secrets, and reports (skips) a row that no longer validates', async () => {
    await store.save(alice, 'rotation', 'coding', { model_name: 'coding', providers: [{ provider_id: 'mine', model: 'org/m:1', api_key: 'sk-entry' }] }, 'create');
    await store.save(alice, 'autoselect', 'eng', { model_name: 'eng', fallback: 'user-rotation/coding' }, 'upsert');
    await prisma.userAutoselect.create({ data: { userId: alice, autoselectId: 'broken', config: { model_name: 'x', fallback: 'y', surprise: 1 } } });
    const set = await store.loadRouteSet(alice);
    expect(Object.keys(set.providers)).toEqual(['mine']);
    expect(set.providers['mine']!.api_key).toBeUndefined();
    expect(set.rotations['coding']!.providers[0]!.api_key).toBeUndefined();
    expect(set.autoselects['eng']).toMatchObject({ model_name: 'eng', fallback: 'user-rotation/coding', available_models: [] });
    expect(set.autoselects['broken']).toBeUndefined();
    expect(invalid).toContainEqual({ kind: 'autoselect', userId: alice, id: 'broken', problem: '(top level): unknown key "surprise"' });
  });
});

describe('checkSecretKey (start-up)', () => {
  it('fails clearly when encrypted rows exist and the key is missing or another one', async () => {
    await expect(checkSecretKey(store, undefined)).rejects.toThrow(/AISBF_SECRET_KEY is not set, but 2 stored user route\(s\) hold secrets/);
    await expect(checkSecretKey(store, randomBytes(32))).rejects.toThrow(/is not the key that encrypted 2 stored user route\(s\)/);
    await expect(checkSecretKey(store, key)).resolves.toBeInstanceOf(SecretBox);
  });

  it('starts without a key when nothing is encrypted', async () => {
    await prisma.userProvider.deleteMany({});
    await prisma.userRotation.deleteMany({});
    await expect(checkSecretKey(store, undefined)).resolves.toBeUndefined();
  });
});
