/**
 * The `qgtm` command line: one entry, a command per process kind.
 */
import { ConfigError, QgtmError } from '../src/errors.js';
import { VERSION } from '../src/version.js';
import { COMMANDS } from './commands.js';


const version = (): string => VERSION;

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
