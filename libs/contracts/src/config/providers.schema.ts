import { z } from 'zod';
import { defaultsShape, featureOverrideShape, listingShape, modelSettingsShape, TriState } from './common.schema';

export const ProviderModelSchema = z.strictObject({
  name: z.string().min(1, 'model `name` must not be empty'),
  ...modelSettingsShape,
  ...listingShape,
  ...featureOverrideShape,
  studio_capabilities: z.unknown().optional(),
  studio_capability_source: z.unknown().optional(),
  studio_capability_unknown: z.unknown().optional(),
  studio_capability_notes: z.unknown().optional(),
});
export type ProviderModel = z.infer<typeof ProviderModelSchema>;

export const RunpodConfigSchema = z
  .strictObject({
    mode: z.enum(['pod', 'serverless_template', 'serverless', 'public']).default('pod'),
    wrapper_mode: z.enum(['openai', 'ollama', 'coderai']).default('openai'),
    management_api: z.string().optional(),
    account_name: z.string().optional(),
    pod_id: z.string().optional(),
    endpoint_id: z.string().optional(),
    template_id: z.string().optional(),
    serverless_template_id: z.string().optional(),
    startup_poll_interval_ms: z.number().int().positive().default(3000),
    startup_timeout_ms: z.number().int().positive().default(300000),
    idle_shutdown_ms: z.number().int().nonnegative().default(900000),
    public_endpoint_protocol_default: z.enum(['auto', 'runpod_public', 'openai', 'ollama', 'coderai']).optional(),
    public_models: z.record(z.string(), z.record(z.string(), z.unknown())).optional(),
  })
  // What each mode needs to reach anything (checked at start-up, named by file/provider/key like any other problem).
  .superRefine((c, ctx) => {
    if (c.mode === 'pod' && !c.pod_id) ctx.addIssue({ code: 'custom', path: ['pod_id'], message: 'required when mode is "pod"' });
    if ((c.mode === 'serverless' || c.mode === 'serverless_template') && !c.endpoint_id && !c.serverless_template_id) {
      ctx.addIssue({ code: 'custom', path: ['endpoint_id'], message: `required when mode is "${c.mode}"` });
    }
  });

export const CoderaiConfigSchema = z.strictObject({
  transport: z.enum(['http', 'websocket', 'broker']).optional(),
  http_enabled: z.boolean().optional(),
  websocket_enabled: z.boolean().optional(),
  broker_enabled: z.boolean().optional(),
  broker_mode: z.boolean().optional(),
  broker_preferred: z.boolean().optional(),
  discovery_enabled: z.boolean().optional(),
  client_id: z.string().optional(),
  username: z.string().optional(),
  bridge_path: z.string().optional(),
  registration_path: z.string().optional(),
  broker_ws_path: z.string().optional(),
  registration_token: z.string().optional(),
  bridge_token: z.string().optional(),
  request_timeout: z.number().positive().optional(),
  model_timeout: z.number().positive().optional(),
  broker_warmup_wait_seconds: z.number().nonnegative().optional(),
  broker_max_warmup_waits: z.number().int().nonnegative().optional(),
  broker_queue_timeout_seconds: z.number().nonnegative().optional(),
});

export const ProviderConfigSchema = z.strictObject({
  id: z.string().min(1).optional(),
  name: z.string().optional(),
  type: z.string().min(1, 'provider `type` is required'),
  api_key_required: z.boolean(),
  endpoint: z.string().default(''),
  api_key: z.string().optional(),
  rate_limit: z.number().nonnegative().default(0),
  models: z.array(ProviderModelSchema).optional(),
  auth_config: z.record(z.string(), z.unknown()).optional(),
  kiro_config: z.record(z.string(), z.unknown()).optional(),
  kilo_config: z.record(z.string(), z.unknown()).optional(),
  claude_config: z.record(z.string(), z.unknown()).optional(),
  codex_config: z.record(z.string(), z.unknown()).optional(),
  qwen_config: z.record(z.string(), z.unknown()).optional(),
  coderai_config: CoderaiConfigSchema.optional(),
  runpod_config: RunpodConfigSchema.optional(),
  ...defaultsShape,
  enable_native_caching: z.boolean().optional(),
  cache_ttl: z.number().nonnegative().optional(),
  min_cacheable_tokens: z.number().int().nonnegative().optional(),
  prompt_cache_key: z.string().optional(),
  free_tier_limit: z.number().optional(),
  free_tier_period: z.enum(['day', 'week', 'month']).optional(),
  free_tier_limit_type: z.enum(['requests', 'tokens']).optional(),
  premium_reference_monthly_cost: z.number().optional(),
  free_tier_description: z.string().optional(),
  pro_tier_requests_daily: z.number().optional(),
  pro_tier_requests_weekly: z.number().optional(),
  pro_tier_requests_monthly: z.number().optional(),
  pro_tier_tokens_daily: z.number().optional(),
  pro_tier_tokens_weekly: z.number().optional(),
  pro_tier_tokens_monthly: z.number().optional(),
  is_subscription: z.boolean().optional(),
  price_per_million_prompt: z.number().optional(),
  price_per_million_completion: z.number().optional(),
  model_filter: z.union([z.string(), z.array(z.string())]).optional(),
  /** Upstream request timeout in seconds (ours; the original hard-coded per handler). */
  timeout: z.number().positive().optional(),
  ...featureOverrideShape,
  nsfw: TriState,
  privacy: TriState,
});
export type ProviderConfig = z.infer<typeof ProviderConfigSchema>;

export const CondensationConfigSchema = z.strictObject({
  provider_id: z.string().optional(),
  model: z.string().optional(),
  rotation_id: z.string().optional(),
  enabled: z.boolean().default(true),
  max_context: z.number().int().positive().optional(),
});

export const ProvidersFileSchema = z.strictObject({
  providers: z.record(z.string(), ProviderConfigSchema),
  condensation: CondensationConfigSchema.optional(),
});
export type ProvidersFile = z.infer<typeof ProvidersFileSchema>;
