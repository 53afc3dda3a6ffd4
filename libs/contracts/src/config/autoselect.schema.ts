import { z } from 'zod';
import { defaultsShape, featureOverrideShape, listingShape } from './common.schema';

export const AutoselectCandidateSchema = z.strictObject({
  model_id: z.string().min(1, '`model_id` must not be empty'),
  description: z.string().default(''),
  nsfw: z.boolean().default(false),
  privacy: z.boolean().default(false),
  priority: z.number().int().default(0),
  max_tokens: z.number().int().positive().optional(),
  capabilities: z.array(z.string()).optional(),
  context_size: z.number().int().positive().optional(),
});
export type AutoselectCandidate = z.infer<typeof AutoselectCandidateSchema>;

export const AutoselectConfigSchema = z.strictObject({
  model_name: z.string().min(1),
  fallback: z.string().min(1, '`fallback` is required'),
  selection_model: z.string().default('internal'),
  available_models: z.array(AutoselectCandidateSchema).default([]),
  capabilities: z.array(z.string()).optional(),
  nsfw: z.boolean().optional(),
  privacy: z.boolean().optional(),
  classify_nsfw: z.boolean().default(false),
  classify_privacy: z.boolean().default(false),
  classify_semantic: z.boolean().default(false),
  /** Ours: routes asked a strict yes/no question for privacy / NSFW. */
  privacy_classifier: z.string().optional(),
  nsfw_classifier: z.string().optional(),
  /** Ours: seconds allowed for the selection / classifier calls. */
  selection_timeout: z.number().positive().optional(),
  ...listingShape,
  ...defaultsShape,
  ...featureOverrideShape,
  description: z.string().default(''),
});
export type AutoselectConfig = z.infer<typeof AutoselectConfigSchema>;

/** autoselect.json has no wrapper key: `{ "<id>": AutoselectConfig }`. */
export const AutoselectFileSchema = z.record(z.string(), AutoselectConfigSchema);
export type AutoselectFile = z.infer<typeof AutoselectFileSchema>;
