import type { ProviderScope } from '@aisbf/contracts';
import { RedisService } from '@aisbf/platform-redis';
import { MAX_COOLDOWN_MS } from '@aisbf/routing';
import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { ADMIT_LUA, CANDIDATE_KEYS, PEEK_LUA, RECONCILE_LUA, REPORT_LUA } from './candidate-state.lua';

/** One `(scope, provider, model)` whose state is shared by every router replica. */
export interface CandidateRef {
  scope: ProviderScope;
  providerId: string;
  model: string;
}

/** What an attempt needs from the candidate's limits (from the `default_*` cascade). */
export interface AdmissionNeeds {
  /** Tokens to reserve (prompt estimate + output cap); 0 when the candidate has no token limit. */
  tokens: number;
  tpm?: number;
  tph?: number;
  tpd?: number;
  paceMs: number;
  providerPaceMs: number;
  /** Longest wait for a pacing slot; beyond it the candidate is skipped for this request. */
  maxPaceWaitMs: number;
  /** Rotation candidates honour Retry-After and cooldowns; a direct provider route only manual disables and limits. */
  strict: boolean;
}

/** Why a candidate cannot be used now. */
export type DenyStatus = 'disabled' | 'not_before' | 'open' | 'probing' | 'tokens' | 'too_large' | 'paced';

export type CandidateStatus =
  | { status: 'ok' | 'half_open'; now: number }
  | { status: DenyStatus; until: number; info: string; now: number };

export type DeniedStatus = Extract<CandidateStatus, { until: number }>;

export const isUsable = (s: CandidateStatus): s is Exclude<CandidateStatus, DeniedStatus> => s.status === 'ok' || s.status === 'half_open';

export type Admission =
  | { ok: true; probe: boolean; waitMs: number; tokens: number; buckets: [number, number, number]; holder: string; now: number }
  | { ok: false; status: DenyStatus; until: number; info: string; now: number };

export interface BreakerSettings {
  failureThreshold: number;
  failureWindowMs: number;
  cooldownMs: number;
}

export type ReportEvent =
  | { kind: 'failure'; breaker: BreakerSettings }
  | { kind: 'success' }
  | { kind: 'release' }
  | { kind: 'wait'; waitMs: number };

export interface ReportResult {
  transition: 'opened' | 'reopened' | 'closed' | undefined;
  until: number;
  trips: number;
}

export interface ProviderDisable {
  reason: string;
  since: number;
  by: string;
}

type ScriptFn = (...args: Array<string | number>) => Promise<unknown>;

const tag = (scope: ProviderScope, providerId: string) => `{${scope.kind === 'user' ? `u${scope.userId}` : 'g'}|${providerId.replace(/[{}]/g, '_')}}`;

/**
 * The shared state of rotation candidates in Redis: manual disables, breakers (failure windows, cooldowns, half-open
 * probe tokens), Retry-After "not before" times, pacing slots and token windows. Every decision is one Lua script, so
 * all router replicas see one consistent state; nothing shared is kept in process memory.
 */
@Injectable()
export class CandidateStateStore {
  private readonly client: Redis;
  private readonly peekFn: ScriptFn;
  private readonly admitFn: ScriptFn;
  private readonly reportFn: ScriptFn;
  private readonly reconcileFn: ScriptFn;

  constructor(@Inject(RedisService) private readonly redis: RedisService) {
    this.client = redis.client;
    const define = (name: string, numberOfKeys: number, lua: string): ScriptFn => {
      if (!(name in this.client)) this.client.defineCommand(name, { numberOfKeys, lua });
      const fn = (this.client as unknown as Record<string, ScriptFn>)[name]!;
      return fn.bind(this.client);
    };
    this.peekFn = define('aisbfRotPeek', CANDIDATE_KEYS, PEEK_LUA);
    this.admitFn = define('aisbfRotAdmit', CANDIDATE_KEYS, ADMIT_LUA);
    this.reportFn = define('aisbfRotReport', 4, REPORT_LUA);
    this.reconcileFn = define('aisbfRotReconcile', 3, RECONCILE_LUA);
  }

  /** Redis keys of a candidate (documented in docs/redis-keys.md). */
  keys(c: CandidateRef) {
    const base = this.redis.key('rot', tag(c.scope, c.providerId));
    const m = `${base}:m:${c.model}`;
    return {
      disabled: `${base}:disabled`,
      brk: `${m}:brk`,
      fails: `${m}:fails`,
      probe: `${m}:probe`,
      nb: `${m}:nb`,
      pace: `${m}:pace`,
      ppace: `${base}:pace`,
      tpm: `${m}:tpm`,
      tph: `${m}:tph`,
      tpd: `${m}:tpd`,
    };
  }

  private candidateKeys(c: CandidateRef): string[] {
    const k = this.keys(c);
    return [k.disabled, k.brk, k.fails, k.probe, k.nb, k.pace, k.ppace, k.tpm, k.tph, k.tpd];
  }

  private checkArgs(n: AdmissionNeeds): number[] {
    return [0, n.tokens, n.tpm ?? 0, n.tph ?? 0, n.tpd ?? 0, Math.round(n.paceMs), Math.round(n.providerPaceMs), n.maxPaceWaitMs, n.strict ? 1 : 0];
  }

  private static status(r: unknown[]): CandidateStatus {
    const [status, until, info, now] = r as [string, number, string, number];
    if (status === 'ok' || status === 'half_open') return { status, now: Number(now) };
    return { status: status as DenyStatus, until: Number(until), info: String(info ?? ''), now: Number(now) };
  }

  /** Whether the candidate could be used now (advisory: `admit` decides atomically). */
  async peek(c: CandidateRef, needs: AdmissionNeeds): Promise<CandidateStatus> {
    return CandidateStateStore.status((await this.peekFn(...this.candidateKeys(c), ...this.checkArgs(needs))) as unknown[]);
  }

  /** `peek` for many candidates in one round trip. */
  async peekMany(items: Array<{ ref: CandidateRef; needs: AdmissionNeeds }>): Promise<CandidateStatus[]> {
    if (!items.length) return [];
    const pipe = this.client.pipeline();
    for (const { ref, needs } of items) (pipe as unknown as Record<string, (...a: unknown[]) => void>)['aisbfRotPeek']!(...this.candidateKeys(ref), ...this.checkArgs(needs));
    const results = (await pipe.exec()) ?? [];
    return results.map(([err, r]) => {
      if (err) throw err;
      return CandidateStateStore.status(r as unknown[]);
    });
  }

  /**
   * Atomically check and take what one attempt needs: the half-open probe token (when the cooldown has elapsed), the
   * token reservation in every limited window and the pacing slot (the caller waits `waitMs` before calling).
   */
  async admit(c: CandidateRef, needs: AdmissionNeeds, probeTtlMs: number): Promise<Admission> {
    const holder = randomUUID();
    const r = (await this.admitFn(...this.candidateKeys(c), ...this.checkArgs(needs), holder, Math.max(1, Math.round(probeTtlMs)))) as unknown[];
    if (r[0] !== 'ok') {
      const s = CandidateStateStore.status(r) as Extract<CandidateStatus, { until: number }>;
      return { ok: false, status: s.status, until: s.until, info: s.info, now: s.now };
    }
    const [, probe, slot, b1, b2, b3, now] = r.map(Number) as number[];
    return {
      ok: true,
      probe: probe === 1,
      waitMs: Math.max(0, slot! - now!),
      tokens: needs.tokens,
      buckets: [b1!, b2!, b3!],
      holder,
      now: now!,
    };
  }

  /** Tell the breaker what the attempt found. Only the probe holder's verdict moves a half-open breaker. */
  async report(c: CandidateRef, admission: { holder: string; probe: boolean }, event: ReportEvent): Promise<ReportResult> {
    const k = this.keys(c);
    const b = event.kind === 'failure' ? event.breaker : undefined;
    const r = (await this.reportFn(
      k.brk,
      k.fails,
      k.probe,
      k.nb,
      event.kind,
      admission.holder,
      admission.probe ? 1 : 0,
      b?.failureThreshold ?? 0,
      b?.failureWindowMs ?? 0,
      b?.cooldownMs ?? 0,
      MAX_COOLDOWN_MS,
      event.kind === 'wait' ? Math.max(1, Math.round(event.waitMs)) : 0,
      randomUUID(),
    )) as unknown[];
    const transition = r[0] ? (String(r[0]) as ReportResult['transition']) : undefined;
    return { transition, until: Number(r[1]), trips: Number(r[2]) };
  }

  /** Replace a reservation by the real usage (`actualTokens`); a no-op for windows without a limit. */
  async reconcile(c: CandidateRef, admission: { tokens: number; buckets: [number, number, number] }, actualTokens: number): Promise<void> {
    const delta = Math.round(actualTokens) - admission.tokens;
    if (delta === 0 || admission.buckets.every((b) => b < 0)) return;
    const k = this.keys(c);
    await this.reconcileFn(k.tpm, k.tph, k.tpd, delta, ...admission.buckets);
  }

  /** Manual disable of a provider (every model, every rotation) until enabled again. */
  async disableProvider(scope: ProviderScope, providerId: string, reason: string, by: string): Promise<ProviderDisable> {
    const key = this.keys({ scope, providerId, model: '' }).disabled;
    const since = Date.now();
    await this.client.hset(key, 'reason', reason, 'since', since, 'by', by);
    return { reason, since, by };
  }

  /** Enable a provider again; like the original, this also clears the cooldowns of the given models. */
  async enableProvider(scope: ProviderScope, providerId: string, models: string[]): Promise<void> {
    const keys = [this.keys({ scope, providerId, model: '' }).disabled];
    for (const model of models) {
      const k = this.keys({ scope, providerId, model });
      keys.push(k.brk, k.fails, k.probe, k.nb);
    }
    // Same hash tag for all: one multi-key DEL is cluster-safe.
    await this.client.del(...keys);
  }

  async providerDisable(scope: ProviderScope, providerId: string): Promise<ProviderDisable | null> {
    const h = await this.client.hgetall(this.keys({ scope, providerId, model: '' }).disabled);
    if (!h['reason'] && !h['since']) return null;
    return { reason: h['reason'] ?? '', since: Number(h['since'] ?? 0), by: h['by'] ?? '' };
  }
}
