import { CreateTokenBodySchema, CreateUserBodySchema, CreateUserProviderBodySchema, CreateUserRotationBodySchema, RouteIdSchema } from './tenancy-api.schema';

describe('admin and self-service API schemas', () => {
  it('route bodies are the config-file entries plus an id, with unknown keys still rejected', () => {
    const ok = CreateUserProviderBodySchema.safeParse({ id: 'mine', type: 'openai', api_key_required: false });
    expect(ok.success).toBe(true);
    const unknown = CreateUserProviderBodySchema.safeParse({ id: 'mine', type: 'openai', api_key_required: false, nope: 1 });
    expect(unknown.success).toBe(false);
    expect(unknown.error?.issues[0]).toMatchObject({ code: 'unrecognized_keys', keys: ['nope'] });
    expect(CreateUserRotationBodySchema.safeParse({ id: 'r', model_name: 'r', providers: [] }).error?.issues[0]?.path).toEqual(['providers']);
  });

  it('route ids cannot break model names or URLs', () => {
    for (const id of ['coding', 'runpod-gpu-a', 'market-ref:1', 'a.b_c']) expect(RouteIdSchema.safeParse(id).success).toBe(true);
    for (const id of ['', 'a/b', '-x', 'sp ace', 'x'.repeat(129)]) expect(RouteIdSchema.safeParse(id).success).toBe(false);
  });

  it('users and tokens', () => {
    expect(CreateUserBodySchema.parse({ username: 'alice' })).toEqual({ username: 'alice', role: 'user', status: 'active' });
    expect(CreateUserBodySchema.safeParse({ username: 'a' }).success).toBe(false);
    expect(CreateTokenBodySchema.parse({})).toEqual({ scope: 'api' });
    const both = CreateTokenBodySchema.safeParse({ expires_at: new Date(Date.now() + 60_000).toISOString(), expires_in_days: 1 });
    expect(both.error?.issues[0]).toMatchObject({ path: ['expires_at'], message: 'give either `expires_at` or `expires_in_days`, not both' });
    expect(CreateTokenBodySchema.safeParse({ expires_at: '2000-01-01T00:00:00Z' }).error?.issues[0]?.message).toBe('must be in the future');
  });
});
