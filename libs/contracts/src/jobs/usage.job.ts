import { z } from 'zod';
import { defineJob } from '../messaging/define';

/** One usage record per request, enqueued by the router when the request finishes (success or failure). */
export const UsageRecordSchema = z.object({
  requestId: z.string().min(1).max(64),
  caller: z.string().max(191),
  userId: z.number().int().nullable(),
  tokenId: z.number().int().nullable(),
  route: z.string().max(191),
  routeKind: z.enum(['provider', 'rotation', 'autoselect', 'unresolved']),
  providerId: z.string().max(191).nullable(),
  model: z.string().max(191).nullable(),
  promptTokens: z.number().int().nonnegative(),
  completionTokens: z.number().int().nonnegative(),
  totalTokens: z.number().int().nonnegative(),
  latencyMs: z.number().int().nonnegative(),
  status: z.enum(['success', 'error', 'cancelled']),
  errorCode: z.string().max(64).nullable(),
  attempts: z.number().int().nonnegative(),
  stream: z.boolean(),
  createdAt: z.number(),
});
export type UsageRecordJob = z.infer<typeof UsageRecordSchema>;

export const UsageRecordJobV1 = defineJob('usage', 'record.v1', UsageRecordSchema);
