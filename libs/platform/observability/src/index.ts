export { startTelemetry, shutdownTelemetry } from './telemetry';
export type { TelemetryOptions } from './telemetry';
export { createLogger, REDACT_PATHS } from './logger';
export type { AppLogger } from './logger';
export { NestPinoLogger } from './nest-logger';
