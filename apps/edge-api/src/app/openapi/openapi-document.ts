import { z } from 'zod';
import { type Operation, OPERATIONS, REQUEST_SCHEMAS, RESPONSE_SCHEMAS } from './api-operations';

const ACCESS_TEXT: Record<Operation['access'], string> = {
  public: 'No token.',
  any: 'A global token or any user token (ordinary users reach only their own routes).',
  admin: "A global token or an admin user's token; others get 403.",
  user: "A user token (the user is the token's owner); global tokens get 403.",
  'user-path': 'A user token whose owner is {username}; anyone else gets 403.',
};

const STATUS_TEXT: Record<number, string> = { 200: 'OK', 201: 'Created', 204: 'No content', 400: 'Invalid body (the message names the field)', 403: 'Forbidden', 404: 'Not found (also for ids of other users)', 409: 'Exists already', 503: 'Unavailable' };

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const { $schema: _s, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as Record<string, unknown>;
  return rest;
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

/** OpenAPI 3.1 for edge-api, generated from the zod schemas that validate the requests. */
export function buildOpenApiDocument(version = '0.1.0'): Record<string, unknown> {
  const schemas: Record<string, unknown> = {};
  for (const [name, s] of Object.entries(REQUEST_SCHEMAS)) schemas[name] = jsonSchema(s, 'input');
  for (const [name, s] of Object.entries(RESPONSE_SCHEMAS)) schemas[name] = jsonSchema(s, 'output');

  const paths: Record<string, Record<string, unknown>> = {};
  for (const o of OPERATIONS) {
    const params = [...o.path.matchAll(/\{(\w+)\}/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
    const query = Object.entries(o.query ?? {}).map(([name, description]) => ({ name, in: 'query', required: false, description, schema: { type: 'string' } }));
    const responses: Record<string, unknown> = {};
    for (const [status, schema] of Object.entries(o.responses)) {
      responses[status] = { description: STATUS_TEXT[Number(status)] ?? '', ...(schema ? { content: { 'application/json': { schema: ref(schema) } } } : {}) };
    }
    if (o.access !== 'public') {
      responses['401'] ??= { description: 'Missing, invalid, expired or revoked token, or disabled user', content: { 'application/json': { schema: ref('Error') } } };
      responses['429'] ??= { description: 'Rate limit or quota reached (the message names it and when it resets; Retry-After)', content: { 'application/json': { schema: ref('Error') } } };
    }
    (paths[o.path] ??= {})[o.method] = {
      tags: [o.tag],
      summary: o.summary,
      description: `Auth: ${ACCESS_TEXT[o.access]}`,
      'x-aisbf-access': o.access,
      ...(o.access === 'public' ? { security: [] } : {}),
      ...(params.length || query.length ? { parameters: [...params, ...query] } : {}),
      ...(o.body ? { requestBody: { required: true, content: { 'application/json': { schema: ref(o.body) } } } } : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'AISBF gateway API',
      version,
      description:
        'OpenAI-compatible chat, and the admin (/api/admin) and self-service (/api/user, /api/u/{username}) APIs. ' +
        'Errors are OpenAI-shaped: {"error":{"message","type","code","param"}}. Config bodies are the entries of ' +
        'providers.json, rotations.json and autoselect.json; unknown keys are rejected. Secrets are never returned (********).',
    },
    servers: [{ url: '/' }],
    security: [{ bearer: [] }],
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } }, schemas },
    tags: [...new Set(OPERATIONS.map((o) => o.tag))].map((name) => ({ name })),
    paths,
  };
}
