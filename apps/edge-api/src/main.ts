import { env } from './tracing';
import { createLogger } from '@aisbf/platform-observability';
import { startEdgeApi } from './app/start';

const logger = createLogger('edge-api', env.logLevel);
startEdgeApi(env, logger).catch((err) => {
  logger.fatal({ err }, 'edge-api failed to start');
  process.exit(1);
});
