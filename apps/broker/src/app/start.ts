import type { AppEnv } from '@aisbf/platform-config';
import type { AppLogger } from '@aisbf/platform-observability';
import { bootstrapService, type ServiceApp } from '@aisbf/platform-service';
import { BrokerModule } from './broker.module';

export async function startBroker(env: AppEnv, logger: AppLogger): Promise<ServiceApp> {
  return bootstrapService({ env, logger, module: BrokerModule.forRoot(env, logger) });
}
