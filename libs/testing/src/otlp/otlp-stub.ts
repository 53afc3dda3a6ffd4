import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { gunzipSync } from 'node:zlib';

/** One span as an OTLP/HTTP JSON export carried it, flattened with its resource's service name. */
export interface ExportedSpan {
  /** `service.name` of the resource that exported the span. */
  service: string;
  traceId: string;
  spanId: string;
  /** Empty string / undefined for a root span. */
  parentSpanId: string | undefined;
  name: string;
  /** OTLP span kind: 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  kind: number;
  attributes: Record<string, unknown>;
}

export interface OtlpStub {
  /** Base endpoint for `OTEL_EXPORTER_OTLP_ENDPOINT` (the exporter appends `/v1/traces`). */
  url: string;
  port: number;
  spans: ExportedSpan[];
  /** Export requests received (any path). */
  exports: number;
  /** Bodies that were not OTLP JSON (e.g. protobuf), kept as received for diagnosis. */
  unparsed: Buffer[];
  reset(): void;
  close(): Promise<void>;
}

const SPAN_KIND_OTLP: Record<string, number> = {
  SPAN_KIND_INTERNAL: 1,
  SPAN_KIND_SERVER: 2,
  SPAN_KIND_CLIENT: 3,
  SPAN_KIND_PRODUCER: 4,
  SPAN_KIND_CONSUMER: 5,
};

type AnyValue = Record<string, unknown>;

function value(v: AnyValue | undefined): unknown {
  if (!v) return undefined;
  if ('stringValue' in v) return v['stringValue'];
  if ('intValue' in v) return Number(v['intValue']);
  if ('doubleValue' in v) return v['doubleValue'];
  if ('boolValue' in v) return v['boolValue'];
  if ('arrayValue' in v) return ((v['arrayValue'] as { values?: AnyValue[] }).values ?? []).map(value);
  return v;
}

function attributes(list: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!Array.isArray(list)) return out;
  for (const a of list as Array<{ key: string; value?: AnyValue }>) out[a.key] = value(a.value);
  return out;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Flattens an OTLP `ExportTraceServiceRequest` in its JSON encoding (hex ids, as the JS exporter sends them). */
export function flattenOtlpJson(body: unknown): ExportedSpan[] {
  const out: ExportedSpan[] = [];
  const rs = (body as { resourceSpans?: unknown[] } | null)?.resourceSpans;
  if (!Array.isArray(rs)) return out;
  for (const r of rs as Array<{ resource?: { attributes?: unknown }; scopeSpans?: Array<{ spans?: unknown[] }> }>) {
    const service = String(attributes(r.resource?.attributes)['service.name'] ?? '');
    for (const ss of r.scopeSpans ?? []) {
      for (const s of (ss.spans ?? []) as Array<Record<string, unknown>>) {
        const kind = typeof s['kind'] === 'number' ? s['kind'] : (SPAN_KIND_OTLP[String(s['kind'])] ?? 0);
        out.push({
          service,
          traceId: String(s['traceId'] ?? ''),
          spanId: String(s['spanId'] ?? ''),
          parentSpanId: s['parentSpanId'] ? String(s['parentSpanId']) : undefined,
          name: String(s['name'] ?? ''),
          kind,
          attributes: attributes(s['attributes']),
        });
      }
    }
  }
  return out;
}

/**
 * A minimal OpenTelemetry collector: accepts OTLP/HTTP JSON exports on `POST /v1/traces` (gzip or not), answers
 * `200 {}` and keeps every span, so a test can assert what the services exported.
 */
export async function startOtlpStub(opts: { port?: number } = {}): Promise<OtlpStub> {
  const sockets = new Set<Socket>();
  const stub: Omit<OtlpStub, 'url' | 'port' | 'close'> = {
    spans: [],
    exports: 0,
    unparsed: [],
    reset() {
      stub.spans.length = 0;
      stub.unparsed.length = 0;
      stub.exports = 0;
    },
  };
  const server = createServer((req, res) => {
    readBody(req)
      .then((raw) => {
        stub.exports += 1;
        const body = req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
        if (req.method === 'POST' && (req.url ?? '').startsWith('/v1/traces') && String(req.headers['content-type'] ?? '').includes('json')) {
          try {
            stub.spans.push(...flattenOtlpJson(JSON.parse(body.toString('utf8'))));
          } catch {
            stub.unparsed.push(body);
          }
        } else {
          stub.unparsed.push(body);
        }
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{}');
      })
      .catch(() => res.destroy());
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return Object.assign(stub, {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  });
}
