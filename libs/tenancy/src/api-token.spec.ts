import { createHash } from 'node:crypto';
import { generateToken, hashToken, TOKEN_PREFIX } from './api-token';

describe('API tokens', () => {
  it('are random, prefixed, and known only by their SHA-256', () => {
    const a = generateToken();
    const b = generateToken();
    expect(a.token).not.toBe(b.token);
    expect(a.token.startsWith(TOKEN_PREFIX)).toBe(true);
    expect(a.token.length).toBeGreaterThanOrEqual(TOKEN_PREFIX.length + 43);
    expect(a.hash).toBe(createHash('sha256').update(a.token).digest('hex'));
    expect(hashToken(a.token)).toBe(a.hash);
    expect(a.prefix).toBe(a.token.slice(0, 10));
  });
});
