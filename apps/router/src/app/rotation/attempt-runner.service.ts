import { CooldownChangedV1, RequestCancelledV1, type ChatCompletion, type ChatCompletionRequest, type ProviderChatCommand, type Usage } from '@aisbf/contracts';
import type { AppEnv } from '@aisbf/platform-config';
import { AppError } from '@aisbf/platform-errors';
import { EventBus } from '@aisbf/platform-messaging';
import type { AppLogger } from '@aisbf/platform-observability';
import {
  classifyFailure,
  estimatePromptTokens,
  estimateTextTokens,
  requestedOutputTokens,
  reservationTokens,
  type CandidateLimits,
  type FailureVerdict,
} from '@aisbf/routing';
import { Inject, Injectable } from '@nestjs/common';
import { ProviderCaller, type ProviderEvent } from '../chat/provider-caller.service';
import { ENV, LOGGER } from '../tokens';
import { observed } from './event-streams';
import type { AttemptSettlement, PrimedAttempt, RunContext } from './route-run';
import { CandidateStateStore, type Admission, type AdmissionNeeds, type BreakerSettings, type CandidateRef, type DenyStatus, type ReportEvent } from './state/candidate-state.store';

/** Longest wait for a `rate_limit` pacing slot; a candidate whose next slot is further away is skipped. */
export const MAX_PACE_WAIT_MS = 30_000;
/** A half-open probe token outlives the probe's first-token deadline by this much (covers a router crash). */
const PROBE_GRACE_MS = 10_000;
/** Streams charge their window again when their estimated output outgrows the reservation by this many tokens. */
const GROW_STEP_TOKENS = 256;

export interface AttemptTarget {
  ref: CandidateRef;
  /** `<provider>/<model>`, for reports and logs. */
  label: string;
  limits: CandidateLimits;
  breaker: BreakerSettings;
  /**
   * Rotation candidates: Retry-After and cooldowns apply, and the first event must arrive within `ttftMs`. A direct
   * `<provider>/<model>` route only honours manual disables, pacing and token limits (the caller chose that upstream).
   */
  rotation?: { ttftMs: number };
}

export type AttemptOutcome =
  | { kind: 'primed'; primed: PrimedAttempt; probe: boolean }
  | { kind: 'denied'; status: DenyStatus | 'state_unavailable'; until: number; info: string; now: number }
  | { kind: 'failed'; error: AppError; verdict: FailureVerdict; durationMs: number; probe: boolean };

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal.aborted) return reject(new AppError('CANCELLED', 'The request was cancelled', { retryable: false }));
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(new AppError('CANCELLED', 'The request was cancelled', { retryable: false }));
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });

/** Bytes of generated text in a chunk or completion (content, reasoning, tool-call arguments). */
function outputText(e: ProviderEvent): string {
  const parts: string[] = [];
  const take = (o: Record<string, unknown> | undefined) => {
    if (!o) return;
    for (const k of ['content', 'reasoning_content', 'reasoning', 'refusal']) if (typeof o[k] === 'string') parts.push(o[k] as string);
    const calls = o['tool_calls'];
    if (Array.isArray(calls)) for (const c of calls) parts.push(String((c as { function?: { arguments?: string } })?.function?.arguments ?? ''));
  };
  if (e.type === 'chunk') for (const c of e.chunk.choices) take((c as { delta?: Record<string, unknown> }).delta);
  if (e.type === 'completion') for (const c of e.completion.choices) take(c.message as Record<string, unknown>);
  return parts.join('');
}

/** The retry policy's verdict on a coded error (its extras carry the upstream status and Retry-After). */
export const verdictOf = (e: AppError): FailureVerdict =>
  classifyFailure({ code: e.code, retryable: e.retryable, retryAfterMs: e.extras.retryAfterMs, upstreamStatus: e.extras.upstreamStatus });

const totalOf = (u: Usage | null | undefined): number | undefined => (u ? u.total_tokens || u.prompt_tokens + u.completion_tokens : undefined);

/**
 * One upstream attempt against one `(provider, model)`: admit it atomically in Redis (manual disable, Retry-After,
 * cooldown / half-open probe, token reservation, pacing slot), call provider-workers, and prime the answer (read the
 * first event, within the first-token deadline for rotation candidates). The result is a primed attempt, a denial
 * (the candidate cannot be used now) or a classified failure; the shared state is updated either way.
 */
@Injectable()
export class AttemptRunner {
  constructor(
    @Inject(CandidateStateStore) private readonly store: CandidateStateStore,
    @Inject(ProviderCaller) private readonly provider: ProviderCaller,
    @Inject(EventBus) private readonly bus: EventBus,
    @Inject(ENV) private readonly env: AppEnv,
    @Inject(LOGGER) private readonly log: AppLogger,
  ) {}

  /** What the candidate needs from the shared state for this request. */
  needs(body: ChatCompletionRequest, t: Pick<AttemptTarget, 'limits' | 'rotation'>): AdmissionNeeds {
    const limited = !!(t.limits.tpm || t.limits.tph || t.limits.tpd);
    return {
      tokens: limited ? reservationTokens(body, t.limits.maxTokens) : 0,
      tpm: t.limits.tpm,
      tph: t.limits.tph,
      tpd: t.limits.tpd,
      paceMs: t.limits.rateLimitSec * 1000,
      providerPaceMs: t.limits.providerRateLimitSec * 1000,
      maxPaceWaitMs: MAX_PACE_WAIT_MS,
      strict: !!t.rotation,
    };
  }

  async run(ctx: RunContext, t: AttemptTarget): Promise<AttemptOutcome> {
    const body = ctx.cmd.body;
    const needs = this.needs(body, t);
    const ttftMs = t.rotation?.ttftMs;
    let admission: Admission;
    try {
      admission = await this.store.admit(t.ref, needs, (ttftMs ?? this.env.timeouts.upstreamMs) + PROBE_GRACE_MS);
    } catch (err) {
      // Redis is unreachable. Cooldowns and pacing fail open (availability first); token limits fail closed.
      this.log.error({ err: (err as Error).message, candidate: t.label }, 'candidate state unavailable');
      if (needs.tokens > 0) return { kind: 'denied', status: 'state_unavailable', until: 0, info: 'shared limiter state (Redis) unavailable', now: Date.now() };
      admission = { ok: true, probe: false, waitMs: 0, tokens: 0, buckets: [-1, -1, -1], holder: 'no-state', now: Date.now() };
    }
    if (!admission.ok) return { kind: 'denied', status: admission.status, until: admission.until, info: admission.info, now: admission.now };
    const adm = admission;

    const started = Date.now();
    const attempt = ++ctx.attempts.count;
    ctx.attempts.last = { providerId: t.ref.providerId, model: t.ref.model };
    const attemptId = `${ctx.cmd.requestId}.${attempt}`;
    const ac = new AbortController();
    let cancelled = false;
    // provider-workers tracks the attempt under its own id, so an abandoned attempt can be stopped alone.
    const cancelUpstream = (reason: string) => {
      if (cancelled) return;
      cancelled = true;
      ac.abort(new Error(reason));
      this.bus.publish(RequestCancelledV1, { requestId: attemptId, reason }, ctx.cmd.requestId);
    };
    const onAbort = () => cancelUpstream('request cancelled');
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    if (ctx.signal.aborted) onAbort(); // already gone: 'abort' will not fire again
    const detach = () => ctx.signal.removeEventListener('abort', onAbort);

    const promptEstimate = adm.tokens > 0 ? estimatePromptTokens(body) : 0;
    let charged = adm.tokens;
    try {
      if (adm.waitMs > 0) await sleep(adm.waitMs, ctx.signal);
      const events = this.provider.call(this.command(ctx, t, attempt, attemptId), ac.signal, ctx.cmd.requestId);
      const first = await this.firstEvent(events, t, ttftMs, cancelUpstream);
      if (first.type === 'error') {
        await events.return(undefined);
        throw AppError.fromEnvelope(first.error);
      }
      if (adm.probe) this.announce(t.ref, await this.report(t, adm, { kind: 'success' }));

      // Streams are metered as chunks arrive: when the output outgrows the reservation, the window is charged more.
      let outBytesText = outputText(first);
      let usage: Usage | null = first.type === 'completion' ? ((first.completion as ChatCompletion).usage ?? null) : null;
      let growing: Promise<void> = Promise.resolve();
      const see = (e: ProviderEvent) => {
        outBytesText += outputText(e);
        if (e.type === 'chunk' && e.chunk.usage) usage = e.chunk.usage;
        if (e.type === 'end' && e.usage) usage = e.usage;
        if (adm.tokens > 0) {
          const estimate = promptEstimate + estimateTextTokens(outBytesText);
          if (estimate > charged + GROW_STEP_TOKENS) {
            const from = charged;
            charged = estimate;
            growing = growing.then(() => this.store.reconcile(t.ref, { tokens: from, buckets: adm.buckets }, estimate)).catch(() => undefined);
          }
        }
      };
      let settled = false;
      const settle = async (r: AttemptSettlement): Promise<void> => {
        if (settled) return;
        settled = true;
        detach();
        if (r.status === 'cancelled') cancelUpstream('request cancelled');
        await growing;
        if (adm.tokens > 0) {
          const actual = totalOf(r.usage) ?? totalOf(usage) ?? promptEstimate + estimateTextTokens(outBytesText);
          await this.store.reconcile(t.ref, { tokens: charged, buckets: adm.buckets }, actual).catch((err) => this.log.warn({ err: err.message }, 'token reconcile failed'));
        }
        if (r.status === 'error' && r.error) {
          // A failure after commit (stream cut): no failover any more, but it counts toward the candidate's cooldown.
          const verdict = verdictOf(r.error);
          await this.afterFailure(t, { ...adm, probe: false }, verdict);
        }
      };
      const primed: PrimedAttempt = {
        meta: { route: ctx.top.name, routeKind: ctx.top.kind, providerId: t.ref.providerId, model: t.ref.model, attempts: ctx.attempts.count },
        first,
        rest: observed(events, see),
        settle,
      };
      return { kind: 'primed', primed, probe: adm.probe };
    } catch (err) {
      detach();
      const error = ctx.signal.aborted ? new AppError('CANCELLED', 'The request was cancelled', { retryable: false }) : AppError.from(err);
      if (!(err instanceof AppError) && !ctx.signal.aborted) this.log.error({ err, candidate: t.label }, 'attempt failed unexpectedly');
      if (error.code === 'TIMEOUT' || error.code === 'CANCELLED') cancelUpstream(error.code === 'TIMEOUT' ? 'attempt timed out' : 'request cancelled');
      const verdict = verdictOf(error);
      // Failed attempts are not billed: the reservation is given back.
      if (adm.tokens > 0) await this.store.reconcile(t.ref, { tokens: charged, buckets: adm.buckets }, 0).catch(() => undefined);
      await this.afterFailure(t, adm, verdict);
      return { kind: 'failed', error, verdict, durationMs: Date.now() - started, probe: adm.probe };
    }
  }

  private command(ctx: RunContext, t: AttemptTarget, attempt: number, attemptId: string): ProviderChatCommand {
    let body = ctx.cmd.body;
    // The configured default output cap applies when the caller sent none (as the original's max_tokens cascade).
    if (requestedOutputTokens(body) === undefined && t.limits.maxTokens !== undefined) body = { ...body, max_tokens: t.limits.maxTokens };
    return {
      requestId: attemptId,
      attempt,
      scope: t.ref.scope,
      providerId: t.ref.providerId,
      model: t.ref.model,
      body,
      stream: body.stream === true,
      includeUsage: body.stream_options?.include_usage === true,
      timeoutMs: this.env.timeouts.upstreamMs,
    };
  }

  /** The first upstream event; for rotation candidates within the first-token deadline, else a TIMEOUT. */
  private async firstEvent(events: AsyncGenerator<ProviderEvent>, t: AttemptTarget, ttftMs: number | undefined, cancel: (reason: string) => void): Promise<ProviderEvent> {
    const next = events.next();
    let timer: NodeJS.Timeout | undefined;
    const deadline = ttftMs === undefined ? undefined : new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), ttftMs)));
    const r = await (deadline ? Promise.race([next, deadline]) : next).finally(() => clearTimeout(timer));
    if (r === 'timeout') {
      cancel('no first token before the deadline');
      await next.catch(() => undefined);
      throw new AppError('TIMEOUT', `no first token from ${t.label} within ${(ttftMs! / 1000).toFixed(1)} s (ttft_timeout)`, { providerId: t.ref.providerId });
    }
    if (r.done) throw new AppError('STREAM_INTERRUPTED', `provider-workers ended the attempt on ${t.label} without an answer`, { providerId: t.ref.providerId });
    return r.value;
  }

  /** Tell the shared state what a failed attempt means: a failure in the window, a Retry-After, or (probe) a verdict. */
  private async afterFailure(t: AttemptTarget, adm: { holder: string; probe: boolean }, v: FailureVerdict): Promise<void> {
    const events: ReportEvent[] = [];
    if (v.waitMs !== undefined) events.push({ kind: 'wait', waitMs: v.waitMs });
    if (v.countsFailure) events.push({ kind: 'failure', breaker: t.breaker });
    // A probe answered by a caller error or a refusal reached a working upstream: that is a healthy verdict.
    if (!events.length && adm.probe) events.push(v.class === 'caller' || v.class === 'content_filter' ? { kind: 'success' } : { kind: 'release' });
    for (const e of events) this.announce(t.ref, await this.report(t, adm, e));
  }

  private async report(t: AttemptTarget, adm: { holder: string; probe: boolean }, e: ReportEvent) {
    try {
      return await this.store.report(t.ref, adm, e);
    } catch (err) {
      this.log.warn({ err: (err as Error).message, candidate: t.label, event: e.kind }, 'could not record the attempt outcome');
      return { transition: undefined, until: 0, trips: 0 };
    }
  }

  private announce(ref: CandidateRef, r: { transition?: 'opened' | 'reopened' | 'closed'; until: number; trips: number }): void {
    if (!r.transition) return;
    const until = r.transition === 'closed' ? undefined : r.until;
    this.log.warn({ providerId: ref.providerId, model: ref.model, change: r.transition, until, trips: r.trips }, `candidate ${ref.providerId}/${ref.model} ${r.transition}`);
    try {
      this.bus.publish(CooldownChangedV1, { scope: ref.scope, providerId: ref.providerId, model: ref.model, change: r.transition, ...(until ? { until } : {}) });
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'could not broadcast a cooldown change');
    }
  }
}
