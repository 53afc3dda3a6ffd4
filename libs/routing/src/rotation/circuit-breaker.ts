/**
 * The cooldown state machine of one candidate, as pure functions. This is the specification: the router runs the same
 * transitions atomically in Redis (Lua), and an integration test replays event sequences through both and compares.
 *
 *   closed ──N failures within the window──► open(cooldown₁)
 *   open ──cooldown elapsed──► half-open (derived: open and now ≥ openUntil)
 *   half-open ──one request takes the probe token──► probing (others still see it as unavailable)
 *   probe succeeds ──► closed (failure window cleared)
 *   probe fails ──► open(cooldownₖ₊₁ = 2 × cooldownₖ, capped)
 *
 * Successes in the closed state do not reset the window: a candidate failing every other request still trips.
 */
export interface BreakerConfig {
  /** Failures within `failureWindowMs` that open the breaker. */
  failureThreshold: number;
  failureWindowMs: number;
  /** First cooldown (the candidate's `error_cooldown`). */
  cooldownMs: number;
}

export const DEFAULT_FAILURE_THRESHOLD = 3;
export const DEFAULT_FAILURE_WINDOW_MS = 60_000;
/** Longest cooldown a re-opening can reach (never shorter than the configured base). */
export const MAX_COOLDOWN_MS = 3_600_000;

export interface BreakerState {
  mode: 'closed' | 'open';
  /** Timestamps (ms) of the failures inside the window (closed mode). */
  failures: number[];
  /** End of the current cooldown (open mode). */
  openUntil: number;
  /** Consecutive openings without a successful probe: 1 after the first trip. */
  trips: number;
  /** The half-open probe in flight, if any. */
  probe?: { holder: string; expiresAt: number };
}

export type BreakerView =
  | { state: 'closed'; failures: number }
  | { state: 'open'; openUntil: number; trips: number }
  | { state: 'half_open'; probeBusy: boolean; trips: number };

export type AdmitDecision = 'allow' | 'probe' | 'deny';

export const initialBreaker = (): BreakerState => ({ mode: 'closed', failures: [], openUntil: 0, trips: 0 });

/** The cooldown after the k-th consecutive opening: base × 2^(k−1), capped at max(base, 1 h). */
export function cooldownFor(trips: number, baseMs: number): number {
  const cap = Math.max(baseMs, MAX_COOLDOWN_MS);
  return Math.min(baseMs * 2 ** Math.max(0, trips - 1), cap);
}

export function viewBreaker(s: BreakerState, now: number, windowMs = DEFAULT_FAILURE_WINDOW_MS): BreakerView {
  if (s.mode === 'closed') return { state: 'closed', failures: s.failures.filter((t) => t > now - windowMs).length };
  if (now < s.openUntil) return { state: 'open', openUntil: s.openUntil, trips: s.trips };
  return { state: 'half_open', probeBusy: !!s.probe && s.probe.expiresAt > now, trips: s.trips };
}

/** May a request use the candidate now? In half-open, only the one request that takes the probe token may. */
export function admitBreaker(s: BreakerState, now: number, holder: string, probeTtlMs: number): { decision: AdmitDecision; state: BreakerState } {
  if (s.mode === 'closed') return { decision: 'allow', state: s };
  if (now < s.openUntil) return { decision: 'deny', state: s };
  if (s.probe && s.probe.expiresAt > now) return { decision: 'deny', state: s };
  return { decision: 'probe', state: { ...s, probe: { holder, expiresAt: now + probeTtlMs } } };
}

export type Transition = 'opened' | 'reopened' | 'closed' | undefined;

/** A failure observed by an attempt (`probe` = it held the probe token). */
export function recordBreakerFailure(s: BreakerState, now: number, cfg: BreakerConfig, probeHolder?: string): { state: BreakerState; transition: Transition } {
  if (s.mode === 'open') {
    // Only the probe decides in half-open; failures of attempts admitted before the breaker opened change nothing.
    if (probeHolder === undefined || s.probe?.holder !== probeHolder) return { state: s, transition: undefined };
    const trips = s.trips + 1;
    return { state: { mode: 'open', failures: [], openUntil: now + cooldownFor(trips, cfg.cooldownMs), trips }, transition: 'reopened' };
  }
  const failures = [...s.failures.filter((t) => t > now - cfg.failureWindowMs), now];
  if (failures.length >= cfg.failureThreshold) {
    return { state: { mode: 'open', failures: [], openUntil: now + cooldownFor(1, cfg.cooldownMs), trips: 1 }, transition: 'opened' };
  }
  return { state: { ...s, failures }, transition: undefined };
}

/** A success observed by an attempt; only a probe's success changes the state (closes the breaker). */
export function recordBreakerSuccess(s: BreakerState, probeHolder?: string): { state: BreakerState; transition: Transition } {
  if (s.mode === 'open' && probeHolder !== undefined && s.probe?.holder === probeHolder) {
    return { state: initialBreaker(), transition: 'closed' };
  }
  return { state: s, transition: undefined };
}

/** The probe ended without a verdict (cancelled, or a caller error): free the token, keep the state. */
export function releaseProbe(s: BreakerState, probeHolder: string): BreakerState {
  if (s.probe?.holder !== probeHolder) return s;
  const { probe: _probe, ...rest } = s;
  return rest;
}
