import { SecretBox, SecretKeyError } from './secret-box';
import type { UserRouteStore } from './user-route.store';

/**
 * Start-up check of services that read or write provider secrets: fails with a message an operator can act on when
 * encrypted rows exist and AISBF_SECRET_KEY is missing or is another key than the one they were written with.
 * Returns the SecretBox to use (undefined when no key is configured and nothing needs one).
 */
export async function checkSecretKey(store: Pick<UserRouteStore, 'secretKeyUsage'>, key: Buffer | undefined): Promise<SecretBox | undefined> {
  const usage = await store.secretKeyUsage();
  const total = [...usage.values()].reduce((a, b) => a + b, 0);
  if (!key) {
    if (total > 0) {
      throw new SecretKeyError(
        `AISBF_SECRET_KEY is not set, but ${total} stored user route(s) hold secrets encrypted with it. ` +
          'Set AISBF_SECRET_KEY to the key they were written with (32 bytes, hex or base64).',
      );
    }
    return undefined;
  }
  const box = new SecretBox(key);
  const foreign = [...usage.entries()].filter(([keyId]) => keyId !== box.keyId);
  if (foreign.length) {
    const rows = foreign.reduce((a, [, n]) => a + n, 0);
    const ids = foreign.map(([k]) => k ?? '(none)').join(', ');
    throw new SecretKeyError(
      `AISBF_SECRET_KEY (key id ${box.keyId}) is not the key that encrypted ${rows} stored user route(s) (key id ${ids}). ` +
        'Set AISBF_SECRET_KEY to the key they were written with.',
    );
  }
  return box;
}
