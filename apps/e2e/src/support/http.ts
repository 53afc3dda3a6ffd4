import mariadb from 'mariadb';

/** Raw HTTP access to the gateway, for what the SDK hides (status + body of errors, the SSE wire format). */
export async function rawRequest(
  url: string,
  opts: { method?: string; token?: string | null; body?: unknown; rawBody?: string; contentType?: string; signal?: AbortSignal } = {},
): Promise<{ status: number; headers: Headers; text: string; json: unknown }> {
  const headers: Record<string, string> = {};
  if (opts.token) headers['authorization'] = `Bearer ${opts.token}`;
  const body = opts.rawBody ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body));
  if (body !== undefined) headers['content-type'] = opts.contentType ?? 'application/json';
  const res = await fetch(url, { method: opts.method ?? (body === undefined ? 'GET' : 'POST'), headers, body, signal: opts.signal });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

/** The `data:` payloads of an SSE body, in order. Fails on anything that is not a `data:` event. */
export function sseData(text: string): string[] {
  return text
    .split('\n\n')
    .filter((e) => e.trim() !== '')
    .map((e) => {
      if (!e.startsWith('data: ')) throw new Error(`not an SSE data event: ${JSON.stringify(e)}`);
      return e.slice('data: '.length);
    });
}

/** OpenAI's error shape, as every gateway error must look. */
export function expectOpenAIError(json: unknown): { message: string; type: string; code: string | null; param?: string | null } {
  expect(json).toEqual({
    error: expect.objectContaining({ message: expect.any(String), type: expect.any(String), code: expect.anything() }),
  });
  return (json as { error: { message: string; type: string; code: string | null; param?: string | null } }).error;
}

export interface UsageRow {
  requestId: string;
  caller: string;
  route: string;
  routeKind: string;
  providerId: string | null;
  model: string | null;
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  latencyMs: number;
  status: string;
  errorCode: string | null;
  attempts: number;
  stream: number | boolean;
}

/** Reads `UsageRecord` rows of one run's database (`stack.dbName`) with the plain mariadb driver. */
export class UsageDb {
  private constructor(private readonly conn: mariadb.Connection) {}

  static async open(databaseUrl: string, database: string): Promise<UsageDb> {
    const u = new URL(databaseUrl.replace(/^(mysql|mariadb):/, 'http:'));
    const conn = await mariadb.createConnection({
      host: u.hostname,
      port: Number(u.port || 3306),
      user: decodeURIComponent(u.username || 'root'),
      password: decodeURIComponent(u.password),
      database,
      bigIntAsNumber: true,
    });
    return new UsageDb(conn);
  }

  async rows(requestId: string): Promise<UsageRow[]> {
    return (await this.conn.query('SELECT * FROM `UsageRecord` WHERE `requestId` = ?', [requestId])) as UsageRow[];
  }

  async rowsWithStatus(status: string): Promise<UsageRow[]> {
    return (await this.conn.query('SELECT * FROM `UsageRecord` WHERE `status` = ?', [status])) as UsageRow[];
  }

  /** `RouteDecision` rows (the autoselect audit) of one request, every column as stored. */
  async decisionRows(requestId: string): Promise<Array<Record<string, unknown>>> {
    return (await this.conn.query('SELECT * FROM `RouteDecision` WHERE `requestId` = ?', [requestId])) as Array<Record<string, unknown>>;
  }

  async close(): Promise<void> {
    await this.conn.end();
  }
}
