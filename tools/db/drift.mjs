// Drift check: do the hand-written SQL migrations build the schema that prisma/schema.prisma describes?
//
// How: apply every migration to a scratch database (aisbf_drift_<pid>_<random>), read information_schema, and compare
// it with the DMMF of the schema (from @prisma/prisma-schema-wasm's get_dmmf, offline). The scratch database is always
// dropped afterwards.
//
// What is compared (per table, honouring @map/@@map):
//  - tables (one per model, plus `_<Relation>` join tables of implicit many-to-many relations), missing or extra;
//  - columns: missing/extra, nullability, type *family* (the Prisma scalar type a column maps to: @db.VarChar(64) vs
//    VARCHAR(191) or @db.Text vs VARCHAR is NOT drift; Int vs BIGINT or String vs INT is), enum values, AUTO_INCREMENT,
//    and defaults (literals, now(); dbgenerated()/uuid()/cuid() are not checked);
//  - indexes: primary key, unique, normal and fulltext, by column list, and their names (Prisma's default
//    <Table>_<cols>_key/_idx or the `map:` name);
//  - foreign keys from relations: columns -> referenced table(columns), and ON DELETE / ON UPDATE
//    (RESTRICT and NO ACTION count as the same: they are on InnoDB). None are expected with relationMode = "prisma".
// Not compared: column order, lengths/precision/unsigned, charset/collation, index sort order/prefix length, CHECK
// constraints, FK constraint names (the DMMF does not expose `@relation(map:)`), views, triggers, routines.
import { randomBytes } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { connectServer, DEFAULT_DATABASE_URL, parseDatabaseUrl, quoteIdent, withDatabase } from './connection.mjs';
import { deploy, DEFAULT_MIGRATIONS_DIR, MIGRATIONS_TABLE, MigrationError, REPO_ROOT } from './runner.mjs';

// The wasm package is CommonJS; load it with require so this file works the same under Node ESM and Jest.
const require = createRequire(import.meta.url);

export const DEFAULT_SCHEMA_PATH = path.join(REPO_ROOT, 'prisma/schema.prisma');
const MYSQL_MAX_IDENTIFIER = 64;

// ---------------------------------------------------------------------------------------------------------------------
// Expected schema, from schema.prisma

/** Reads a schema file, or every *.prisma file under a folder (multi-file schemas). Returns [[path, text], …]. */
async function readSchemaFiles(schemaPath) {
  if (!existsSync(schemaPath)) throw new MigrationError(`Schema ${schemaPath} does not exist`, { code: 'NO_SCHEMA' });
  if (!statSync(schemaPath).isDirectory()) return [[schemaPath, await readFile(schemaPath, 'utf8')]];
  const files = [];
  for (const entry of await readdir(schemaPath, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name.endsWith('.prisma')) {
      const file = path.join(entry.parentPath ?? entry.path, entry.name);
      files.push([file, await readFile(file, 'utf8')]);
    }
  }
  if (files.length === 0) throw new MigrationError(`No .prisma files under ${schemaPath}`, { code: 'NO_SCHEMA' });
  return files.sort((a, b) => a[0].localeCompare(b[0]));
}

/** Calls a prisma-schema-wasm function; its validation errors come back as a JSON string in the thrown Error. */
function callWasm(fn, params) {
  try {
    return JSON.parse(fn(JSON.stringify(params)));
  } catch (err) {
    let message = String(err?.message ?? err);
    try {
      message = JSON.parse(message).message ?? message;
    } catch {
      /* not JSON: keep the raw message */
    }
    throw new MigrationError(`schema.prisma is invalid:\n${message}`, { code: 'INVALID_SCHEMA', cause: err });
  }
}

/**
 * The DMMF omits `@@ignore` models and `@ignore` fields, but their tables/columns still exist in the database.
 * Find them in the source text so the comparison can skip them (a simple scan: models are `model X { … }` blocks).
 */
function findIgnored(sources) {
  const tables = new Set();
  const columnsByModel = new Map();
  for (const [, text] of sources) {
    const code = text.replace(/(^|\s)\/\/.*$/gm, '$1'); // drop // and /// comments (not "…://…" inside strings)
    for (const [, model, body] of code.matchAll(/^\s*model\s+(\w+)\s*\{([\s\S]*?)^\s*\}/gm)) {
      const mapped = (re) => re.exec(body)?.[1];
      if (/^\s*@@ignore\b/m.test(body)) {
        tables.add(mapped(/@@map\(\s*(?:name\s*:\s*)?"([^"]+)"/) ?? model);
        continue;
      }
      for (const line of body.split('\n')) {
        const field = /^\s*(\w+)\s+\S+.*@ignore\b/.exec(line);
        if (!field) continue;
        const column = /@map\(\s*(?:name\s*:\s*)?"([^"]+)"/.exec(line)?.[1] ?? field[1];
        if (!columnsByModel.has(model)) columnsByModel.set(model, new Set());
        columnsByModel.get(model).add(column);
      }
    }
  }
  return { tables, columnsByModel };
}

/** Prisma's default index/constraint names (psl ConstraintNames), MySQL's 64-character limit included. */
export function defaultConstraintName(table, columns, suffix) {
  let base = `${table}_${columns.join('_')}`;
  if (base.length >= MYSQL_MAX_IDENTIFIER - suffix.length) base = base.slice(0, MYSQL_MAX_IDENTIFIER - suffix.length);
  return base + suffix;
}

const REFERENTIAL_ACTIONS = {
  Cascade: 'CASCADE',
  Restrict: 'RESTRICT',
  NoAction: 'NO ACTION',
  SetNull: 'SET NULL',
  SetDefault: 'SET DEFAULT',
};
// InnoDB treats NO ACTION as RESTRICT, and MySQL 8 reports an unspecified rule as NO ACTION where MariaDB
// says RESTRICT.
const normalizeRule = (rule) => (rule === 'NO ACTION' ? 'RESTRICT' : rule);

/** What DEFAULT the column should have. kinds: none | now | value | present (some default, value not checked) | skip */
function expectedDefault(field, enumsByName) {
  const def = field.default;
  if (def === undefined || def === null) return { kind: 'none' };
  if (Array.isArray(def)) return { kind: 'skip' };
  if (typeof def === 'object') {
    if (def.name === 'autoincrement') return { kind: 'none' }; // checked through AUTO_INCREMENT instead
    if (def.name === 'now') return { kind: 'now' };
    // uuid()/cuid()/nanoid()/ulid() are filled in by the client; dbgenerated("expr") cannot be compared textually.
    return { kind: 'skip' };
  }
  if (field.kind === 'enum') {
    const value = enumsByName.get(field.type)?.values.find((v) => v.name === def);
    return { kind: 'value', value: value?.dbName ?? def };
  }
  if (['Json', 'Bytes', 'DateTime'].includes(field.type)) return { kind: 'present' };
  return { kind: 'value', value: def };
}

/**
 * Parses schema.prisma into the tables the migrations should produce.
 * @returns {Promise<{ tables: Map<string, object>, ignored: { tables: Set<string> } , relationMode: string }>}
 */
export async function loadExpectedSchema(schemaPath = DEFAULT_SCHEMA_PATH) {
  const wasm = require('@prisma/prisma-schema-wasm');
  const sources = await readSchemaFiles(schemaPath);

  const config = callWasm(wasm.get_config, {
    prismaSchema: sources,
    datasourceOverrides: {},
    ignoreEnvVarErrors: true,
    env: {},
  });
  const provider = config?.config?.datasources?.[0]?.activeProvider;
  if (provider !== 'mysql') {
    throw new MigrationError(`drift only understands provider = "mysql" (schema says ${provider ?? 'nothing'})`, {
      code: 'WRONG_PROVIDER',
    });
  }
  const relationMode =
    /datasource\s+\w+\s*\{[^}]*relationMode\s*=\s*"(\w+)"/.exec(sources.map((s) => s[1]).join('\n'))?.[1] ??
    'foreignKeys';

  const { datamodel } = callWasm(wasm.get_dmmf, { prismaSchema: sources, noColor: true });
  const ignored = findIgnored(sources);
  const models = new Map(datamodel.models.map((m) => [m.name, m]));
  const enumsByName = new Map(datamodel.enums.map((e) => [e.name, e]));
  const tableOf = (model) => model.dbName ?? model.name;
  const fieldOf = (model, name) => model.fields.find((f) => f.name === name);
  const columnOf = (model, name) => {
    const field = fieldOf(model, name);
    return field?.dbName ?? name;
  };

  const tables = new Map();
  for (const model of datamodel.models) {
    const table = {
      name: tableOf(model),
      source: `model ${model.name}`,
      columns: new Map(),
      indexes: [],
      foreignKeys: [],
      ignoredColumns: ignored.columnsByModel.get(model.name) ?? new Set(),
    };
    for (const field of model.fields) {
      if (field.kind === 'object') continue;
      const column = field.dbName ?? field.name;
      table.columns.set(column, {
        name: column,
        source: `${model.name}.${field.name}`,
        nullable: !field.isRequired,
        // 'unsupported' (Unsupported("…")) fields: existence and nullability only.
        family: field.kind === 'enum' ? 'Enum' : field.kind === 'scalar' ? field.type : null,
        enumValues:
          field.kind === 'enum' ? enumsByName.get(field.type)?.values.map((v) => v.dbName ?? v.name) : undefined,
        default: expectedDefault(field, enumsByName),
        autoIncrement: field.default?.name === 'autoincrement',
      });
    }
    tables.set(table.name, table);
  }

  for (const index of datamodel.indexes) {
    const model = models.get(index.model);
    const table = tables.get(tableOf(model));
    const columns = index.fields.map((f) => columnOf(model, f.name));
    const kind = { id: 'primary', unique: 'unique', normal: 'normal', fulltext: 'fulltext' }[index.type] ?? index.type;
    const name =
      kind === 'primary'
        ? 'PRIMARY'
        : (index.dbName ?? defaultConstraintName(table.name, columns, kind === 'unique' ? '_key' : '_idx'));
    table.indexes.push({ kinds: [kind], columns, name });
  }

  const relations = new Map(); // relationName -> [{ model, field }]
  for (const model of datamodel.models) {
    for (const field of model.fields) {
      if (field.kind !== 'object') continue;
      if (!relations.has(field.relationName)) relations.set(field.relationName, []);
      relations.get(field.relationName).push({ model, field });
      if (relationMode === 'prisma' || !field.relationFromFields?.length) continue;
      // The side holding `fields:`/`references:` owns the foreign key.
      // Prisma's defaults: ON DELETE RESTRICT for a required relation, SET NULL for an optional one; ON UPDATE CASCADE.
      const target = models.get(field.type);
      tables.get(tableOf(model)).foreignKeys.push({
        columns: field.relationFromFields.map((n) => columnOf(model, n)),
        refTable: tableOf(target),
        refColumns: field.relationToFields.map((n) => columnOf(target, n)),
        onDelete: REFERENTIAL_ACTIONS[field.relationOnDelete ?? (field.isRequired ? 'Restrict' : 'SetNull')],
        onUpdate: REFERENTIAL_ACTIONS[field.relationOnUpdate ?? 'Cascade'],
      });
    }
  }

  // Implicit many-to-many: both sides are lists without `fields:`. Prisma keeps the pairs in `_<RelationName>` with
  // columns A (id of the model whose name sorts first) and B, a unique index on (A, B), an index on B, and cascading
  // foreign keys.
  for (const [relationName, sides] of relations) {
    if (sides.length !== 2 || !sides.every((s) => s.field.isList && !s.field.relationFromFields?.length)) continue;
    const [first, second] = sides.map((s) => s.model).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const idOf = (model) => model.fields.find((f) => f.isId);
    const name = `_${relationName}`;
    const table = {
      name,
      source: `implicit many-to-many relation ${relationName}`,
      columns: new Map(),
      indexes: [],
      foreignKeys: [],
      ignoredColumns: new Set(),
    };
    for (const [column, model] of [['A', first], ['B', second]]) {
      const id = idOf(model);
      table.columns.set(column, {
        name: column,
        source: `${relationName}.${column} -> ${model.name}`,
        nullable: false,
        family: id ? (id.kind === 'enum' ? 'Enum' : id.type) : null,
        default: { kind: 'none' },
        autoIncrement: false,
      });
      if (relationMode !== 'prisma' && id) {
        table.foreignKeys.push({
          columns: [column],
          refTable: tableOf(model),
          refColumns: [id.dbName ?? id.name],
          onDelete: 'CASCADE',
          onUpdate: 'CASCADE',
        });
      }
    }
    // Prisma (MySQL) uses a unique index here; accept a primary key too. Names are not checked for join tables.
    table.indexes.push({ kinds: ['unique', 'primary'], columns: ['A', 'B'], name: null });
    table.indexes.push({ kinds: ['normal'], columns: ['B'], name: null });
    tables.set(name, table);
  }

  return { tables, ignored: { tables: ignored.tables }, relationMode };
}

// ---------------------------------------------------------------------------------------------------------------------
// Actual schema, from information_schema

/** The Prisma scalar types a column can stand for (what introspection would say). */
function columnFamilies(col, jsonColumns) {
  const type = col.DATA_TYPE.toLowerCase();
  const full = col.COLUMN_TYPE.toLowerCase();
  switch (type) {
    case 'tinyint':
      return full.startsWith('tinyint(1)') ? ['Boolean', 'Int'] : ['Int'];
    case 'bit':
      return full === 'bit(1)' ? ['Boolean', 'Bytes'] : ['Bytes'];
    case 'smallint':
    case 'mediumint':
    case 'int':
    case 'integer':
    case 'year':
      return ['Int'];
    case 'bigint':
      return ['BigInt'];
    case 'decimal':
    case 'numeric':
      return ['Decimal'];
    case 'float':
    case 'double':
    case 'real':
      return ['Float'];
    case 'char':
    case 'varchar':
    case 'tinytext':
    case 'text':
    case 'mediumtext':
    case 'longtext':
      // MariaDB's JSON is LONGTEXT plus a json_valid() CHECK constraint.
      return jsonColumns.has(col.COLUMN_NAME) ? ['Json'] : ['String'];
    case 'json':
      return ['Json'];
    case 'date':
    case 'datetime':
    case 'timestamp':
    case 'time':
      return ['DateTime'];
    case 'binary':
    case 'varbinary':
    case 'tinyblob':
    case 'blob':
    case 'mediumblob':
    case 'longblob':
      return ['Bytes'];
    case 'enum':
      return ['Enum'];
    default:
      return [`Unsupported(${type})`];
  }
}

/** Values of an ENUM('a','b''c') column type. */
function parseEnumValues(columnType) {
  const inner = /^enum\((.*)\)$/is.exec(columnType)?.[1] ?? '';
  return [...inner.matchAll(/'((?:[^']|'')*)'/g)].map((m) => m[1].replace(/''/g, "'"));
}

/** Normalises COLUMN_DEFAULT: MariaDB quotes string literals ('abc') and reports "no default" as 'NULL'. */
function actualDefault(raw) {
  if (raw === null || raw === undefined || raw === 'NULL') return { kind: 'none', raw: 'none' };
  const text = String(raw);
  if (/^(current_timestamp|now)\s*(\(\s*\d*\s*\))?$/i.test(text)) return { kind: 'now', raw: text };
  const quoted = /^'([\s\S]*)'$/.exec(text);
  return { kind: 'value', value: quoted ? quoted[1].replace(/''/g, "'").replace(/\\\\/g, '\\') : text, raw: text };
}

/**
 * Reads tables, columns, indexes and foreign keys of `database` (except _prisma_migrations).
 * @returns {Promise<Map<string, object>>}
 */
export async function introspect(conn, database) {
  const tableRows = await conn.query(
    `SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE'`,
    [database],
  );
  const tables = new Map();
  for (const { TABLE_NAME } of tableRows) {
    if (TABLE_NAME === MIGRATIONS_TABLE) continue;
    tables.set(TABLE_NAME, { name: TABLE_NAME, columns: new Map(), indexes: [], foreignKeys: [] });
  }

  const jsonColumns = new Map(); // table -> Set(column), from MariaDB's json_valid(`col`) checks
  try {
    const checks = await conn.query(
      `SELECT TABLE_NAME, CHECK_CLAUSE FROM information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = ?`,
      [database],
    );
    for (const { TABLE_NAME, CHECK_CLAUSE } of checks) {
      const column = /^json_valid\(`((?:[^`]|``)+)`\)$/i.exec(String(CHECK_CLAUSE).trim())?.[1];
      if (!column) continue;
      if (!jsonColumns.has(TABLE_NAME)) jsonColumns.set(TABLE_NAME, new Set());
      jsonColumns.get(TABLE_NAME).add(column.replace(/``/g, '`'));
    }
  } catch {
    // Servers without information_schema.CHECK_CONSTRAINTS (MySQL < 8.0.16) have a real JSON type anyway.
  }

  const columnRows = await conn.query(
    `SELECT TABLE_NAME, COLUMN_NAME, IS_NULLABLE, DATA_TYPE, COLUMN_TYPE, COLUMN_DEFAULT, EXTRA
       FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME, ORDINAL_POSITION`,
    [database],
  );
  for (const col of columnRows) {
    const table = tables.get(col.TABLE_NAME);
    if (!table) continue; // a view
    table.columns.set(col.COLUMN_NAME, {
      name: col.COLUMN_NAME,
      nullable: col.IS_NULLABLE === 'YES',
      families: columnFamilies(col, jsonColumns.get(col.TABLE_NAME) ?? new Set()),
      type: col.COLUMN_TYPE,
      enumValues: col.DATA_TYPE.toLowerCase() === 'enum' ? parseEnumValues(col.COLUMN_TYPE) : undefined,
      default: actualDefault(col.COLUMN_DEFAULT),
      autoIncrement: /auto_increment/i.test(col.EXTRA ?? ''),
    });
  }

  const indexRows = await conn.query(
    `SELECT TABLE_NAME, INDEX_NAME, NON_UNIQUE, SEQ_IN_INDEX, COLUMN_NAME, INDEX_TYPE
       FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX`,
    [database],
  );
  const indexes = new Map();
  for (const row of indexRows) {
    if (!tables.has(row.TABLE_NAME)) continue;
    const key = `${row.TABLE_NAME}\u0000${row.INDEX_NAME}`;
    if (!indexes.has(key)) {
      const kind =
        row.INDEX_NAME === 'PRIMARY'
          ? 'primary'
          : row.INDEX_TYPE === 'FULLTEXT'
            ? 'fulltext'
            : row.INDEX_TYPE === 'SPATIAL'
              ? 'spatial'
              : Number(row.NON_UNIQUE) === 0
                ? 'unique'
                : 'normal';
      const index = { name: row.INDEX_NAME, kind, columns: [] };
      indexes.set(key, index);
      tables.get(row.TABLE_NAME).indexes.push(index);
    }
    indexes.get(key).columns.push(row.COLUMN_NAME);
  }

  const fkRows = await conn.query(
    `SELECT k.TABLE_NAME, k.CONSTRAINT_NAME, k.COLUMN_NAME, k.REFERENCED_TABLE_NAME, k.REFERENCED_COLUMN_NAME,
            r.DELETE_RULE, r.UPDATE_RULE
       FROM information_schema.KEY_COLUMN_USAGE k
       JOIN information_schema.REFERENTIAL_CONSTRAINTS r
         ON r.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA AND r.TABLE_NAME = k.TABLE_NAME
        AND r.CONSTRAINT_NAME = k.CONSTRAINT_NAME
      WHERE k.TABLE_SCHEMA = ? AND k.REFERENCED_TABLE_NAME IS NOT NULL
      ORDER BY k.TABLE_NAME, k.CONSTRAINT_NAME, k.ORDINAL_POSITION`,
    [database],
  );
  const fks = new Map();
  for (const row of fkRows) {
    if (!tables.has(row.TABLE_NAME)) continue;
    const key = `${row.TABLE_NAME}\u0000${row.CONSTRAINT_NAME}`;
    if (!fks.has(key)) {
      const fk = {
        name: row.CONSTRAINT_NAME,
        columns: [],
        refTable: row.REFERENCED_TABLE_NAME,
        refColumns: [],
        onDelete: row.DELETE_RULE,
        onUpdate: row.UPDATE_RULE,
      };
      fks.set(key, fk);
      tables.get(row.TABLE_NAME).foreignKeys.push(fk);
    }
    fks.get(key).columns.push(row.COLUMN_NAME);
    fks.get(key).refColumns.push(row.REFERENCED_COLUMN_NAME);
  }
  return tables;
}

// ---------------------------------------------------------------------------------------------------------------------
// Comparison

const list = (columns) => `(${columns.join(', ')})`;
const fkLabel = (fk) => `${list(fk.columns)} -> ${fk.refTable}${list(fk.refColumns)}`;
const sameList = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);

function describeExpectedDefault(def) {
  switch (def.kind) {
    case 'none':
      return 'none';
    case 'now':
      return 'now()';
    case 'present':
      return 'a default';
    default:
      return JSON.stringify(def.value);
  }
}

function defaultMatches(expected, actual, family) {
  switch (expected.kind) {
    case 'skip':
      return true;
    case 'none':
      return actual.kind === 'none';
    case 'now':
      return actual.kind === 'now';
    case 'present':
      return actual.kind !== 'none';
    default: {
      if (actual.kind !== 'value') return false;
      const value = expected.value;
      if (family === 'Boolean') {
        return actual.value === (value ? '1' : '0') || actual.value.toLowerCase() === String(value);
      }
      if (['Int', 'BigInt', 'Float', 'Decimal'].includes(family)) {
        return Number(actual.value) === Number(value) || actual.value === String(value);
      }
      return actual.value === String(value);
    }
  }
}

const nullability = (nullable) => (nullable ? 'NULL' : 'NOT NULL');
const yesNo = (flag) => (flag ? 'yes' : 'no');
const indexKind = (kind) => (kind === 'normal' ? 'index' : `${kind} index`);

/**
 * Compares expected (schema) and actual (database) tables. Every difference is one line starting with
 * `<table>:` or `<table>.<column>:`.
 * @returns {Array<{ table: string, column?: string, index?: string, foreignKey?: string, message: string }>}
 */
export function compareSchemas(expected, actualTables) {
  const differences = [];
  const add = (table, message, extra = {}) => differences.push({ table, ...extra, message: `${table}${message}` });

  for (const [name, exp] of [...expected.tables].sort(([a], [b]) => a.localeCompare(b))) {
    const act = actualTables.get(name);
    if (!act) {
      add(name, `: table is in the schema (${exp.source}) but not created by the migrations`);
      continue;
    }
    compareColumns(exp, act, add);
    compareIndexes(exp, act, add);
    compareForeignKeys(exp, act, add);
  }
  for (const name of [...actualTables.keys()].sort()) {
    if (!expected.tables.has(name) && !expected.ignored.tables.has(name)) {
      add(name, ': table is created by the migrations but is not in the schema');
    }
  }
  return differences;
}

function compareColumns(exp, act, add) {
  for (const [name, col] of exp.columns) {
    const actual = act.columns.get(name);
    const say = (message) => add(exp.name, `.${name}: ${message}`, { column: name });
    if (!actual) {
      say(`column is in the schema (${col.source}) but missing from the migrations`);
      continue;
    }
    if (col.nullable !== actual.nullable) {
      say(`nullability differs: schema ${nullability(col.nullable)}, migrations ${nullability(actual.nullable)}`);
    }
    if (col.family && !actual.families.includes(col.family)) {
      say(`type differs: schema ${col.family}, migrations ${actual.type}`);
    } else if (col.family === 'Enum' && col.enumValues && !sameList(col.enumValues, actual.enumValues ?? [])) {
      say(`enum values differ: schema [${col.enumValues.join(', ')}], migrations [${actual.enumValues.join(', ')}]`);
    }
    if (col.autoIncrement !== actual.autoIncrement) {
      say(`AUTO_INCREMENT differs: schema ${yesNo(col.autoIncrement)}, migrations ${yesNo(actual.autoIncrement)}`);
    }
    if (!defaultMatches(col.default, actual.default, col.family)) {
      say(`default differs: schema ${describeExpectedDefault(col.default)}, migrations ${actual.default.raw}`);
    }
  }
  for (const name of act.columns.keys()) {
    if (!exp.columns.has(name) && !exp.ignoredColumns.has(name)) {
      add(exp.name, `.${name}: column is created by the migrations but is not in the schema`, { column: name });
    }
  }
}

function compareIndexes(exp, act, add) {
  const unmatched = [...act.indexes];
  for (const index of exp.indexes) {
    const at = unmatched.findIndex((a) => index.kinds.includes(a.kind) && sameList(a.columns, index.columns));
    const named = index.name && index.kinds[0] !== 'primary' ? ` ${index.name}` : '';
    const where = { index: index.name ?? list(index.columns) };
    if (at < 0) {
      const label = `${indexKind(index.kinds[0])}${named} ${list(index.columns)}`;
      add(exp.name, `: ${label} is in the schema but missing from the migrations`, where);
      continue;
    }
    const [found] = unmatched.splice(at, 1);
    if (index.name && found.kind !== 'primary' && found.name !== index.name) {
      const label = `${indexKind(found.kind)} ${list(index.columns)}`;
      add(exp.name, `: ${label} is named ${found.name} in the migrations, the schema expects ${index.name}`, where);
    }
  }
  for (const index of unmatched) {
    // InnoDB silently adds an index named after a foreign key when no index starts with its columns; migrations made
    // by Prisma rely on that too, so it is not drift.
    const implicitFkIndex = act.foreignKeys.some((fk) => fk.name === index.name && sameList(fk.columns, index.columns));
    if (index.kind === 'normal' && implicitFkIndex) continue;
    if (index.columns.some((c) => exp.ignoredColumns.has(c))) continue;
    const label = `${indexKind(index.kind)} ${index.name} ${list(index.columns)}`;
    add(exp.name, `: ${label} is created by the migrations but is not in the schema`, { index: index.name });
  }
}

function compareForeignKeys(exp, act, add) {
  const unmatched = [...act.foreignKeys];
  for (const fk of exp.foreignKeys) {
    const where = { foreignKey: fkLabel(fk) };
    const at = unmatched.findIndex(
      (a) => a.refTable === fk.refTable && sameList(a.columns, fk.columns) && sameList(a.refColumns, fk.refColumns),
    );
    if (at < 0) {
      add(exp.name, `: foreign key ${fkLabel(fk)} is in the schema but missing from the migrations`, where);
      continue;
    }
    const [found] = unmatched.splice(at, 1);
    for (const [rule, wanted, got] of [
      ['ON DELETE', fk.onDelete, found.onDelete],
      ['ON UPDATE', fk.onUpdate, found.onUpdate],
    ]) {
      if (normalizeRule(wanted) !== normalizeRule(got)) {
        add(exp.name, `: foreign key ${fkLabel(fk)} ${rule} differs: schema ${wanted}, migrations ${got}`, where);
      }
    }
  }
  for (const fk of unmatched) {
    const label = `foreign key ${fk.name} ${fkLabel(fk)}`;
    add(exp.name, `: ${label} is created by the migrations but is not in the schema`, { foreignKey: fk.name });
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// drift

/**
 * Applies all migrations to a scratch database and compares the result with the schema. The scratch database is
 * dropped in every case (with `handleSignals`, also on Ctrl-C / SIGTERM).
 * @param {{ url?: string, schemaPath?: string, migrationsDir?: string, handleSignals?: boolean }} [options]
 * @returns {Promise<{ differences: Array<{ table: string, message: string }>, database: string }>} (see migrate.d.mts)
 */
export async function drift(options = {}) {
  const {
    url = process.env.DATABASE_URL || DEFAULT_DATABASE_URL,
    schemaPath = DEFAULT_SCHEMA_PATH,
    migrationsDir = DEFAULT_MIGRATIONS_DIR,
    handleSignals = false,
  } = options;
  const expected = await loadExpectedSchema(schemaPath); // an invalid schema fails before any database work

  const cfg = parseDatabaseUrl(url);
  const scratch = `aisbf_drift_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = await connectServer(cfg);
  let dropped;
  const dropScratch = () =>
    (dropped ??= admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(scratch)}`).catch(() => undefined));
  const onSignal = (signal) => {
    void dropScratch().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  if (handleSignals) {
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  }
  try {
    try {
      await deploy({ url: withDatabase(url, scratch), migrationsDir, log: () => undefined });
    } catch (err) {
      throw new MigrationError(`The migrations do not apply cleanly to an empty database: ${err.message}`, {
        code: 'DRIFT_DEPLOY_FAILED',
        migration: err.migration,
        cause: err,
      });
    }
    const actual = await introspect(admin, scratch);
    return { differences: compareSchemas(expected, actual), database: scratch };
  } finally {
    await dropScratch();
    await admin.end().catch(() => undefined);
    if (handleSignals) {
      process.removeListener('SIGINT', onSignal);
      process.removeListener('SIGTERM', onSignal);
    }
  }
}
