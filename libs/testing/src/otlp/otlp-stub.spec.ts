import { gzipSync } from 'node:zlib';
import { flattenOtlpJson, startOtlpStub } from './otlp-stub';

const exportBody = {
  resourceSpans: [
    {
      resource: { attributes: [{ key: 'service.name', value: { stringValue: 'router' } }] },
      scopeSpans: [
        {
          scope: { name: 'aisbf-messaging' },
          spans: [
            {
              traceId: '0af7651916cd43dd8448eb211c80319c',
              spanId: 'b7ad6b7169203331',
              parentSpanId: '00f067aa0ba902b7',
              name: 'svc.router.chat.v1 process',
              kind: 5,
              attributes: [
                { key: 'aisbf.request_id', value: { stringValue: 'r-1' } },
                { key: 'n', value: { intValue: '3' } },
                { key: 'ok', value: { boolValue: true } },
              ],
            },
            { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: '00f067aa0ba902b7', name: 'POST', kind: 'SPAN_KIND_SERVER', parentSpanId: '' },
          ],
        },
      ],
    },
  ],
};

describe('OTLP stub collector', () => {
  it('flattens an OTLP JSON export', () => {
    expect(flattenOtlpJson(exportBody)).toEqual([
      {
        service: 'router',
        traceId: '0af7651916cd43dd8448eb211c80319c',
        spanId: 'b7ad6b7169203331',
        parentSpanId: '00f067aa0ba902b7',
        name: 'svc.router.chat.v1 process',
        kind: 5,
        attributes: { 'aisbf.request_id': 'r-1', n: 3, ok: true },
      },
      { service: 'router', traceId: '0af7651916cd43dd8448eb211c80319c', spanId: '00f067aa0ba902b7', parentSpanId: undefined, name: 'POST', kind: 2, attributes: {} },
    ]);
    expect(flattenOtlpJson({})).toEqual([]);
  });

  it('receives exports over HTTP (plain and gzip) and keeps other bodies aside', async () => {
    const stub = await startOtlpStub();
    try {
      const post = (body: Buffer | string, headers: Record<string, string>) => fetch(`${stub.url}/v1/traces`, { method: 'POST', headers, body });
      const plain = await post(JSON.stringify(exportBody), { 'content-type': 'application/json' });
      expect(plain.status).toBe(200);
      await post(gzipSync(JSON.stringify(exportBody)), { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      await post(Buffer.from([1, 2, 3]), { 'content-type': 'application/x-protobuf' });
      expect(stub.exports).toBe(3);
      expect(stub.spans).toHaveLength(4);
      expect(stub.unparsed).toHaveLength(1);
      stub.reset();
      expect(stub.spans).toHaveLength(0);
    } finally {
      await stub.close();
    }
  });
});
