/**
 * `qgtm config schema|example|check`: the JSON Schema of a config file, an
 * example file (every option at its default), or the effective configuration
 * a process would run with (file, environment and `--set`, secrets masked,
 * with where each value came from). All three come from the option table
 * (app/config/schema.ts), so they say what the loader checks.
 */
import { configJsonSchema, exampleConfig, jsonText } from '../app/config/json-schema.js';
import { redactConfig } from '../app/config/load.js';
import { processArgs } from './process-args.js';

export const CONFIG_HELP = `usage: qgtm config <schema | example | check [options]>

  schema    print the JSON Schema (draft 2020-12) of a config file
  example   print an example config file: every option at its default
  check     load the configuration as \`qgtm start\` would (--config FILE,
            QGTM_CONFIG, the environment, --set PATH=VALUE) and print it,
            secrets masked, with where each value came from; exit 2 with
            every violation when it is invalid`;

export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'schema' && rest.length === 0) {
    process.stdout.write(jsonText(configJsonSchema()));
    return 0;
  }
  if (sub === 'example' && rest.length === 0) {
    process.stdout.write(jsonText(exampleConfig()));
    return 0;
  }
  if (sub === 'check') {
    const loaded = processArgs(rest, 'start', CONFIG_HELP, 'qgtm config check');
    if (typeof loaded === 'number') return loaded;
    process.stdout.write(jsonText({ config: redactConfig(loaded.config), sources: loaded.sources }));
    return 0;
  }
  if (sub === undefined || sub === '--help' || sub === '-h') {
    console.log(CONFIG_HELP);
    return sub === undefined ? 2 : 0;
  }
  console.error(`qgtm config: unknown subcommand ${[sub, ...rest].join(' ')}\n\n${CONFIG_HELP}`);
  return 2;
}
