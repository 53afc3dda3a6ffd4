import { type AppEnv, loadGatewayConfig } from '@aisbf/platform-config';
import type { AppLogger } from '@aisbf/platform-observability';
import { bootstrapService, type ServiceApp } from '@aisbf/platform-service';
import { RouterModule } from './router.module';

export async function startRouter(env: AppEnv, logger: AppLogger): Promise<ServiceApp> {
  const config = loadGatewayConfig(env.configDir);
  return bootstrapService({ env, logger, module: RouterModule.forRoot(env, config, logger) });
}
