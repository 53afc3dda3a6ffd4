import { EnvError, loadEnv } from './env';

describe('loadEnv', () => {
  it('applies defaults that point at 127.0.0.1', () => {
    const env = loadEnv('edge-api', {});
    expect(env.http.port).toBe(17765);
    expect(env.database.url).toBe('mysql://root@127.0.0.1:3306/aisbf');
    expect(env.redis.url).toBe('redis://127.0.0.1:6379');
    expect(env.nats.url).toBe('nats://127.0.0.1:4222');
    expect(env.configDir).toBe('./config');
  });

  it('gives non-edge services their health port', () => {
    expect(loadEnv('router', {}).http.port).toBe(17770);
    expect(loadEnv('router', { AISBF_HEALTH_PORT: '0' }).http.port).toBe(0);
  });

  it('lists every bad key in one error', () => {
    let err: unknown;
    try {
      loadEnv('edge-api', { AISBF_PORT: 'abc', DATABASE_URL: 'postgres://x', AISBF_NATS_PREFIX: 'bad prefix!' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(EnvError);
    const problems = (err as EnvError).problems.join('\n');
    expect(problems).toContain('AISBF_PORT');
    expect(problems).toContain('DATABASE_URL');
    expect(problems).toContain('AISBF_NATS_PREFIX');
  });

  it('reads AISBF_SECRET_KEY as 32 bytes from hex or base64, and names it when it is malformed', () => {
    const hex = 'ab'.repeat(32);
    expect(loadEnv('edge-api', { AISBF_SECRET_KEY: hex }).secrets.key).toEqual(Buffer.from(hex, 'hex'));
    const b64 = Buffer.alloc(32, 7).toString('base64');
    expect(loadEnv('edge-api', { AISBF_SECRET_KEY: b64 }).secrets.key).toEqual(Buffer.alloc(32, 7));
    expect(loadEnv('edge-api', { AISBF_SECRET_KEY: Buffer.alloc(32, 7).toString('base64url') }).secrets.key).toEqual(Buffer.alloc(32, 7));
    expect(loadEnv('edge-api', {}).secrets.key).toBeUndefined();
    expect(() => loadEnv('edge-api', { AISBF_SECRET_KEY: 'too-short' })).toThrow(/AISBF_SECRET_KEY: must be 32 bytes/);
    expect(() => loadEnv('edge-api', { AISBF_SECRET_KEY: Buffer.alloc(24).toString('base64') })).toThrow(/AISBF_SECRET_KEY/);
  });
});
