import { connect, createServer, type Server, type Socket } from 'node:net';
import { startTcpProxy, type TcpProxy } from './tcp-proxy';

/** Sends `text` over a fresh connection and resolves with what came back before the connection closed or 300 ms passed. */
function roundTrip(port: number, text: string): Promise<{ reply: string; closedBy: 'peer' | 'timeout' | 'error' }> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    let reply = '';
    const done = (closedBy: 'peer' | 'timeout' | 'error') => {
      clearTimeout(t);
      s.destroy();
      resolve({ reply, closedBy });
    };
    const t = setTimeout(() => done('timeout'), 300);
    s.on('data', (d) => (reply += d.toString()));
    s.on('close', () => done('peer'));
    s.on('error', () => done('error'));
    s.write(text);
  });
}

describe('startTcpProxy', () => {
  let echo: Server;
  let echoPort: number;
  let proxy: TcpProxy;
  const echoSockets = new Set<Socket>();

  beforeAll(async () => {
    echo = createServer((s) => {
      echoSockets.add(s);
      s.on('close', () => echoSockets.delete(s));
      s.pipe(s);
    });
    await new Promise<void>((r) => echo.listen(0, '127.0.0.1', () => r()));
    echoPort = (echo.address() as { port: number }).port;
    proxy = await startTcpProxy({ target: { host: '127.0.0.1', port: echoPort } });
  });

  afterAll(async () => {
    await proxy.close();
    for (const s of echoSockets) s.destroy();
    await new Promise((r) => echo.close(r));
  });

  it('forwards both ways while enabled', async () => {
    expect(proxy.address).toBe(`127.0.0.1:${proxy.port}`);
    expect(await roundTrip(proxy.port, 'hello')).toEqual({ reply: 'hello', closedBy: 'timeout' });
  });

  it('refuses new connections while disabled, and forwards again once enabled', async () => {
    proxy.setEnabled(false);
    expect(proxy.enabled).toBe(false);
    const refused = proxy.refused;
    const r = await roundTrip(proxy.port, 'hello');
    expect(r.reply).toBe('');
    expect(r.closedBy).not.toBe('timeout');
    expect(proxy.refused).toBe(refused + 1);

    proxy.setEnabled(true);
    expect((await roundTrip(proxy.port, 'again')).reply).toBe('again');
  });

  it('cuts the open connections when disabled', async () => {
    const s = connect(proxy.port, '127.0.0.1');
    await new Promise((r) => s.once('connect', r));
    s.write('x');
    await new Promise((r) => s.once('data', r));
    const closed = new Promise((r) => s.once('close', r));
    s.on('error', () => undefined);
    proxy.setEnabled(false);
    await closed;
    proxy.setEnabled(true);
  });
});
