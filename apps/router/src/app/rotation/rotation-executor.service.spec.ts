import { RotationConfigSchema, RotationsFileSchema, type ProviderConfig, type RouterChatCommand } from '@aisbf/contracts';
import type { AppEnv, GatewayConfig } from '@aisbf/platform-config';
import { AppError } from '@aisbf/platform-errors';
import { createLogger } from '@aisbf/platform-observability';
import { resolveRoute, type RouteInventory } from '@aisbf/routing';
import type { AttemptOutcome, AttemptRunner, AttemptTarget } from './attempt-runner.service';
import { fromArray } from './event-streams';
import { RotationExecutor } from './rotation-executor.service';
import type { PrimedAttempt, RunContext } from './route-run';
import type { CandidateStateStore, CandidateStatus } from './state/candidate-state.store';

const provider = { type: 'openai', api_key_required: false, endpoint: 'http://x/v1', rate_limit: 0 } as ProviderConfig;

function primedFrom(t: AttemptTarget, ctx: RunContext): PrimedAttempt {
  return {
    meta: { route: ctx.top.name, routeKind: ctx.top.kind, providerId: t.ref.providerId, model: t.ref.model, attempts: ctx.attempts.count },
    first: { type: 'completion', completion: { id: 'c', object: 'chat.completion', created: 0, model: t.ref.model, choices: [{ index: 0, message: { role: 'assistant', content: 'hi' } }] } },
    rest: fromArray([]),
    settle: async () => undefined,
  };
}

type Script = Record<string, AppError | 'ok' | { denied: CandidateStatus['status']; until?: number; info?: string }>;

function harness(rotations: Record<string, unknown>, script: Script, opts: { peek?: Record<string, CandidateStatus['status']>; rng?: number; notifyerrors?: boolean } = {}) {
  const inventory: RouteInventory = {
    providers: { a: provider, b: provider, c: provider },
    rotations: Object.fromEntries(Object.entries(rotations).map(([id, r]) => [id, RotationConfigSchema.parse(r)])),
    autoselects: {},
  };
  const tried: string[] = [];
  const attempts = {
    needs: () => ({ tokens: 0, paceMs: 0, providerPaceMs: 0, maxPaceWaitMs: 0, strict: true }),
    run: async (ctx: RunContext, t: AttemptTarget): Promise<AttemptOutcome> => {
      const s = script[t.label] ?? 'ok';
      if (typeof s === 'object' && 'denied' in s) return { kind: 'denied', status: s.denied as never, until: s.until ?? 0, info: s.info ?? '', now: 1000 };
      ctx.attempts.count++;
      tried.push(t.label);
      if (s instanceof AppError) {
        const { verdictOf } = jest.requireActual('./attempt-runner.service') as typeof import('./attempt-runner.service');
        return { kind: 'failed', error: s, verdict: verdictOf(s), durationMs: 1, probe: false };
      }
      return { kind: 'primed', primed: primedFrom(t, ctx), probe: false };
    },
  } as unknown as AttemptRunner;
  const store = {
    peekMany: async (items: Array<{ ref: { providerId: string; model: string } }>) =>
      items.map(({ ref }) => {
        const st = opts.peek?.[`${ref.providerId}/${ref.model}`];
        return st ? { status: st, until: 61_000, info: '2', now: 1000 } : { status: 'ok', now: 1000 };
      }),
  } as unknown as CandidateStateStore;
  const config = { rotations: RotationsFileSchema.parse({ notifyerrors: opts.notifyerrors ?? false, rotations: {} }), providers: { providers: {} }, autoselect: {} } as unknown as GatewayConfig;
  const env = { timeouts: { upstreamMs: 600_000, ackMs: 5000 } } as AppEnv;
  const exec = new RotationExecutor(attempts, store, config, env, () => opts.rng ?? 0, createLogger('test', 'silent'));
  const run = async (id: string, stream = false) => {
    const cmd = { requestId: 'r1', caller: { kind: 'global', label: 'g', isAdmin: true }, entrypoint: { kind: 'openai' }, body: { model: `rotation/${id}`, messages: [{ role: 'user', content: 'x' }], stream }, receivedAt: 0 } as RouterChatCommand;
    const route = resolveRoute(inventory, `rotation/${id}`, { kind: 'openai' });
    const ctx: RunContext = {
      cmd,
      signal: new AbortController().signal,
      inventory,
      top: { name: route.name, kind: route.kind },
      chain: [],
      attempts: { count: 0 },
      run: (r, c) => (r.kind === 'rotation' ? exec.run(r, c) : Promise.reject(new AppError('SERVICE_UNAVAILABLE', 'autoselect n/a', { retryable: false }))),
    };
    return exec.run(route as Extract<typeof route, { kind: 'rotation' }>, ctx);
  };
  return { run, tried };
}

const err = (code: ConstructorParameters<typeof AppError>[0], extras: ConstructorParameters<typeof AppError>[2] = {}) => new AppError(code, `${code} happened`, extras);
const codeOf = async (p: Promise<unknown>) => p.then(() => 'none', (e: AppError) => e.code);

const abc = { model_name: 'x', providers: [{ provider_id: 'a', model: 'm', weight: 1 }, { provider_id: 'b', model: 'm', weight: 3 }, { provider_id: 'c', model: 'm', weight: 2 }] };

describe('RotationExecutor', () => {
  it('fails over on a retryable error, by weight among the remaining, and logs why', async () => {
    const h = harness({ r: abc }, { 'a/m': err('UPSTREAM_UNAVAILABLE', { upstreamStatus: 500 }) }, { rng: 0 }); // rng 0 → first pick a
    const p = await h.run('r');
    expect(h.tried).toEqual(['a/m', 'b/m']);
    expect(p.meta).toMatchObject({ providerId: 'b', attempts: 2 });
    expect(p.meta.headers?.['x-aisbf-failover-log']).toBe('1) a/m failed: HTTP 500 UPSTREAM_UNAVAILABLE: UPSTREAM_UNAVAILABLE happened (failed over)');
  });

  it('returns caller errors and content-filter refusals without failing over', async () => {
    for (const e of [err('BAD_REQUEST', { upstreamStatus: 400, retryable: false }), err('CONTENT_FILTER', { upstreamStatus: 400, retryable: false })]) {
      const h = harness({ r: abc }, { 'a/m': e });
      expect(await codeOf(h.run('r'))).toBe(e.code);
      expect(h.tried).toEqual(['a/m']);
    }
  });

  it('skips candidates the shared state rules out without spending an attempt', async () => {
    const h = harness({ r: { ...abc, max_attempts: 1 } }, { 'b/m': { denied: 'tokens', until: 5000, info: 'TPM:90:100' } }, { peek: { 'a/m': 'open' }, rng: 0 }); // b first (denied at admission), then c
    const p = await h.run('r');
    expect(h.tried).toEqual(['c/m']);
    expect(p.meta.headers?.['x-aisbf-failover-log']).toMatch(/^1\) a\/m skipped: cooling down .*; 2\) b\/m skipped: TPM limit reached \(90\/100 tokens in the window\)/);
  });

  it('stops at max_attempts and lists every attempt and skip', async () => {
    const fail = err('TIMEOUT');
    const h = harness({ r: { ...abc, max_attempts: 2 } }, { 'a/m': fail, 'b/m': fail, 'c/m': fail }, { rng: 0 });
    const e = (await h.run('r').catch((x: AppError) => x)) as AppError;
    expect(h.tried).toEqual(['a/m', 'b/m']);
    expect(e.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(e.message).toMatch(/2 attempts \(max 2\), 1 skipped: 1\) a\/m failed: .*; 2\) b\/m failed: .*; 3\) c\/m skipped: not tried: max_attempts \(2\) reached/);
    expect(e.extras.details).toHaveLength(3);
  });

  it('answers RATE_LIMITED with the earliest Retry-After when only rate limits stood in the way', async () => {
    const h = harness({ r: abc }, { 'a/m': err('RATE_LIMITED', { retryAfterMs: 4000 }), 'b/m': err('RATE_LIMITED', { retryAfterMs: 2000 }), 'c/m': { denied: 'tokens', until: Date.now() + 9000 } });
    const e = (await h.run('r').catch((x: AppError) => x)) as AppError;
    expect(e.code).toBe('RATE_LIMITED');
    expect(e.extras.retryAfterMs).toBeGreaterThan(1500);
    expect(e.extras.retryAfterMs).toBeLessThanOrEqual(2000);
  });

  it('NO_CANDIDATES when nothing could be tried', async () => {
    const h = harness({ r: abc }, {}, { peek: { 'a/m': 'disabled', 'b/m': 'open', 'c/m': 'probing' } });
    expect(await codeOf(h.run('r'))).toBe('NO_CANDIDATES');
    expect(h.tried).toEqual([]);
  });

  it('runs rotation candidates recursively and refuses loops', async () => {
    const h = harness(
      {
        outer: { model_name: 'o', providers: [{ provider_id: 'rotation', model: 'inner', weight: 2 }, { provider_id: 'c', model: 'm', weight: 1 }] },
        inner: { model_name: 'i', providers: [{ provider_id: 'a', model: 'm' }] },
        loop1: { model_name: 'l1', providers: [{ provider_id: 'rotation', model: 'loop2' }] },
        loop2: { model_name: 'l2', providers: [{ provider_id: 'rotations', model: 'loop1' }] },
      },
      {},
    );
    const p = await h.run('outer');
    expect(p.meta).toMatchObject({ route: 'rotation/outer', providerId: 'a' });
    const e = (await h.run('loop1').catch((x: AppError) => x)) as AppError;
    expect(e.code).toBe('LOOP_DETECTED');
    expect(e.message).toMatch(/delegation loop: rotation\/loop1 → rotation\/loop2 → rotation\/loop1/);
  });

  it('a failing nested rotation fails over to the next candidate of the outer one', async () => {
    const h = harness(
      {
        outer: { model_name: 'o', providers: [{ provider_id: 'rotation', model: 'inner', weight: 2 }, { provider_id: 'c', model: 'm', weight: 1 }] },
        inner: { model_name: 'i', providers: [{ provider_id: 'a', model: 'm' }] },
      },
      { 'a/m': err('UPSTREAM_UNAVAILABLE') },
    );
    const p = await h.run('outer');
    expect(h.tried).toEqual(['a/m', 'c/m']);
    expect(p.meta).toMatchObject({ providerId: 'c', attempts: 2 });
  });

  it('notifyerrors (file default) answers the report as a completion; streams get two chunks and end', async () => {
    const h = harness({ r: { model_name: 'x', providers: [{ provider_id: 'a', model: 'm' }] } }, { 'a/m': err('TIMEOUT') }, { notifyerrors: true });
    const p = await h.run('r');
    expect(p.failure?.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(p.first.type).toBe('completion');
    const s = await h.run('r', true);
    const rest = [];
    for await (const e of s.rest) rest.push(e.type);
    expect([s.first.type, ...rest]).toEqual(['chunk', 'chunk', 'end']);
  });
});
