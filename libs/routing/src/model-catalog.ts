import type { CatalogModel, ModelCatalogEntry, ModelEntry } from '@aisbf/contracts';
import type { RouteInventory } from './inventory';
import { formatModelName } from './model-name';

/** Catalog entries (what provider-workers fetched from each upstream), by provider id. */
export type ModelCatalog = Record<string, ModelCatalogEntry | undefined>;

/**
 * Provider entries of a listing completed with what the upstreams say: `context_size` = configured (`context_size`,
 * then `context_length`) → fetched from the upstream → provider `default_context_size` → null; `capabilities` =
 * configured → fetched → []. A provider without a configured `models` list is listed with its fetched models
 * (`source: "api_cache"`), as the original did; configured ones are `source: "local_config"`. Other entries pass as
 * they are.
 */
export function withModelCatalog(entries: ModelEntry[], inv: RouteInventory, catalog: ModelCatalog, scope: 'global' | 'user' = 'global', now = Math.floor(Date.now() / 1000)): ModelEntry[] {
  // Ollama names `x` and `x:latest` the same model.
  const live = (pid: string, model: string): CatalogModel | undefined => catalog[pid]?.models.find((m) => m.id === model || m.id === `${model}:latest`);
  const providers: ModelEntry[] = [];
  const rest: ModelEntry[] = [];
  for (const e of entries) {
    if (e['type'] !== 'provider') {
      rest.push(e);
      continue;
    }
    const pid = String(e['provider']);
    const p = inv.providers[pid];
    const name = String(e['model_name']);
    const cfg = p?.models?.find((m) => m.name === name);
    const fetched = live(pid, name);
    providers.push({
      ...e,
      context_size: cfg?.context_size ?? cfg?.context_length ?? fetched?.contextSize ?? p?.default_context_size ?? null,
      capabilities: cfg?.capabilities ?? fetched?.capabilities ?? [],
      source: 'local_config',
    });
  }
  for (const [pid, p] of Object.entries(inv.providers)) {
    if (p.models?.length) continue;
    for (const m of catalog[pid]?.models ?? []) {
      providers.push({
        id: formatModelName({ kind: 'provider', scope, providerId: pid, model: m.id }),
        object: 'model',
        created: m.created ?? now,
        owned_by: p.name ?? pid,
        type: 'provider',
        provider: pid,
        model_name: m.id,
        context_size: m.contextSize ?? p.default_context_size ?? null,
        capabilities: m.capabilities ?? [],
        source: 'api_cache',
      });
    }
  }
  return [...providers, ...rest];
}
