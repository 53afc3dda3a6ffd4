export { parseModelName, formatModelName } from './model-name';
export type { ParsedModelName } from './model-name';
export { resolveRoute, listModels, routeSetOf } from './inventory';
export type { RouteInventory, RouteSet, RouteScope, ResolvedRoute, ResolveEntrypoint } from './inventory';
export * from './autoselect';
