import { Controller, Get, Inject, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';

export const READINESS_CHECKS = Symbol('READINESS_CHECKS');
export type ReadinessChecks = () => Promise<Record<string, boolean>>;
export const SERVICE_IDENTITY = Symbol('SERVICE_IDENTITY');
export interface ServiceIdentity {
  service: string;
  instanceId: string;
}

/**
 * `/health`: the process is up (liveness). `/health/ready`: every dependency this service needs answers (readiness);
 * 503 with the names of what is down otherwise.
 */
@Controller('health')
export class HealthController {
  constructor(
    @Inject(READINESS_CHECKS) private readonly checks: ReadinessChecks,
    @Inject(SERVICE_IDENTITY) private readonly id: ServiceIdentity,
  ) {}

  @Get()
  live() {
    return { status: 'ok', service: this.id.service, instanceId: this.id.instanceId };
  }

  @Get('ready')
  async ready(@Res() reply: FastifyReply): Promise<void> {
    const checks = await this.checks();
    const down = Object.entries(checks)
      .filter(([, ok]) => !ok)
      .map(([name]) => name);
    await reply
      .status(down.length ? 503 : 200)
      .send({ status: down.length ? 'unavailable' : 'ready', service: this.id.service, checks, down });
  }
}
