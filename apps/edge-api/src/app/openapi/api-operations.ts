import {
  AutoselectConfigSchema,
  ChatCompletionRequestSchema,
  ChatCompletionSchema,
  CreatedTokenViewSchema,
  CreateTierBodySchema,
  CreateTokenBodySchema,
  CreateUserAutoselectBodySchema,
  CreateUserBodySchema,
  CreateUserProviderBodySchema,
  CreateUserRotationBodySchema,
  ListOf,
  MeViewSchema,
  ModelEntrySchema,
  ModelListSchema,
  OpenAIErrorBodySchema,
  ProviderConfigSchema,
  QuotaUsageSchema,
  RouteDecisionViewSchema,
  RotationConfigSchema,
  RouteViewSchema,
  TierViewSchema,
  TokenViewSchema,
  UpdateTierBodySchema,
  UpdateUserBodySchema,
  UpstreamModelSchema,
  UserViewSchema,
} from '@aisbf/contracts';
import { z } from 'zod';
import type { AccessPolicy } from '../auth/access';

/**
 * Every HTTP endpoint of edge-api, for the OpenAPI document. Request bodies are the very schemas the controllers
 * validate with (imported from @aisbf/contracts), so the document cannot drift from the validation; a unit test checks
 * that this list and the controllers' routes are the same set.
 */
export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface Operation {
  method: Method;
  /** OpenAPI form: `/api/admin/users/{userId}`. */
  path: string;
  tag: string;
  summary: string;
  access: AccessPolicy | 'public';
  body?: string;
  query?: Record<string, string>;
  /** status → response schema name (undefined: no body). */
  responses: Record<number, string | undefined>;
}

export const REQUEST_SCHEMAS: Record<string, z.ZodType> = {
  ChatCompletionRequest: ChatCompletionRequestSchema,
  CreateUserBody: CreateUserBodySchema,
  UpdateUserBody: UpdateUserBodySchema,
  CreateTokenBody: CreateTokenBodySchema,
  CreateTierBody: CreateTierBodySchema,
  UpdateTierBody: UpdateTierBodySchema,
  ProviderConfig: ProviderConfigSchema,
  RotationConfig: RotationConfigSchema,
  AutoselectConfig: AutoselectConfigSchema,
  CreateUserProviderBody: CreateUserProviderBodySchema,
  CreateUserRotationBody: CreateUserRotationBodySchema,
  CreateUserAutoselectBody: CreateUserAutoselectBodySchema,
};

export const RESPONSE_SCHEMAS: Record<string, z.ZodType> = {
  Error: OpenAIErrorBodySchema,
  ChatCompletion: ChatCompletionSchema,
  ModelList: ModelListSchema,
  Model: ModelEntrySchema,
  UserView: UserViewSchema,
  UserList: ListOf(UserViewSchema),
  TokenView: TokenViewSchema,
  CreatedTokenView: CreatedTokenViewSchema,
  TokenList: ListOf(TokenViewSchema),
  TierView: TierViewSchema,
  TierList: ListOf(TierViewSchema),
  RouteView: RouteViewSchema,
  RouteList: ListOf(RouteViewSchema),
  MeView: MeViewSchema,
  QuotaUsageList: ListOf(QuotaUsageSchema),
  UpstreamModelList: z.object({ object: z.literal('list'), data: z.array(UpstreamModelSchema) }),
  UserProviders: z.object({ providers: z.record(z.string(), z.record(z.string(), z.unknown())) }),
  UserRotations: z.object({ rotations: z.record(z.string(), z.record(z.string(), z.unknown())) }),
  UserAutoselects: z.object({ autoselects: z.record(z.string(), z.record(z.string(), z.unknown())) }),
  RotationMap: z.record(z.string(), z.record(z.string(), z.unknown())),
  Rotation: z.record(z.string(), z.unknown()),
  RotationMembers: z.object({ data: z.array(z.record(z.string(), z.unknown())) }),
  ProviderState: z.record(z.string(), z.unknown()),
  AutoselectMap: z.record(z.string(), z.record(z.string(), z.unknown())),
  Autoselect: z.record(z.string(), z.unknown()),
  AutoselectMembers: z.object({ data: z.array(z.record(z.string(), z.unknown())) }),
  DecisionList: ListOf(RouteDecisionViewSchema),
};

const op = (method: Method, path: string, tag: string, access: Operation['access'], summary: string, responses: Operation['responses'], extra: Partial<Operation> = {}): Operation => ({
  method,
  path,
  tag,
  access,
  summary,
  responses,
  ...extra,
});

const chat = (path: string, tag: string, access: AccessPolicy, summary: string) =>
  op('post', path, tag, access, summary, { 200: 'ChatCompletion' }, { body: 'ChatCompletionRequest' });

const ROUTE_KINDS = [
  { path: 'providers', name: 'provider', config: 'ProviderConfig', create: 'CreateUserProviderBody' },
  { path: 'rotations', name: 'rotation', config: 'RotationConfig', create: 'CreateUserRotationBody' },
  { path: 'autoselects', name: 'autoselect', config: 'AutoselectConfig', create: 'CreateUserAutoselectBody' },
] as const;

export const OPERATIONS: Operation[] = [
  op('get', '/openapi.json', 'Docs', 'public', 'This document', { 200: undefined }),
  op('get', '/docs', 'Docs', 'public', 'Browsable documentation of this API (HTML)', { 200: undefined }),
  op('get', '/health', 'Health', 'public', 'Liveness', { 200: undefined }),
  op('get', '/health/ready', 'Health', 'public', 'Readiness: MySQL, Redis, NATS and every service answer', { 200: undefined, 503: undefined }),

  // OpenAI-compatible
  ...['/v1/chat/completions', '/api/v1/chat/completions'].map((p) =>
    chat(p, 'OpenAI', 'any', 'Chat completion (stream or not). User tokens: own routes (user-provider/…, user-rotation/…, user-autoselect/…); global routes for admin users only'),
  ),
  ...['/v1/models', '/api/v1/models', '/api/models'].map((p) => op('get', p, 'OpenAI', 'any', 'The models the caller may use; every id is accepted by chat', { 200: 'ModelList' })),
  ...['/v1/models/{model}', '/api/v1/models/{model}'].map((p) => op('get', p, 'OpenAI', 'any', 'One model the caller may use', { 200: 'Model', 404: 'Error' })),
  chat('/api/{providerId}/chat/completions', 'Global routes', 'any', 'Chat with a global provider (model = the upstream model id); ordinary users get 403'),
  chat('/api/rotations/chat/completions', 'Global routes', 'any', 'Chat with a global rotation (model = its id); ordinary users get 403'),
  ...['/api/autoselect/chat/completions', '/api/autoselections/chat/completions'].map((p) =>
    chat(p, 'Global routes', 'any', 'Chat with a global autoselect (model = its id); ordinary users get 403'),
  ),
  op('get', '/api/{providerId}/models', 'Global routes', 'any', "A global provider's models (configured, else the cached live listing); ordinary users get 403", { 200: 'ModelList', 404: 'Error' }),
  op('get', '/api/rotations', 'Global routes', 'admin', 'The global rotations: {id: {model_name, models}}', { 200: 'RotationMap' }),
  op('get', '/api/rotations/models', 'Global routes', 'admin', "Every global rotation's members, flattened", { 200: 'RotationMembers' }),
  op('get', '/api/rotations/{id}', 'Global routes', 'admin', 'One global rotation with the live state (cooldown, half-open probe, limits) of each candidate', { 200: 'Rotation', 404: 'Error' }),
  op('get', '/api/autoselect', 'Global routes', 'admin', 'The global autoselects: {id: {model_name, description, fallback, available_models}}', { 200: 'AutoselectMap' }),
  ...['/api/autoselect/models', '/api/autoselections/models'].map((p) =>
    op('get', p, 'Global routes', 'admin', "Every global autoselect's candidates, flattened, with the route each resolves to and its privacy mark", { 200: 'AutoselectMembers' }),
  ),
  op('get', '/api/autoselect/{id}', 'Global routes', 'admin', "One global autoselect's configuration", { 200: 'Autoselect', 404: 'Error' }),
  op('get', '/api/admin/providers/{id}/state', 'Admin: providers', 'admin', "A global provider's manual-disable state and the cooldowns of its models", { 200: 'ProviderState', 404: 'Error' }),
  op('post', '/api/admin/providers/{id}/disable', 'Admin: providers', 'admin', 'Disable a global provider on every router replica (until enabled)', { 200: 'ProviderState', 404: 'Error' }),
  op('post', '/api/admin/providers/{id}/enable', 'Admin: providers', 'admin', 'Enable a global provider again and clear its cooldowns', { 200: 'ProviderState', 404: 'Error' }),

  // User-scoped chat and listings
  chat('/api/user/chat/completions', 'User chat', 'user', "Chat as the token's user: model = user-provider/<provider_id>/<model>, user-rotation/<id>, user-autoselect/<id>"),
  op('get', '/api/user/models', 'User chat', 'user', "The token user's models (the ids chat accepts)", { 200: 'ModelList' }),
  chat('/api/u/{username}/chat/completions', 'User chat', 'user-path', 'Chat as {username} (must be the token owner)'),
  op('get', '/api/u/{username}/models', 'User chat', 'user-path', "{username}'s models (the ids chat accepts)", { 200: 'ModelList' }),
  op('get', '/api/u/{username}/models/{model}', 'User chat', 'user-path', "One of {username}'s models", { 200: 'Model', 404: 'Error' }),
  op('get', '/api/u/{username}/providers', 'User chat', 'user-path', "{username}'s providers (original shape; secrets masked)", { 200: 'UserProviders' }),
  op('get', '/api/u/{username}/rotations', 'User chat', 'user-path', "{username}'s rotations (original shape)", { 200: 'UserRotations' }),
  op('get', '/api/u/{username}/autoselects', 'User chat', 'user-path', "{username}'s autoselects (original shape)", { 200: 'UserAutoselects' }),

  // Self-service
  op('get', '/api/user/me', 'Self-service', 'user', 'The token, its user, tier and quota usage', { 200: 'MeView' }),
  op('get', '/api/user/tokens', 'Self-service', 'user', 'My API tokens (never the tokens themselves)', { 200: 'TokenList' }),
  op('post', '/api/user/tokens', 'Self-service', 'user', 'Create a token (shown once, in this answer)', { 201: 'CreatedTokenView', 400: 'Error', 403: 'Error' }, { body: 'CreateTokenBody' }),
  op('delete', '/api/user/tokens/{tokenId}', 'Self-service', 'user', 'Revoke one of my tokens (every replica refuses it within a second)', { 200: 'TokenView', 404: 'Error' }),
  ...ROUTE_KINDS.flatMap((k) => [
    op('get', `/api/user/${k.path}`, 'Self-service', 'user', `My ${k.path} (secrets masked)`, { 200: 'RouteList' }),
    op('post', `/api/user/${k.path}`, 'Self-service', 'user', `Create a ${k.name}: the ${k.path}.json entry plus its id`, { 201: 'RouteView', 400: 'Error', 409: 'Error' }, { body: k.create }),
    op('get', `/api/user/${k.path}/{id}`, 'Self-service', 'user', `One of my ${k.path}`, { 200: 'RouteView', 404: 'Error' }),
    op('put', `/api/user/${k.path}/{id}`, 'Self-service', 'user', `Create or replace a ${k.name} (a secret sent back as ******** keeps its stored value)`, { 200: 'RouteView', 201: 'RouteView', 400: 'Error' }, { body: k.config }),
    op('delete', `/api/user/${k.path}/{id}`, 'Self-service', 'user', `Delete a ${k.name}`, { 204: undefined, 404: 'Error' }),
  ]),
  op('post', '/api/user/providers/{id}/fetch-models', 'Self-service', 'user', "The models the provider's upstream lists right now", { 200: 'UpstreamModelList', 404: 'Error' }),

  // Admin
  op('get', '/api/admin/users', 'Admin: users', 'admin', 'List users', { 200: 'UserList' }, { query: { username: 'exact username', status: 'active | disabled', role: 'admin | user' } }),
  op('post', '/api/admin/users', 'Admin: users', 'admin', 'Create a user (the default tier unless tier_id is given)', { 201: 'UserView', 400: 'Error', 409: 'Error' }, { body: 'CreateUserBody' }),
  op('get', '/api/admin/users/{userId}', 'Admin: users', 'admin', 'One user', { 200: 'UserView', 404: 'Error' }),
  op('patch', '/api/admin/users/{userId}', 'Admin: users', 'admin', 'Update a user (status, role, tier reach every replica at once)', { 200: 'UserView', 400: 'Error', 404: 'Error' }, { body: 'UpdateUserBody' }),
  op('post', '/api/admin/users/{userId}/disable', 'Admin: users', 'admin', "Disable a user: its tokens stop working at once", { 200: 'UserView', 404: 'Error' }),
  op('post', '/api/admin/users/{userId}/enable', 'Admin: users', 'admin', 'Enable a user', { 200: 'UserView', 404: 'Error' }),
  op('get', '/api/admin/users/{userId}/tokens', 'Admin: users', 'admin', "A user's tokens", { 200: 'TokenList', 404: 'Error' }),
  op('post', '/api/admin/users/{userId}/tokens', 'Admin: users', 'admin', 'Issue a token for a user (shown once)', { 201: 'CreatedTokenView', 400: 'Error', 404: 'Error' }, { body: 'CreateTokenBody' }),
  op('delete', '/api/admin/users/{userId}/tokens/{tokenId}', 'Admin: users', 'admin', "Revoke a user's token", { 200: 'TokenView', 404: 'Error' }),
  op('get', '/api/admin/users/{userId}/usage', 'Admin: users', 'admin', "A user's quota usage in the current day and month", { 200: 'QuotaUsageList', 404: 'Error' }),
  ...ROUTE_KINDS.flatMap((k) => [
    op('get', `/api/admin/users/{userId}/${k.path}`, 'Admin: users', 'admin', `A user's ${k.path} (secrets masked)`, { 200: 'RouteList', 404: 'Error' }),
    op('get', `/api/admin/users/{userId}/${k.path}/{routeId}`, 'Admin: users', 'admin', `One of a user's ${k.path}`, { 200: 'RouteView', 404: 'Error' }),
  ]),
  op('get', '/api/admin/decisions', 'Admin: decisions', 'admin', 'Recent autoselect decisions, newest first: privacy/NSFW verdicts (rule ids, never text), candidates left by each filter, the selection answer, the route that served', { 200: 'DecisionList', 400: 'Error' }, {
    query: { autoselect: 'autoselect/<id>, user-autoselect/<id>, or a bare id (both)', caller: 'caller label, e.g. global:0 or user:alice', limit: '1-500, default 50' },
  }),
  op('get', '/api/admin/tiers', 'Admin: tiers', 'admin', 'List tiers', { 200: 'TierList' }),
  op('post', '/api/admin/tiers', 'Admin: tiers', 'admin', 'Create a tier (null limit = unlimited, 0 = not permitted)', { 201: 'TierView', 400: 'Error', 409: 'Error' }, { body: 'CreateTierBody' }),
  op('get', '/api/admin/tiers/{tierId}', 'Admin: tiers', 'admin', 'One tier', { 200: 'TierView', 404: 'Error' }),
  op('patch', '/api/admin/tiers/{tierId}', 'Admin: tiers', 'admin', 'Update a tier (reaches cached tokens at once)', { 200: 'TierView', 400: 'Error', 404: 'Error' }, { body: 'UpdateTierBody' }),
  op('delete', '/api/admin/tiers/{tierId}', 'Admin: tiers', 'admin', 'Delete a tier (its users keep working without quotas)', { 204: undefined, 404: 'Error' }),
];
