// Autoselect through the whole stack (five services as processes) with the official openai SDK. Two fake upstreams:
// `pub` serves every public model — the candidates, the fallback AND the selection model — and `priv` the self-hosted,
// privacy-marked ones. The promise under test: a private prompt reaches only privacy routes, and `pub` sees nothing of
// it, not even a selection prompt. Also: semantic selection over described candidates, fallback on a broken selection
// model, a failing classifier treated as private (422 when no privacy route exists), streaming, a user autoselect with
// a user token, the audit row and the admin listing, and the decision headers.
import { eventually, httpJson, startFakeOpenAI, startStack, type FakeOpenAI, type JsonResponse, type Stack } from '@aisbf/testing';
import OpenAI from 'openai';
import { randomBytes, randomUUID } from 'node:crypto';
import { GLOBAL_TOKEN, openaiProvider, writeConfig } from './support/config';
import { UsageDb } from './support/http';

const tag = (id: string) => `<aisbf_model_autoselection>${id}</aisbf_model_autoselection>`;
// Secret-shaped values built at run time: nothing secret-looking is committed.
const secretsSent: string[] = [];
const remember = (s: string) => (secretsSent.push(s), s);
const awsKey = () => remember(['AK', 'IA', randomBytes(16).toString('hex').toUpperCase().replace(/[^A-Z2-7]/g, 'Q').slice(0, 16)].join(''));
const customerEmail = () => remember(`jane.${randomBytes(3).toString('hex')}@acme-customer.io`);

const CANDIDATES = [
  { model_id: 'rotation/coding', description: 'Programming: writing, refactoring and debugging code', priority: 10, capabilities: ['tool_use'] },
  { model_id: 'rotation/writing', description: 'Prose: emails, essays, poems, translations', priority: 5 },
  { model_id: 'rotation/local', description: 'Self-hosted model on our own GPUs, for private data', privacy: true, priority: 1 },
];

let stack: Stack;
let pub: FakeOpenAI;
let priv: FakeOpenAI;
let alicePub: FakeOpenAI;
let alicePriv: FakeOpenAI;
let client: OpenAI;
let db: UsageDb;
const alice = { id: 0, token: '' };

const call = (method: string, path: string, token: string | undefined = GLOBAL_TOKEN, body?: unknown): Promise<JsonResponse> => httpJson(stack.baseUrl, method, path, { token, body });
const chats = (f: FakeOpenAI) => f.requests.filter((r) => r.path.startsWith('/v1/chat/completions'));
const chatModels = (f: FakeOpenAI) => chats(f).map((r) => (r.body as { model: string }).model);
const msg = (model: string, content: string) => ({ model, messages: [{ role: 'user' as const, content }] });

async function apiError(p: Promise<unknown>): Promise<InstanceType<typeof OpenAI.APIError>> {
  try {
    await p;
  } catch (err) {
    if (err instanceof OpenAI.APIError) return err;
    throw err;
  }
  throw new Error('expected an API error');
}

beforeAll(async () => {
  [pub, priv, alicePub, alicePriv] = await Promise.all([startFakeOpenAI(), startFakeOpenAI(), startFakeOpenAI(), startFakeOpenAI()]);
  const rotation = (provider: string, model: string, extra: Record<string, unknown> = {}) => ({ model_name: model, providers: [{ provider_id: provider, model, weight: 1 }], ...extra });
  const configDir = writeConfig({
    providers: {
      providers: {
        pub: openaiProvider('pub', pub.url, ['coder', 'writer', 'general', 'selector']),
        priv: { ...openaiProvider('priv', priv.url, []), models: [{ name: 'local', privacy: true }, { name: 'judge', privacy: true }] },
      },
    },
    rotations: {
      rotations: {
        coding: rotation('pub', 'coder'),
        writing: rotation('pub', 'writer'),
        general: rotation('pub', 'general'),
        selector: rotation('pub', 'selector'),
        local: rotation('priv', 'local', { privacy: true }),
        judge: rotation('priv', 'judge', { privacy: true }),
      },
    },
    autoselect: {
      engineering: {
        model_name: 'engineering',
        description: 'Coding, writing, and private data kept on our own GPUs',
        fallback: 'rotation/general',
        selection_model: 'rotation/selector',
        classify_privacy: true,
        selection_timeout: 5,
        available_models: CANDIDATES,
      },
      // Privacy judged by a classifier route (privacy-marked) that is broken; no privacy candidate at all.
      guarded: {
        model_name: 'guarded',
        fallback: 'rotation/general',
        selection_model: 'rotation/selector',
        privacy_classifier: 'rotation/judge',
        available_models: CANDIDATES.filter((c) => !c.privacy),
      },
    },
  });
  stack = await startStack({ configDir, env: { AISBF_SECRET_KEY: randomBytes(32).toString('hex') } });
  client = new OpenAI({ apiKey: GLOBAL_TOKEN, baseURL: `${stack.baseUrl}/v1`, maxRetries: 0, timeout: 30_000 });
  db = await UsageDb.open(stack.env['DATABASE_URL']!, stack.dbName);

  // alice: her own providers, rotations and an autoselect (selection_model internal → by priority).
  const u = await call('POST', '/api/admin/users', GLOBAL_TOKEN, { username: 'alice' });
  expect(u.status).toBe(201);
  alice.id = u.body.id;
  alice.token = (await call('POST', `/api/admin/users/${alice.id}/tokens`, GLOBAL_TOKEN, {})).body.token;
  expect((await call('POST', '/api/user/providers', alice.token, openaiProvider('cloud', alicePub.url, ['m-public']))).status).toBe(201);
  expect((await call('POST', '/api/user/providers', alice.token, { ...openaiProvider('gpu', alicePriv.url, []), models: [{ name: 'm-private', privacy: true }] })).status).toBe(201);
  expect((await call('PUT', '/api/user/rotations/coding', alice.token, rotation('cloud', 'm-public'))).status).toBe(201);
  expect((await call('PUT', '/api/user/rotations/private', alice.token, rotation('gpu', 'm-private', { privacy: true }))).status).toBe(201);
  const put = await call('PUT', '/api/user/autoselects/engineering', alice.token, {
    model_name: 'engineering',
    fallback: 'user-rotation/coding',
    classify_privacy: true,
    available_models: [
      { model_id: 'user-rotation/coding', description: 'hosted', priority: 5 },
      { model_id: 'user-rotation/private', description: 'my own GPU', privacy: true, priority: 1 },
    ],
  });
  expect(put.status).toBe(201);
}, 180_000);

afterAll(async () => {
  await db?.close();
  await stack?.close();
  await Promise.all([pub, priv, alicePub, alicePriv].map((f) => f?.close()));
});

beforeEach(() => {
  for (const f of [pub, priv, alicePub, alicePriv]) f.reset();
});

describe('semantic selection over described candidates', () => {
  it('an ordinary prompt goes to the candidate the selection model chooses from the descriptions; the headers say why', async () => {
    pub.setForModel('selector', { kind: 'text', content: tag('rotation/writing') });
    const { data, response } = await client.chat.completions.create(msg('autoselect/engineering', 'Write a limerick about a sleepy cat')).withResponse();
    expect(data.choices[0]!.message.content).toBe('echo: Write a limerick about a sleepy cat');
    expect(chatModels(pub)).toEqual(['selector', 'writer']);
    const prompt = (chats(pub)[0]!.body as { messages: Array<{ role: string; content: string }> }).messages;
    expect(prompt[1]!.content).toContain('<model_id>rotation/writing</model_id><model_description>Prose: emails, essays, poems, translations</model_description>');
    expect(prompt[1]!.content).toContain('<aisbf_autoselect_fallback>rotation/general</aisbf_autoselect_fallback>');
    expect(response.headers.get('x-aisbf-route')).toBe('rotation/writing');
    expect(response.headers.get('x-aisbf-autoselect')).toBe('autoselect/engineering');
    expect(response.headers.get('x-aisbf-provider')).toBe('pub');
    expect(response.headers.get('x-aisbf-model')).toBe('writer');
    expect(response.headers.get('x-aisbf-decision')).toBe('privacy=public;nsfw=off;candidates=3;selected=rotation/writing;via=semantic');
  });

  it('POST /api/autoselect/chat/completions takes the bare autoselect id', async () => {
    pub.setForModel('selector', { kind: 'text', content: tag('rotation/coding') });
    const viaApi = new OpenAI({ apiKey: GLOBAL_TOKEN, baseURL: `${stack.baseUrl}/api/autoselect`, maxRetries: 0 });
    const { data, response } = await viaApi.chat.completions.create(msg('engineering', 'Refactor this function into two')).withResponse();
    expect(data.choices[0]!.message.content).toBe('echo: Refactor this function into two');
    expect(response.headers.get('x-aisbf-route')).toBe('rotation/coding');
    expect(chatModels(pub)).toEqual(['selector', 'coder']);
  });

  it('falls back when the selection model is broken', async () => {
    pub.setForModel('selector', { kind: 'error', status: 500 });
    const { data, response } = await client.chat.completions.create(msg('autoselect/engineering', `Plan a team offsite (${randomUUID()})`)).withResponse();
    expect(data.choices[0]!.message.content).toMatch(/^echo: Plan a team offsite/);
    expect(response.headers.get('x-aisbf-route')).toBe('rotation/general');
    expect(response.headers.get('x-aisbf-decision')).toBe('privacy=public;nsfw=off;candidates=3;selected=rotation/general;via=fallback');
    expect(chatModels(pub)).toEqual(['selector', 'general']);
  });

  it('streams through an autoselect (the chosen route primed before anything is sent)', async () => {
    pub.setForModel('selector', { kind: 'text', content: tag('rotation/coding') });
    pub.setForModel('coder', { kind: 'text', chunks: ['def ', 'add(a, b):', ' return a + b'] });
    const { data, response } = await client.chat.completions.create({ ...msg('autoselect/engineering', `Write an add function (${randomUUID()})`), stream: true }).withResponse();
    let text = '';
    for await (const c of data) text += c.choices[0]?.delta?.content ?? '';
    expect(text).toBe('def add(a, b): return a + b');
    expect(response.headers.get('content-type')).toMatch(/text\/event-stream/);
    expect(response.headers.get('x-aisbf-route')).toBe('rotation/coding');
    expect(response.headers.get('x-aisbf-decision')).toMatch(/via=semantic$/);
    expect((chats(pub)[0]!.body as { stream?: boolean }).stream).toBeFalsy(); // the selection call itself is not streamed
  });
});

describe('privacy fails closed', () => {
  it('a private prompt (a key, a customer email in an earlier turn) reaches only the privacy route; the public upstream receives nothing at all', async () => {
    pub.setForModel('selector', { kind: 'text', content: tag('rotation/coding') });
    const key = awsKey();
    const email = customerEmail();
    const messages = [
      { role: 'user' as const, content: `Customer ${email} cannot log in since Tuesday.` },
      { role: 'assistant' as const, content: 'Can you share the deploy script?' },
      { role: 'user' as const, content: `Here: export AWS_ACCESS_KEY_ID=${key}` },
    ];
    for (const stream of [false, true]) {
      const { data, response } = await client.chat.completions.create({ model: 'autoselect/engineering', messages, stream } as OpenAI.ChatCompletionCreateParamsNonStreaming).withResponse();
      if (stream) for await (const _ of data as unknown as AsyncIterable<unknown>) void _;
      expect(response.headers.get('x-aisbf-route')).toBe('rotation/local');
      expect(response.headers.get('x-aisbf-provider')).toBe('priv');
      expect(response.headers.get('x-aisbf-decision')).toMatch(/^privacy=private\((pii\.email,secret\.aws_key|secret\.aws_key,pii\.email)\);nsfw=off;candidates=1;selected=rotation\/local;via=only-candidate$/);
    }
    expect(chatModels(priv)).toEqual(['local', 'local']);
    expect(chats(pub)).toHaveLength(0);
    expect(JSON.stringify(pub.requests)).not.toContain(key);
    expect(JSON.stringify(pub.requests)).not.toContain(email);
  });

  it('a classifier route that fails makes the request private (fail closed): 422 when no privacy route exists, nothing sent', async () => {
    priv.setForModel('judge', { kind: 'error', status: 500 });
    const err = await apiError(client.chat.completions.create(msg('autoselect/guarded', 'What is the capital of France?')));
    expect(err.status).toBe(422);
    expect(err.code).toBe('privacy_refused');
    expect(err.message).toMatch(/judged private \(privacy classifier failed, treated as private\)/);
    expect(err.message).toMatch(/Nothing was sent upstream/);
    expect(err.headers?.get('x-aisbf-decision')).toBe('privacy=private(classifier:failed);nsfw=off;candidates=0;selected=none;via=refused(PRIVACY_REFUSED)');
    expect(chatModels(priv)).toEqual(['judge']); // only the (privacy-marked) classifier was asked
    expect(chats(pub)).toHaveLength(0);
  });

  it('the same autoselect routes normally when the classifier answers NO', async () => {
    priv.setForModel('judge', { kind: 'text', content: 'NO' });
    pub.setForModel('selector', { kind: 'text', content: tag('rotation/writing') });
    const { response } = await client.chat.completions.create(msg('autoselect/guarded', 'What is the capital of France?')).withResponse();
    expect(response.headers.get('x-aisbf-route')).toBe('rotation/writing');
    expect(response.headers.get('x-aisbf-decision')).toBe('privacy=public;nsfw=off;candidates=2;selected=rotation/writing;via=semantic');
  });
});

describe('user autoselects', () => {
  it("run with the user's token, on /v1 and /api/u/{username}, streaming and not; private text stays on the user's privacy route", async () => {
    const ids = (await call('GET', '/api/u/alice/models', alice.token)).body.data.map((m: { id: string }) => m.id);
    expect(ids).toContain('user-autoselect/engineering');
    const v1 = new OpenAI({ apiKey: alice.token, baseURL: `${stack.baseUrl}/v1`, maxRetries: 0 });
    const path = new OpenAI({ apiKey: alice.token, baseURL: `${stack.baseUrl}/api/u/alice`, maxRetries: 0 });
    const a = await v1.chat.completions.create(msg('user-autoselect/engineering', 'hello there')).withResponse();
    expect(a.data.choices[0]!.message.content).toBe('echo: hello there');
    expect(a.response.headers.get('x-aisbf-route')).toBe('user-rotation/coding');
    expect(a.response.headers.get('x-aisbf-decision')).toBe('privacy=public;nsfw=off;candidates=2;selected=user-rotation/coding;via=priority');
    const key = awsKey();
    const b = await path.chat.completions.create({ ...msg('user-autoselect/engineering', `my key is ${key}`), stream: true }).withResponse();
    let text = '';
    for await (const c of b.data) text += c.choices[0]?.delta?.content ?? '';
    expect(text).toBe(`echo: my key is ${key}`);
    expect(b.response.headers.get('x-aisbf-route')).toBe('user-rotation/private');
    expect(chatModels(alicePub)).toEqual(['m-public']);
    expect(chatModels(alicePriv)).toEqual(['m-private']);
    expect(JSON.stringify(alicePub.requests)).not.toContain(key);
    expect(chats(pub)).toHaveLength(0);
  });
});

describe('audit and listings', () => {
  it('stores each decision (rule ids, never the text) and lists it on GET /api/admin/decisions', async () => {
    const key = awsKey();
    const { response } = await client.chat.completions.create(msg('autoselect/engineering', `rotate ${key} today`)).withResponse();
    const requestId = response.headers.get('x-aisbf-request-id')!;
    const rows = await eventually(async () => {
      const r = await db.decisionRows(requestId);
      expect(r).toHaveLength(1);
      return r;
    }, { timeoutMs: 15_000 });
    expect(rows[0]).toMatchObject({ autoselect: 'autoselect/engineering', outcome: 'routed', privacy: 'private', routeChosen: 'rotation/local', routeTaken: 'rotation/local', selectionVia: 'only-candidate', caller: 'global:0' });
    expect(JSON.stringify(rows[0])).not.toContain(key);

    const listed = await call('GET', '/api/admin/decisions?autoselect=engineering&limit=5');
    expect(listed.status).toBe(200);
    const mine = listed.body.data.find((d: { requestId: string }) => d.requestId === requestId);
    expect(mine).toMatchObject({
      autoselect: 'autoselect/engineering',
      privacy: 'private',
      privacyRules: ['secret.aws_key'],
      failClosed: false,
      candidates: {
        configured: ['rotation/coding', 'rotation/writing', 'rotation/local'],
        stages: [{ stage: 'privacy', remaining: ['rotation/local'], removed: [{ id: 'rotation/coding', reason: 'not-privacy-marked' }, { id: 'rotation/writing', reason: 'not-privacy-marked' }] }],
        fallback: { id: 'rotation/general', allowed: false, reason: 'fallback-not-privacy-marked' },
      },
      selection: { via: 'only-candidate', answer: null },
      routeTaken: 'rotation/local',
      header: response.headers.get('x-aisbf-decision'),
    });
    expect(mine.decisionMs).toEqual(expect.any(Number));
    expect(listed.body.data.length).toBeLessThanOrEqual(5);
    expect(JSON.stringify(listed.body)).not.toContain(key);

    // The refusal of the guarded autoselect is audited too, and the caller filter works.
    priv.setForModel('judge', { kind: 'error', status: 500 });
    const refused = await apiError(client.chat.completions.create(msg('autoselect/guarded', 'hi')));
    const refusedId = refused.headers?.get('x-aisbf-request-id');
    const byCaller = await eventually(async () => {
      const r = await call('GET', '/api/admin/decisions?caller=global:0&autoselect=autoselect/guarded');
      expect(r.body.data.map((d: { requestId: string }) => d.requestId)).toContain(refusedId);
      return r;
    }, { timeoutMs: 15_000 });
    expect(byCaller.body.data.find((d: { requestId: string }) => d.requestId === refusedId)).toMatchObject({ outcome: 'refused', errorCode: 'PRIVACY_REFUSED', privacyClassifier: 'failed', failClosed: true, routeTaken: null });
    expect(byCaller.body.data.every((d: { autoselect: string }) => d.autoselect === 'autoselect/guarded')).toBe(true);
  });

  it('the admin listing is for admins, and validates its query', async () => {
    expect((await call('GET', '/api/admin/decisions', alice.token)).status).toBe(403);
    const bad = await call('GET', '/api/admin/decisions?limit=0');
    expect(bad.status).toBe(400);
    expect(bad.body.error.param).toBe('limit');
  });

  it('lists the autoselects in their original shapes and on /v1/models', async () => {
    const list = await call('GET', '/api/autoselect');
    expect(list.status).toBe(200);
    expect(list.body['engineering']).toEqual({
      model_name: 'engineering',
      description: 'Coding, writing, and private data kept on our own GPUs',
      fallback: 'rotation/general',
      available_models: CANDIDATES.map((c) => ({ model_id: c.model_id, description: c.description })),
    });
    const one = await call('GET', '/api/autoselect/engineering');
    expect(one.body).toMatchObject({ id: 'engineering', selection_model: 'rotation/selector', classify_privacy: true });
    expect((await call('GET', '/api/autoselect/nope')).status).toBe(404);
    const members = await call('GET', '/api/autoselect/models');
    expect(members.body.data).toContainEqual(expect.objectContaining({ id: 'rotation/local', autoselect_id: 'engineering', privacy: true, route: 'rotation/local', route_privacy: true }));
    const models = (await client.models.list()).data.map((m) => m.id);
    expect(models).toEqual(expect.arrayContaining(['autoselect/engineering', 'autoselect/guarded']));
    expect((await call('GET', '/api/autoselect', alice.token)).status).toBe(403);
  });
});

describe('logs', () => {
  it('the router warns at start-up about an autoselect that will refuse every private request', () => {
    expect(stack.logs('router')).toContain("autoselect.json: autoselect 'guarded': classifies privacy but has no privacy-marked candidate or fallback");
    expect(stack.logs('router')).not.toContain("autoselect 'engineering':");
  });

  it('no private value sent through an autoselect appears in any service log', () => {
    expect(secretsSent.length).toBeGreaterThan(3);
    for (const service of ['edge-api', 'router', 'provider-workers', 'analytics'] as const) {
      const logs = stack.logs(service);
      for (const s of secretsSent) expect(logs).not.toContain(s);
    }
  });
});
