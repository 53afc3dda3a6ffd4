import type { ChatCompletion, RouteDecisionRecord } from '@aisbf/contracts';
import type { GatewayConfig } from '@aisbf/platform-config';
import { AppError } from '@aisbf/platform-errors';
import type { AppLogger } from '@aisbf/platform-observability';
import {
  autoselectSettings,
  autoselectTraits,
  checkDelegation,
  classifyRequest,
  decide,
  detectPrivateData,
  escalationFailure,
  findAutoselectProblems,
  refusalError,
  requestedOutputTokens,
  resolveAutoselectTarget,
  type AskRoute,
  type AutoselectAudit,
  type AutoselectDecision,
  type EscalationStep,
  type ResolvedRoute,
  type RouteScope,
} from '@aisbf/routing';
import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { verdictOf } from '../rotation/attempt-runner.service';
import type { PrimedAttempt, RunContext } from '../rotation/route-run';
import { GATEWAY_CONFIG, LOGGER } from '../tokens';
import { DecisionRecorder } from './decision-recorder.service';
import { SelectionCacheService } from './selection-cache.service';

type AutoselectRoute = Extract<ResolvedRoute, { kind: 'autoselect' }>;
type Outcome = RouteDecisionRecord['outcome'];

const cancelled = () => new AppError('CANCELLED', 'The request was cancelled', { retryable: false });
const ascii = (s: string, max = 500) => s.replace(/[^\x20-\x7e]/g, '?').slice(0, max);
const cut = (s: string, max = 191) => (s.length > max ? s.slice(0, max) : s);

/**
 * Whether a failed route lets the autoselect try the next one: the rotation engine's failover verdict (timeouts,
 * 5xx, rate limits, a route with nothing available, a loop), a context-length refusal (the next candidate may have a
 * larger context), and a nested autoselect's privacy refusal (the next privacy candidate may serve; the order holds
 * privacy routes only for a private request). Caller errors and content-filter refusals go back as they are.
 */
function escalates(e: AppError): boolean {
  return e.code === 'CONTEXT_LENGTH' || e.code === 'PRIVACY_REFUSED' || verdictOf(e).failover;
}

/**
 * Runs an autoselect: classify the request (local detector, classifier routes), decide (filters, selection model,
 * escalation order; see @aisbf/routing autoselect), then run the chosen route through the dispatcher and, when it fails
 * before anything was sent, the next one in the order, ending with the fallback. Nothing is sent anywhere when the
 * decision is a refusal. Every decision is audited (off the request path) and summarised in the response headers.
 */
@Injectable()
export class AutoselectExecutor implements OnApplicationBootstrap {
  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    @Inject(DecisionRecorder) private readonly recorder: DecisionRecorder,
    @Inject(SelectionCacheService) private readonly cache: SelectionCacheService,
    @Inject(LOGGER) private readonly log: AppLogger,
  ) {}

  /** Say at start-up what the global autoselects will refuse or ignore, rather than at the first unlucky request. */
  onApplicationBootstrap(): void {
    const inv = { providers: this.config.providers.providers, rotations: this.config.rotations.rotations, autoselects: this.config.autoselect };
    for (const p of findAutoselectProblems(inv, this.config.aisbf)) this.log.warn(`autoselect.json: ${p}`);
  }

  async run(route: AutoselectRoute, ctx: RunContext): Promise<PrimedAttempt> {
    const enter = checkDelegation(ctx.chain, route.name);
    if (!enter.ok) throw new AppError('LOOP_DETECTED', `Route '${route.name}' refused: ${enter.reason}`, { retryable: false });
    const child: RunContext = { ...ctx, chain: [...ctx.chain, route.name] };
    const started = Date.now();
    const scope = route.scope;
    const settings = autoselectSettings(route.autoselect, { aisbf: this.config.aisbf, scope, inventory: ctx.inventory });
    const traits = autoselectTraits(ctx.inventory, scope);

    let decision: AutoselectDecision;
    try {
      // Inside an autoselect that judged the request private, it stays private here (no second opinion is asked).
      const signals = ctx.privateRequest
        ? { detection: detectPrivateData(ctx.cmd.body), privacyClassifier: 'private' as const, notes: ['private by the enclosing autoselect: not classified again'] }
        : await classifyRequest(settings.config, ctx.cmd.body, { ask: this.asker(child, scope, 'classify'), traits });
      if (ctx.privateRequest) settings.config = { ...settings.config, classify_privacy: true };
      if (ctx.signal.aborted) throw cancelled();
      decision = await decide(
        {
          autoselectId: route.id,
          config: settings.config,
          request: ctx.cmd.body,
          signals,
          traits,
          selectionRoute: settings.selectionRoute,
          requestId: ctx.cmd.requestId,
          caller: ctx.cmd.caller.label,
          notes: [...settings.notes, ...signals.notes],
        },
        { ask: this.asker(child, scope, 'select'), cache: this.cache.forScope(this.scopeTag(route, ctx)) },
      );
    } catch (err) {
      if (ctx.signal.aborted) throw cancelled();
      // The pipeline itself does not throw (classifier and selection failures are verdicts); this is a bug.
      this.log.error({ err, requestId: ctx.cmd.requestId, route: route.name }, 'autoselect decision failed unexpectedly');
      throw new AppError('INTERNAL', `Autoselect '${route.id}' could not decide; nothing was sent upstream`, { retryable: false });
    }
    const decisionMs = Date.now() - started;
    const audit = (outcome: Outcome, extra: { taken?: string; steps?: EscalationStep[]; errorCode?: string }) =>
      void this.recorder.record(this.record(route, ctx, decision.audit, decision.header, decisionMs, outcome, extra));

    if (decision.kind === 'refuse') {
      const err = refusalError(decision.refusal, { aisbf_decision: decision.header });
      this.log.info({ requestId: ctx.cmd.requestId, route: route.name, code: err.code, rules: decision.audit.privacy.rules }, 'autoselect refused the request');
      audit('refused', { errorCode: err.code });
      throw err;
    }

    const steps: EscalationStep[] = [];
    const dispatch: RunContext = decision.filter.privacy.verdict === 'private' ? { ...child, privateRequest: true } : child;
    for (const name of decision.order) {
      if (ctx.signal.aborted) {
        audit('cancelled', { steps, errorCode: 'CANCELLED' });
        throw cancelled();
      }
      let target: ResolvedRoute;
      try {
        target = resolveAutoselectTarget(ctx.inventory, name, scope);
      } catch (err) {
        const e = AppError.from(err);
        steps.push({ route: name, code: e.code, message: e.message });
        continue;
      }
      const candidate = decision.filter.candidates.find((c) => c.id === name);
      const body = ctx.cmd.body;
      // A candidate's max_tokens applies when the client sent no output cap.
      const sub: RunContext =
        candidate?.maxTokens !== undefined && requestedOutputTokens(body) === undefined ? { ...dispatch, cmd: { ...dispatch.cmd, body: { ...body, max_tokens: candidate.maxTokens } } } : dispatch;
      try {
        const primed = await ctx.run(target, sub);
        if (primed.failure) throw primed.failure;
        audit('routed', { taken: target.name, steps });
        return this.served(primed, route, ctx, decision, target.name, steps);
      } catch (err) {
        const e = AppError.from(err);
        if (ctx.signal.aborted || e.code === 'CANCELLED') {
          audit('cancelled', { steps, errorCode: 'CANCELLED' });
          throw cancelled();
        }
        steps.push({ route: target.name, code: e.code, message: e.message });
        if (!escalates(e)) {
          audit('failed', { steps, errorCode: e.code });
          throw e;
        }
      }
    }
    const err = escalationFailure(route.id, steps, [{ aisbf_decision: decision.header }]);
    this.log.warn({ requestId: ctx.cmd.requestId, route: route.name, code: err.code, steps: steps.map((s) => `${s.route}: ${s.code}`) }, 'autoselect: every route failed');
    audit('failed', { steps, errorCode: err.code });
    throw err;
  }

  /**
   * The answer that primed, with the decision headers. When the caller named this autoselect, `x-aisbf-route` is the
   * route it took and `x-aisbf-autoselect` the autoselect; nested in another route, only the decision is added.
   */
  private served(primed: PrimedAttempt, route: AutoselectRoute, ctx: RunContext, d: Extract<AutoselectDecision, { kind: 'route' }>, taken: string, steps: EscalationStep[]): PrimedAttempt {
    const header = taken !== d.route ? `${d.header};served=${taken}` : d.header;
    const headers: Record<string, string> = { ...primed.meta.headers };
    if (steps.length) headers['x-aisbf-escalation'] = ascii(steps.map((s, i) => `${i + 1}) ${s.route}: ${s.code}`).join('; '));
    if (ctx.chain.length === 0) {
      headers['x-aisbf-autoselect'] = route.name;
      return { ...primed, meta: { ...primed.meta, route: taken, decision: header, headers } };
    }
    return { ...primed, meta: { ...primed.meta, decision: primed.meta.decision ?? header, headers } };
  }

  /** Where identical selections are shared: per scope (user route ids repeat across users). */
  private scopeTag(route: AutoselectRoute, ctx: RunContext): string {
    return route.scope === 'user' ? `u${ctx.cmd.caller.userId ?? 0}` : 'g';
  }

  /**
   * The router's own route caller for classifier and selection calls: a small non-streaming request through the
   * dispatcher (so rotations, cooldowns, limits and the loop guard apply — `child.chain` holds this autoselect), with
   * its own attempt ids (`<request>.<purpose><n>.<attempt>`), cancelled when the decision gives up on it or the
   * client goes away. Returns the assistant's text.
   */
  private asker(child: RunContext, scope: RouteScope, purpose: 'classify' | 'select'): AskRoute {
    let n = 0;
    return async (name, call, signal) => {
      const target = resolveAutoselectTarget(child.inventory, name, scope);
      const combined = AbortSignal.any([child.signal, signal]);
      const sub: RunContext = {
        ...child,
        cmd: {
          ...child.cmd,
          requestId: `${child.cmd.requestId}.${purpose}${++n}`,
          body: { model: target.name, messages: call.messages, temperature: call.temperature, max_tokens: call.max_tokens, ...(call.stop ? { stop: [...call.stop] } : {}), stream: false },
        },
        signal: combined,
        top: { name: target.name, kind: target.kind },
        attempts: { count: 0 },
      };
      const primed = await child.run(target, sub);
      try {
        if (primed.failure) throw primed.failure;
        if (combined.aborted) throw cancelled();
        const first = primed.first;
        if (first.type === 'error') throw AppError.fromEnvelope(first.error);
        if (first.type !== 'completion') throw new AppError('INTERNAL', `unexpected '${first.type}' answer to a non-streaming ${purpose} call`, { retryable: false });
        await primed.rest.return(undefined);
        const completion = first.completion as ChatCompletion;
        await primed.settle({ status: 'success', usage: completion.usage ?? null });
        const content = (completion.choices[0]?.message as { content?: unknown } | undefined)?.content;
        return typeof content === 'string' ? content : null;
      } catch (err) {
        const e = AppError.from(err);
        await primed.settle({ status: e.code === 'CANCELLED' ? 'cancelled' : 'error', usage: null, error: e }).catch(() => undefined);
        throw e;
      }
    };
  }

  /** The audit record: ids, rule ids and codes (the steps' messages are left out: upstream errors may echo the request). */
  private record(route: AutoselectRoute, ctx: RunContext, a: AutoselectAudit, header: string, decisionMs: number, outcome: Outcome, extra: { taken?: string; steps?: EscalationStep[]; errorCode?: string }): RouteDecisionRecord {
    // One record per autoselect and request: a nested autoselect gets a derived id.
    const requestId = ctx.chain.length === 0 ? ctx.cmd.requestId : `${ctx.cmd.requestId}:${createHash('sha256').update(route.name).digest('hex').slice(0, 8)}`;
    return {
      requestId,
      caller: cut(ctx.cmd.caller.label),
      userId: ctx.cmd.caller.userId ?? null,
      autoselect: cut(route.name),
      outcome,
      privacy: a.privacy.verdict,
      privacyRules: a.privacy.rules.slice(0, 200),
      privacyClassifier: a.privacy.classifier ?? null,
      failClosed: a.privacy.failClosed,
      nsfw: a.nsfw.verdict,
      candidates: {
        configured: a.configured.map((c) => cut(c)),
        stages: a.stages.map((s) => ({ stage: s.stage, remaining: s.remaining.map((c) => cut(c)), removed: s.removed.map((r) => ({ id: cut(r.id), reason: cut(r.reason) })) })),
        fallback: { id: cut(a.fallback.id), allowed: a.fallback.allowed, ...(a.fallback.reason ? { reason: cut(a.fallback.reason) } : {}) },
      },
      selection: {
        route: a.selection.route ? cut(a.selection.route) : null,
        via: a.selection.via,
        answer: a.selection.answer ? cut(a.selection.answer) : null,
        cached: a.selection.cached,
        ...(a.selection.reason ? { reason: cut(a.selection.reason, 64) } : {}),
      },
      routeChosen: a.route ? cut(a.route) : null,
      order: a.order.map((o) => cut(o)),
      routeTaken: extra.taken ? cut(extra.taken) : null,
      escalation: (extra.steps ?? []).map((s) => ({ route: cut(s.route), code: s.code })),
      errorCode: extra.errorCode ?? null,
      decisionMs: Math.max(0, Math.round(decisionMs)),
      header: cut(header, 1000),
      notes: (a.notes ?? []).slice(0, 50).map((n) => cut(n, 500)),
      createdAt: Date.now(),
    };
  }
}
