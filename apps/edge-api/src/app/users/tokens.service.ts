import { AuthChangedV1, type CreateTokenBody, type CreatedTokenView, type TokenView } from '@aisbf/contracts';
import { AppError } from '@aisbf/platform-errors';
import { EventBus } from '@aisbf/platform-messaging';
import { PrismaService } from '@aisbf/platform-prisma';
import { generateToken } from '@aisbf/tenancy';
import { Inject, Injectable } from '@nestjs/common';
import { Authenticator } from '../auth/authenticator.service';
import { tokenView } from './views';

const DAY_MS = 86_400_000;
export const tokenNotFound = (id: number | string) => new AppError('RESOURCE_NOT_FOUND', `Token ${id} not found`, { retryable: false });

/**
 * API tokens of a user. The token is returned once, at creation; only its SHA-256 is stored. Revoking keeps the row
 * (for audit) and reaches every edge-api replica at once through `evt.auth.changed.v1`. Every query is scoped by the
 * owner, so another user's token id is simply not found.
 */
@Injectable()
export class TokensService {
  constructor(
    @Inject(PrismaService) private readonly prisma: PrismaService,
    @Inject(EventBus) private readonly bus: EventBus,
    @Inject(Authenticator) private readonly auth: Authenticator,
  ) {}

  async list(userId: number): Promise<TokenView[]> {
    const rows = await this.prisma.apiToken.findMany({ where: { userId }, orderBy: { id: 'asc' } });
    return rows.map((t) => tokenView(t));
  }

  async issue(userId: number, body: CreateTokenBody): Promise<CreatedTokenView> {
    const { token, hash, prefix } = generateToken();
    const expiresAt = body.expires_at ? new Date(body.expires_at) : body.expires_in_days ? new Date(Date.now() + body.expires_in_days * DAY_MS) : null;
    const row = await this.prisma.apiToken.create({ data: { userId, tokenHash: hash, prefix, description: body.description, scope: body.scope, expiresAt } });
    return { ...tokenView(row), token };
  }

  async revoke(userId: number, tokenId: number): Promise<TokenView> {
    const row = await this.prisma.apiToken.findFirst({ where: { id: tokenId, userId } });
    if (!row) throw tokenNotFound(tokenId);
    const revoked = row.revokedAt ? row : await this.prisma.apiToken.update({ where: { id: tokenId }, data: { revokedAt: new Date() } });
    this.auth.invalidate({ kind: 'token-revoked', tokenId, userId });
    this.bus.publish(AuthChangedV1, { kind: 'token-revoked', tokenId, userId });
    return tokenView(revoked);
  }
}
