import type { RouteDecisionRecord, RouteMeta, RouterChatCommand, RouterChatEvent } from '@aisbf/contracts';
import { loadEnv, loadGatewayConfig } from '@aisbf/platform-config';
import { createLogger } from '@aisbf/platform-observability';
import { bootstrapService, type ServiceApp } from '@aisbf/platform-service';
import { startFakeOpenAI, startStack, type FakeOpenAI, type Stack } from '@aisbf/testing';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lastValueFrom, toArray } from 'rxjs';
import { ChatUseCase } from '../chat/chat.use-case';
import { RouterModule } from '../router.module';
import { DecisionRecorder } from './decision-recorder.service';

/**
 * The autoselect decision pipeline in a real router (in this process) in front of a real provider-workers process and
 * fake upstreams: `pub` (public models), `priv` (self-hosted, privacy-marked) and `sel` (the selection model). The
 * selection model answers a valid id, an invalid id, nothing, an error, or too slowly; the privacy rules hold with it.
 */
const tag = (id: string) => `<aisbf_model_autoselection>${id}</aisbf_model_autoselection>`;
// An AWS access key id, built at run time so no secret-shaped literal sits in the repository.
const awsKey = () => ['AK', 'IA', randomBytes(16).toString('hex').toUpperCase().replace(/[^A-Z2-7]/g, 'Q').slice(0, 16)].join('');

describe('autoselect decisions (router + provider-workers + fake upstreams)', () => {
  let pub: FakeOpenAI;
  let priv: FakeOpenAI;
  let sel: FakeOpenAI;
  let stack: Stack;
  let router: ServiceApp;
  let uc: ChatUseCase;
  const records: RouteDecisionRecord[] = [];

  const rotation = (provider: string, model: string, extra: Record<string, unknown> = {}) => ({ model_name: model, providers: [{ provider_id: provider, model, weight: 1 }], ...extra });
  const candidates = [
    { model_id: 'rotation/coding', description: 'Programming: code, refactoring, debugging, tests', priority: 10 },
    { model_id: 'rotation/writing', description: 'Prose: emails, essays, translations', priority: 5 },
    { model_id: 'rotation/local', description: 'Self-hosted model for private data', privacy: true, priority: 1, max_tokens: 77 },
  ];

  beforeAll(async () => {
    [pub, priv, sel] = await Promise.all([startFakeOpenAI(), startFakeOpenAI(), startFakeOpenAI()]);
    const dir = mkdtempSync(join(tmpdir(), 'aisbf-autoselect-int-'));
    const provider = (id: string, url: string, models: Array<Record<string, unknown>> = []) => ({ id, name: id, type: 'openai', endpoint: url, api_key_required: false, models });
    writeFileSync(
      join(dir, 'providers.json'),
      JSON.stringify({ providers: { pub: provider('pub', pub.url), priv: provider('priv', priv.url, [{ name: 'local', privacy: true }]), sel: provider('sel', sel.url) } }),
    );
    writeFileSync(
      join(dir, 'rotations.json'),
      JSON.stringify({
        rotations: {
          coding: rotation('pub', 'coder'),
          writing: rotation('pub', 'writer'),
          general: rotation('pub', 'general'),
          local: rotation('priv', 'local', { privacy: true }),
          'local-coder': rotation('priv', 'local-coder', { privacy: true }),
          selector: rotation('sel', 'selector'),
          'local-selector': rotation('priv', 'local-selector', { privacy: true }),
          flaky: rotation('pub', 'flaky', { max_attempts: 1 }),
        },
      }),
    );
    writeFileSync(
      join(dir, 'autoselect.json'),
      JSON.stringify({
        eng: { model_name: 'eng', fallback: 'rotation/general', selection_model: 'rotation/selector', classify_privacy: true, selection_timeout: 1, available_models: candidates },
        'eng-private-selector': {
          model_name: 'eps',
          fallback: 'rotation/general',
          selection_model: 'rotation/local-selector',
          classify_privacy: true,
          available_models: [...candidates, { model_id: 'rotation/local-coder', description: 'Self-hosted coder', privacy: true }],
        },
        // A privacy-marked nested autoselect that does not classify privacy itself.
        outer: { model_name: 'outer', fallback: 'rotation/general', classify_privacy: true, available_models: [{ model_id: 'autoselect/inner', description: 'inner', privacy: true }] },
        // Its first privacy candidate is an autoselect with no privacy route: it refuses, the next privacy route serves.
        'outer-2': {
          model_name: 'outer-2',
          fallback: 'rotation/general',
          classify_privacy: true,
          available_models: [
            { model_id: 'autoselect/public-inner', description: 'refuses private requests', privacy: true, priority: 5 },
            { model_id: 'rotation/local', description: 'self-hosted', privacy: true, priority: 1 },
          ],
        },
        'public-inner': { model_name: 'pi', privacy: true, fallback: 'rotation/general', available_models: [{ model_id: 'rotation/coding', description: 'hosted' }] },
        inner: {
          model_name: 'inner',
          privacy: true,
          fallback: 'rotation/general',
          available_models: [
            { model_id: 'rotation/coding', description: 'hosted', priority: 9 },
            { model_id: 'rotation/local', description: 'self-hosted', privacy: true },
          ],
        },
        escalate: {
          model_name: 'escalate',
          fallback: 'rotation/general',
          selection_model: 'rotation/selector',
          available_models: [{ model_id: 'rotation/flaky', description: 'breaks', priority: 9 }, { model_id: 'rotation/writing', description: 'prose', priority: 1 }],
        },
      }),
    );
    stack = await startStack({ configDir: dir, services: ['provider-workers'] });
    const env = loadEnv('router', { ...process.env, ...stack.env, AISBF_HEALTH_PORT: '0', AISBF_INSTANCE_ID: `router-as-${stack.id}` });
    const logger = createLogger('router', 'error');
    router = await bootstrapService({ env, logger, module: RouterModule.forRoot(env, loadGatewayConfig(dir), logger) });
    uc = router.app.get(ChatUseCase);
    const recorder = router.app.get(DecisionRecorder);
    jest.spyOn(recorder, 'record').mockImplementation(async (r) => void records.push(r));
  }, 120_000);

  afterAll(async () => {
    await router?.close();
    await stack?.close();
    await Promise.all([pub?.close(), priv?.close(), sel?.close()]);
  });

  beforeEach(() => {
    for (const f of [pub, priv, sel]) f.reset();
    records.length = 0;
  });

  async function chat(model: string, content: string, extra: Record<string, unknown> = {}) {
    const cmd: RouterChatCommand = {
      requestId: randomUUID(),
      caller: { kind: 'global', label: 'global:0', isAdmin: true },
      entrypoint: { kind: 'openai' },
      body: { model, messages: [{ role: 'user', content }], ...extra },
      receivedAt: Date.now(),
    };
    const events: RouterChatEvent[] = await lastValueFrom(uc.execute(cmd).pipe(toArray()));
    const meta = events.find((e): e is Extract<RouterChatEvent, { type: 'meta' }> => e.type === 'meta')?.meta as RouteMeta | undefined;
    const error = events.find((e): e is Extract<RouterChatEvent, { type: 'error' }> => e.type === 'error')?.error;
    const completion = events.find((e): e is Extract<RouterChatEvent, { type: 'completion' }> => e.type === 'completion')?.completion;
    const text = completion ? String((completion.choices[0]!.message as { content?: unknown }).content) : events.flatMap((e) => (e.type === 'chunk' ? [String((e.chunk.choices[0] as { delta?: { content?: string } }).delta?.content ?? '')] : [])).join('');
    return { cmd, meta, error, text };
  }
  // Only chat requests: provider-workers also list each upstream's models (GET /v1/models) when they start.
  const chats = (f: FakeOpenAI) => f.requests.filter((r) => r.path.startsWith('/v1/chat/completions'));
  const models = (f: FakeOpenAI) => chats(f).map((r) => (r.body as { model: string }).model);

  it('routes to the candidate the selection model names (a valid id), and says so in the decision', async () => {
    sel.setForModel('selector', { kind: 'text', content: tag('rotation/writing') });
    const r = await chat('autoselect/eng', 'Write a short poem about autumn');
    expect(r.error).toBeUndefined();
    expect(r.text).toBe('echo: Write a short poem about autumn');
    expect(models(pub)).toEqual(['writer']);
    const prompt = chats(sel)[0]!.body as { messages: Array<{ content: string }>; temperature: number; max_tokens: number };
    expect(prompt.messages[1]!.content).toContain('<model_id>rotation/writing</model_id>');
    expect(prompt.messages[1]!.content).toContain('Write a short poem about autumn');
    expect(prompt).toMatchObject({ temperature: 0 });
    expect(r.meta).toMatchObject({ route: 'rotation/writing', routeKind: 'autoselect', providerId: 'pub', model: 'writer', headers: { 'x-aisbf-autoselect': 'autoselect/eng' } });
    expect(r.meta!.decision).toBe('privacy=public;nsfw=off;candidates=3;selected=rotation/writing;via=semantic');
    await new Promise((res) => setTimeout(res, 20));
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ requestId: r.cmd.requestId, autoselect: 'autoselect/eng', outcome: 'routed', routeChosen: 'rotation/writing', routeTaken: 'rotation/writing', selection: { route: 'rotation/selector', via: 'semantic', answer: 'rotation/writing', cached: false } });
  });

  it('caches an identical selection (the selection model is asked once)', async () => {
    sel.setForModel('selector', { kind: 'text', content: tag('rotation/coding') });
    const a = await chat('autoselect/eng', 'Refactor this parser into smaller functions, please (cache test)');
    const b = await chat('autoselect/eng', 'Refactor this parser into smaller functions, please (cache test)');
    expect([a.meta?.route, b.meta?.route]).toEqual(['rotation/coding', 'rotation/coding']);
    expect(models(sel)).toEqual(['selector']);
    expect(b.meta!.decision).toMatch(/via=semantic-cached$/);
  });

  it.each([
    ['an invalid id', { kind: 'text' as const, content: tag('rotation/does-not-exist') }, 'invalid-answer'],
    ['prose without the tag', { kind: 'text' as const, content: 'I think the coding one.' }, 'invalid-answer'],
    ['nothing', { kind: 'text' as const, content: '' }, 'no-answer'],
    ['an error', { kind: 'error' as const, status: 500 }, 'error'],
  ])('falls back when the selection model answers %s', async (_what, scenario, reason) => {
    sel.setForModel('selector', scenario);
    const r = await chat('autoselect/eng', `Summarise the meeting notes (${reason} ${randomUUID()})`);
    expect(r.error).toBeUndefined();
    expect(r.meta).toMatchObject({ route: 'rotation/general', model: 'general' });
    expect(r.meta!.decision).toMatch(/selected=rotation\/general;via=fallback$/);
    expect(models(pub)).toEqual(['general']);
    await new Promise((res) => setTimeout(res, 20));
    expect(records[0]!.selection).toMatchObject({ via: 'fallback', answer: null, reason });
  });

  it('falls back when the selection model is too slow, within selection_timeout, and cancels the selection call', async () => {
    sel.setForModel('selector', { kind: 'text', content: tag('rotation/coding'), firstByteDelayMs: 5000 });
    const t0 = Date.now();
    const r = await chat('autoselect/eng', `Plan the sprint (slow ${randomUUID()})`);
    const took = Date.now() - t0;
    expect(r.meta).toMatchObject({ route: 'rotation/general' });
    expect(took).toBeLessThan(3000);
    expect((await sel.waitForAbort(5000)).model).toBe('selector');
    await new Promise((res) => setTimeout(res, 20));
    expect(records[0]!.selection.reason).toBe('timeout');
  });

  it('a private prompt only reaches the privacy route: the public selection model and upstream receive nothing', async () => {
    sel.setForModel('selector', { kind: 'text', content: tag('rotation/coding') });
    const key = awsKey();
    const r = await chat('autoselect/eng', `Why does boto3 reject my key ${key}?`);
    expect(r.error).toBeUndefined();
    expect(r.meta).toMatchObject({ route: 'rotation/local', providerId: 'priv' });
    expect(r.meta!.decision).toBe('privacy=private(secret.aws_key);nsfw=off;candidates=1;selected=rotation/local;via=only-candidate');
    expect(chats(sel)).toHaveLength(0);
    expect(chats(pub)).toHaveLength(0);
    expect(models(priv)).toEqual(['local']);
    // The candidate's max_tokens applies when the client sent none.
    expect((chats(priv)[0]!.body as { max_tokens?: number }).max_tokens).toBe(77);
    await new Promise((res) => setTimeout(res, 20));
    expect(records[0]).toMatchObject({ privacy: 'private', privacyRules: ['secret.aws_key'], routeTaken: 'rotation/local' });
    expect(JSON.stringify(records[0])).not.toContain(key);
  });

  it('when the privacy route fails, a private request fails: it never escalates to a public route', async () => {
    priv.setForModel('local', { kind: 'error', status: 503 });
    const r = await chat('autoselect/eng', `my key ${awsKey()} leaks?`);
    expect(r.error?.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(r.error?.message).toMatch(/every route failed — 1\. rotation\/local: UPSTREAM_UNAVAILABLE/);
    expect(r.error?.message).not.toMatch(/rotation\/(coding|writing|general)/);
    expect(chats(pub)).toHaveLength(0);
    expect(chats(sel)).toHaveLength(0);
  });

  it('a private request may be shown to a privacy-marked selection model, which chooses among the privacy candidates', async () => {
    priv.setForModel('local-selector', { kind: 'text', content: tag('rotation/local-coder') });
    const r = await chat('autoselect/eng-private-selector', `Rotate ${awsKey()} in the deploy script`);
    expect(r.meta).toMatchObject({ route: 'rotation/local-coder' });
    expect(r.meta!.decision).toMatch(/^privacy=private\(secret\.aws_key\);nsfw=off;candidates=2;selected=rotation\/local-coder;via=semantic$/);
    expect(models(priv)).toEqual(['local-selector', 'local-coder']);
    const prompt = (chats(priv)[0]!.body as { messages: Array<{ content: string }> }).messages[1]!.content;
    expect(prompt).not.toContain('rotation/coding'); // only the candidates left after the privacy filter are offered
    expect(chats(pub)).toHaveLength(0);
    expect(chats(sel)).toHaveLength(0);
  });

  it('a nested autoselect keeps a private request private even when it does not classify privacy itself', async () => {
    const r = await chat('autoselect/outer', `deploy with ${awsKey()}`);
    expect(r.error).toBeUndefined();
    expect(r.meta).toMatchObject({ route: 'autoselect/inner', providerId: 'priv', model: 'local' });
    expect(chats(pub)).toHaveLength(0);
    const plain = await chat('autoselect/inner', 'hello (no privacy classification here)');
    expect(plain.meta).toMatchObject({ route: 'rotation/coding' }); // on its own it picks by priority
    pub.reset();
    const next = await chat('autoselect/outer-2', `deploy with ${awsKey()}`);
    expect(next.meta).toMatchObject({ route: 'rotation/local', headers: { 'x-aisbf-escalation': '1) autoselect/public-inner: PRIVACY_REFUSED' } });
    expect(chats(pub)).toHaveLength(0);
  });

  it('escalates to the next candidate when the chosen route fails before anything was sent, and lists the step', async () => {
    sel.setForModel('selector', { kind: 'text', content: tag('rotation/flaky') });
    pub.setForModel('flaky', { kind: 'error', status: 500 });
    const r = await chat('autoselect/escalate', `Anything (escalation ${randomUUID()})`, { stream: true });
    expect(r.error).toBeUndefined();
    expect(r.text).toMatch(/^echo: Anything/);
    expect(r.meta).toMatchObject({ route: 'rotation/writing', headers: { 'x-aisbf-escalation': '1) rotation/flaky: UPSTREAM_UNAVAILABLE' } });
    expect(r.meta!.decision).toMatch(/selected=rotation\/flaky;via=semantic;served=rotation\/writing$/);
    expect(models(pub)).toEqual(['flaky', 'writer']);
    await new Promise((res) => setTimeout(res, 20));
    expect(records[0]).toMatchObject({ outcome: 'routed', routeChosen: 'rotation/flaky', routeTaken: 'rotation/writing', escalation: [{ route: 'rotation/flaky', code: 'UPSTREAM_UNAVAILABLE' }] });
  });

  it('when every route fails, the final error lists every step', async () => {
    sel.setForModel('selector', { kind: 'text', content: tag('rotation/flaky') });
    for (const m of ['flaky', 'writer', 'general']) pub.setForModel(m, { kind: 'error', status: 503 });
    const r = await chat('autoselect/escalate', `Anything (all fail ${randomUUID()})`);
    expect(r.error?.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(r.error?.message).toMatch(/every route failed — 1\. rotation\/flaky: UPSTREAM_UNAVAILABLE .*2\. rotation\/writing: UPSTREAM_UNAVAILABLE .*3\. rotation\/general: UPSTREAM_UNAVAILABLE/);
    expect(r.error?.details).toContainEqual({ aisbf_decision: expect.stringContaining('selected=rotation/flaky') });
    await new Promise((res) => setTimeout(res, 20));
    expect(records[0]).toMatchObject({ outcome: 'failed', routeTaken: null, errorCode: 'UPSTREAM_UNAVAILABLE' });
  });
});
