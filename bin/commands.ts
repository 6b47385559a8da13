/**
 * Every command that exists, in the order `--help` lists them. A command
 * module is imported only when it runs, so `qgtm --help` stays fast.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface Command {
  readonly name: string;
  readonly summary: string;
  run(argv: string[]): Promise<number>;
}

export const COMMANDS: Command[] = [];

function registerCommand(cmd: Command): void {
  COMMANDS.push(cmd);
}

registerCommand({
  name: 'start',
  summary: 'everything in one process tree: local venue, daemon, gateway and web terminal (what npm start runs)',
  run: async (argv) => (await import('./start.js')).run(argv),
});

registerCommand({
  name: 'daemon',
  summary: 'the supervision tree and trading actors, state and commands over Redis (qgtm-daemon.service)',
  run: async (argv) => (await import('./daemon.js')).run(argv),
});

registerCommand({
  name: 'api',
  summary: 'the gateway alone (REST, WebSocket, /metrics) talking to `qgtm daemon` over Redis',
  run: async (argv) => (await import('./api.js')).run(argv),
});

registerCommand({
  name: 'node',
  summary: 'a cluster node: runs the strategy slots it owns for a `qgtm daemon --cluster` coordinator, over Redis Streams',
  run: async (argv) => (await import('./node.js')).run(argv),
});

registerCommand({
  name: 'config',
  summary: 'the JSON Schema of a config file, an example file, or the effective configuration (`qgtm config check`)',
  run: async (argv) => (await import('./config.js')).run(argv),
});

registerCommand({
  name: 'catalog-report',
  summary: 'back-test every catalog entry alone on the local venue\'s history and write docs/catalog-report.{md,json}',
  run: async (argv) => (await import('./catalog-report.js')).run(argv),
});

registerCommand({
  name: 'backtest',
  summary: 'replay history through the trading code and report its figures (`--csv FILE` or the local venue\'s `--days N`)',
  run: async (argv) => (await import('./research.js')).runResearchCommand('backtest', argv),
});

registerCommand({
  name: 'sweep',
  summary: 'back-tests over a grid or random draw of parameters on the research pool, ranked; `--walk-forward TRAIN:TEST`',
  run: async (argv) => (await import('./research.js')).runResearchCommand('sweep', argv),
});

registerCommand({
  name: 'venue',
  summary: 'run the local Alpaca-compatible paper venue alone (REST, streams, FRED/CFTC)',
  run: async (argv) => {
    const { runVenueCommand } = await import('../venue/cli.js');
    await runVenueCommand(argv);
    return 0;
  },
});

registerCommand({
  name: 'bench',
  summary: 'run the benchmark suites (see `qgtm bench --help`); `qgtm bench NAME` runs one',
  run: (argv) => runBench(argv),
});

/**
 * The benchmarks are a program of their own above everything (nothing
 * imports them), so the command runs it as a child process with this
 * terminal, and answers with its exit code.
 */
function runBench(argv: string[]): Promise<number> {
  const dist = fileURLToPath(new URL('..', import.meta.url));
  const child = spawn(process.execPath, [dist + 'bench/run.js', ...argv], { stdio: 'inherit' });
  return new Promise((resolve) => {
    child.on('error', (err) => {
      console.error(`qgtm bench: ${err.message}`);
      resolve(1);
    });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

