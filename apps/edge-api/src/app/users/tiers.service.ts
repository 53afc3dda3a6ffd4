import { AuthChangedV1, type CreateTierBody, type TierView, type UpdateTierBody } from '@aisbf/contracts';
import { AppError } from '@aisbf/platform-errors';
import { EventBus } from '@aisbf/platform-messaging';
import { isUniqueViolation, Prisma, PrismaService } from '@aisbf/platform-prisma';
import { Inject, Injectable } from '@nestjs/common';
import { Authenticator } from '../auth/authenticator.service';
import type { TierLimits } from '../auth/token-identity';
import { tierLimits, tierView } from './views';

export const tierNotFound = (id: number | string) => new AppError('RESOURCE_NOT_FOUND', `Tier ${id} not found`, { retryable: false });

const big = (v: number | null | undefined) => (v === undefined ? undefined : v === null ? null : BigInt(v));

function data(body: UpdateTierBody) {
  return {
    ...(body.name !== undefined ? { name: body.name } : {}),
    ...(body.description !== undefined ? { description: body.description } : {}),
    ...(body.is_default !== undefined ? { isDefault: body.is_default } : {}),
    ...(body.requests_per_day !== undefined ? { requestsPerDay: body.requests_per_day } : {}),
    ...(body.requests_per_month !== undefined ? { requestsPerMonth: body.requests_per_month } : {}),
    ...(body.tokens_per_day !== undefined ? { tokensPerDay: big(body.tokens_per_day) } : {}),
    ...(body.tokens_per_month !== undefined ? { tokensPerMonth: big(body.tokens_per_month) } : {}),
    ...(body.requests_per_minute !== undefined ? { requestsPerMinute: body.requests_per_minute } : {}),
  };
}

/** Tiers (admin API). At most one is the default (new users get it); a change reaches cached tokens at once. */
@Injectable()
export class TiersService {
  constructor(
    @Inject(PrismaService) private readonly prisma: PrismaService,
    @Inject(EventBus) private readonly bus: EventBus,
    @Inject(Authenticator) private readonly auth: Authenticator,
  ) {}

  async list(): Promise<TierView[]> {
    return (await this.prisma.tier.findMany({ orderBy: { id: 'asc' } })).map(tierView);
  }

  async get(id: number): Promise<TierView> {
    const t = await this.prisma.tier.findUnique({ where: { id } });
    if (!t) throw tierNotFound(id);
    return tierView(t);
  }

  async limits(id: number): Promise<TierLimits | null> {
    const t = await this.prisma.tier.findUnique({ where: { id } });
    return t ? tierLimits(t) : null;
  }

  async create(body: CreateTierBody): Promise<TierView> {
    return this.write(body.name, async (tx) => {
      if (body.is_default) await tx.tier.updateMany({ data: { isDefault: false } });
      return tx.tier.create({ data: { name: body.name, isDefault: body.is_default, ...data(body) } });
    });
  }

  async update(id: number, body: UpdateTierBody): Promise<TierView> {
    await this.get(id);
    const view = await this.write(body.name ?? '', async (tx) => {
      if (body.is_default) await tx.tier.updateMany({ where: { id: { not: id } }, data: { isDefault: false } });
      return tx.tier.update({ where: { id }, data: data(body) });
    });
    this.announce(id);
    return view;
  }

  /** Users of a deleted tier keep working without quotas (their tier becomes none). */
  async remove(id: number): Promise<void> {
    await this.get(id);
    await this.prisma.tier.delete({ where: { id } });
    this.announce(id);
  }

  private async write(name: string, fn: (tx: Prisma.TransactionClient) => Promise<Parameters<typeof tierView>[0]>): Promise<TierView> {
    try {
      return tierView(await this.prisma.$transaction(fn));
    } catch (err) {
      if (isUniqueViolation(err)) throw new AppError('CONFLICT', `Tier '${name}' exists already`, { retryable: false, param: 'name' });
      throw err;
    }
  }

  private announce(tierId: number): void {
    this.auth.invalidate({ kind: 'tier-changed', tierId });
    this.bus.publish(AuthChangedV1, { kind: 'tier-changed', tierId });
  }
}
