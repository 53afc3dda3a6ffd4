import { z } from 'zod';

/** Tri-state feature override: null/absent = inherit from the next level. */
export const TriState = z.boolean().nullable().optional();

export const CondenseMethodSchema = z.union([z.string(), z.array(z.string())]);

export const PricingSchema = z.looseObject({
  prompt: z.union([z.number(), z.string()]).optional(),
  completion: z.union([z.number(), z.string()]).optional(),
  input_cache_read: z.union([z.number(), z.string()]).optional(),
});

/** The `enable_*` overrides shared by providers, models, rotations and autoselects (aisbf-behaviour §2.1). */
export const featureOverrideShape = {
  enable_nsfw_classification: TriState,
  enable_privacy_classification: TriState,
  enable_context_condensation: TriState,
  enable_response_cache: TriState,
  enable_prompt_batching: TriState,
  enable_prompt_security: TriState,
  enable_context_lens: TriState,
  block_high_risk_prompts: TriState,
};

/** `default_*` keys applied to member models when the model sets no value (model → rotation → provider → built-in). */
export const defaultsShape = {
  default_rate_limit: z.number().nonnegative().optional(),
  default_max_request_tokens: z.number().int().positive().optional(),
  default_max_tokens: z.number().int().positive().optional(),
  default_rate_limit_TPM: z.number().int().positive().optional(),
  default_rate_limit_TPH: z.number().int().positive().optional(),
  default_rate_limit_TPD: z.number().int().positive().optional(),
  default_context_size: z.number().int().positive().optional(),
  default_condense_context: z.number().min(0).max(100).optional(),
  default_condense_method: CondenseMethodSchema.optional(),
  default_error_cooldown: z.number().nonnegative().optional(),
};

/** Per-model limits and context settings, accepted on provider models and rotation entries alike. */
export const modelSettingsShape = {
  rate_limit: z.number().nonnegative().optional(),
  max_request_tokens: z.number().int().positive().optional(),
  max_tokens: z.number().int().positive().optional(),
  rate_limit_TPM: z.number().int().positive().optional(),
  rate_limit_TPH: z.number().int().positive().optional(),
  rate_limit_TPD: z.number().int().positive().optional(),
  context_size: z.number().int().positive().optional(),
  condense_context: z.number().min(0).max(100).optional(),
  condense_method: CondenseMethodSchema.optional(),
  error_cooldown: z.number().nonnegative().optional(),
  capabilities: z.array(z.string()).optional(),
  nsfw: z.boolean().optional(),
  privacy: z.boolean().optional(),
};

/** Descriptive metadata the original carries for listings (OpenRouter-style). */
export const listingShape = {
  description: z.string().optional(),
  context_length: z.number().int().positive().optional(),
  architecture: z.record(z.string(), z.unknown()).optional(),
  pricing: PricingSchema.optional(),
  top_provider: z.record(z.string(), z.unknown()).optional(),
  supported_parameters: z.array(z.string()).optional(),
  default_parameters: z.record(z.string(), z.unknown()).optional(),
};
