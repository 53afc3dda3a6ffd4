import type { RouterChatCommand } from '@aisbf/contracts';
import { AppError } from '@aisbf/platform-errors';
import { DEFAULT_FAILURE_THRESHOLD, DEFAULT_FAILURE_WINDOW_MS, providerLimits, type ResolvedRoute, type RouteInventory } from '@aisbf/routing';
import { Inject, Injectable } from '@nestjs/common';
import { AutoselectExecutor } from '../autoselect/autoselect-executor.service';
import { AttemptRunner, type AttemptOutcome } from './attempt-runner.service';
import { describeDenial } from './failure-report';
import { RotationExecutor } from './rotation-executor.service';
import type { AttemptCounter, PrimedAttempt, RunContext } from './route-run';

type ProviderRoute = Extract<ResolvedRoute, { kind: 'provider' }>;

/**
 * Runs a resolved route to a primed attempt: a direct `<provider>/<model>` route is one attempt, a rotation runs its
 * attempt loop (which comes back here for rotation → rotation candidates), an autoselect decides and runs the routes it
 * chose (back here too, and for its classifier and selection calls).
 */
@Injectable()
export class RouteDispatcher {
  constructor(
    @Inject(AttemptRunner) private readonly attempts: AttemptRunner,
    @Inject(RotationExecutor) private readonly rotations: RotationExecutor,
    @Inject(AutoselectExecutor) private readonly autoselects: AutoselectExecutor,
  ) {}

  /** Run the route the caller named; `attempts` is filled in as upstream attempts are made. */
  start(route: ResolvedRoute, cmd: RouterChatCommand, signal: AbortSignal, inventory: RouteInventory, attempts: AttemptCounter = { count: 0 }): Promise<PrimedAttempt> {
    const ctx: RunContext = {
      cmd,
      signal,
      inventory,
      top: { name: route.name, kind: route.kind },
      chain: [],
      attempts,
      run: (r, c) => this.run(r, c),
    };
    return this.run(route, ctx);
  }

  run(route: ResolvedRoute, ctx: RunContext): Promise<PrimedAttempt> {
    switch (route.kind) {
      case 'provider':
        return this.direct(route, ctx);
      case 'rotation':
        return this.rotations.run(route, ctx);
      case 'autoselect':
        return this.autoselects.run(route, ctx);
    }
  }

  /** A direct route: one attempt; manual disables, pacing and token limits apply, cooldowns do not (the caller chose it). */
  private async direct(route: ProviderRoute, ctx: RunContext): Promise<PrimedAttempt> {
    const scope = route.scope === 'user' && ctx.cmd.caller.userId !== undefined ? { kind: 'user' as const, userId: ctx.cmd.caller.userId } : { kind: 'global' as const };
    const limits = providerLimits(route.provider, route.model);
    const out = await this.attempts.run(ctx, {
      ref: { scope, providerId: route.providerId, model: route.model },
      label: route.name,
      limits,
      breaker: { failureThreshold: DEFAULT_FAILURE_THRESHOLD, failureWindowMs: DEFAULT_FAILURE_WINDOW_MS, cooldownMs: limits.errorCooldownSec * 1000 },
    });
    if (out.kind === 'primed') return out.primed;
    if (out.kind === 'failed') throw out.error;
    throw denialError(route.name, out);
  }
}

/** Why a direct route could not be tried, as the caller's error. */
export function denialError(name: string, d: Extract<AttemptOutcome, { kind: 'denied' }>): AppError {
  const why = describeDenial(d.status, d.until, d.info, d.now);
  const retryAfterMs = d.until > d.now ? d.until - d.now : undefined;
  switch (d.status) {
    case 'too_large':
      return new AppError('INVALID_REQUEST', `'${name}': ${why}`, { retryable: false });
    case 'tokens':
    case 'paced':
    case 'not_before':
      return new AppError('RATE_LIMITED', `'${name}' is rate limited: ${why}`, { retryable: true, ...(retryAfterMs ? { retryAfterMs } : {}) });
    default:
      return new AppError('SERVICE_UNAVAILABLE', `'${name}' is temporarily unavailable: ${why}`, { retryable: false, ...(retryAfterMs ? { retryAfterMs } : {}) });
  }
}
