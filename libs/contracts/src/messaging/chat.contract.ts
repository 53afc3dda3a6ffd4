import { z } from 'zod';
import { ErrorEnvelopeSchema } from '../errors/error-codes';
import { ChatCompletionChunkSchema, ChatCompletionRequestSchema, ChatCompletionSchema, UsageSchema } from '../openai/chat.schema';
import { CallerSchema } from './caller.schema';
import { defineEvent, defineRequest } from './define';

/** Which HTTP entry point the request came through; it scopes how `model` is resolved. */
export const EntrypointSchema = z.discriminatedUnion('kind', [
  /** `/v1/chat/completions`, `/api/v1/chat/completions`: the full model grammar. */
  z.object({ kind: z.literal('openai') }),
  /** `/api/{provider_id}/chat/completions`: `model` is the upstream model id of that provider. */
  z.object({ kind: z.literal('provider'), providerId: z.string() }),
  /** `/api/rotations/chat/completions`: `model` is a rotation id. */
  z.object({ kind: z.literal('rotations') }),
  /** `/api/autoselect/chat/completions`: `model` is an autoselect id. */
  z.object({ kind: z.literal('autoselect') }),
  /** `/api/user/...`, `/api/u/{username}/...`: user-scoped grammar. */
  z.object({ kind: z.literal('user') }),
]);
export type Entrypoint = z.infer<typeof EntrypointSchema>;

export const RouteMetaSchema = z.object({
  /** The route the caller named, normalised (e.g. `rotation/coding`, `openai-prod/gpt-4.1-mini`). */
  route: z.string(),
  routeKind: z.enum(['provider', 'rotation', 'autoselect']),
  providerId: z.string(),
  model: z.string(),
  attempts: z.number().int().positive(),
  /** Free-form decision summary (autoselect). */
  decision: z.string().optional(),
  headers: z.record(z.string(), z.string()).optional(),
});
export type RouteMeta = z.infer<typeof RouteMetaSchema>;

/** edge-api → router: route and run one chat completion. */
export const RouterChatCommandSchema = z.object({
  requestId: z.string().min(1),
  caller: CallerSchema,
  entrypoint: EntrypointSchema,
  body: ChatCompletionRequestSchema,
  receivedAt: z.number(),
});
export type RouterChatCommand = z.infer<typeof RouterChatCommandSchema>;

/**
 * Replies of `svc.router.chat.v1`, in order: `accepted` at once; then either `meta` + (`chunk`* + `end`) for streams or
 * `meta` + `completion` for non-streams; or `error` (before `meta`: nothing was sent to the client yet, so edge-api
 * answers with an HTTP error; after `meta`: an in-band stream error).
 */
export const RouterChatEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('accepted'), instanceId: z.string() }),
  z.object({ type: z.literal('meta'), meta: RouteMetaSchema }),
  z.object({ type: z.literal('chunk'), chunk: ChatCompletionChunkSchema }),
  z.object({ type: z.literal('completion'), completion: ChatCompletionSchema }),
  z.object({ type: z.literal('end'), usage: UsageSchema.nullable() }),
  z.object({ type: z.literal('error'), error: ErrorEnvelopeSchema }),
]);
export type RouterChatEvent = z.infer<typeof RouterChatEventSchema>;

export const RouterChatV1 = defineRequest('svc.router.chat.v1', RouterChatCommandSchema, RouterChatEventSchema);

/** Where a provider's config lives: the global files, or a user's rows. */
export const ProviderScopeSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('global') }),
  z.object({ kind: z.literal('user'), userId: z.number().int() }),
]);
export type ProviderScope = z.infer<typeof ProviderScopeSchema>;

/** router → provider-workers: one upstream call (one attempt). */
export const ProviderChatCommandSchema = z.object({
  requestId: z.string().min(1),
  attempt: z.number().int().positive(),
  scope: ProviderScopeSchema,
  providerId: z.string(),
  /** Upstream model id. */
  model: z.string(),
  body: ChatCompletionRequestSchema,
  stream: z.boolean(),
  /** Whether the caller asked for a usage chunk (`stream_options.include_usage`); usage is always collected upstream. */
  includeUsage: z.boolean(),
  /** Upper bound for the whole upstream call. */
  timeoutMs: z.number().int().positive(),
});
export type ProviderChatCommand = z.infer<typeof ProviderChatCommandSchema>;

export const ProviderChatEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('accepted'), instanceId: z.string() }),
  z.object({ type: z.literal('chunk'), chunk: ChatCompletionChunkSchema }),
  z.object({ type: z.literal('completion'), completion: ChatCompletionSchema }),
  z.object({ type: z.literal('end'), usage: UsageSchema.nullable() }),
  z.object({ type: z.literal('error'), error: ErrorEnvelopeSchema }),
]);
export type ProviderChatEvent = z.infer<typeof ProviderChatEventSchema>;

export const ProviderChatV1 = defineRequest('svc.provider.chat.v1', ProviderChatCommandSchema, ProviderChatEventSchema);

/** Broadcast when a client went away: every service holding work for the request aborts it. */
export const RequestCancelledV1 = defineEvent(
  'evt.request.cancelled.v1',
  z.object({ requestId: z.string(), reason: z.string() }),
);
