export { parseModelName, formatModelName } from './model-name';
export type { ParsedModelName } from './model-name';
export { resolveRoute, listModels } from './inventory';
export type { RouteInventory, ResolvedRoute, ResolveEntrypoint } from './inventory';
export * from './autoselect';
