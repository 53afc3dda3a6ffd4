import type { ChatCompletion, RouterChatCommand, RouterChatEvent, Usage, UsageRecordJob } from '@aisbf/contracts';
import type { AppEnv } from '@aisbf/platform-config';
import { AppError } from '@aisbf/platform-errors';
import { InflightRegistry } from '@aisbf/platform-messaging';
import type { AppLogger } from '@aisbf/platform-observability';
import { resolveRoute } from '@aisbf/routing';
import { Inject, Injectable } from '@nestjs/common';
import { Observable } from 'rxjs';
import { RouteInventoryService } from '../inventory/route-inventory.service';
import { ENV, LOGGER } from '../tokens';
import { UsageRecorder } from '../usage/usage-recorder.service';
import { RouteDispatcher } from '../rotation/route-dispatcher.service';
import type { AttemptCounter, PrimedAttempt } from '../rotation/route-run';
import type { ProviderEvent } from './provider-caller.service';

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

/**
 * Route and run one chat completion. Streams are primed: the first upstream event is read before anything is
 * committed to the client, so an upstream that fails before its first token produces an HTTP error (or, with
 * rotations, a failover — see ../rotation), and a failure after commit ends the stream with an in-band error event.
 */
@Injectable()
export class ChatUseCase {
  constructor(
    @Inject(RouteInventoryService) private readonly inventory: RouteInventoryService,
    @Inject(RouteDispatcher) private readonly routes: RouteDispatcher,
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
    const attempts: AttemptCounter = { count: 0 };
    let committed = false;
    let primed: PrimedAttempt | undefined;
    try {
      const inventory = await this.inventory.forCaller(cmd.caller);
      const route = resolveRoute(inventory, cmd.body.model, cmd.entrypoint);
      outcome.route = route.name;
      outcome.routeKind = route.kind;
      // Direct routes are one attempt; rotations run their attempt loop. Either way nothing is sent before this returns.
      primed = await this.routes.start(route, cmd, signal, inventory, attempts);
      emit({ type: 'meta', meta: primed.meta });
      committed = true;
      await this.relay(primed, emit, outcome);
      if (primed.failure) {
        outcome.status = 'error';
        outcome.errorCode = primed.failure.code;
      }
      await primed.settle({ status: 'success', usage: outcome.usage });
    } catch (err) {
      const appErr = signal.aborted ? new AppError('CANCELLED', 'The request was cancelled', { retryable: false }) : AppError.from(err);
      if (!(err instanceof AppError)) this.log.error({ err, requestId: cmd.requestId }, 'chat request failed unexpectedly');
      outcome.status = appErr.code === 'CANCELLED' ? 'cancelled' : 'error';
      outcome.errorCode = appErr.code;
      // Before commit the edge answers with an HTTP error; after commit this is the stream's in-band error event.
      if (!signal.aborted) emit({ type: 'error', error: appErr.toEnvelope() });
      if (committed) this.log.warn({ requestId: cmd.requestId, code: appErr.code }, 'stream failed after commit');
      await primed?.settle({ status: outcome.status === 'cancelled' ? 'cancelled' : 'error', usage: outcome.usage, error: appErr }).catch((e: Error) => this.log.warn({ err: e.message }, 'settle failed'));
    } finally {
      outcome.attempts = attempts.count;
      outcome.providerId = primed?.meta.providerId ?? attempts.last?.providerId ?? null;
      outcome.model = primed?.meta.model ?? attempts.last?.model ?? null;
    }
    return outcome;
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
