// Loaded before anything else (first import of main.ts): OpenTelemetry must patch `http` before Nest loads it.
import { loadEnv } from '@aisbf/platform-config';
import { startTelemetry } from '@aisbf/platform-observability';

export const env = loadEnv('router');
startTelemetry({ serviceName: 'router', otlpEndpoint: env.otel.endpoint });
