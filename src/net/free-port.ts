/**
 * A TCP port free on loopback right now, found by binding port 0 and closing.
 * Another process can take it before the caller binds it, so it is for
 * tests, benchmarks and tools that start a server of their own at once.
 */
import { createServer } from 'node:net';

export async function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, host, () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}
