import type { Caller } from '@aisbf/contracts';
import type { GatewayConfig } from '@aisbf/platform-config';
import type { RouteInventory } from '@aisbf/routing';
import { Inject, Injectable } from '@nestjs/common';
import { GATEWAY_CONFIG } from '../tokens';

/** The routes a caller may use. Global routes come from the config files; user routes join with the users issue. */
@Injectable()
export class RouteInventoryService {
  private readonly global: RouteInventory;

  constructor(@Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig) {
    this.global = {
      providers: config.providers.providers,
      rotations: config.rotations.rotations,
      autoselects: config.autoselect,
    };
  }

  forCaller(_caller: Caller): RouteInventory {
    return this.global;
  }
}
