/**
 * Which config values are secrets, and how they are split from a config (to encrypt them apart), merged back (for an
 * adapter) and masked (for every API answer). Secrets are found by key name at any depth, so nested ones
 * (`coderai_config.registration_token`, a rotation entry's `api_key`) are covered as well as top-level `api_key`.
 */

/** What every API answer shows in place of a secret. Sending it back on update keeps the stored value. */
export const SECRET_MASK = '********';

const EXACT = new Set([
  'api_key',
  'apikey',
  'api_secret',
  'password',
  'secret',
  'token',
  'access_token',
  'refresh_token',
  'id_token',
  'session_token',
  'client_secret',
  'private_key',
  'credentials',
  'authorization',
]);
const SUFFIX = /(_api_key|_secret|_password|_token|_credentials)$/;

export function isSecretKey(key: string): boolean {
  const k = key.toLowerCase();
  return EXACT.has(k) || SUFFIX.test(k);
}

/** JSON Pointer (RFC 6901) of a path. */
function pointer(path: Array<string | number>): string {
  return path.map((p) => '/' + String(p).replace(/~/g, '~0').replace(/\//g, '~1')).join('');
}

function parsePointer(ptr: string): string[] {
  return ptr
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
}

export interface SplitConfig {
  /** The config with every secret string removed. */
  config: unknown;
  /** JSON Pointer → secret value. */
  secrets: Record<string, string>;
}

/** Removes secret strings (non-empty) from a config. */
export function splitSecrets(config: unknown): SplitConfig {
  const secrets: Record<string, string> = {};
  const walk = (value: unknown, path: Array<string | number>): unknown => {
    if (Array.isArray(value)) return value.map((v, i) => walk(v, [...path, i]));
    if (value && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) {
        if (isSecretKey(k) && typeof v === 'string' && v !== '') secrets[pointer([...path, k])] = v;
        else out[k] = walk(v, [...path, k]);
      }
      return out;
    }
    return value;
  };
  return { config: walk(config, []), secrets };
}

/** Puts values at their JSON Pointers (a deep copy; missing containers are not created). */
export function mergeSecrets(config: unknown, secrets: Record<string, string>): unknown {
  const copy = structuredClone(config);
  for (const [ptr, value] of Object.entries(secrets)) {
    const parts = parsePointer(ptr);
    const last = parts.pop();
    let node: unknown = copy;
    for (const p of parts) node = node && typeof node === 'object' ? (node as Record<string, unknown>)[p] : undefined;
    if (node && typeof node === 'object' && last !== undefined) (node as Record<string, unknown>)[last] = value;
  }
  return copy;
}

/** The config as an API may show it: each stored secret replaced by the mask. */
export function maskSecrets(config: unknown, secretPointers: Iterable<string>): unknown {
  return mergeSecrets(config, Object.fromEntries([...secretPointers].map((p) => [p, SECRET_MASK])));
}

/** Any config (e.g. one read from a file) with every secret-looking string masked. */
export function maskAll(config: unknown): unknown {
  const { config: bare, secrets } = splitSecrets(config);
  return maskSecrets(bare, Object.keys(secrets));
}

/**
 * On update, a secret sent back as the mask keeps its stored value. Returns the secrets to store, or the pointers of
 * masks that have nothing stored behind them (the caller must send the real value).
 */
export function resolveMaskedSecrets(
  incoming: Record<string, string>,
  stored: Record<string, string>,
): { secrets: Record<string, string>; unresolved: string[] } {
  const secrets: Record<string, string> = {};
  const unresolved: string[] = [];
  for (const [ptr, value] of Object.entries(incoming)) {
    if (value !== SECRET_MASK) secrets[ptr] = value;
    else if (stored[ptr] !== undefined) secrets[ptr] = stored[ptr]!;
    else unresolved.push(ptr);
  }
  return { secrets, unresolved };
}

/** `/coderai_config/registration_token` → `coderai_config.registration_token` (for messages naming a field). */
export function pointerToPath(ptr: string): string {
  return parsePointer(ptr)
    .map((p, i) => (/^\d+$/.test(p) ? `[${p}]` : i === 0 ? p : `.${p}`))
    .join('');
}
