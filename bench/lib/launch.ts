/**
 * A `qgtm` command of this checkout as a child process for a benchmark:
 * output kept (shown when it dies unasked), stopped in order or killed.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../../bin/qgtm.js', import.meta.url));

export interface Launched {
  readonly pid: number;
  /** SIGTERM, then SIGKILL after 10 s; resolves once it has exited. */
  stop(): Promise<void>;
  /** SIGKILL; resolves once it has exited. */
  kill(): Promise<void>;
}

export function launch(args: string[], env: Record<string, string>): Launched {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  const tail: string[] = [];
  child.stderr!.on('data', (d: Buffer) => {
    tail.push(d.toString());
    if (tail.length > 50) tail.shift();
  });
  let asked = false;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      if (!asked) process.stderr.write(`bench: qgtm ${args.join(' ')} ended by itself (code ${code}, signal ${signal}):\n${tail.join('')}\n`);
      resolve();
    }),
  );
  const end = (signal: NodeJS.Signals): Promise<void> => {
    asked = true;
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    return exited;
  };
  return {
    pid: child.pid ?? -1,
    stop: () => {
      const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
      return end('SIGTERM').finally(() => clearTimeout(t));
    },
    kill: () => end('SIGKILL'),
  };
}
