export { loadEnv, EnvError, DEFAULT_PORTS } from './env';
export type { AppEnv } from './env';
export { loadGatewayConfig, ConfigFileError } from './gateway-config';
export type { GatewayConfig } from './gateway-config';
