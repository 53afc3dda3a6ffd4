import path from 'node:path';
import { defineConfig } from 'prisma/config';

// The Prisma CLI resolves a schema-engine binary even for `generate`; it cannot be downloaded here, so point it at a
// stub that exists (generate/validate/format work). Migrations are applied by tools/db/migrate.mjs (see README).
process.env['PRISMA_SCHEMA_ENGINE_BINARY'] ??= path.join(__dirname, 'tools/schema-engine-stub');

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env['DATABASE_URL'] ?? 'mysql://root@127.0.0.1:3306/aisbf' },
});
