import { type AppEnv, loadGatewayConfig } from '@aisbf/platform-config';
import type { AppLogger } from '@aisbf/platform-observability';
import { bootstrapService, type ServiceApp } from '@aisbf/platform-service';
import { verifySecretKey } from '@aisbf/tenancy';
import { EdgeModule } from './edge.module';
import { OpenAIErrorFilter } from './http/error.filter';

/** The public HTTP service. Every error, including Fastify's own, leaves it OpenAI-shaped. */
export async function startEdgeApi(env: AppEnv, logger: AppLogger): Promise<ServiceApp> {
  const config = loadGatewayConfig(env.configDir);
  // edge-api encrypts user provider secrets (and keeps them on update): refuse a missing or wrong AISBF_SECRET_KEY.
  await verifySecretKey(env, logger);
  return bootstrapService({
    env,
    logger,
    nats: false,
    module: EdgeModule.forRoot(env, config, logger),
    // Nest routes Fastify's own errors (bad JSON, body too large) and unknown routes through the global filter too.
    configure: (app) => {
      app.useGlobalFilters(new OpenAIErrorFilter(env, logger));
    },
  });
}
