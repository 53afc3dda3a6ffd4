import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import mariadb from 'mariadb';

/** The original product's tables this import reads (any may be missing in older installations). */
export const ORIGINAL_TABLES = ['account_tiers', 'users', 'user_api_tokens', 'user_providers', 'user_rotations', 'user_autoselects'] as const;
export type OriginalTable = (typeof ORIGINAL_TABLES)[number];
export type Row = Record<string, unknown>;

export interface OriginalSource {
  rows(table: OriginalTable): Promise<Row[]>;
  close(): Promise<void>;
}

const run = promisify(execFile);

/** The original's default SQLite database (~/.aisbf/aisbf.db), read with the `sqlite3` command-line tool. */
export function sqliteSource(path: string): OriginalSource {
  return {
    rows: async (table) => {
      try {
        const { stdout } = await run('sqlite3', ['-readonly', '-json', path, `SELECT * FROM ${table}`], { maxBuffer: 256 * 1024 * 1024 });
        return stdout.trim() ? (JSON.parse(stdout) as Row[]) : [];
      } catch (err) {
        const text = `${(err as { stderr?: string }).stderr ?? ''} ${(err as Error).message}`;
        if (/no such table/i.test(text)) return [];
        if ((err as { code?: string }).code === 'ENOENT') throw new Error('The sqlite3 command-line tool is needed to read the original SQLite database (apt-get install sqlite3)');
        throw new Error(`Cannot read ${table} from ${path}: ${text.trim()}`);
      }
    },
    close: async () => undefined,
  };
}

/** The original's MySQL database (its `database.type: mysql` mode). */
export async function mysqlSource(url: string): Promise<OriginalSource> {
  const u = new URL(url);
  const conn = await mariadb.createConnection({
    host: u.hostname,
    port: Number(u.port || 3306),
    user: decodeURIComponent(u.username || 'root'),
    password: decodeURIComponent(u.password || ''),
    database: decodeURIComponent(u.pathname.slice(1)),
    bigIntAsNumber: true,
    dateStrings: true,
  });
  return {
    rows: async (table) => {
      try {
        return (await conn.query(`SELECT * FROM \`${table}\``)) as Row[];
      } catch (err) {
        if ((err as { code?: string }).code === 'ER_NO_SUCH_TABLE') return [];
        throw err;
      }
    },
    close: () => conn.end(),
  };
}
