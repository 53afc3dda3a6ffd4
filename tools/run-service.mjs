#!/usr/bin/env node
// Runs one AISBF service from its TypeScript sources: `node tools/run-service.mjs <service>`.
// @swc-node/register compiles on the fly (decorator metadata and the tsconfig path aliases included).
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const SERVICES = ['edge-api', 'router', 'provider-workers', 'analytics', 'broker'];
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const service = process.argv[2];
if (!SERVICES.includes(service)) {
  console.error(`usage: node tools/run-service.mjs <${SERVICES.join('|')}>`);
  process.exit(2);
}
process.env.SWC_NODE_PROJECT ??= join(root, 'tsconfig.base.json');
process.title = `aisbf-${service}`;
const require = createRequire(import.meta.url);
require('@swc-node/register');
require(join(root, 'apps', service, 'src', 'main.ts'));
