import { z } from 'zod';
import { CallerSchema } from './caller.schema';
import { ProviderScopeSchema } from './chat.contract';
import { defineEvent, defineRequest } from './define';

/**
 * Broadcast when a candidate's availability changes: a breaker opened, re-opened or closed, or a provider was disabled
 * or enabled by an administrator. Informational (logs, dashboards): the state itself lives in Redis and every router
 * reads it there, so no replica depends on receiving this.
 */
export const CooldownChangedV1 = defineEvent(
  'evt.route.cooldown.changed.v1',
  z.object({
    scope: ProviderScopeSchema,
    providerId: z.string(),
    /** Absent for provider-wide changes (manual disable/enable). */
    model: z.string().optional(),
    change: z.enum(['opened', 'reopened', 'closed', 'disabled', 'enabled']),
    /** End of the cooldown (epoch ms), for `opened` / `reopened`. */
    until: z.number().optional(),
    reason: z.string().optional(),
    by: z.string().optional(),
  }),
);

/** The live state of one rotation candidate, as the router sees it in Redis. */
export const CandidateStateSchema = z.object({
  candidate: z.string(),
  provider_id: z.string(),
  model: z.string().optional(),
  weight: z.number(),
  /** `available`, `half_open` (the next request probes it), or why it is not used now. */
  state: z.string(),
  until: z.number().optional(),
  detail: z.string().optional(),
});
export type CandidateState = z.infer<typeof CandidateStateSchema>;

/** edge-api → router: the original's rotation listings (`GET /api/rotations`, `/api/rotations/{id}`, `/api/rotations/models`). */
export const RouterRotationsV1 = defineRequest(
  'svc.router.rotations.v1',
  z.object({ caller: CallerSchema, op: z.enum(['list', 'get', 'models']), id: z.string().optional() }),
  z.object({ data: z.unknown() }),
);

/** edge-api → router: manual disable / enable of a provider, and its state (admin API). */
export const RouterProviderStateV1 = defineRequest(
  'svc.router.provider-state.v1',
  z.object({
    caller: CallerSchema,
    op: z.enum(['get', 'disable', 'enable']),
    providerId: z.string().min(1),
    reason: z.string().max(500).optional(),
  }),
  z.object({
    provider_id: z.string(),
    disabled: z.boolean(),
    reason: z.string().optional(),
    since: z.number().optional(),
    by: z.string().optional(),
    candidates: z.array(CandidateStateSchema),
  }),
);
