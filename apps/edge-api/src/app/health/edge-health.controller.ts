import { pingContract, type ServiceName } from '@aisbf/contracts';
import { MessagingClient, NATS_CONNECTION } from '@aisbf/platform-messaging';
import { PrismaService } from '@aisbf/platform-prisma';
import { RedisService } from '@aisbf/platform-redis';
import { Controller, Get, Inject, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { NatsConnection } from 'nats';
import { firstValueFrom, timeout } from 'rxjs';

const PEERS: ServiceName[] = ['router', 'provider-workers', 'analytics', 'broker'];

/**
 * `/health`: edge-api is up. `/health/ready`: MySQL, Redis and NATS answer and every other service answers a ping over
 * NATS; otherwise 503 with the names of what is down. Both are unauthenticated (probes carry no token).
 */
@Controller('health')
export class EdgeHealthController {
  constructor(
    @Inject(PrismaService) private readonly prisma: PrismaService,
    @Inject(RedisService) private readonly redis: RedisService,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(MessagingClient) private readonly messaging: MessagingClient,
  ) {}

  @Get()
  live() {
    return { status: 'ok', service: 'edge-api' };
  }

  private async ping(service: ServiceName): Promise<boolean> {
    try {
      await firstValueFrom(this.messaging.request(pingContract(service), {}).pipe(timeout(1500)));
      return true;
    } catch {
      return false;
    }
  }

  private async natsOk(): Promise<boolean> {
    if (this.nc.isClosed()) return false;
    try {
      await Promise.race([this.nc.flush(), new Promise((_, rej) => setTimeout(() => rej(new Error('timeout')), 1000))]);
      return true;
    } catch {
      return false;
    }
  }

  @Get('ready')
  async ready(@Res() reply: FastifyReply): Promise<void> {
    const [mysql, redis, nats, ...peers] = await Promise.all([this.prisma.ping(), this.redis.ping(), this.natsOk(), ...PEERS.map((s) => this.ping(s))]);
    const checks: Record<string, boolean> = { mysql, redis, nats };
    PEERS.forEach((s, i) => (checks[s] = peers[i]!));
    const down = Object.keys(checks).filter((k) => !checks[k]);
    await reply.status(down.length ? 503 : 200).send({ status: down.length ? 'unavailable' : 'ready', checks, down });
  }
}
