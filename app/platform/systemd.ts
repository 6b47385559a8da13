/**
 * systemd service notifications (sd_notify): READY=1, WATCHDOG=1, STOPPING=1,
 * STATUS=... — a no-op unless systemd started us with NOTIFY_SOCKET set.
 *
 * Node.js has no unix datagram sockets, so we cannot write to NOTIFY_SOCKET
 * ourselves. We run systemd's own `systemd-notify` binary, which:
 * - speaks the protocol exactly (abstract `@` socket names, credentials);
 * - since systemd 246 waits on a barrier (BARRIER=1 with a pipe fd) until
 *   the manager has processed the message, which removes the classic race in
 *   which a short-lived sender exited before systemd could attribute its
 *   message to the service's cgroup;
 * - is present wherever systemd is (no native addon, no extra package).
 * The sender is a child process, so the unit needs `NotifyAccess=all`
 * (qgtm-daemon.service sets it). READY also sends MAINPID so systemd tracks
 * this Node.js process even if it was started through a wrapper.
 *
 * Messages go out one at a time, in order. A WATCHDOG ping while the previous
 * one is still in flight is skipped rather than queued (a backlog of pings
 * would only hide a stall).
 */
import { execFile } from 'node:child_process';

export type NotifyAssignment = 'READY=1' | 'WATCHDOG=1' | 'STOPPING=1' | 'RELOADING=1' | `STATUS=${string}` | `ERRNO=${number}` | `MAINPID=${number}`;

export interface NotifyOptions {
  /** Environment to read NOTIFY_SOCKET from; default process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** The notify binary; default `systemd-notify` on PATH. */
  readonly binary?: string;
  /** Longest wait for one notification. Default 5000 ms. */
  readonly timeoutMs?: number;
}

export interface NotifyStats {
  sent: number;
  failed: number;
  skippedPings: number;
  lastError: string | null;
}

/** Counters of this process's notifications (for metrics and health). */
export const notifyStats: NotifyStats = { sent: 0, failed: 0, skippedPings: 0, lastError: null };

let chain: Promise<unknown> = Promise.resolve();
let pingInFlight = false;

/** True when systemd asked for notifications (NOTIFY_SOCKET is set). */
export function notifyEnabled(env: Readonly<Record<string, string | undefined>> = process.env): boolean {
  return typeof env.NOTIFY_SOCKET === 'string' && env.NOTIFY_SOCKET.length > 0;
}

/**
 * Sends one notification (several assignments go in one datagram).
 * Resolves true when delivered, false when notifications are off or sending
 * failed (counted in `notifyStats`); never rejects.
 */
export function notify(state: NotifyAssignment | readonly NotifyAssignment[], options: NotifyOptions = {}): Promise<boolean> {
  const env = options.env ?? process.env;
  if (!notifyEnabled(env)) return Promise.resolve(false);
  const assignments = (typeof state === 'string' ? [state] : [...state]).map((a) => a.replace(/\n/g, ' '));
  const isPing = assignments.length === 1 && assignments[0] === 'WATCHDOG=1';
  if (isPing && pingInFlight) {
    notifyStats.skippedPings++;
    return Promise.resolve(false);
  }
  if (assignments.includes('READY=1') && !assignments.some((a) => a.startsWith('MAINPID='))) assignments.push(`MAINPID=${process.pid}`);
  if (isPing) pingInFlight = true;
  const run = chain.then(
    () =>
      new Promise<boolean>((resolve) => {
        execFile(
          options.binary ?? 'systemd-notify',
          assignments,
          { env: { ...env } as NodeJS.ProcessEnv, timeout: options.timeoutMs ?? 5000, windowsHide: true },
          (err, _stdout, stderr) => {
            if (isPing) pingInFlight = false;
            if (err) {
              notifyStats.failed++;
              notifyStats.lastError = `${err.message}${stderr ? `: ${String(stderr).trim()}` : ''}`;
              resolve(false);
            } else {
              notifyStats.sent++;
              resolve(true);
            }
          },
        );
      }),
  );
  chain = run;
  return run;
}

/**
 * How often to send WATCHDOG=1: half the WatchdogSec systemd configured (its
 * own advice), or null when the watchdog is off or meant for another process
 * (WATCHDOG_PID names a different pid).
 */
export function watchdogIntervalMs(env: Readonly<Record<string, string | undefined>> = process.env, pid: number = process.pid): number | null {
  const usec = Number(env.WATCHDOG_USEC);
  if (!env.WATCHDOG_USEC || !Number.isFinite(usec) || usec <= 0) return null;
  if (env.WATCHDOG_PID && Number(env.WATCHDOG_PID) !== pid) return null;
  return Math.max(1, Math.floor(usec / 2000));
}

export interface WatchdogOptions extends NotifyOptions {
  /** Override the interval (default `watchdogIntervalMs(env)`). */
  readonly intervalMs?: number;
  /** Ping only while this says the process is healthy; a stuck daemon then gets restarted by systemd. */
  readonly healthy?: () => boolean;
}

/** Pings WATCHDOG=1 periodically when systemd's watchdog is on; returns a stop function. */
export function startWatchdog(options: WatchdogOptions = {}): () => void {
  const interval = options.intervalMs ?? watchdogIntervalMs(options.env);
  if (interval === null || !notifyEnabled(options.env)) return () => undefined;
  const timer = setInterval(() => {
    let ok = true;
    try {
      ok = options.healthy ? options.healthy() : true;
    } catch {
      ok = false;
    }
    if (ok) void notify('WATCHDOG=1', options);
  }, interval);
  timer.unref();
  return () => clearInterval(timer);
}
