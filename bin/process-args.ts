/**
 * The command line of the process commands (`start`, `daemon`, `api`): each
 * command's own flags (another command's flag is refused, saying why),
 * `--help`, and the configuration they load.
 */
import { flagOverrides, flagsFor, parseFlags, refusedFlags } from '../app/config/flags.js';
import { loadConfig, type ConfigMode, type LoadedConfig } from '../app/config/load.js';
import { ConfigError } from '../src/errors.js';
import { resolveLogFormat } from '../src/runtime/logger.js';

/** The loaded configuration, or the exit code when the command is done (help shown, or bad arguments). */
export function processArgs(argv: readonly string[], mode: ConfigMode, help: string, label = `qgtm ${mode}`): LoadedConfig | number {
  const specs = flagsFor(mode);
  const parsed = parseFlags(argv, specs, refusedFlags(mode));
  if (parsed.values.help) {
    console.log(help);
    return 0;
  }
  const { overrides, overrideNames, errors } = flagOverrides(parsed, specs);
  const problems = [...parsed.errors, ...errors, ...parsed.positionals.map((p) => `unexpected argument ${p}`)];
  if (problems.length > 0) {
    console.error(`${label}: ${problems.join('; ')}\n\n${help}`);
    return 2;
  }
  try {
    const loaded = loadConfig({ mode, file: typeof parsed.values.config === 'string' ? parsed.values.config : undefined, overrides, overrideNames });
    // Before any logger or worker exists: they read the resolved format from the environment.
    process.env.QGTM_LOG_FORMAT = resolveLogFormat(loaded.config.log.format);
    return loaded;
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`${label}: ${err.message}`);
      return 2;
    }
    throw err;
  }
}
