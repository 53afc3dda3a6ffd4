#!/usr/bin/env node
// `npm run bench -- [options]`: runs tools/bench/bench.ts through @swc-node/register (the tsconfig path aliases such
// as @aisbf/testing resolve from tsconfig.base.json). See tools/bench/README.md.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
process.env.SWC_NODE_PROJECT ??= join(here, '..', '..', 'tsconfig.base.json');
const require = createRequire(import.meta.url);
require('@swc-node/register');
require(join(here, 'bench.ts'));
