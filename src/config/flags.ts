/**
 * Command-line flags shared by the process commands (`start`, `daemon`,
 * `api`). `--name value` and `--name=value`; every problem is collected, so a
 * bad command line is reported in one go like a bad config file.
 */

export interface FlagSpec {
  /** Flag name without dashes, e.g. 'http-port'. */
  readonly name: string;
  readonly type: 'string' | 'boolean';
  /** The config option it sets, if any (e.g. 'http.port'). */
  readonly path?: string;
  /** Placeholder and help text for `--help`. */
  readonly arg?: string;
  readonly help: string;
}

/** The flags every process command accepts. */
export const CONFIG_FLAGS: readonly FlagSpec[] = [
  { name: 'config', type: 'string', arg: 'PATH', help: 'JSON config file (also QGTM_CONFIG)' },
  { name: 'host', type: 'string', path: 'http.host', arg: 'ADDR', help: 'address the gateway listens on (QGTM_HTTP_HOST; default 127.0.0.1)' },
  { name: 'http-port', type: 'string', path: 'http.port', arg: 'N', help: 'gateway port, 0 = any free port (QGTM_HTTP_PORT; default 8080)' },
  { name: 'redis', type: 'string', path: 'redis.url', arg: 'URL', help: 'Redis URL, e.g. redis://127.0.0.1:6379 (REDIS_URL)' },
  { name: 'redis-prefix', type: 'string', path: 'redis.prefix', arg: 'P', help: 'prefix of Redis keys and channels (QGTM_REDIS_PREFIX; default qgtm:)' },
  { name: 'web-root', type: 'string', path: 'http.webRoot', arg: 'DIR', help: 'serve the web terminal from DIR (QGTM_WEB_ROOT)' },
  { name: 'log-level', type: 'string', path: 'log.level', arg: 'L', help: 'debug, info, warn, error or silent (QGTM_LOG_LEVEL; default info)' },
  { name: 'fresh', type: 'boolean', path: 'venue.fresh', help: 'start a new paper account and journal instead of the kept one (QGTM_FRESH=1)' },
  { name: 'help', type: 'boolean', help: 'show this help' },
];

export interface ParsedFlags {
  readonly values: Readonly<Record<string, string | boolean>>;
  readonly positionals: readonly string[];
  readonly errors: readonly string[];
}

export function parseFlags(argv: readonly string[], specs: readonly FlagSpec[]): ParsedFlags {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const values: Record<string, string | boolean> = {};
  const positionals: string[] = [];
  const errors: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '-h') {
      values.help = true;
      continue;
    }
    if (!arg.startsWith('--')) {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    const spec = byName.get(name);
    if (!spec) {
      errors.push(`unknown option --${name}`);
      continue;
    }
    if (spec.type === 'boolean') {
      if (eq !== -1) errors.push(`--${name} takes no value`);
      values[name] = true;
      continue;
    }
    let v: string | undefined;
    if (eq !== -1) v = arg.slice(eq + 1);
    else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) v = argv[++i];
    if (v === undefined) errors.push(`--${name} needs a value (${spec.arg ?? 'VALUE'})`);
    else values[name] = v;
  }
  return { values, positionals, errors };
}

/** Config overrides (by option path) and their flag names, for `loadConfig`. */
export function flagOverrides(parsed: ParsedFlags, specs: readonly FlagSpec[]): { overrides: Record<string, unknown>; overrideNames: Record<string, string> } {
  const overrides: Record<string, unknown> = {};
  const overrideNames: Record<string, string> = {};
  for (const s of specs) {
    if (!s.path || !(s.name in parsed.values)) continue;
    overrides[s.path] = parsed.values[s.name];
    overrideNames[s.path] = `--${s.name}`;
  }
  return { overrides, overrideNames };
}

/** The options part of a command's `--help`. */
export function flagsHelp(specs: readonly FlagSpec[]): string {
  const rows = specs.map((s) => [`--${s.name}${s.arg ? ` ${s.arg}` : ''}`, s.help] as const);
  const width = Math.max(...rows.map(([a]) => a.length));
  return rows.map(([a, h]) => `  ${a.padEnd(width)}  ${h}`).join('\n');
}
