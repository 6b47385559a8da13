/**
 * The ports a process command will bind, checked before anything starts: a
 * port already in use is reported at once, naming the flag and environment
 * variable that change it, instead of failing after the venue, the actor
 * system and the supervision tree have come up.
 */
import { createServer } from 'node:net';
import type { QgtmConfig } from '../app/config/schema.js';
import type { FlagCommand } from '../app/config/flags.js';

export interface PortClaim {
  /** What listens there, e.g. 'gateway (REST, /ws, /metrics)'. */
  readonly what: string;
  readonly host: string;
  readonly port: number;
  /** The option path (for where its value came from). */
  readonly path: string;
  /** How to change it: flag and environment variable. */
  readonly change: string;
}

/** The fixed ports `command` binds under `config` (port 0, any free port, is never in use). */
export function portClaims(command: FlagCommand, config: QgtmConfig): PortClaim[] {
  const claims: PortClaim[] = [];
  if (command === 'start' || command === 'api') {
    claims.push({ what: 'gateway (REST, /ws, /metrics)', host: config.http.host, port: config.http.port, path: 'http.port', change: '--http-port N or QGTM_HTTP_PORT' });
  }
  if (command === 'daemon' || command === 'node') {
    claims.push({ what: `${command}'s /metrics`, host: config.daemon.metricsHost, port: config.daemon.metricsPort, path: 'daemon.metricsPort', change: '--metrics-port N or QGTM_DAEMON_METRICS_PORT' });
  }
  // The local venue is started in-process only in local mode without an external venue URL.
  if ((command === 'start' || command === 'daemon') && config.venue.mode === 'local' && config.venue.url === null && config.venue.port !== null) {
    claims.push({ what: 'local paper venue', host: '127.0.0.1', port: config.venue.port, path: 'venue.port', change: '--venue-port N or QGTM_VENUE_PORT' });
  }
  return claims.filter((c) => c.port !== 0);
}

/** Null when `host:port` can be bound now, else the error code (EADDRINUSE, EACCES, ...). */
export function probePort(host: string, port: number): Promise<string | null> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    s.listen({ host, port, exclusive: true }, () => s.close(() => resolve(null)));
  });
}

/**
 * One line per claimed port that cannot be bound, each saying what wanted it,
 * where its value came from, and how to change it. Two claims of one port
 * are reported too (each would fail the other).
 */
export async function portProblems(claims: readonly PortClaim[], sources: Readonly<Record<string, string>> = {}): Promise<string[]> {
  const problems: string[] = [];
  const seen = new Map<number, PortClaim>();
  for (const c of claims) {
    const from = sources[c.path] && sources[c.path] !== 'default' ? `, from ${sources[c.path]}` : '';
    const other = seen.get(c.port);
    if (other) {
      problems.push(`port ${c.port} is wanted by both the ${other.what} and the ${c.what}; change one (${c.change}; 0 picks a free port)`);
      continue;
    }
    seen.set(c.port, c);
    const code = await probePort(c.host, c.port);
    if (code === null) continue;
    const why = code === 'EADDRINUSE' ? 'is already in use' : code === 'EACCES' ? 'needs privileges to bind' : `cannot be bound (${code})`;
    problems.push(`port ${c.port} on ${c.host} for the ${c.what}${from} ${why}; change it with ${c.change} (0 picks a free port)`);
  }
  return problems;
}

/** Checks `command`'s ports under `loaded`; prints every problem and returns exit code 2, or null when all are free. */
export async function refuseBusyPorts(command: FlagCommand, loaded: { readonly config: QgtmConfig; readonly sources: Readonly<Record<string, string>> }): Promise<number | null> {
  const problems = await portProblems(portClaims(command, loaded.config), loaded.sources);
  if (problems.length === 0) return null;
  for (const p of problems) console.error(`qgtm ${command}: ${p}`);
  return 2;
}
