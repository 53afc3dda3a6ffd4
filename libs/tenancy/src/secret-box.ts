import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/** Raised when stored secrets cannot be read with the configured key (missing, different, or data tampered with). */
export class SecretKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretKeyError';
  }
}

const VERSION = 'v1';

/** A short public fingerprint of a key, stored beside each ciphertext so a wrong key is named, not guessed at. */
export function secretKeyId(key: Buffer): string {
  return createHash('sha256').update('aisbf-secret-key-id:').update(key).digest('hex').slice(0, 16);
}

/**
 * AES-256-GCM with a random 96-bit IV per message. `aad` binds a ciphertext to where it is stored (the row), so a
 * ciphertext copied into another user's row does not decrypt. Sealed form: `v1.<iv>.<tag>.<ciphertext>` (base64url).
 */
export class SecretBox {
  readonly keyId: string;

  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new SecretKeyError('AISBF_SECRET_KEY must be 32 bytes');
    this.keyId = secretKeyId(key);
  }

  seal(plaintext: string, aad: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(aad, 'utf8'));
    const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [VERSION, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ct.toString('base64url')].join('.');
  }

  open(sealed: string, aad: string): string {
    const [version, iv, tag, ct] = sealed.split('.');
    if (version !== VERSION || iv === undefined || tag === undefined || ct === undefined) {
      throw new SecretKeyError('Stored secret has an unknown format');
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(aad, 'utf8'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      throw new SecretKeyError('Stored secret does not decrypt with AISBF_SECRET_KEY (wrong key, or the data was altered)');
    }
  }
}
