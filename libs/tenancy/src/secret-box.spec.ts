import { randomBytes } from 'node:crypto';
import { SecretBox, SecretKeyError, secretKeyId } from './secret-box';

describe('SecretBox (AES-256-GCM)', () => {
  const box = new SecretBox(randomBytes(32));

  it('round-trips, with a fresh IV each time (no plaintext in the sealed form)', () => {
    const a = box.seal('sk-live-123', 'row:1');
    const b = box.seal('sk-live-123', 'row:1');
    expect(a).not.toBe(b);
    expect(a).not.toContain('sk-live');
    expect(a).toMatch(/^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(box.open(a, 'row:1')).toBe('sk-live-123');
  });

  it('refuses another key, another row (AAD) and altered data', () => {
    const sealed = box.seal('secret', 'UserProvider:1:p:/api_key');
    expect(() => new SecretBox(randomBytes(32)).open(sealed, 'UserProvider:1:p:/api_key')).toThrow(SecretKeyError);
    expect(() => box.open(sealed, 'UserProvider:2:p:/api_key')).toThrow(SecretKeyError);
    const parts = sealed.split('.');
    parts[3] = Buffer.from('tampered').toString('base64url');
    expect(() => box.open(parts.join('.'), 'UserProvider:1:p:/api_key')).toThrow(/does not decrypt/);
  });

  it('names keys by a stable fingerprint that reveals nothing of the key', () => {
    const key = randomBytes(32);
    expect(secretKeyId(key)).toBe(new SecretBox(key).keyId);
    expect(secretKeyId(key)).toMatch(/^[0-9a-f]{16}$/);
    expect(secretKeyId(key)).not.toBe(secretKeyId(randomBytes(32)));
  });

  it('rejects keys that are not 32 bytes', () => {
    expect(() => new SecretBox(randomBytes(16))).toThrow(/32 bytes/);
  });
});
