#!/usr/bin/env node
// Imports the original AISBF product's users, tokens, tiers and user routes (and, if asked, its global config files
// as one user's routes) into this gateway's database. Runs the TypeScript importer through @swc-node/register, like
// tools/run-service.mjs. `node tools/import-original.mjs --help` for the options.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
process.env.SWC_NODE_PROJECT ??= join(root, 'tsconfig.base.json');
const require = createRequire(import.meta.url);
require('@swc-node/register');
const { main } = require(join(root, 'tools/import/import-original.ts'));
main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    console.error(err?.message ?? err);
    process.exit(1);
  },
);
