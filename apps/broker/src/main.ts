import { env } from './tracing';
import { createLogger } from '@aisbf/platform-observability';
import { startBroker } from './app/start';

const logger = createLogger('broker', env.logLevel);
startBroker(env, logger).catch((err) => {
  logger.fatal({ err }, 'broker failed to start');
  process.exit(1);
});
