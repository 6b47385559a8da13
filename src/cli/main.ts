/**
 * The `qgtm` command line: one entry, a command per process kind.
 */
import { readFileSync } from 'node:fs';
import { ConfigError, QgtmError } from '../errors.js';

export interface Command {
  readonly name: string;
  readonly summary: string;
  run(argv: string[]): Promise<number>;
}

/** Commands in the order `--help` lists them. */
const COMMANDS: Command[] = [];

export function registerCommand(cmd: Command): void {
  COMMANDS.push(cmd);
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length), 7);
  const lines = COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return [
    `qgtm ${version()}: a paper-first precious-metals trading runtime`,
    '',
    'usage: qgtm <command> [options]',
    '',
    'commands:',
    ...lines,
    `  ${'help'.padEnd(width)}  show this help (also --help, -h)`,
    `  ${'version'.padEnd(width)}  print the version`,
    '',
    'Run `qgtm <command> --help` for a command\'s options.',
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  await import('./commands.js');
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    console.log(usage());
    return name === undefined ? 1 : 0;
  }
  if (name === 'version' || name === '--version' || name === '-v') {
    console.log(version());
    return 0;
  }
  const cmd = COMMANDS.find((c) => c.name === name);
  if (!cmd) {
    console.error(`qgtm: unknown command '${name}'\n\n${usage()}`);
    return 2;
  }
  try {
    return await cmd.run(rest);
  } catch (err) {
    // Bad configuration is the operator's to fix: say what, without a stack.
    if (err instanceof QgtmError) {
      console.error(`qgtm ${name}: ${err.message}`);
      return err instanceof ConfigError || err.code === 'QGTM_ERR_LIVE_REFUSED' ? 2 : 1;
    }
    throw err;
  }
}
