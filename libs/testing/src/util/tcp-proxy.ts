import { connect, createServer, type AddressInfo, type Socket } from 'node:net';

export interface TcpProxyOptions {
  /** Where connections go while the proxy is enabled. */
  target: { host: string; port: number };
  /** Port to listen on (127.0.0.1); 0 / absent = a free port chosen by the OS. */
  port?: number;
  /** Start enabled (default true). */
  enabled?: boolean;
}

export interface TcpProxy {
  port: number;
  /** `host:port` to put in a URL instead of the target's. */
  address: string;
  /**
   * Enabled: new connections are piped to the target. Disabled: new connections are destroyed as soon as they are
   * accepted, and the connections open at that moment are destroyed too (the target "went away").
   */
  setEnabled(enabled: boolean): void;
  readonly enabled: boolean;
  /** Connections accepted so far (refused ones included). */
  readonly accepted: number;
  /** Connections refused while disabled. */
  readonly refused: number;
  close(): Promise<void>;
}

/**
 * A TCP forwarder that can be switched off and on, to make a dependency (MySQL, Redis, NATS) briefly unavailable to
 * the code under test without touching the real server.
 */
export async function startTcpProxy(opts: TcpProxyOptions): Promise<TcpProxy> {
  let enabled = opts.enabled ?? true;
  let accepted = 0;
  let refused = 0;
  const pairs = new Set<{ client: Socket; upstream: Socket }>();

  const server = createServer((client) => {
    accepted += 1;
    if (!enabled) {
      refused += 1;
      client.destroy();
      return;
    }
    const upstream = connect(opts.target.port, opts.target.host);
    const pair = { client, upstream };
    pairs.add(pair);
    const drop = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop);
    upstream.on('error', drop);
    client.on('close', drop);
    upstream.on('close', drop);
    client.pipe(upstream);
    upstream.pipe(client);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  return {
    port,
    address: `127.0.0.1:${port}`,
    get enabled() {
      return enabled;
    },
    get accepted() {
      return accepted;
    },
    get refused() {
      return refused;
    },
    setEnabled(on: boolean) {
      enabled = on;
      if (!on) {
        for (const p of [...pairs]) {
          p.client.destroy();
          p.upstream.destroy();
        }
        pairs.clear();
      }
    },
    close() {
      for (const p of [...pairs]) {
        p.client.destroy();
        p.upstream.destroy();
      }
      pairs.clear();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
