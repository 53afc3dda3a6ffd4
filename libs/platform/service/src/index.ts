export { bootstrapService } from './bootstrap';
export type { ServiceApp, BootstrapOptions } from './bootstrap';
export { HealthController, READINESS_CHECKS, SERVICE_IDENTITY } from './health.controller';
export type { ReadinessChecks, ServiceIdentity } from './health.controller';
export { toAsyncIterable } from './async-iterable';
export { ackedStream } from './acked-stream';
export type { AckedStreamOptions } from './acked-stream';
