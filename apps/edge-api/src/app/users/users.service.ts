import { AuthChangedV1, ConfigChangedV1, type CreateUserBody, type UpdateUserBody, type UserView } from '@aisbf/contracts';
import { AppError } from '@aisbf/platform-errors';
import { EventBus } from '@aisbf/platform-messaging';
import { isUniqueViolation, PrismaService } from '@aisbf/platform-prisma';
import { Inject, Injectable } from '@nestjs/common';
import { Authenticator } from '../auth/authenticator.service';
import { userView } from './views';

const withTier = { tier: { select: { id: true, name: true } } } as const;

export const userNotFound = (id: number | string) => new AppError('RESOURCE_NOT_FOUND', `User ${id} not found`, { retryable: false });

/** `:userId` path segments: a positive integer, else the user cannot exist (404, not 400: ids are opaque). */
export function parseId(raw: string, notFound: () => AppError): number {
  if (!/^[1-9]\d{0,9}$/.test(raw)) throw notFound();
  const n = Number(raw);
  if (n > 2_147_483_647) throw notFound();
  return n;
}

/** Users (admin API). A change that affects tokens (status, role, tier) is announced so every replica re-checks them. */
@Injectable()
export class UsersService {
  constructor(
    @Inject(PrismaService) private readonly prisma: PrismaService,
    @Inject(EventBus) private readonly bus: EventBus,
    @Inject(Authenticator) private readonly auth: Authenticator,
  ) {}

  async list(filter: { username?: string; status?: string; role?: string }): Promise<UserView[]> {
    const rows = await this.prisma.user.findMany({
      where: {
        ...(filter.username ? { username: filter.username } : {}),
        ...(filter.status === 'active' || filter.status === 'disabled' ? { status: filter.status } : {}),
        ...(filter.role === 'admin' || filter.role === 'user' ? { role: filter.role } : {}),
      },
      include: withTier,
      orderBy: { id: 'asc' },
    });
    return rows.map(userView);
  }

  async get(id: number): Promise<UserView> {
    const u = await this.prisma.user.findUnique({ where: { id }, include: withTier });
    if (!u) throw userNotFound(id);
    return userView(u);
  }

  async create(body: CreateUserBody): Promise<UserView> {
    const tierId = body.tier_id === undefined ? ((await this.prisma.tier.findFirst({ where: { isDefault: true } }))?.id ?? null) : body.tier_id;
    if (tierId !== null) await this.requireTier(tierId);
    try {
      const u = await this.prisma.user.create({
        data: { username: body.username, displayName: body.display_name, email: body.email, role: body.role, status: body.status, tierId },
        include: withTier,
      });
      return userView(u);
    } catch (err) {
      if (isUniqueViolation(err)) throw new AppError('CONFLICT', `User '${body.username}' exists already`, { retryable: false, param: 'username' });
      throw err;
    }
  }

  async update(id: number, body: UpdateUserBody): Promise<UserView> {
    const before = await this.prisma.user.findUnique({ where: { id } });
    if (!before) throw userNotFound(id);
    if (body.tier_id !== undefined && body.tier_id !== null) await this.requireTier(body.tier_id);
    const u = await this.prisma.user.update({
      where: { id },
      data: {
        ...(body.display_name !== undefined ? { displayName: body.display_name } : {}),
        ...(body.email !== undefined ? { email: body.email } : {}),
        ...(body.role !== undefined ? { role: body.role } : {}),
        ...(body.status !== undefined ? { status: body.status } : {}),
        ...(body.tier_id !== undefined ? { tierId: body.tier_id } : {}),
      },
      include: withTier,
    });
    if (before.status !== u.status || before.role !== u.role || before.tierId !== u.tierId) this.announce(id);
    return userView(u);
  }

  /** Every replica drops its cached lookups of this user's tokens (a disabled user's tokens stop at once). */
  private announce(userId: number): void {
    this.auth.invalidate({ kind: 'user-changed', userId });
    this.bus.publish(AuthChangedV1, { kind: 'user-changed', userId });
    this.bus.publish(ConfigChangedV1, { scope: 'user', userId, kind: 'user' });
  }

  private async requireTier(id: number): Promise<void> {
    if (!(await this.prisma.tier.findUnique({ where: { id } }))) {
      throw new AppError('INVALID_REQUEST', `Invalid user: tier_id: tier ${id} does not exist`, { retryable: false, param: 'tier_id' });
    }
  }
}
