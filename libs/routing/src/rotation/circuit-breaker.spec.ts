import {
  admitBreaker,
  cooldownFor,
  initialBreaker,
  MAX_COOLDOWN_MS,
  recordBreakerFailure,
  recordBreakerSuccess,
  releaseProbe,
  viewBreaker,
  type BreakerConfig,
  type BreakerState,
} from './circuit-breaker';

const cfg: BreakerConfig = { failureThreshold: 3, failureWindowMs: 60_000, cooldownMs: 10_000 };

const fail = (s: BreakerState, now: number, probe?: string) => recordBreakerFailure(s, now, cfg, probe);

describe('circuit breaker (cooldown state machine)', () => {
  it('stays closed below N failures in the window — not one strike', () => {
    let s = initialBreaker();
    s = fail(s, 0).state;
    s = fail(s, 1000).state;
    expect(viewBreaker(s, 1000)).toEqual({ state: 'closed', failures: 2 });
    expect(admitBreaker(s, 1000, 'a', 5000).decision).toBe('allow');
  });

  it('forgets failures older than the window (sliding)', () => {
    let s = initialBreaker();
    s = fail(s, 0).state;
    s = fail(s, 30_000).state;
    const r = fail(s, 60_001); // the first one has left the window
    expect(r.transition).toBeUndefined();
    expect(viewBreaker(r.state, 60_001)).toEqual({ state: 'closed', failures: 2 });
  });

  it('opens on the N-th failure within the window, for the candidate’s cooldown', () => {
    let s = initialBreaker();
    s = fail(s, 0).state;
    s = fail(s, 10).state;
    const r = fail(s, 20);
    expect(r.transition).toBe('opened');
    expect(viewBreaker(r.state, 21)).toEqual({ state: 'open', openUntil: 10_020, trips: 1 });
    expect(admitBreaker(r.state, 5000, 'a', 5000).decision).toBe('deny');
  });

  it('successes in the closed state do not reset the window', () => {
    let s = initialBreaker();
    s = fail(s, 0).state;
    s = recordBreakerSuccess(s).state;
    s = fail(s, 10).state;
    s = recordBreakerSuccess(s).state;
    expect(fail(s, 20).transition).toBe('opened');
  });

  const opened = (): BreakerState => [0, 1, 2].reduce((s, t) => fail(s, t).state, initialBreaker());

  it('after the cooldown it is half-open: exactly one request gets the probe token', () => {
    const s = opened(); // open until 10_002
    expect(viewBreaker(s, 10_002)).toEqual({ state: 'half_open', probeBusy: false, trips: 1 });
    const a = admitBreaker(s, 10_002, 'req-a', 5000);
    expect(a.decision).toBe('probe');
    const b = admitBreaker(a.state, 10_003, 'req-b', 5000);
    expect(b.decision).toBe('deny');
    expect(viewBreaker(a.state, 10_003)).toEqual({ state: 'half_open', probeBusy: true, trips: 1 });
  });

  it('a successful probe closes it (healthy again)', () => {
    const probing = admitBreaker(opened(), 10_002, 'req-a', 5000).state;
    expect(recordBreakerSuccess(probing, 'req-b').transition).toBeUndefined(); // not the probe holder
    const r = recordBreakerSuccess(probing, 'req-a');
    expect(r.transition).toBe('closed');
    expect(viewBreaker(r.state, 10_010)).toEqual({ state: 'closed', failures: 0 });
  });

  it('a failed probe re-opens it with a longer cooldown', () => {
    const probing = admitBreaker(opened(), 10_002, 'req-a', 5000).state;
    const r = fail(probing, 10_100, 'req-a');
    expect(r.transition).toBe('reopened');
    expect(viewBreaker(r.state, 10_101)).toEqual({ state: 'open', openUntil: 10_100 + 20_000, trips: 2 });
    const again = fail(admitBreaker(r.state, 30_100, 'req-c', 5000).state, 30_200, 'req-c');
    expect(viewBreaker(again.state, 30_201)).toMatchObject({ openUntil: 30_200 + 40_000, trips: 3 });
  });

  it('failures of attempts that are not the probe change nothing while open', () => {
    const s = opened();
    expect(fail(s, 100).state).toBe(s);
    const probing = admitBreaker(s, 10_002, 'req-a', 5000).state;
    expect(fail(probing, 10_050, 'req-b').transition).toBeUndefined();
  });

  it('an expired probe token (the prober died) lets another request probe', () => {
    const probing = admitBreaker(opened(), 10_002, 'req-a', 5000).state;
    expect(admitBreaker(probing, 15_001, 'req-b', 5000).decision).toBe('deny');
    expect(admitBreaker(probing, 15_002, 'req-b', 5000).decision).toBe('probe');
  });

  it('a probe ending without a verdict frees the token', () => {
    const probing = admitBreaker(opened(), 10_002, 'req-a', 5000).state;
    const released = releaseProbe(probing, 'req-a');
    expect(admitBreaker(released, 10_010, 'req-b', 5000).decision).toBe('probe');
    expect(releaseProbe(probing, 'someone-else')).toBe(probing);
  });

  it('cooldowns double per re-opening, capped at max(base, 1 h)', () => {
    expect([1, 2, 3, 4].map((k) => cooldownFor(k, 300_000))).toEqual([300_000, 600_000, 1_200_000, 2_400_000]);
    expect(cooldownFor(10, 300_000)).toBe(MAX_COOLDOWN_MS);
    expect(cooldownFor(3, 7_200_000)).toBe(7_200_000);
  });
});
