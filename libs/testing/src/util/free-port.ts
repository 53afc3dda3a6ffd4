import { createServer, type AddressInfo } from 'node:net';

/** Asks the OS for a TCP port that is free on 127.0.0.1 right now (it may be taken again before you bind it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close((err) => (err ? reject(err) : resolve(port)));
    });
  });
}
