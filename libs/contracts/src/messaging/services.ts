import { z } from 'zod';
import { defineRequest } from './define';

export const SERVICE_NAMES = ['edge-api', 'router', 'provider-workers', 'analytics', 'broker'] as const;
export const ServiceNameSchema = z.enum(SERVICE_NAMES);
export type ServiceName = z.infer<typeof ServiceNameSchema>;

export const PingReplySchema = z.object({
  service: ServiceNameSchema,
  instanceId: z.string(),
  uptimeMs: z.number(),
  /** Dependencies this instance checked itself (e.g. analytics checks MySQL). */
  checks: z.record(z.string(), z.boolean()).default({}),
});
export type PingReply = z.infer<typeof PingReplySchema>;

/** `svc.<service>.ping.v1`: answered by any replica of the service (queue group); used by edge-api's /health/ready. */
export const pingContract = (service: ServiceName) =>
  defineRequest(`svc.${service}.ping.v1`, z.object({}).passthrough(), PingReplySchema);
