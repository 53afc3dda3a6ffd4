import { z } from 'zod';
import { defineJob } from '../messaging/define';

/**
 * The live model catalog: provider-workers asks each provider's upstream for its models (a BullMQ repeatable job) and
 * keeps the answer in Redis under `<prefix>models:<scope>:<providerId>`; the router reads it when it lists models, so a
 * listing never waits on a slow upstream.
 */
export const CatalogModelSchema = z.object({
  id: z.string(),
  contextSize: z.number().int().positive().optional(),
  ownedBy: z.string().optional(),
  created: z.number().int().optional(),
  capabilities: z.array(z.string()).optional(),
});
export type CatalogModel = z.infer<typeof CatalogModelSchema>;

export const ModelCatalogEntrySchema = z.object({
  providerId: z.string(),
  /** When the models were last fetched successfully (ms); absent when no fetch ever succeeded. */
  fetchedAt: z.number().optional(),
  models: z.array(CatalogModelSchema),
  /** The last refresh's failure, if it failed (the previous models are kept). */
  error: z.object({ code: z.string(), message: z.string(), at: z.number() }).optional(),
});
export type ModelCatalogEntry = z.infer<typeof ModelCatalogEntrySchema>;

/** Redis key parts (after the deployment prefix) of a provider's catalog entry. */
export const modelCatalogKey = (scope: 'global', providerId: string): string[] => ['models', scope, providerId];

/** Refresh the catalog of one provider, or of every global provider when `providerId` is absent. */
export const ModelCatalogRefreshJobV1 = defineJob('model-catalog', 'refresh.v1', z.object({ providerId: z.string().optional() }));
