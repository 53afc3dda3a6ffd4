import {
  type AisbfFile,
  AisbfFileSchema,
  type AutoselectFile,
  AutoselectFileSchema,
  type ProvidersFile,
  ProvidersFileSchema,
  type RotationsFile,
  RotationsFileSchema,
} from '@aisbf/contracts';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { z } from 'zod';

/** The global route inventory, read from the original product's four files. */
export interface GatewayConfig {
  dir: string;
  providers: ProvidersFile;
  rotations: RotationsFile;
  autoselect: AutoselectFile;
  aisbf: AisbfFile;
}

export class ConfigFileError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigFileError';
  }
}

type Env = Record<string, string | undefined>;

/** `"$NAME"` or `"${NAME}"` in a string value is replaced by the environment variable (as the product's docs show). */
function expandEnvRefs(value: unknown, env: Env, path: string, problems: string[], file: string): unknown {
  if (typeof value === 'string') {
    const m = /^\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?$/.exec(value);
    if (!m) return value;
    const resolved = env[m[1]!];
    if (resolved === undefined) {
      problems.push(`${file}: ${path}: references environment variable ${m[1]} which is not set`);
      return value;
    }
    return resolved;
  }
  if (Array.isArray(value)) return value.map((v, i) => expandEnvRefs(v, env, `${path}[${i}]`, problems, file));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, expandEnvRefs(v, env, path ? `${path}.${k}` : k, problems, file)]),
    );
  }
  return value;
}

function readJson(dir: string, file: string, problems: string[], required: boolean): unknown {
  const path = join(dir, file);
  if (!existsSync(path)) {
    if (required) problems.push(`${file}: not found in ${dir} (set AISBF_CONFIG_DIR to the directory holding it)`);
    return undefined;
  }
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    problems.push(`${file}: not valid JSON (${(err as Error).message})`);
    return undefined;
  }
}

function validate<S extends z.ZodType>(schema: S, raw: unknown, file: string, problems: string[]): z.infer<S> | undefined {
  const r = schema.safeParse(raw);
  if (r.success) return r.data;
  for (const issue of r.error.issues) {
    const where = issue.path.length ? issue.path.join('.') : '(top level)';
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) problems.push(`${file}: ${where === '(top level)' ? '' : `${where}: `}unknown key "${key}"`);
    } else {
      problems.push(`${file}: ${where}: ${issue.message}`);
    }
  }
  return undefined;
}

/**
 * Read and validate providers.json (required), rotations.json, autoselect.json and aisbf.json (optional) from `dir`.
 * Every problem in every file is reported at once, each naming the file, the entry and the key.
 */
export function loadGatewayConfig(dir: string, env: Env = process.env): GatewayConfig {
  const abs = resolve(dir);
  const problems: string[] = [];
  const raw = {
    providers: readJson(abs, 'providers.json', problems, true),
    rotations: readJson(abs, 'rotations.json', problems, false) ?? {},
    autoselect: readJson(abs, 'autoselect.json', problems, false) ?? {},
    aisbf: readJson(abs, 'aisbf.json', problems, false) ?? {},
  };
  const expanded = {
    providers: expandEnvRefs(raw.providers, env, '', problems, 'providers.json'),
    rotations: raw.rotations,
    autoselect: raw.autoselect,
    aisbf: expandEnvRefs(raw.aisbf, env, '', problems, 'aisbf.json'),
  };
  const providers = expanded.providers === undefined ? undefined : validate(ProvidersFileSchema, expanded.providers, 'providers.json', problems);
  // runpod_config's own schema checks what each mode needs; a runpod provider without the block has no pod to use.
  const rawProviders = (expanded.providers as { providers?: Record<string, { type?: unknown; runpod_config?: unknown }> } | undefined)?.providers;
  for (const [id, p] of Object.entries(rawProviders && typeof rawProviders === 'object' ? rawProviders : {})) {
    if (p && p.type === 'runpod' && p.runpod_config === undefined) problems.push(`providers.json: providers.${id}.runpod_config: required for type "runpod" (mode, and pod_id or endpoint_id)`);
  }
  const rotations = validate(RotationsFileSchema, expanded.rotations, 'rotations.json', problems);
  const autoselect = validate(AutoselectFileSchema, expanded.autoselect, 'autoselect.json', problems);
  const aisbf = validate(AisbfFileSchema, expanded.aisbf, 'aisbf.json', problems);

  if (providers) {
    for (const [id, p] of Object.entries(providers.providers)) {
      if (p.id !== undefined && p.id !== id) problems.push(`providers.json: providers.${id}.id: "${p.id}" differs from its key "${id}"`);
      if (id.includes('/')) problems.push(`providers.json: providers.${id}: provider ids must not contain "/"`);
    }
  }
  if (problems.length || !providers || !rotations || !autoselect || !aisbf) throw new ConfigFileError(problems);
  return { dir: abs, providers, rotations, autoselect, aisbf };
}
