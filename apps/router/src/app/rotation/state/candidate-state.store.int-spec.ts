import type { AppEnv } from '@aisbf/platform-config';
import { RedisService } from '@aisbf/platform-redis';
import {
  admitBreaker,
  initialBreaker,
  recordBreakerFailure,
  recordBreakerSuccess,
  viewBreaker,
  type BreakerConfig,
  type BreakerState,
} from '@aisbf/routing';
import { randomBytes } from 'node:crypto';
import { CandidateStateStore, type AdmissionNeeds, type CandidateRef } from './candidate-state.store';

const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const needs = (extra: Partial<AdmissionNeeds> = {}): AdmissionNeeds => ({ tokens: 0, paceMs: 0, providerPaceMs: 0, maxPaceWaitMs: 30_000, strict: true, ...extra });

describe('CandidateStateStore on real Redis', () => {
  const prefix = `aisbf-int:${randomBytes(4).toString('hex')}:`;
  let redis: RedisService;
  let store: CandidateStateStore;
  let n = 0;
  const cand = (): CandidateRef => ({ scope: { kind: 'global' }, providerId: `p${++n}`, model: 'm/x:1' });

  beforeAll(() => {
    redis = new RedisService({ redis: { url: REDIS_URL, prefix } } as AppEnv);
    store = new CandidateStateStore(redis);
  });

  afterAll(async () => {
    const keys = await redis.client.keys(`${prefix}*`);
    if (keys.length) await redis.client.del(...keys);
    await redis.close();
  });

  it('runs the same breaker transitions as the pure state machine (replayed with the Lua clock)', async () => {
    const c = cand();
    const cfg: BreakerConfig = { failureThreshold: 3, failureWindowMs: 60_000, cooldownMs: 300 };
    let pure: BreakerState = initialBreaker();
    const holders = new Map<string, { holder: string; probe: boolean }>();

    const admit = async (name: string) => {
      const a = await store.admit(c, needs(), 5000);
      const p = admitBreaker(pure, a.now, name, 5000);
      pure = p.state;
      if (a.ok) holders.set(name, a);
      const lua = a.ok ? (a.probe ? 'probe' : 'allow') : 'deny';
      expect(`${name}:${lua}`).toBe(`${name}:${p.decision}`);
      return lua;
    };
    const fail = async (name: string) => {
      const h = holders.get(name)!;
      const r = await store.report(c, h, { kind: 'failure', breaker: cfg });
      const now = Date.now(); // the pure machine only needs a time inside the same window here
      const p = recordBreakerFailure(pure, now, cfg, h.probe ? name : undefined);
      pure = p.state.mode === 'open' ? { ...p.state, openUntil: r.until || p.state.openUntil } : p.state;
      expect(r.transition).toBe(p.transition);
      return r;
    };
    const succeed = async (name: string) => {
      const h = holders.get(name)!;
      const r = await store.report(c, h, { kind: 'success' });
      const p = recordBreakerSuccess(pure, h.probe ? name : undefined);
      pure = p.state;
      expect(r.transition).toBe(p.transition);
    };
    const peek = async () => {
      const s = await store.peek(c, needs());
      const v = viewBreaker(pure, s.now);
      const lua = s.status === 'ok' ? 'closed' : s.status === 'half_open' ? 'half_open' : s.status === 'probing' ? 'half_open' : s.status;
      expect(lua).toBe(v.state);
      return s.status;
    };

    await admit('a');
    await admit('b');
    await admit('c');
    await fail('a');
    await fail('b');
    expect(await peek()).toBe('ok');
    const opened = await fail('c');
    expect(opened.transition).toBe('opened');
    expect(await peek()).toBe('open');
    expect(await admit('d')).toBe('deny');

    await sleep(opened.until - Date.now() + 20);
    expect(await peek()).toBe('half_open');
    expect(await admit('probe1')).toBe('probe');
    expect(await admit('e')).toBe('deny'); // one probe at a time
    expect(await peek()).toBe('probing');
    const reopened = await fail('probe1');
    expect(reopened.transition).toBe('reopened');
    expect(reopened.trips).toBe(2);
    expect(reopened.until - Date.now()).toBeGreaterThan(450); // 2 × 300 ms

    await sleep(reopened.until - Date.now() + 20);
    expect(await admit('probe2')).toBe('probe');
    await succeed('probe2');
    expect(await peek()).toBe('ok');
    expect(await admit('f')).toBe('allow');
  });

  it('slides the failure window: old failures leave it', async () => {
    const c = cand();
    const cfg: BreakerConfig = { failureThreshold: 2, failureWindowMs: 200, cooldownMs: 1000 };
    const h = { holder: 'x', probe: false };
    await store.report(c, h, { kind: 'failure', breaker: cfg });
    await sleep(250);
    expect((await store.report(c, h, { kind: 'failure', breaker: cfg })).transition).toBeUndefined();
    expect((await store.report(c, h, { kind: 'failure', breaker: cfg })).transition).toBe('opened');
  });

  it('honours Retry-After for rotation candidates only', async () => {
    const c = cand();
    await store.report(c, { holder: 'x', probe: false }, { kind: 'wait', waitMs: 300 });
    const s = await store.peek(c, needs());
    expect(s.status).toBe('not_before');
    expect((await store.peek(c, needs({ strict: false }))).status).toBe('ok');
    await sleep(320);
    expect((await store.peek(c, needs())).status).toBe('ok');
  });

  it('manual disable blocks every model of the provider until enabled; enabling clears cooldowns', async () => {
    const c = cand();
    const other = { ...c, model: 'other' };
    const cfg: BreakerConfig = { failureThreshold: 1, failureWindowMs: 60_000, cooldownMs: 60_000 };
    await store.report(other, { holder: 'x', probe: false }, { kind: 'failure', breaker: cfg });
    expect((await store.peek(other, needs())).status).toBe('open');
    await store.disableProvider(c.scope, c.providerId, 'maintenance', 'global:0');
    expect(await store.peek(c, needs())).toMatchObject({ status: 'disabled', info: 'maintenance' });
    expect((await store.peek(c, needs({ strict: false }))).status).toBe('disabled');
    expect(await store.providerDisable(c.scope, c.providerId)).toMatchObject({ reason: 'maintenance', by: 'global:0' });
    await store.enableProvider(c.scope, c.providerId, [c.model, other.model]);
    expect((await store.peek(c, needs())).status).toBe('ok');
    expect((await store.peek(other, needs())).status).toBe('ok');
    expect(await store.providerDisable(c.scope, c.providerId)).toBeNull();
  });

  it('reserves tokens atomically, refuses what does not fit, and reconciles with the real usage', async () => {
    const c = cand();
    const tpm = needs({ tokens: 60, tpm: 100 });
    const a = await store.admit(c, tpm, 1000);
    expect(a.ok).toBe(true);
    const b = await store.admit(c, tpm, 1000);
    expect(b).toMatchObject({ ok: false, status: 'tokens', info: 'TPM:60:100' });
    if (!b.ok) expect(b.until - b.now).toBeGreaterThan(59_000);
    if (a.ok) await store.reconcile(c, a, 30); // the call used 30 of its 60
    expect((await store.admit(c, tpm, 1000)).ok).toBe(true); // 30 + 60 ≤ 100
    expect(await store.admit(c, needs({ tokens: 150, tpm: 100 }), 1000)).toMatchObject({ ok: false, status: 'too_large' });
    const buckets = await redis.client.hgetall(store.keys(c).tpm);
    expect(Object.values(buckets).map(Number).reduce((x, y) => x + y, 0)).toBe(90);
  });

  it('checks every configured window (TPH and TPD too) and charges each', async () => {
    const c = cand();
    const both = needs({ tokens: 40, tpm: 1000, tph: 100, tpd: 10_000 });
    const a = await store.admit(c, both, 1000);
    expect(a.ok && a.buckets.every((b) => b >= 0)).toBe(true);
    expect((await store.admit(c, both, 1000)).ok).toBe(true);
    expect(await store.admit(c, both, 1000)).toMatchObject({ ok: false, status: 'tokens', info: 'TPH:80:100' });
    for (const k of ['tpm', 'tph', 'tpd'] as const) {
      const h = await redis.client.hgetall(store.keys(c)[k]);
      expect(Object.values(h).map(Number).reduce((x, y) => x + y, 0)).toBe(80);
    }
  });

  it('paces requests across callers: slots spaced by rate_limit, skipped when the wait is too long', async () => {
    const c = cand();
    const paced = needs({ paceMs: 200, maxPaceWaitMs: 300 });
    const a = await store.admit(c, paced, 1000);
    const b = await store.admit(c, paced, 1000);
    const d = await store.admit(c, paced, 1000);
    expect(a).toMatchObject({ ok: true, waitMs: 0 });
    expect(b.ok && b.waitMs).toBeGreaterThan(150);
    expect(d).toMatchObject({ ok: false, status: 'paced' });
  });
});
