#!/usr/bin/env node
// SQL migrations for MySQL/MariaDB in Prisma's layout, without the Prisma schema engine (which cannot run here:
// see /work/shared/reference/stack-notes.md §2.3). Plain Node ESM, no build step.
//
//   node tools/db/migrate.mjs deploy                       apply pending migrations (npm run db:migrate)
//   node tools/db/migrate.mjs status                       pending / edited / unknown / failed; exit 1 unless clean
//   node tools/db/migrate.mjs new <name>                   create prisma/migrations/<UTC ts>_<name>/migration.sql
//   node tools/db/migrate.mjs drift                        migrations vs schema.prisma on a scratch DB; exit 2 on drift
//   node tools/db/migrate.mjs resolve --rolled-back <name> after a failed migration: let deploy retry it
//   node tools/db/migrate.mjs resolve --applied <name>     after finishing a failed migration by hand
//
// Options: --url <mysql://…> (default: $DATABASE_URL, else mysql://root@127.0.0.1:3306/aisbf),
//          --migrations <dir> (default prisma/migrations), --schema <file|dir> (drift; default prisma/schema.prisma).
//
// Programmatic use (service start-up, tests): import { deploy, status, drift, newMigration, resolve } from this file.
import { realpathSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { drift } from './drift.mjs';
import { deploy, MigrationError, newMigration, resolve, status } from './runner.mjs';

export { DEFAULT_DATABASE_URL, parseDatabaseUrl, withDatabase } from './connection.mjs';
export { compareSchemas, DEFAULT_SCHEMA_PATH, drift, introspect, loadExpectedSchema } from './drift.mjs';
export {
  checksumMatches,
  DEFAULT_MIGRATIONS_DIR,
  deploy,
  MigrationError,
  newMigration,
  readLocalMigrations,
  resolve,
  sha256Hex,
  status,
} from './runner.mjs';

const USAGE = `usage: node tools/db/migrate.mjs <deploy|status|new <name>|drift|resolve --applied|--rolled-back <name>>
       [--url mysql://user:pass@host:3306/db] [--migrations <dir>] [--schema <file|dir>]`;

/** Runs one CLI command and returns the process exit code. */
export async function main(argv = process.argv.slice(2)) {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        url: { type: 'string' },
        migrations: { type: 'string' },
        schema: { type: 'string' },
        applied: { type: 'string' },
        'rolled-back': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    console.error(`${err.message}\n${USAGE}`);
    return 1;
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (values.help || !command) {
    console.log(USAGE);
    return values.help ? 0 : 1;
  }
  const common = {
    url: values.url,
    migrationsDir: values.migrations ? path.resolve(values.migrations) : undefined,
  };
  // Let the library defaults apply for options that were not given.
  for (const key of Object.keys(common)) if (common[key] === undefined) delete common[key];

  try {
    switch (command) {
      case 'deploy':
        await deploy(common);
        return 0;

      case 'status':
        return printStatus(await status(common));

      case 'new': {
        const file = await newMigration({ ...common, name: rest.join('_') });
        console.log(`created ${path.relative(process.cwd(), file)}`);
        console.log('write the SQL, update prisma/schema.prisma, then run `npm run db:drift`');
        return 0;
      }

      case 'drift': {
        const { differences } = await drift({
          ...common,
          ...(values.schema ? { schemaPath: path.resolve(values.schema) } : {}),
          handleSignals: true,
        });
        if (differences.length === 0) {
          console.log('no drift');
          return 0;
        }
        for (const d of differences) console.log(d.message);
        console.log(`drift: ${differences.length} difference(s) between the migrations and schema.prisma`);
        return 2;
      }

      case 'resolve': {
        const action = values.applied ? 'applied' : values['rolled-back'] ? 'rolled-back' : undefined;
        const name = values.applied ?? values['rolled-back'];
        if (!action || (values.applied && values['rolled-back'])) {
          console.error(`resolve needs exactly one of --applied <name> or --rolled-back <name>\n${USAGE}`);
          return 1;
        }
        await resolve({ ...common, name, action });
        return 0;
      }

      default:
        console.error(`unknown command "${command}"\n${USAGE}`);
        return 1;
    }
  } catch (err) {
    // Expected failures (failed migration, lock timeout, invalid schema, bad URL, database unreachable or refusing
    // the login…) as one readable message; anything else with its stack. DEBUG=1 shows the stack always.
    const expected = err instanceof MigrationError || /DATABASE_URL/.test(err?.message ?? '') || err?.sqlState;
    if (expected && !process.env.DEBUG) {
      console.error(`error: ${err.message}`);
    } else {
      console.error(err);
    }
    return 1;
  }
}

function printStatus(s) {
  const section = (title, names) => {
    if (names.length === 0) return;
    console.log(title);
    for (const name of names) console.log(`  - ${name}`);
  };
  console.log(
    `${s.database}: ${s.local.length} migration(s) in the folder, ${s.applied.length} applied` +
      (s.databaseExists ? '' : ' (database does not exist yet)'),
  );
  section('Pending (not applied yet):', s.pending);
  section('Edited after being applied (checksum differs):', s.edited);
  section('Applied in the database but missing from the folder:', s.unknown);
  section(
    'Failed (unfinished and not rolled back; see `resolve`):',
    s.failed.map((f) => `${f.name} (started ${f.startedAt}): ${String(f.logs ?? '').split('\n')[0]}`),
  );
  if (s.clean) console.log('Database schema is up to date.');
  return s.clean ? 0 : 1;
}

// Run as a script only (not when imported by start-up code or tests).
const invokedDirectly = (() => {
  try {
    return !!process.argv[1] && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
})();
if (invokedDirectly) {
  main().then((code) => {
    process.exitCode = code;
  });
}
