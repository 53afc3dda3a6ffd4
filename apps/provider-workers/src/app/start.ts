import { type AppEnv, loadGatewayConfig } from '@aisbf/platform-config';
import type { AppLogger } from '@aisbf/platform-observability';
import { bootstrapService, type ServiceApp } from '@aisbf/platform-service';
import { ProviderWorkersModule } from './provider-workers.module';

export async function startProviderWorkers(env: AppEnv, logger: AppLogger): Promise<ServiceApp> {
  const config = loadGatewayConfig(env.configDir);
  return bootstrapService({ env, logger, module: ProviderWorkersModule.forRoot(env, config, logger) });
}
