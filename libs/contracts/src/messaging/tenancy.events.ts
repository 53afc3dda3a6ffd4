import { z } from 'zod';
import { defineEvent, defineRequest } from './define';
import { ProviderScopeSchema } from './chat.contract';

/**
 * Something that decides whether a token is accepted changed: every edge-api replica drops what it cached about it at
 * once (the cache's short TTL is only a backstop).
 */
export const AuthChangedV1 = defineEvent(
  'evt.auth.changed.v1',
  z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('token-revoked'), tokenId: z.number().int(), userId: z.number().int() }),
    /** Disabled, role or tier changed: every token of the user. */
    z.object({ kind: z.literal('user-changed'), userId: z.number().int() }),
    /** Quotas or rate limit of a tier changed: every cached token. */
    z.object({ kind: z.literal('tier-changed'), tierId: z.number().int() }),
  ]),
);

/** A user's routes changed (created, replaced, deleted): routers and provider-workers reload that user's rows. */
export const ConfigChangedV1 = defineEvent(
  'evt.config.changed.v1',
  z.object({
    scope: z.literal('user'),
    userId: z.number().int(),
    kind: z.enum(['provider', 'rotation', 'autoselect', 'user']),
    id: z.string().optional(),
  }),
);

export const UpstreamModelSchema = z.object({
  id: z.string(),
  owned_by: z.string().optional(),
  created: z.number().optional(),
  context_size: z.number().optional(),
});
export type UpstreamModelEntry = z.infer<typeof UpstreamModelSchema>;

/** edge-api → provider-workers: the models a provider's upstream lists right now (the "fetch models" action). */
export const ProviderModelsV1 = defineRequest(
  'svc.provider.models.v1',
  z.object({ scope: ProviderScopeSchema, providerId: z.string(), timeoutMs: z.number().int().positive() }),
  z.object({ data: z.array(UpstreamModelSchema) }),
);
