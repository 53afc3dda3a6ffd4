import { env } from './tracing';
import { createLogger } from '@aisbf/platform-observability';
import { startAnalytics } from './app/start';

const logger = createLogger('analytics', env.logLevel);
startAnalytics(env, logger).catch((err) => {
  logger.fatal({ err }, 'analytics failed to start');
  process.exit(1);
});
