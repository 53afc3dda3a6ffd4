export { SecretBox, SecretKeyError, secretKeyId } from './secret-box';
export { SECRET_MASK, isSecretKey, splitSecrets, mergeSecrets, maskSecrets, maskAll, resolveMaskedSecrets, pointerToPath } from './secret-fields';
export { TOKEN_PREFIX, hashToken, generateToken, tokenDisplayPrefix } from './api-token';
export { UserRouteStore, USER_ROUTE_KINDS, schemaOf } from './user-route.store';
export type { UserRouteKind, UserRouteSet, StoredUserRoute, UserRouteConfigs } from './user-route.store';
export { checkSecretKey } from './secret-key.check';
export { TenancyModule, SECRET_BOX, verifySecretKey } from './tenancy.module';
export type { TenancyModuleOptions } from './tenancy.module';
