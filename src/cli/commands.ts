/**
 * Registers every command that exists. A command module is imported only
 * when it runs, so `qgtm --help` stays fast.
 */
import { registerCommand } from './main.js';

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
  name: 'venue',
  summary: 'run the local Alpaca-compatible paper venue alone (REST, streams, FRED/CFTC)',
  run: async (argv) => {
    const { runVenueCommand } = await import('../../venue/cli.js');
    await runVenueCommand(argv);
    return 0;
  },
});

registerCommand({
  name: 'bench',
  summary: 'run the benchmark suites (see `qgtm bench --help`); `qgtm bench NAME` runs one',
  run: async (argv) => {
    process.argv = [process.argv[0], 'bench', ...argv];
    await import('../../bench/run.js');
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  },
});

