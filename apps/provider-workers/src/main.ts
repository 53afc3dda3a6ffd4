import { env } from './tracing';
import { createLogger } from '@aisbf/platform-observability';
import { startProviderWorkers } from './app/start';

const logger = createLogger('provider-workers', env.logLevel);
startProviderWorkers(env, logger).catch((err) => {
  logger.fatal({ err }, 'provider-workers failed to start');
  process.exit(1);
});
