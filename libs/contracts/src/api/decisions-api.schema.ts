import { z } from 'zod';
import { RouteDecisionRecordSchema } from '../jobs/route-decision.job';

/** `GET /api/admin/decisions` query: newest first, filtered by autoselect and caller. */
export const DecisionQuerySchema = z.strictObject({
  /** `autoselect/<id>`, `user-autoselect/<id>`, or a bare id (matches both). */
  autoselect: z.string().min(1).max(191).optional(),
  /** The caller label (`global:0`, `user:alice`). */
  caller: z.string().min(1).max(191).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});
export type DecisionQuery = z.infer<typeof DecisionQuerySchema>;

/** One stored decision as the admin API lists it. */
export const RouteDecisionViewSchema = RouteDecisionRecordSchema.omit({ createdAt: true }).extend({
  id: z.number().int(),
  created_at: z.string(),
});
export type RouteDecisionView = z.infer<typeof RouteDecisionViewSchema>;
