/**
 * Command-line flags of the process commands (`start`, `daemon`, `api`).
 * Each flag names the commands that use it: a command's `--help` lists those
 * only, and a flag it does not use is refused with the reason rather than
 * accepted and ignored. `--name value` and `--name=value`; every problem is
 * collected, so a bad command line is reported in one go like a bad config
 * file.
 */

import { unknownOption } from './load.js';
import { FIELDS } from './schema.js';
import { didYouMean } from './suggest.js';

/** The process commands that take configuration flags. */
export type FlagCommand = 'start' | 'daemon' | 'api' | 'node';

export interface FlagSpec {
  /** Flag name without dashes, e.g. 'http-port'. */
  readonly name: string;
  /** `list`: a string flag that may repeat, each value kept (`--set a=1 --set b=2`). */
  readonly type: 'string' | 'boolean' | 'list';
  /** The config option it sets, if any (e.g. 'http.port'). */
  readonly path?: string;
  /** Placeholder and help text for `--help`. */
  readonly arg?: string;
  readonly help: string;
  /**
   * The commands that use it; every other command refuses it, saying why
   * (`notUsed`), rather than accepting a value it would ignore.
   */
  readonly usedBy: readonly FlagCommand[];
  /** Why a command does not use it, for the commands outside `usedBy`. */
  readonly notUsed?: Partial<Record<FlagCommand, string>>;
}

const ALL: readonly FlagCommand[] = ['start', 'daemon', 'api', 'node'];
const NODE_RUNS_SHARDS = '`qgtm node` runs strategy shards only: no venue, no gateway, no execution';
const NO_GATEWAY = 'the daemon serves no gateway; `qgtm api` does, and the daemon\'s own /metrics is --metrics-host/--metrics-port';
const IN_MEMORY_BUS = 'the all-in-one uses an in-memory bus; use qgtm daemon/api for Redis';
const NO_ACTORS = '`qgtm api` runs no actors and starts no venue; set it on `qgtm daemon`';
const GATEWAY_METRICS = 'the gateway serves /metrics on --http-port';

/** Every process-command flag, with the commands that use it. */
export const CONFIG_FLAGS: readonly FlagSpec[] = [
  { name: 'config', type: 'string', arg: 'PATH', help: 'JSON config file (also QGTM_CONFIG)', usedBy: ALL },
  { name: 'host', type: 'string', path: 'http.host', arg: 'ADDR', help: 'address the gateway listens on (QGTM_HTTP_HOST; default 127.0.0.1)', usedBy: ['start', 'api'], notUsed: { node: NODE_RUNS_SHARDS, daemon: NO_GATEWAY } },
  { name: 'http-port', type: 'string', path: 'http.port', arg: 'N', help: 'gateway port, 0 = any free port (QGTM_HTTP_PORT; default 8080)', usedBy: ['start', 'api'], notUsed: { node: NODE_RUNS_SHARDS, daemon: NO_GATEWAY } },
  { name: 'web-root', type: 'string', path: 'http.webRoot', arg: 'DIR', help: 'serve the web terminal from DIR (QGTM_WEB_ROOT)', usedBy: ['start', 'api'], notUsed: { node: NODE_RUNS_SHARDS, daemon: NO_GATEWAY } },
  { name: 'redis', type: 'string', path: 'redis.url', arg: 'URL', help: 'Redis URL, e.g. redis://127.0.0.1:6379 (REDIS_URL)', usedBy: ['daemon', 'api', 'node'], notUsed: { start: IN_MEMORY_BUS } },
  { name: 'redis-prefix', type: 'string', path: 'redis.prefix', arg: 'P', help: 'prefix of Redis keys and channels (QGTM_REDIS_PREFIX; default qgtm:)', usedBy: ['daemon', 'api', 'node'], notUsed: { start: IN_MEMORY_BUS } },
  { name: 'metrics-host', type: 'string', path: 'daemon.metricsHost', arg: 'ADDR', help: 'address of the daemon\'s (or node\'s) own /metrics (QGTM_DAEMON_METRICS_HOST; default 127.0.0.1)', usedBy: ['daemon', 'node'], notUsed: { start: GATEWAY_METRICS, api: GATEWAY_METRICS } },
  { name: 'metrics-port', type: 'string', path: 'daemon.metricsPort', arg: 'N', help: 'port of the daemon\'s (or node\'s) own /metrics, 0 = any free port (QGTM_DAEMON_METRICS_PORT; default 9464)', usedBy: ['daemon', 'node'], notUsed: { start: GATEWAY_METRICS, api: GATEWAY_METRICS } },
  { name: 'venue-port', type: 'string', path: 'venue.port', arg: 'N', help: 'port of the local paper venue started in-process, 0 = any free port (QGTM_VENUE_PORT; default any)', usedBy: ['start', 'daemon'], notUsed: { node: NODE_RUNS_SHARDS, api: NO_ACTORS } },
  { name: 'placement', type: 'string', path: 'daemon.placement', arg: 'MODE', help: 'actor workers: split (default: strategy code apart from risk and broker), compact or isolated (QGTM_PLACEMENT)', usedBy: ['start', 'daemon'], notUsed: { node: NODE_RUNS_SHARDS, api: NO_ACTORS } },
  { name: 'live', type: 'boolean', path: 'venue.live', help: 'allow real money: only with QGTM_VENUE_MODE=alpaca, a live endpoint and QGTM_LIVE_ACCOUNT naming the account (no variable or file sets this)', usedBy: ['start', 'daemon'], notUsed: { node: NODE_RUNS_SHARDS, api: NO_ACTORS } },
  { name: 'fresh', type: 'boolean', path: 'venue.fresh', help: 'start a new paper account and journal instead of the kept one (QGTM_FRESH=1)', usedBy: ['start', 'daemon'], notUsed: { node: NODE_RUNS_SHARDS, api: NO_ACTORS } },
  { name: 'profile', type: 'string', path: 'strategies.profile', arg: 'NAME', help: 'strategy parameter profile: intraday (default: windows for 1-minute bars) or daily (the catalog) (QGTM_STRATEGIES_PROFILE)', usedBy: ['start', 'daemon', 'node'], notUsed: { api: NO_ACTORS } },
  { name: 'shards', type: 'string', path: 'strategies.shards', arg: 'N', help: 'strategy shards the catalog is split across; in a cluster, its slots, the same on every process (QGTM_STRATEGIES_SHARDS; default 2)', usedBy: ['start', 'daemon', 'node'], notUsed: { api: NO_ACTORS } },
  { name: 'cluster', type: 'boolean', path: 'cluster.enabled', help: 'coordinator: the strategy slots run on `qgtm node` processes (QGTM_CLUSTER=1; docs/cluster.md)', usedBy: ['daemon'], notUsed: { start: IN_MEMORY_BUS, api: NO_ACTORS, node: 'a node is always in a cluster' } },
  { name: 'node-id', type: 'string', path: 'cluster.nodeId', arg: 'ID', help: 'this node\'s id (QGTM_NODE_ID; default <host>-<pid>)', usedBy: ['node'], notUsed: { start: 'only `qgtm node` has a node id', daemon: 'only `qgtm node` has a node id', api: 'only `qgtm node` has a node id' } },
  { name: 'lease-ms', type: 'string', path: 'cluster.leaseMs', arg: 'MS', help: 'slot lease length: a dead node\'s slots move within it (QGTM_CLUSTER_LEASE_MS; default 3000)', usedBy: ['daemon', 'node'], notUsed: { start: IN_MEMORY_BUS, api: NO_ACTORS } },
  { name: 'set', type: 'list', arg: 'PATH=VALUE', help: 'set any option by its path, e.g. --set risk.drawdown.ladder.FLATTEN=0.1 (repeatable; see app/config/qgtm.schema.json)', usedBy: ALL },
  { name: 'log-level', type: 'string', path: 'log.level', arg: 'L', help: 'debug, info, warn, error or silent (QGTM_LOG_LEVEL; default info)', usedBy: ALL },
  { name: 'log-format', type: 'string', path: 'log.format', arg: 'F', help: 'json (one JSON record a line), text (readable, same fields) or auto: text on a terminal, JSON when piped (QGTM_LOG_FORMAT; default auto)', usedBy: ALL },
  { name: 'help', type: 'boolean', help: 'show this help', usedBy: ALL },
];

/** The flags `command` uses, in help order. */
export function flagsFor(command: FlagCommand): FlagSpec[] {
  return CONFIG_FLAGS.filter((f) => f.usedBy.includes(command));
}

/** Flags other commands use and `command` refuses, with the message that says why. */
export function refusedFlags(command: FlagCommand): Map<string, string> {
  const out = new Map<string, string>();
  for (const f of CONFIG_FLAGS) {
    if (f.usedBy.includes(command)) continue;
    const why = f.notUsed?.[command];
    out.set(f.name, `qgtm ${command} does not use --${f.name}${why ? ` (${why})` : ''}`);
  }
  return out;
}

export interface ParsedFlags {
  readonly values: Readonly<Record<string, string | boolean | readonly string[]>>;
  readonly positionals: readonly string[];
  readonly errors: readonly string[];
}

/**
 * Parses `argv` against `specs`. A flag in `refused` (one another command
 * uses) is reported with its message instead of as unknown, and its value is
 * skipped so it is not taken for a positional.
 */
export function parseFlags(argv: readonly string[], specs: readonly FlagSpec[], refused: ReadonlyMap<string, string> = new Map()): ParsedFlags {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const values: Record<string, string | boolean | string[]> = {};
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
      const why = refused.get(name);
      errors.push(why ?? `unknown option --${name}${didYouMean(name, [...byName.keys(), ...refused.keys()], (c) => `--${c}`)}`);
      if (why && eq === -1 && i + 1 < argv.length && !argv[i + 1].startsWith('--') && CONFIG_FLAGS.find((f) => f.name === name)?.type === 'string') i++;
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
    else if (spec.type === 'list') values[name] = [...((values[name] as string[] | undefined) ?? []), v];
    else values[name] = v;
  }
  return { values, positionals, errors };
}

/** Config overrides (by option path) and their flag names, for `loadConfig`. */
export function flagOverrides(parsed: ParsedFlags, specs: readonly FlagSpec[]): { overrides: Record<string, unknown>; overrideNames: Record<string, string>; errors: string[] } {
  const overrides: Record<string, unknown> = {};
  const overrideNames: Record<string, string> = {};
  const errors: string[] = [];
  // `--set PATH=VALUE` first, so a named flag given too (--http-port) wins over it.
  for (const item of (parsed.values.set as readonly string[] | undefined) ?? []) {
    const eq = item.indexOf('=');
    const path = eq === -1 ? item : item.slice(0, eq);
    const spec = FIELDS.find((f) => f.path === path);
    if (eq === -1) errors.push(`--set ${item}: expected PATH=VALUE`);
    else if (!spec) errors.push(`--set: ${unknownOption(path)}`);
    else if (spec.flagOnly) errors.push(`--set: ${path} is set only by the ${spec.flagOnly} flag`);
    else if (spec.type.kind === 'params') errors.push(`--set: ${path} is set in a config file only (--config)`);
    else {
      overrides[path] = item.slice(eq + 1);
      overrideNames[path] = `--set ${path}`;
    }
  }
  for (const s of specs) {
    if (!s.path || !(s.name in parsed.values) || s.type === 'list') continue;
    overrides[s.path] = parsed.values[s.name];
    overrideNames[s.path] = `--${s.name}`;
  }
  return { overrides, overrideNames, errors };
}

/** The options part of a command's `--help`. */
export function flagsHelp(specs: readonly FlagSpec[]): string {
  const rows = specs.map((s) => [`--${s.name}${s.arg ? ` ${s.arg}` : ''}`, s.help] as const);
  const width = Math.max(...rows.map(([a]) => a.length));
  return rows.map(([a, h]) => `  ${a.padEnd(width)}  ${h}`).join('\n');
}
