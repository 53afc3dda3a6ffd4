import { createHash, randomBytes } from 'node:crypto';

/** Tokens this gateway issues start with this, so they are recognisable (e.g. by secret scanners). */
export const TOKEN_PREFIX = 'aisbf_';
const SHOWN_PREFIX_LENGTH = 10;

/** The only form in which a token is stored or looked up: lower-case hex SHA-256 of the whole token. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** The part of a token listings show to recognise it. */
export function tokenDisplayPrefix(token: string): string {
  return token.slice(0, SHOWN_PREFIX_LENGTH);
}

/** A new random token (256 bits) with its hash and display prefix. */
export function generateToken(): { token: string; hash: string; prefix: string } {
  const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
  return { token, hash: hashToken(token), prefix: tokenDisplayPrefix(token) };
}
