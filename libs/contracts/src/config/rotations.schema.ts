import { z } from 'zod';
import { defaultsShape, featureOverrideShape, listingShape, modelSettingsShape } from './common.schema';

/** A model inside the original's nested rotation entry form. */
export const RotationModelSchema = z.strictObject({
  name: z.string().min(1, 'rotation model `name` must not be empty'),
  weight: z.number().nonnegative().default(1),
  ...modelSettingsShape,
});

/**
 * One rotation entry. Two accepted forms:
 * - flat (product docs): `{"provider_id":"runpod-gpu-a","model":"deepseek-coder-v2","weight":3,"error_cooldown":120}`
 * - nested (original):   `{"provider_id":"x","weight":2,"models":[{"name":"m","weight":1}]}`
 * `provider_id` "rotation(s)" / "autoselect(s)" makes the entry a meta-provider whose model names are route ids.
 */
export const RotationEntrySchema = z
  .strictObject({
    provider_id: z.string().min(1, '`provider_id` must not be empty'),
    model: z.string().min(1).optional(),
    weight: z.number().nonnegative().default(1),
    api_key: z.string().optional(),
    models: z.array(RotationModelSchema).optional(),
    ...modelSettingsShape,
  })
  .refine((e) => !(e.model && e.models), { message: 'use either `model` (flat form) or `models` (nested form), not both' });
export type RotationEntry = z.infer<typeof RotationEntrySchema>;

export const RotationConfigSchema = z.strictObject({
  model_name: z.string().min(1),
  providers: z.array(RotationEntrySchema).min(1, 'a rotation needs at least one provider entry'),
  notifyerrors: z.boolean().optional(),
  notify_on_failover: z.boolean().optional(),
  capabilities: z.array(z.string()).optional(),
  nsfw: z.boolean().optional(),
  privacy: z.boolean().optional(),
  ...listingShape,
  ...defaultsShape,
  ...featureOverrideShape,
  /** Ours: attempts before giving up (default 5). */
  max_attempts: z.number().int().positive().max(50).optional(),
  /** Ours: time-to-first-token deadline for streams and first byte for non-streams, in seconds. */
  ttft_timeout: z.number().positive().optional(),
  /** Ours: failures within `failure_window` seconds that put a candidate into cooldown (default 3). */
  failure_threshold: z.number().int().positive().max(1000).optional(),
  /** Ours: length in seconds of the sliding failure window (default 60). */
  failure_window: z.number().positive().optional(),
});
export type RotationConfig = z.infer<typeof RotationConfigSchema>;

export const RotationsFileSchema = z.strictObject({
  notifyerrors: z.boolean().default(false),
  notify_on_failover: z.boolean().default(false),
  rotations: z.record(z.string(), RotationConfigSchema).default({}),
});
export type RotationsFile = z.infer<typeof RotationsFileSchema>;
