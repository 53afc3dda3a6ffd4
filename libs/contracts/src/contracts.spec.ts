import {
  ChatCompletionRequestSchema,
  ErrorEnvelopeSchema,
  ProviderChatV1,
  RotationEntrySchema,
  RouterChatEventSchema,
  RouterChatV1,
  UsageRecordJobV1,
  pingContract,
} from './index';

describe('OpenAI request schema', () => {
  it('keeps every field it does not know (pass-through)', () => {
    const body = { model: 'p/m', messages: [{ role: 'user', content: 'hi', cache_control: { type: 'ephemeral' } }], top_p: 0.5, seed: 7, vendor_field: { a: 1 } };
    const parsed = ChatCompletionRequestSchema.parse(body);
    expect(parsed).toEqual(body);
  });

  it('names what is wrong', () => {
    const r = ChatCompletionRequestSchema.safeParse({ model: 'x' });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path).toEqual(['messages']);
    expect(r.error?.issues[0]?.message).toContain('`messages` is required');
    const role = ChatCompletionRequestSchema.safeParse({ model: 'x', messages: [{ role: 'robot', content: 'x' }] });
    expect(role.error?.issues[0]?.message).toContain('role must be one of');
  });
});

describe('message contracts', () => {
  it('are one value each: a versioned subject and schemas', () => {
    for (const c of [RouterChatV1, ProviderChatV1, pingContract('router')]) expect(c.subject).toMatch(/^svc\.[a-z-]+\.[a-z]+\.v\d+$/);
    expect(UsageRecordJobV1).toMatchObject({ kind: 'job', queue: 'usage', name: 'record.v1' });
  });

  it('router events are a discriminated union', () => {
    expect(RouterChatEventSchema.parse({ type: 'end', usage: null })).toEqual({ type: 'end', usage: null });
    expect(RouterChatEventSchema.safeParse({ type: 'nope' }).success).toBe(false);
    expect(RouterChatEventSchema.safeParse({ type: 'error', error: { code: 'NOT_A_CODE', message: 'x', retryable: false } }).success).toBe(false);
  });

  it('the error envelope only accepts known codes', () => {
    expect(ErrorEnvelopeSchema.parse({ code: 'RATE_LIMITED', message: 'slow', retryable: true, retryAfterMs: 1000 }).retryAfterMs).toBe(1000);
  });
});

describe('rotation entries', () => {
  it('accept the flat and the nested form, not both at once', () => {
    expect(RotationEntrySchema.safeParse({ provider_id: 'a', model: 'm', weight: 3, error_cooldown: 120 }).success).toBe(true);
    expect(RotationEntrySchema.safeParse({ provider_id: 'a', weight: 2, models: [{ name: 'm', weight: 1 }] }).success).toBe(true);
    expect(RotationEntrySchema.safeParse({ provider_id: 'a', model: 'm', models: [{ name: 'm' }] }).success).toBe(false);
    expect(RotationEntrySchema.safeParse({ provider_id: 'a', model: 'm', bogus: 1 }).success).toBe(false);
  });
});
