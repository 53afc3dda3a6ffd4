import type { ChatCompletion, ProviderScope, RouteMeta, RouterChatCommand, RouterChatEvent, Usage, UsageRecordJob } from '@aisbf/contracts';
import type { AppEnv } from '@aisbf/platform-config';
import { AppError } from '@aisbf/platform-errors';
import { InflightRegistry } from '@aisbf/platform-messaging';
import type { AppLogger } from '@aisbf/platform-observability';
import { resolveRoute, type ResolvedRoute } from '@aisbf/routing';
import { Inject, Injectable } from '@nestjs/common';
import { Observable } from 'rxjs';
import { RouteInventoryService } from '../inventory/route-inventory.service';
import { ENV, LOGGER } from '../tokens';
import { UsageRecorder } from '../usage/usage-recorder.service';
import { ProviderCaller, type ProviderEvent } from './provider-caller.service';

type Emit = (e: RouterChatEvent) => void;

interface Outcome {
  status: UsageRecordJob['status'];
  errorCode: string | null;
  route: string;
  routeKind: UsageRecordJob['routeKind'];
  providerId: string | null;
  model: string | null;
  attempts: number;
  usage: Usage | null;
}

/** A primed attempt: its first event already read (so a failure before the first token can still be retried). */
interface PrimedAttempt {
  meta: RouteMeta;
  first: ProviderEvent;
  rest: AsyncGenerator<ProviderEvent>;
}

/**
 * Route and run one chat completion. Streams are primed: the first upstream event is read before anything is
 * committed to the client, so an upstream that fails before its first token produces an HTTP error (or, with
 * rotations, a failover), and a failure after commit ends the stream with an in-band error event.
 */
@Injectable()
export class ChatUseCase {
  constructor(
    @Inject(RouteInventoryService) private readonly inventory: RouteInventoryService,
    @Inject(ProviderCaller) private readonly provider: ProviderCaller,
    @Inject(UsageRecorder) private readonly usage: UsageRecorder,
    @Inject(InflightRegistry) private readonly inflight: InflightRegistry,
    @Inject(ENV) private readonly env: AppEnv,
    @Inject(LOGGER) private readonly log: AppLogger,
  ) {}

  execute(cmd: RouterChatCommand): Observable<RouterChatEvent> {
    return new Observable<RouterChatEvent>((subscriber) => {
      const work = this.inflight.track(cmd.requestId);
      subscriber.next({ type: 'accepted', instanceId: this.env.instanceId });
      const emit: Emit = (e) => subscriber.next(e);
      void this.run(cmd, work.signal, emit)
        .then((outcome) => this.record(cmd, outcome))
        .finally(() => {
          work.release();
          subscriber.complete();
        });
      return () => work.controller.abort(new Error('router stream unsubscribed'));
    });
  }

  private async run(cmd: RouterChatCommand, signal: AbortSignal, emit: Emit): Promise<Outcome> {
    const outcome: Outcome = {
      status: 'error',
      errorCode: null,
      route: cmd.body.model,
      routeKind: 'unresolved',
      providerId: null,
      model: null,
      attempts: 0,
      usage: null,
    };
    let committed = false;
    try {
      const route = resolveRoute(await this.inventory.forCaller(cmd.caller), cmd.body.model, cmd.entrypoint);
      outcome.route = route.name;
      outcome.routeKind = route.kind;
      const primed = await this.start(route, cmd, signal, outcome);
      emit({ type: 'meta', meta: primed.meta });
      committed = true;
      await this.relay(primed, emit, outcome);
    } catch (err) {
      const appErr = signal.aborted ? new AppError('CANCELLED', 'The request was cancelled', { retryable: false }) : AppError.from(err);
      if (!(err instanceof AppError)) this.log.error({ err, requestId: cmd.requestId }, 'chat request failed unexpectedly');
      outcome.status = appErr.code === 'CANCELLED' ? 'cancelled' : 'error';
      outcome.errorCode = appErr.code;
      // Before commit the edge answers with an HTTP error; after commit this is the stream's in-band error event.
      if (!signal.aborted) emit({ type: 'error', error: appErr.toEnvelope() });
      if (committed) this.log.warn({ requestId: cmd.requestId, code: appErr.code }, 'stream failed after commit');
    }
    return outcome;
  }

  /** Pick the upstream and prime it. Rotations and autoselects plug their attempt loops in here. */
  private async start(route: ResolvedRoute, cmd: RouterChatCommand, signal: AbortSignal, outcome: Outcome): Promise<PrimedAttempt> {
    if (route.kind !== 'provider') {
      throw new AppError('INVALID_REQUEST', `Routing to ${route.kind}s is not available in this build yet (requested '${route.name}')`, {
        retryable: false,
      });
    }
    const scope: ProviderScope = route.scope === 'user' && cmd.caller.userId !== undefined ? { kind: 'user', userId: cmd.caller.userId } : { kind: 'global' };
    return this.attempt(cmd, { scope, providerId: route.providerId, model: route.model }, 1, route, signal, outcome);
  }

  private async attempt(
    cmd: RouterChatCommand,
    target: { scope: ProviderScope; providerId: string; model: string },
    attempt: number,
    route: ResolvedRoute,
    signal: AbortSignal,
    outcome: Outcome,
  ): Promise<PrimedAttempt> {
    outcome.attempts = attempt;
    outcome.providerId = target.providerId;
    outcome.model = target.model;
    const stream = cmd.body.stream === true;
    const events = this.provider.call(
      {
        requestId: cmd.requestId,
        attempt,
        scope: target.scope,
        providerId: target.providerId,
        model: target.model,
        body: cmd.body,
        stream,
        includeUsage: cmd.body.stream_options?.include_usage === true,
        timeoutMs: this.env.timeouts.upstreamMs,
      },
      signal,
    );
    const first = await events.next();
    if (first.done) throw new AppError('STREAM_INTERRUPTED', `provider-workers ended attempt ${attempt} without an answer`);
    if (first.value.type === 'error') {
      await events.return(undefined);
      throw AppError.fromEnvelope(first.value.error);
    }
    const meta: RouteMeta = {
      route: route.name,
      routeKind: route.kind,
      providerId: target.providerId,
      model: target.model,
      attempts: attempt,
    };
    return { meta, first: first.value, rest: events };
  }

  private async relay(primed: PrimedAttempt, emit: Emit, outcome: Outcome): Promise<void> {
    const handle = (e: ProviderEvent): boolean => {
      switch (e.type) {
        case 'chunk':
          emit({ type: 'chunk', chunk: e.chunk });
          return false;
        case 'completion':
          outcome.usage = (e.completion as ChatCompletion).usage ?? null;
          emit({ type: 'completion', completion: e.completion });
          outcome.status = 'success';
          return true;
        case 'end':
          outcome.usage = e.usage;
          emit({ type: 'end', usage: e.usage });
          outcome.status = 'success';
          return true;
        case 'error':
          throw AppError.fromEnvelope(e.error);
      }
    };
    if (handle(primed.first)) return void (await primed.rest.return(undefined));
    for await (const e of primed.rest) {
      if (handle(e)) return;
    }
    throw new AppError('STREAM_INTERRUPTED', 'provider-workers ended the stream before it finished');
  }

  private async record(cmd: RouterChatCommand, o: Outcome): Promise<void> {
    const u = o.usage;
    await this.usage.record({
      requestId: cmd.requestId,
      caller: cmd.caller.label,
      userId: cmd.caller.userId ?? null,
      tokenId: cmd.caller.tokenId ?? null,
      route: o.route.slice(0, 191),
      routeKind: o.routeKind,
      providerId: o.providerId,
      model: o.model ? o.model.slice(0, 191) : null,
      promptTokens: u?.prompt_tokens ?? 0,
      completionTokens: u?.completion_tokens ?? 0,
      totalTokens: u?.total_tokens ?? (u ? u.prompt_tokens + u.completion_tokens : 0),
      latencyMs: Math.max(0, Date.now() - cmd.receivedAt),
      status: o.status,
      errorCode: o.errorCode,
      attempts: o.attempts,
      stream: cmd.body.stream === true,
      createdAt: Date.now(),
    });
  }
}
