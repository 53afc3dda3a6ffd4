import { CooldownChangedV1, RouterProviderStateV1, RouterRotationsV1, type Caller, type ReplyOf, type RequestOf } from '@aisbf/contracts';
import { AppError } from '@aisbf/platform-errors';
import { ContractPipe, EventBus } from '@aisbf/platform-messaging';
import { expandCandidates, type Candidate } from '@aisbf/routing';
import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { RouteInventoryService } from '../inventory/route-inventory.service';
import { RotationCatalog } from './rotation-catalog.service';
import { CandidateStateStore } from './state/candidate-state.store';

const GLOBAL = { kind: 'global' as const };

/** Rotation listings and the admin switch of providers (manual disable / enable), answered from the router. */
@Controller()
export class RotationsController {
  constructor(
    @Inject(RotationCatalog) private readonly catalog: RotationCatalog,
    @Inject(CandidateStateStore) private readonly store: CandidateStateStore,
    @Inject(RouteInventoryService) private readonly inventory: RouteInventoryService,
    @Inject(EventBus) private readonly bus: EventBus,
  ) {}

  @MessagePattern(RouterRotationsV1.subject)
  async rotations(@Payload(new ContractPipe(RouterRotationsV1.request)) req: RequestOf<typeof RouterRotationsV1>): Promise<ReplyOf<typeof RouterRotationsV1>> {
    switch (req.op) {
      case 'list':
        return { data: await this.catalog.list(req.caller) };
      case 'models':
        return { data: await this.catalog.models(req.caller) };
      case 'get':
        if (!req.id) throw new AppError('INVALID_REQUEST', 'a rotation id is required', { retryable: false });
        return { data: await this.catalog.get(req.caller, req.id) };
    }
  }

  @MessagePattern(RouterProviderStateV1.subject)
  async providerState(@Payload(new ContractPipe(RouterProviderStateV1.request)) req: RequestOf<typeof RouterProviderStateV1>): Promise<ReplyOf<typeof RouterProviderStateV1>> {
    assertGlobalAdmin(req.caller);
    const inv = await this.inventory.forCaller(req.caller);
    const provider = inv.providers[req.providerId];
    if (!provider) {
      throw new AppError('ROUTE_NOT_FOUND', `Provider '${req.providerId}' not found. Available providers: ${Object.keys(inv.providers).join(', ') || '(none)'}`, { retryable: false });
    }
    // Every model this provider serves anywhere: its own list and every rotation candidate naming it.
    const candidates = new Map<string, Candidate>();
    for (const m of provider.models ?? []) {
      candidates.set(m.name, { kind: 'provider', label: `${req.providerId}/${m.name}`, index: candidates.size, weight: 1, scope: 'global', providerId: req.providerId, model: m.name, limits: { rateLimitSec: 0, providerRateLimitSec: 0, errorCooldownSec: 0 } });
    }
    for (const r of Object.values(inv.rotations)) {
      for (const c of expandCandidates(r, inv.providers).candidates) {
        if (c.kind === 'provider' && c.providerId === req.providerId && !candidates.has(c.model)) candidates.set(c.model, { ...c, index: candidates.size, weight: 1 });
      }
    }
    if (req.op === 'disable') {
      const d = await this.store.disableProvider(GLOBAL, req.providerId, req.reason ?? 'disabled by an administrator', req.caller.label);
      this.bus.publish(CooldownChangedV1, { scope: GLOBAL, providerId: req.providerId, change: 'disabled', reason: d.reason, by: d.by });
    } else if (req.op === 'enable') {
      await this.store.enableProvider(GLOBAL, req.providerId, [...candidates.keys()]);
      this.bus.publish(CooldownChangedV1, { scope: GLOBAL, providerId: req.providerId, change: 'enabled', by: req.caller.label });
    }
    const disabled = await this.store.providerDisable(GLOBAL, req.providerId);
    return {
      provider_id: req.providerId,
      disabled: disabled !== null,
      ...(disabled ? { reason: disabled.reason, since: disabled.since, by: disabled.by } : {}),
      candidates: await this.catalog.states([...candidates.values()]),
    };
  }
}

/** Switching global providers is for global (config) administrators; the users issue adds admin users. */
function assertGlobalAdmin(caller: Caller): void {
  if (!caller.isAdmin || caller.kind === 'anonymous') {
    throw new AppError('FORBIDDEN', 'Only a global token or an admin user may change or read provider state (with auth enabled in aisbf.json).', { retryable: false });
  }
}
