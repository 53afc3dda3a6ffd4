import type { AppEnv } from '@aisbf/platform-config';
import type { AppLogger } from '@aisbf/platform-observability';
import { bootstrapService, type ServiceApp } from '@aisbf/platform-service';
import { AnalyticsModule } from './analytics.module';

export async function startAnalytics(env: AppEnv, logger: AppLogger): Promise<ServiceApp> {
  return bootstrapService({ env, logger, module: AnalyticsModule.forRoot(env, logger) });
}
