import { CreateUserBodySchema } from '@aisbf/contracts';
import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { EDGE_CONTROLLERS } from '../edge.module';
import { OPERATIONS, REQUEST_SCHEMAS } from './api-operations';
import { buildOpenApiDocument } from './openapi-document';

const METHODS: Partial<Record<RequestMethod, string>> = {
  [RequestMethod.GET]: 'get',
  [RequestMethod.POST]: 'post',
  [RequestMethod.PUT]: 'put',
  [RequestMethod.PATCH]: 'patch',
  [RequestMethod.DELETE]: 'delete',
};

const asList = (v: unknown): string[] => (Array.isArray(v) ? v : [v ?? '']).map(String);

/** Every route the controllers register, as `get /api/admin/users/{userId}`. */
function controllerRoutes(): string[] {
  const out: string[] = [];
  for (const ctrl of EDGE_CONTROLLERS) {
    const bases = asList(Reflect.getMetadata(PATH_METADATA, ctrl));
    const proto = (ctrl as { prototype: Record<string, unknown> }).prototype;
    for (const name of Object.getOwnPropertyNames(proto)) {
      const handler = proto[name];
      if (typeof handler !== 'function' || name === 'constructor') continue;
      const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
      if (method === undefined) continue;
      for (const base of bases) {
        for (const sub of asList(Reflect.getMetadata(PATH_METADATA, handler))) {
          const path = ('/' + [base, sub].filter((p) => p && p !== '/').join('/')).replace(/\/+/g, '/').replace(/:(\w+)/g, '{$1}').replace(/\*$/, '{model}');
          out.push(`${METHODS[method]} ${path}`);
        }
      }
    }
  }
  return out.sort();
}

describe('OpenAPI document', () => {
  it('describes exactly the routes the controllers serve', () => {
    const documented = OPERATIONS.map((o) => `${o.method} ${o.path}`).sort();
    expect(new Set(documented).size).toBe(documented.length);
    expect(documented).toEqual(controllerRoutes());
  });

  it('is generated from the schemas that validate the bodies (unknown keys rejected, fields described)', () => {
    const doc = buildOpenApiDocument() as { openapi: string; components: { schemas: Record<string, Record<string, unknown>> }; paths: Record<string, Record<string, unknown>> };
    expect(doc.openapi).toBe('3.1.0');
    expect(REQUEST_SCHEMAS['CreateUserBody']).toBe(CreateUserBodySchema);
    const user = doc.components.schemas['CreateUserBody']!;
    expect(user['additionalProperties']).toBe(false);
    expect(user['required']).toEqual(['username']);
    expect(Object.keys(user['properties'] as object)).toEqual(['username', 'display_name', 'email', 'role', 'status', 'tier_id']);
    const provider = doc.components.schemas['ProviderConfig']!;
    expect(provider['required']).toEqual(['type', 'api_key_required']);
    expect(doc.paths['/api/admin/users']!['post']).toMatchObject({ 'x-aisbf-access': 'admin', requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/CreateUserBody' } } } } });
    for (const o of OPERATIONS) {
      for (const name of [o.body, ...Object.values(o.responses)]) if (name) expect(doc.components.schemas[name]).toBeDefined();
    }
  });
});
