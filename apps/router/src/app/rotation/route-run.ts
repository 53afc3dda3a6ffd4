import type { RouteMeta, RouterChatCommand, Usage } from '@aisbf/contracts';
import type { AppError } from '@aisbf/platform-errors';
import type { ResolvedRoute, RouteInventory } from '@aisbf/routing';
import type { ProviderEvent } from '../chat/provider-caller.service';

/** How a relayed answer ended; handed back to the attempt so it can settle its shared state. */
export interface AttemptSettlement {
  status: 'success' | 'error' | 'cancelled';
  usage: Usage | null;
  /** Failure after commit (stream cut, in-band error). */
  error?: AppError;
}

/**
 * An attempt whose first upstream event has been read: nothing has been sent to the client yet, so a failure up to
 * here could still fail over. ChatUseCase commits it (emits `meta`), relays `first` and `rest`, then calls `settle`.
 */
export interface PrimedAttempt {
  meta: RouteMeta;
  first: ProviderEvent;
  rest: AsyncGenerator<ProviderEvent>;
  /** Reconcile the token reservation with the real usage and tell the breaker about a failure after commit. */
  settle(result: AttemptSettlement): Promise<void>;
  /** Set when the answer is a failure report shown as a completion (`notifyerrors`): the request still failed. */
  failure?: AppError;
}

export interface AttemptCounter {
  count: number;
  last?: { providerId: string; model: string };
}

/** One request's routing context; nested routes (rotation → rotation) get a child with a longer `chain`. */
export interface RunContext {
  cmd: RouterChatCommand;
  signal: AbortSignal;
  /** Routes the caller may use (global files, later the caller's rows). */
  inventory: RouteInventory;
  /** The route the caller named (what `x-aisbf-route` reports), whatever depth we are at. */
  top: { name: string; kind: RouteMeta['routeKind'] };
  /** Route names entered so far, outermost first: loops and depth > 8 are refused. */
  chain: string[];
  /** Upstream attempts made for this request so far, across nested routes (`x-aisbf-attempts`), and the last one. */
  attempts: AttemptCounter;
  /**
   * Set by an autoselect that judged the request private, for everything it runs: a nested autoselect treats the
   * request as private without classifying it again (its candidates must be privacy-marked too).
   */
  privateRequest?: boolean;
  /** Run any route with this context's request: how a rotation or an autoselect recurses. */
  run(route: ResolvedRoute, ctx: RunContext): Promise<PrimedAttempt>;
}
