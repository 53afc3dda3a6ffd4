import type { ChatMessage } from '@aisbf/contracts';
import { AppError } from '@aisbf/platform-errors';
import { classifyRequest, createSelectionCache, decide, type AskRoute, type DecideInput } from './decide';
import { fake } from './fake-data.fixture';
import { escalationFailure, escalationOrder } from './selection';
import { chat, engineeringConfig, TRAITS, traits } from './test-config.fixture';

const secret = fake('decide').github();

/** A fake route caller: records every call, answers with `answer(route, messages)`. */
function fakeRoutes(answer: (route: string, messages: ChatMessage[], signal: AbortSignal) => Promise<string | null | undefined> | string | null | undefined) {
  const calls: Array<{ route: string; messages: ChatMessage[]; signal: AbortSignal }> = [];
  const ask: AskRoute = async (route, call, signal) => {
    calls.push({ route, messages: call.messages, signal });
    return answer(route, call.messages, signal);
  };
  return { ask, calls };
}
const tag = (id: string) => `<aisbf_model_autoselection>${id}</aisbf_model_autoselection>`;

const input = (over: Partial<DecideInput> = {}): DecideInput => ({
  autoselectId: 'engineering',
  config: engineeringConfig(),
  request: chat('Refactor the parser into smaller functions'),
  traits,
  requestId: 'req-1',
  caller: 'user:alice',
  ...over,
});

describe('decide with a fake selection model', () => {
  it('routes to a valid answer, then escalates to the other candidates and the fallback', async () => {
    const { ask, calls } = fakeRoutes(() => tag('rotation/vision'));
    const d = await decide(input(), { ask });
    expect(d.kind).toBe('route');
    if (d.kind !== 'route') return;
    expect(d.route).toBe('rotation/vision');
    expect(d.via).toBe('semantic');
    expect(d.order).toEqual(['rotation/vision', 'rotation/coding', 'rotation/local-coder', 'rotation/uncensored', 'rotation/general']);
    expect(d.candidate?.id).toBe('rotation/vision');
    expect(calls).toHaveLength(1);
    expect(calls[0]!.route).toBe('rotation/selector');
    expect(calls[0]!.messages[1]!.content).toContain('<aisbf_current_task>\nuser: Refactor the parser into smaller functions\n</aisbf_current_task>');
    expect(d.header).toBe('privacy=public;nsfw=off;candidates=4;selected=rotation/vision;via=semantic');
    expect(d.audit.selection).toEqual({ route: 'rotation/selector', via: 'semantic', answer: 'rotation/vision', cached: false });
  });

  it.each([
    ['an invalid id', () => tag('rotation/does-not-exist'), 'invalid-answer'],
    ['prose', () => 'I would go with the coding one', 'invalid-answer'],
    ['nothing', () => '', 'no-answer'],
    ['null', () => null, 'no-answer'],
    ['an error', () => Promise.reject(new Error('upstream 500')), 'error'],
  ])('falls back on %s', async (_name, answer, reason) => {
    const { ask } = fakeRoutes(answer);
    const d = await decide(input(), { ask });
    expect(d).toMatchObject({ kind: 'route', route: 'rotation/general', via: 'fallback' });
    expect(d.audit.selection).toMatchObject({ via: 'fallback', answer: null, reason });
    expect(d.header).toMatch(/selected=rotation\/general;via=fallback$/);
  });

  it('falls back when the selection model is too slow, and aborts its call', async () => {
    let aborted = false;
    const { ask } = fakeRoutes(
      (_r, _m, signal) =>
        new Promise((resolve) => {
          const t = setTimeout(() => resolve(tag('rotation/coding')), 2000);
          signal.addEventListener('abort', () => {
            aborted = true;
            clearTimeout(t);
            resolve(null);
          });
        }),
    );
    const started = Date.now();
    const d = await decide(input({ config: engineeringConfig({ selection_timeout: 0.05 }) }), { ask });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(d).toMatchObject({ route: 'rotation/general', via: 'fallback' });
    expect(d.audit.selection.reason).toBe('timeout');
    expect(aborted).toBe(true);
  });

  it('falls back when a slow call rejects once aborted', async () => {
    const { ask } = fakeRoutes((_r, _m, signal) => new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(new Error('aborted')))));
    const d = await decide(input({ config: engineeringConfig({ selection_timeout: 0.02 }) }), { ask });
    expect(d).toMatchObject({ route: 'rotation/general', via: 'fallback' });
    expect(d.audit.selection.reason).toBe('timeout');
  });

  it('accepts the fallback as an answer', async () => {
    const { ask } = fakeRoutes(() => tag('rotation/general'));
    const d = await decide(input(), { ask });
    expect(d).toMatchObject({ route: 'rotation/general', via: 'semantic' });
  });

  it('never sends a private request to a non-privacy selection model: chooses by priority instead', async () => {
    const { ask, calls } = fakeRoutes(() => tag('rotation/coding'));
    const config = engineeringConfig({
      available_models: [
        ...engineeringConfig().available_models,
        { model_id: 'rotation/local-big', description: 'bigger self-hosted model', privacy: true, priority: 7 },
      ],
    });
    const d = await decide(input({ config, request: chat(`why is ${secret} rejected?`) }), { ask });
    expect(calls).toEqual([]);
    expect(d).toMatchObject({ kind: 'route', route: 'rotation/local-big', via: 'priority', order: ['rotation/local-big', 'rotation/local-coder'] });
    expect(d.audit.selection).toMatchObject({ route: 'rotation/selector', reason: 'selection-model-not-privacy-marked' });
    expect(d.header).toBe('privacy=private(secret.github_token);nsfw=off;candidates=2;selected=rotation/local-big;via=priority');
    expect(JSON.stringify(d.audit)).not.toContain(secret);
  });

  it('asks a privacy-marked selection model about a private request, and validates against privacy candidates only', async () => {
    const config = engineeringConfig({
      selection_model: 'rotation/local-selector',
      available_models: [...engineeringConfig().available_models, { model_id: 'rotation/local-big', description: 'bigger', privacy: true, priority: 7 }],
    });
    const { ask, calls } = fakeRoutes(() => tag('rotation/coding')); // a public candidate: not allowed
    const d = await decide(input({ config, request: chat(`why is ${secret} rejected?`) }), { ask });
    expect(calls.map((c) => c.route)).toEqual(['rotation/local-selector']);
    expect(calls[0]!.messages[1]!.content).not.toContain('rotation/coding');
    expect(calls[0]!.messages[1]!.content).not.toContain('<aisbf_autoselect_fallback>'); // the public fallback may not take it
    expect(d).toMatchObject({ route: 'rotation/local-big', via: 'priority' }); // invalid answer, fallback not allowed
    expect(d.audit.selection.reason).toBe('invalid-answer');
  });

  it('refuses with PRIVACY_REFUSED when no privacy route qualifies, and asks nothing', async () => {
    const { ask, calls } = fakeRoutes(() => tag('rotation/coding'));
    const config = engineeringConfig({ available_models: [{ model_id: 'rotation/coding', description: 'hosted' }] });
    const d = await decide(input({ config, request: chat(`token ${secret}`) }), { ask });
    expect(calls).toEqual([]);
    expect(d.kind).toBe('refuse');
    if (d.kind !== 'refuse') return;
    expect(d.refusal.code).toBe('PRIVACY_REFUSED');
    expect(d.header).toBe('privacy=private(secret.github_token);nsfw=off;candidates=0;selected=none;via=refused(PRIVACY_REFUSED)');
    expect(d.audit).toMatchObject({ route: null, order: [], refusal: { code: 'PRIVACY_REFUSED', reason: 'privacy' } });
  });

  it('does not ask with a single candidate left', async () => {
    const { ask, calls } = fakeRoutes(() => tag('x'));
    const d = await decide(input({ request: chat('', { messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://x/y.png' } }] }] }) }), { ask });
    expect(calls).toEqual([]);
    expect(d).toMatchObject({ route: 'rotation/vision', via: 'only-candidate', order: ['rotation/vision', 'rotation/general'] });
  });

  it('goes to the fallback when no candidate is left', async () => {
    const d = await decide(input({ config: engineeringConfig({ available_models: [] }) }), { ask: fakeRoutes(() => null).ask });
    expect(d).toMatchObject({ route: 'rotation/general', via: 'fallback', order: ['rotation/general'] });
    expect(d.audit.selection.reason).toBe('no-candidates');
  });

  it('chooses by priority when there is no selection model (internal) or no way to call one', async () => {
    const internal = await decide(input({ config: engineeringConfig({ selection_model: 'internal' }) }), { ask: fakeRoutes(() => tag('rotation/vision')).ask });
    expect(internal).toMatchObject({ route: 'rotation/coding', via: 'priority' });
    expect(internal.audit.selection.reason).toBe('no-selection-model');
    const resolved = await decide(input({ config: engineeringConfig({ selection_model: 'internal' }), selectionRoute: 'rotation/selector' }), { ask: fakeRoutes(() => tag('rotation/vision')).ask });
    expect(resolved).toMatchObject({ route: 'rotation/vision', via: 'semantic' });
    const noAsk = await decide(input());
    expect(noAsk).toMatchObject({ route: 'rotation/coding', via: 'priority' });
  });

  it('caches identical selections briefly and validates cached answers', async () => {
    let now = 1_000_000;
    const cache = createSelectionCache({ ttlMs: 60_000, now: () => now });
    const { ask, calls } = fakeRoutes(() => tag('rotation/local-coder'));
    const first = await decide(input(), { ask, cache });
    const second = await decide(input({ requestId: 'req-2' }), { ask, cache });
    expect(calls).toHaveLength(1);
    expect(second).toMatchObject({ route: 'rotation/local-coder', via: 'semantic' });
    expect(second.audit.selection.cached).toBe(true);
    expect(second.header).toMatch(/via=semantic-cached$/);
    expect(first.audit.selection.cached).toBe(false);
    await decide(input({ request: chat('something else entirely') }), { ask, cache });
    expect(calls).toHaveLength(2);
    now += 61_000;
    await decide(input(), { ask, cache });
    expect(calls).toHaveLength(3);
    // fallbacks are not cached
    const failing = fakeRoutes(() => 'garbage');
    await decide(input({ request: chat('q') }), { ask: failing.ask, cache });
    await decide(input({ request: chat('q') }), { ask: failing.ask, cache });
    expect(failing.calls).toHaveLength(2);
  });

  it('re-decides after failures: failed routes are excluded and named in the prompt', async () => {
    const { ask, calls } = fakeRoutes(() => tag('rotation/vision'));
    const d = await decide(input({ failed: ['rotation/coding'] }), { ask });
    expect(calls[0]!.messages[1]!.content).toContain('<aisbf_failed_models>rotation/coding</aisbf_failed_models>');
    expect(calls[0]!.messages[1]!.content).not.toContain('<model_id>rotation/coding</model_id>');
    expect(d.kind === 'route' && d.order).toEqual(['rotation/vision', 'rotation/local-coder', 'rotation/uncensored', 'rotation/general']);
  });

  it('records an audit with ids, stages, latency and no request text', async () => {
    let t = 5_000;
    const { ask } = fakeRoutes(() => {
      t += 120;
      return tag('rotation/coding');
    });
    const d = await decide(input({ notes: ['n1'] }), { ask, now: () => t });
    expect(d.audit).toMatchObject({
      requestId: 'req-1',
      caller: 'user:alice',
      autoselectId: 'engineering',
      at: new Date(5000).toISOString(),
      configured: ['rotation/coding', 'rotation/local-coder', 'rotation/vision', 'rotation/uncensored'],
      route: 'rotation/coding',
      latencyMs: 120,
      notes: ['n1'],
    });
    expect(JSON.stringify(d.audit)).not.toContain('Refactor the parser');
  });
});

describe('escalation', () => {
  it('orders the chosen route, the rest best first, then the fallback, once each', async () => {
    const d = await decide(input(), { ask: fakeRoutes(() => tag('rotation/local-coder')).ask });
    if (d.kind !== 'route') throw new Error('expected a route');
    expect(escalationOrder(d.filter, 'rotation/general')).toEqual(['rotation/general', 'rotation/coding', 'rotation/local-coder', 'rotation/vision', 'rotation/uncensored']);
  });

  it('reports every failed step in the final error', () => {
    const err = escalationFailure('engineering', [
      { route: 'rotation/coding', code: 'RATE_LIMITED', message: 'all members cooling down' },
      { route: 'rotation/local-coder', code: 'TIMEOUT' },
      { route: 'rotation/general', code: 'UPSTREAM_UNAVAILABLE', message: '503' },
    ]);
    expect(err).toBeInstanceOf(AppError);
    expect(err.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(err.message).toBe(
      "Autoselect 'engineering': every route failed — 1. rotation/coding: RATE_LIMITED (all members cooling down); 2. rotation/local-coder: TIMEOUT; 3. rotation/general: UPSTREAM_UNAVAILABLE (503)",
    );
    expect(err.extras.details).toEqual([
      { route: 'rotation/coding', code: 'RATE_LIMITED' },
      { route: 'rotation/local-coder', code: 'TIMEOUT' },
      { route: 'rotation/general', code: 'UPSTREAM_UNAVAILABLE' },
    ]);
  });

  it("never passes a misconfigured route or an upstream's credential problem off as the caller's error", () => {
    expect(escalationFailure('e', [{ route: 'rotation/gone', code: 'ROUTE_NOT_FOUND' }]).code).toBe('NO_CANDIDATES');
    expect(escalationFailure('e', [{ route: 'rotation/a', code: 'TIMEOUT' }, { route: 'p/m', code: 'AUTH' }]).code).toBe('UPSTREAM_UNAVAILABLE');
    expect(escalationFailure('e', [{ route: 'rotation/a', code: 'RATE_LIMITED' }]).retryable).toBe(true);
    expect(escalationFailure('e', [], [{ aisbf_decision: 'h' }]).extras.details).toEqual([{ aisbf_decision: 'h' }]);
  });
});

describe('classifyRequest', () => {
  const judge = (privacyAnswer: string, nsfwAnswer = 'NO') =>
    fakeRoutes((route, messages) => ((messages[0]!.content as string).includes('sexually explicit') ? nsfwAnswer : privacyAnswer));

  it('does not ask the privacy classifier when the detector already found private data', async () => {
    const { ask, calls } = judge('NO');
    const config = engineeringConfig({ privacy_classifier: 'rotation/privacy-judge' });
    const r = await classifyRequest(config, chat(`use ${secret}`), { ask, traits });
    expect(calls).toEqual([]);
    expect(r.detection?.private).toBe(true);
    expect(r.privacyClassifier).toBeUndefined();
  });

  it('asks a privacy-marked classifier and maps its answer', async () => {
    const config = engineeringConfig({ privacy_classifier: 'rotation/privacy-judge' });
    expect((await classifyRequest(config, chat('my neighbour Sarah has cancer'), { ask: judge('YES').ask, traits })).privacyClassifier).toBe('private');
    expect((await classifyRequest(config, chat('sort a list'), { ask: judge('NO').ask, traits })).privacyClassifier).toBe('public');
    expect((await classifyRequest(config, chat('sort a list'), { ask: judge('dunno').ask, traits })).privacyClassifier).toBe('failed');
  });

  it('times out a slow classifier (→ private downstream)', async () => {
    const config = engineeringConfig({ privacy_classifier: 'rotation/privacy-judge', selection_timeout: 0.03 });
    const { ask } = fakeRoutes((_r, _m, signal) => new Promise((resolve) => signal.addEventListener('abort', () => resolve('NO'))));
    const r = await classifyRequest(config, chat('hello'), { ask, traits });
    expect(r.privacyClassifier).toBe('timeout');
    const d = await decide(input({ config, request: chat('hello'), signals: r }), {});
    expect(d.audit.privacy).toMatchObject({ verdict: 'private', failClosed: true });
    expect(d.header).toMatch(/^privacy=private\(classifier:timeout\);/);
  });

  it('does not send text to a privacy classifier that is not privacy-marked: failed, i.e. private', async () => {
    const { ask, calls } = judge('NO');
    const config = engineeringConfig({ privacy_classifier: 'rotation/public-judge' });
    const r = await classifyRequest(config, chat('hello'), { ask, traits });
    expect(calls).toEqual([]);
    expect(r.privacyClassifier).toBe('failed');
    expect(r.notes[0]).toMatch(/not privacy-marked/);
  });

  it('skips a public NSFW classifier for private requests, runs it for public ones', async () => {
    const config = engineeringConfig({ nsfw_classifier: 'rotation/public-judge' });
    const priv = judge('NO', 'YES');
    const r1 = await classifyRequest(config, chat(`key ${secret}`), { ask: priv.ask, traits });
    expect(priv.calls).toEqual([]);
    expect(r1.nsfwClassifier).toBe('failed');
    const pub = judge('NO', 'YES');
    const r2 = await classifyRequest(config, chat('write a story'), { ask: pub.ask, traits });
    expect(pub.calls.map((c) => c.route)).toEqual(['rotation/public-judge']);
    expect(r2.nsfwClassifier).toBe('nsfw');
  });
});

describe('a private prompt reaches only privacy routes, end to end through the pure pipeline', () => {
  it('the public selection model, public NSFW classifier and public candidates receive nothing', async () => {
    const config = engineeringConfig({ nsfw_classifier: 'rotation/public-judge', privacy_classifier: 'rotation/privacy-judge', classify_semantic: true });
    const { ask, calls } = fakeRoutes((route) => (route === 'rotation/privacy-judge' ? 'YES' : tag('rotation/coding')));
    const request = chat('', {
      messages: [
        { role: 'user', content: 'help me with the deploy script' },
        { role: 'assistant', content: 'sure, paste it' },
        { role: 'user', content: `DATABASE_URL=postgres://deploy:Wq8rT2zNx@db.prod.internal/app ./deploy.sh` },
      ],
    });
    const signals = await classifyRequest(config, request, { ask, traits });
    const d = await decide(input({ config, request, signals }), { ask });
    const privacyRoutes = new Set([...Object.entries(TRAITS).filter(([, t]) => t.privacy).map(([id]) => id), 'rotation/local-coder']);
    expect(calls.every((c) => privacyRoutes.has(c.route))).toBe(true);
    expect(d.kind === 'route' && d.order.every((r) => privacyRoutes.has(r))).toBe(true);
    expect(d).toMatchObject({ route: 'rotation/local-coder' });
  });
});
