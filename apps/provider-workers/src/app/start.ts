import { type AppEnv, loadGatewayConfig } from '@aisbf/platform-config';
import type { AppLogger } from '@aisbf/platform-observability';
import { bootstrapService, type ServiceApp } from '@aisbf/platform-service';
import { verifySecretKey } from '@aisbf/tenancy';
import { ProviderWorkersModule } from './provider-workers.module';

export async function startProviderWorkers(env: AppEnv, logger: AppLogger): Promise<ServiceApp> {
  const config = loadGatewayConfig(env.configDir);
  // User provider keys are decrypted here: refuse to start with a missing or wrong AISBF_SECRET_KEY.
  await verifySecretKey(env, logger);
  return bootstrapService({ env, logger, module: ProviderWorkersModule.forRoot(env, config, logger) });
}
