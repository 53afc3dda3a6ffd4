import { z } from 'zod';
import { defineJob } from '../messaging/define';

const id = z.string().max(191);

/** What each autoselect filter left (candidate ids only). */
export const DecisionStageSchema = z.object({
  stage: z.string().max(32),
  remaining: z.array(id),
  removed: z.array(z.object({ id, reason: z.string().max(191) })),
});

/** One route tried by the escalation that did not serve (route and error code only: messages may echo the request). */
export const DecisionStepSchema = z.object({ route: id, code: z.string().max(64) });

/**
 * The audit of one autoselect decision, enqueued by the router when the request has its outcome and written by
 * analytics (idempotent on the request id). It holds ids, rule ids and codes — never the request's text, a matched
 * secret or the selection model's raw answer.
 */
export const RouteDecisionRecordSchema = z.object({
  requestId: z.string().min(1).max(64),
  caller: z.string().max(191),
  userId: z.number().int().nullable(),
  /** The autoselect as named (`autoselect/<id>`, `user-autoselect/<id>`). */
  autoselect: id,
  /** `routed`: a route served; `refused`: nothing was sent; `failed`: every route failed; `cancelled`: the caller left. */
  outcome: z.enum(['routed', 'refused', 'failed', 'cancelled']),
  privacy: z.enum(['off', 'public', 'private']),
  /** Detector rule ids that fired (e.g. `secret.aws_key`). */
  privacyRules: z.array(z.string().max(64)).max(200),
  privacyClassifier: z.string().max(16).nullable(),
  /** Private only because the classifier route failed or timed out. */
  failClosed: z.boolean(),
  nsfw: z.enum(['off', 'safe', 'nsfw', 'unknown']),
  candidates: z.object({
    configured: z.array(id),
    stages: z.array(DecisionStageSchema),
    fallback: z.object({ id, allowed: z.boolean(), reason: z.string().max(191).optional() }),
  }),
  selection: z.object({
    route: id.nullable(),
    via: z.string().max(32),
    answer: id.nullable(),
    cached: z.boolean(),
    reason: z.string().max(64).optional(),
  }),
  /** The route chosen first, and the escalation order after it. */
  routeChosen: id.nullable(),
  order: z.array(id),
  /** The route that served (after escalation), null unless `routed`. */
  routeTaken: id.nullable(),
  escalation: z.array(DecisionStepSchema),
  /** The request's error code when refused or failed. */
  errorCode: z.string().max(64).nullable(),
  /** Classification + selection time, ms. */
  decisionMs: z.number().int().nonnegative(),
  /** The `x-aisbf-decision` header. */
  header: z.string().max(1000),
  notes: z.array(z.string().max(500)).max(50),
  createdAt: z.number(),
});
export type RouteDecisionRecord = z.infer<typeof RouteDecisionRecordSchema>;

export const RouteDecisionJobV1 = defineJob('decisions', 'record.v1', RouteDecisionRecordSchema);
