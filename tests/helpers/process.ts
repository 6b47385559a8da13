/**
 * A qgtm process (or any node script) as a child process, with its output
 * lines kept and waitable.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** The qgtm command (bin/qgtm.js) of this checkout. */
export const QGTM_BIN = fileURLToPath(new URL('../../../bin/qgtm.js', import.meta.url));

export interface Proc {
  readonly child: ChildProcess;
  /** Every line of stdout and stderr, in arrival order. */
  readonly lines: string[];
  /** stdout's lines alone, and stderr's. */
  readonly stdout: string[];
  readonly stderr: string[];
  waitLine(pred: (l: string) => boolean, timeoutMs?: number): Promise<string>;
  readonly exited: Promise<number | null>;
}

export function launch(args: string[], env: Record<string, string>): Proc {
  const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const stdout: string[] = [];
  const stderr: string[] = [];
  let waiters: (() => void)[] = [];
  for (const [s, own] of [[child.stdout!, stdout], [child.stderr!, stderr]] as const) {
    createInterface({ input: s }).on('line', (l) => {
      lines.push(l);
      own.push(l);
      for (const w of waiters) w();
    });
  }
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return {
    child,
    lines,
    stdout,
    stderr,
    exited,
    waitLine: (pred, timeoutMs = 10_000) =>
      new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`no matching line in ${timeoutMs} ms; got:\n${lines.slice(-40).join('\n')}`)), timeoutMs);
        const check = (): void => {
          const l = lines.find(pred);
          if (l) {
            clearTimeout(t);
            waiters = waiters.filter((w) => w !== check);
            resolve(l);
          }
        };
        waiters.push(check);
        check();
      }),
  };
}

/** Kills what is still running and waits for every exit. */
export async function killAll(procs: readonly Proc[]): Promise<void> {
  for (const p of procs) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
  await Promise.all(procs.map((p) => p.exited));
}
