import { env } from './tracing';
import { createLogger } from '@aisbf/platform-observability';
import { startRouter } from './app/start';

const logger = createLogger('router', env.logLevel);
startRouter(env, logger).catch((err) => {
  logger.fatal({ err }, 'router failed to start');
  process.exit(1);
});
