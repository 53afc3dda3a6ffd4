import type { ProviderScope } from '@aisbf/contracts';
import type { AppEnv, GatewayConfig } from '@aisbf/platform-config';
import { AppError } from '@aisbf/platform-errors';
import type { AppLogger } from '@aisbf/platform-observability';
import {
  attemptOrder,
  checkDelegation,
  DEFAULT_FAILURE_THRESHOLD,
  DEFAULT_FAILURE_WINDOW_MS,
  expandCandidates,
  routeSetOf,
  findDelegationProblems,
  formatModelName,
  resolveRoute,
  type Candidate,
  type ProviderCandidate,
  type ResolvedRoute,
  type Rng,
} from '@aisbf/routing';
import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import type { ProviderEvent } from '../chat/provider-caller.service';
import { ENV, GATEWAY_CONFIG, LOGGER } from '../tokens';
import { AttemptRunner, verdictOf, type AttemptTarget } from './attempt-runner.service';
import { fromArray } from './event-streams';
import { withFailoverNotice } from './failover-notice';
import { describeDenial, describeFailure, failureAnswer, renderAttemptLog, rotationFailure, type AttemptRecord } from './failure-report';
import type { PrimedAttempt, RunContext } from './route-run';
import { CandidateStateStore, isUsable, type CandidateStatus } from './state/candidate-state.store';

/** The random source of candidate selection (tests inject a seeded one). */
export const ROTATION_RNG = Symbol('ROTATION_RNG');

export const DEFAULT_MAX_ATTEMPTS = 5;
/** First-token deadline of streamed rotation requests when the rotation sets no `ttft_timeout`. */
export const DEFAULT_STREAM_TTFT_MS = 60_000;

type RotationRoute = Extract<ResolvedRoute, { kind: 'rotation' }>;

interface RotationSettings {
  maxAttempts: number;
  ttftMs: number;
  failureThreshold: number;
  failureWindowMs: number;
  notifyErrors: boolean;
  notifyOnFailover: boolean;
}

const ascii = (s: string, max = 500) => s.replace(/[^\x20-\x7e]/g, '?').slice(0, max);

/**
 * The attempt loop of a rotation: expand its candidates, drop those the shared state says cannot serve now, pick the
 * first by weighted choice and the rest by weight, and try them until one primes. Retryable failures fail over
 * invisibly (nothing was sent yet); caller errors and content-filter refusals are returned; meta-provider candidates
 * run their route recursively through `ctx.run`. When nothing serves, the answer lists every attempt and why.
 */
@Injectable()
export class RotationExecutor implements OnApplicationBootstrap {
  constructor(
    @Inject(AttemptRunner) private readonly attempts: AttemptRunner,
    @Inject(CandidateStateStore) private readonly store: CandidateStateStore,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    @Inject(ENV) private readonly env: AppEnv,
    @Inject(ROTATION_RNG) private readonly rng: Rng,
    @Inject(LOGGER) private readonly log: AppLogger,
  ) {}

  /** Say at start-up what the global rotations will refuse or ignore, rather than at the first unlucky request. */
  onApplicationBootstrap(): void {
    const inv = { providers: this.config.providers.providers, rotations: this.config.rotations.rotations, autoselects: this.config.autoselect };
    for (const p of findDelegationProblems(inv)) this.log.warn(`rotations.json: ${p} (requests reaching it are refused with LOOP_DETECTED)`);
    for (const [id, r] of Object.entries(inv.rotations)) {
      for (const i of expandCandidates(r, inv.providers).issues) this.log.warn(`rotations.json: rotation '${id}', entry ${i.entry}: ${i.reason}`);
    }
  }

  settings(route: RotationRoute, stream: boolean): RotationSettings {
    const r = route.rotation;
    // The rotations.json top-level flags are defaults for the global rotations that do not set them.
    const file = route.scope === 'global' ? this.config.rotations : { notifyerrors: false, notify_on_failover: false };
    return {
      maxAttempts: r.max_attempts ?? DEFAULT_MAX_ATTEMPTS,
      ttftMs: r.ttft_timeout !== undefined ? r.ttft_timeout * 1000 : stream ? Math.min(DEFAULT_STREAM_TTFT_MS, this.env.timeouts.upstreamMs) : this.env.timeouts.upstreamMs,
      failureThreshold: r.failure_threshold ?? DEFAULT_FAILURE_THRESHOLD,
      failureWindowMs: r.failure_window !== undefined ? r.failure_window * 1000 : DEFAULT_FAILURE_WINDOW_MS,
      notifyErrors: r.notifyerrors ?? file.notifyerrors,
      notifyOnFailover: r.notify_on_failover ?? file.notify_on_failover,
    };
  }

  target(c: ProviderCandidate, scope: ProviderScope, s: RotationSettings): AttemptTarget {
    return {
      ref: { scope, providerId: c.providerId, model: c.model },
      label: c.label,
      limits: c.limits,
      breaker: { failureThreshold: s.failureThreshold, failureWindowMs: s.failureWindowMs, cooldownMs: c.limits.errorCooldownSec * 1000 },
      rotation: { ttftMs: s.ttftMs },
    };
  }

  /** The shared state of every provider candidate, in one round trip (advisory; admission decides atomically). */
  async statuses(route: RotationRoute, ctx: Pick<RunContext, 'cmd' | 'inventory'>): Promise<Array<{ candidate: Candidate; status?: CandidateStatus }>> {
    const s = this.settings(route, ctx.cmd.body.stream === true);
    const scope = this.scopeOf(route, ctx);
    // A user rotation's candidates are the user's own providers; a global one's the global providers.
    const { candidates } = expandCandidates(route.rotation, routeSetOf(ctx.inventory, route.scope).providers, route.scope);
    const providers = candidates.filter((c): c is ProviderCandidate => c.kind === 'provider');
    let statuses: CandidateStatus[] = [];
    try {
      statuses = await this.store.peekMany(providers.map((c) => {
        const t = this.target(c, scope, s);
        return { ref: t.ref, needs: this.attempts.needs(ctx.cmd.body, t) };
      }));
    } catch (err) {
      this.log.warn({ err: (err as Error).message, route: route.name }, 'could not read candidate state; trying every candidate');
    }
    return candidates.map((candidate) => ({ candidate, status: candidate.kind === 'provider' ? statuses[providers.indexOf(candidate)] : undefined }));
  }

  private scopeOf(route: RotationRoute, ctx: Pick<RunContext, 'cmd'>): ProviderScope {
    return route.scope === 'user' && ctx.cmd.caller.userId !== undefined ? { kind: 'user', userId: ctx.cmd.caller.userId } : { kind: 'global' };
  }

  async run(route: RotationRoute, ctx: RunContext): Promise<PrimedAttempt> {
    const enter = checkDelegation(ctx.chain, route.name);
    if (!enter.ok) throw new AppError('LOOP_DETECTED', `Route '${route.name}' refused: ${enter.reason}`, { retryable: false });
    const child: RunContext = { ...ctx, chain: [...ctx.chain, route.name] };
    const s = this.settings(route, ctx.cmd.body.stream === true);
    const scope = this.scopeOf(route, ctx);
    const records: AttemptRecord[] = [];

    const available: Candidate[] = [];
    for (const { candidate, status } of await this.statuses(route, ctx)) {
      if (!status || isUsable(status)) available.push(candidate);
      else records.push({ candidate: candidate.label, outcome: 'skipped', code: status.status, reason: describeDenial(status.status, status.until, status.info, status.now), availableAt: status.until || undefined });
    }
    const order = attemptOrder(available, this.rng);
    const preferred = order[0];
    let made = 0;

    for (const c of order) {
      if (ctx.signal.aborted) throw new AppError('CANCELLED', 'The request was cancelled', { retryable: false });
      if (made >= s.maxAttempts) {
        records.push({ candidate: c.label, outcome: 'skipped', code: 'NO_CANDIDATES', reason: `not tried: max_attempts (${s.maxAttempts}) reached` });
        continue;
      }
      if (c.kind === 'provider') {
        const out = await this.attempts.run(child, this.target(c, scope, s));
        if (out.kind === 'denied') {
          records.push({ candidate: c.label, outcome: 'skipped', code: out.status, reason: describeDenial(out.status, out.until, out.info, out.now), availableAt: out.until || undefined });
          continue;
        }
        if (out.kind === 'failed') {
          made++;
          records.push(this.failed(c.label, out.error, out.verdict.class, out.durationMs));
          if (!out.verdict.failover) throw out.error;
          continue;
        }
        return this.served(out.primed, route, c, preferred!, records, s);
      }
      // A meta-provider candidate: run its route recursively (rotation → rotation, later autoselect).
      const name = formatModelName({ kind: c.target.kind, scope: route.scope, id: c.target.id });
      const check = checkDelegation(child.chain, name);
      if (!check.ok) {
        records.push({ candidate: c.label, outcome: 'skipped', code: 'loop', reason: `refused: ${check.reason}` });
        continue;
      }
      made++;
      const started = Date.now();
      try {
        const primed = await ctx.run(resolveRoute(ctx.inventory, name, { kind: 'openai' }), child);
        if (primed.failure) throw primed.failure; // an inner notifyerrors report is a failure here
        return this.served(primed, route, c, preferred!, records, s);
      } catch (err) {
        const e = AppError.from(err);
        if (ctx.signal.aborted || e.code === 'CANCELLED') throw new AppError('CANCELLED', 'The request was cancelled', { retryable: false });
        const verdict = verdictOf(e);
        records.push(this.failed(c.label, e, verdict.class, Date.now() - started));
        if (!verdict.failover) throw e;
      }
    }

    const err = rotationFailure(route.name, records, s.maxAttempts);
    this.log.warn({ requestId: ctx.cmd.requestId, route: route.name, code: err.code, attempts: records }, 'rotation found no candidate that served');
    if (s.notifyErrors && ctx.chain.length === 0) return this.failureAsAnswer(route, ctx, err, records, s);
    throw err;
  }

  private failed(candidate: string, e: AppError, cls: AttemptRecord['class'] & string, durationMs: number): AttemptRecord {
    return {
      candidate,
      outcome: 'failed',
      code: e.code,
      class: cls,
      reason: describeFailure(e, cls),
      durationMs,
      ...(e.extras.upstreamStatus ? { upstreamStatus: e.extras.upstreamStatus } : {}),
      ...(e.extras.retryAfterMs ? { availableAt: Date.now() + e.extras.retryAfterMs } : {}),
    };
  }

  /** The answer that primed, with the failover log header and, when configured, the failover notice. */
  private served(primed: PrimedAttempt, route: RotationRoute, used: Candidate, preferred: Candidate, records: AttemptRecord[], s: RotationSettings): PrimedAttempt {
    let out = primed;
    if (records.length) {
      out = { ...out, meta: { ...out.meta, headers: { ...out.meta.headers, 'x-aisbf-failover-log': ascii(renderAttemptLog(records)) } } };
    }
    if (s.notifyOnFailover && used !== preferred) {
      const pref = preferred.kind === 'provider' ? { provider: preferred.providerId, model: preferred.model } : { provider: preferred.target.kind, model: preferred.target.id };
      out = withFailoverNotice(out, { rotationId: route.id, preferred: pref, used: { provider: out.meta.providerId, model: out.meta.model } });
    }
    return out;
  }

  /** `notifyerrors`: the failure report as an assistant message (HTTP 200), flagged `aisbf_error`. */
  private failureAsAnswer(route: RotationRoute, ctx: RunContext, err: AppError, records: AttemptRecord[], s: RotationSettings): PrimedAttempt {
    const { completion, chunks } = failureAnswer(route.name, route.id, err, records, s.maxAttempts);
    const events: ProviderEvent[] =
      ctx.cmd.body.stream === true ? [...chunks.map((chunk) => ({ type: 'chunk' as const, chunk })), { type: 'end', usage: null }] : [{ type: 'completion', completion }];
    const [first, ...rest] = events;
    return {
      meta: { route: ctx.top.name, routeKind: ctx.top.kind, providerId: 'rotation', model: route.id, attempts: Math.max(1, ctx.attempts.count), headers: { 'x-aisbf-error': err.code } },
      first: first!,
      rest: fromArray(rest),
      settle: async () => undefined,
      failure: err,
    };
  }
}
