/**
 * A throwaway redis-server for one test file: a free loopback port (never
 * 6379), no persistence unless asked (`persistDir`), stopped after. Can be killed and restarted on the
 * same port to simulate an outage.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { freePort } from '../../src/net/free-port.js';

/** Why Redis tests cannot run here, or null when redis-server is available. */
export function redisUnavailable(): string | null {
  const r = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  return r.error || r.status !== 0 ? 'redis-server is not installed (Debian package redis-server)' : null;
}

export { freePort } from '../../src/net/free-port.js';

export interface RedisServer {
  readonly port: number;
  readonly url: string;
  /** SIGKILL: an abrupt outage. */
  kill(): Promise<void>;
  /** Starts again on the same port (empty unless started with `persistDir`). */
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface RedisOptions {
  /**
   * Keep the data across restarts in this folder (AOF, fsync on every
   * write), as a production Redis that holds fencing tokens must: a token
   * that went back to 0 after a restart would let a stale owner in.
   */
  readonly persistDir?: string;
}

export async function startRedis(options: RedisOptions = {}): Promise<RedisServer> {
  let port = await freePort();
  if (port === 6379) port = await freePort();
  let child: ChildProcess | null = null;
  const persistence = options.persistDir ? ['--save', '', '--appendonly', 'yes', '--appendfsync', 'always', '--dir', options.persistDir] : ['--save', '', '--appendonly', 'no'];

  const ready = async (): Promise<void> => {
    const c = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', ...persistence, '--daemonize', 'no', '--loglevel', 'warning'], {
      stdio: 'ignore',
    });
    child = c;
    let exited: string | null = null;
    c.once('exit', (code, signal) => {
      exited = `code ${code} signal ${signal}`;
    });
    const deadline = Date.now() + 5000;
    // Poll with PING: the readiness log line is not printed at loglevel warning.
    while (!(await ping(port))) {
      if (exited) throw new Error(`redis-server exited early (${exited})`);
      if (Date.now() > deadline) throw new Error('redis-server did not become ready in 5 s');
      await new Promise((r) => setTimeout(r, 20));
    }
  };

  const waitExit = (c: ChildProcess | null, signal: NodeJS.Signals): Promise<void> =>
    new Promise((resolve) => {
      if (!c || c.exitCode !== null || c.signalCode !== null) return resolve();
      c.once('exit', () => resolve());
      c.kill(signal);
    });

  await ready();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    kill: () => waitExit(child, 'SIGKILL'),
    start: ready,
    stop: () => waitExit(child, 'SIGTERM'),
  };
}

async function ping(port: number): Promise<boolean> {
  const { connect } = await import('node:net');
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.setTimeout(200);
    s.once('connect', () => s.write('PING\r\n'));
    s.once('data', (d) => {
      s.destroy();
      resolve(d.toString().startsWith('+PONG'));
    });
    s.once('error', () => resolve(false));
    s.once('timeout', () => {
      s.destroy();
      resolve(false);
    });
  });
}
