import { pingContract, type PingReply, type ServiceName } from '@aisbf/contracts';
import { Controller, Inject, type Type } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';

export const PING_CHECKS = Symbol('PING_CHECKS');
export type PingChecks = () => Promise<Record<string, boolean>>;

/** A controller answering `svc.<service>.ping.v1` with this instance's identity and its own dependency checks. */
export function createPingController(service: ServiceName, instanceId: string): Type<unknown> {
  const startedAt = Date.now();
  @Controller()
  class PingController {
    constructor(@Inject(PING_CHECKS) private readonly checks: PingChecks) {}

    @MessagePattern(pingContract(service).subject)
    async ping(): Promise<PingReply> {
      return { service, instanceId, uptimeMs: Date.now() - startedAt, checks: await this.checks() };
    }
  }
  return PingController;
}
