import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const GLOBAL_TOKEN = 'e2e-global-token-0123456789';

/** Writes a config directory (the original's four files) for one e2e run. */
export function writeConfig(files: { providers: unknown; rotations?: unknown; autoselect?: unknown; aisbf?: unknown }): string {
  const dir = mkdtempSync(join(tmpdir(), 'aisbf-e2e-cfg-'));
  writeFileSync(join(dir, 'providers.json'), JSON.stringify(files.providers, null, 2));
  writeFileSync(join(dir, 'rotations.json'), JSON.stringify(files.rotations ?? { rotations: {} }, null, 2));
  writeFileSync(join(dir, 'autoselect.json'), JSON.stringify(files.autoselect ?? {}, null, 2));
  writeFileSync(join(dir, 'aisbf.json'), JSON.stringify(files.aisbf ?? { auth: { enabled: true, tokens: [GLOBAL_TOKEN] } }, null, 2));
  return dir;
}

export function openaiProvider(id: string, endpoint: string, models: string[], extra: Record<string, unknown> = {}) {
  return { id, name: id, type: 'openai', endpoint, api_key_required: true, api_key: `sk-upstream-${id}`, models: models.map((name) => ({ name })), ...extra };
}
