/**
 * `qgtm backtest` and `qgtm sweep`: a research run from the command line,
 * through the same service the gateway uses (queue, pool, run records).
 * History comes from a CSV file (`--csv`) or, by default, from a local
 * paper venue started in-process with `--days` of simulated minute bars
 * (fetched through the Alpaca SDK into the disk cache like any venue's).
 */
import { resolve } from 'node:path';
import { flagsHelp, parseFlags, type FlagSpec } from '../app/config/flags.js';
import { loadConfig, type LoadedConfig } from '../app/config/load.js';
import { createResearchService, researchDir, ResearchRequestError } from '../app/research/service.js';
import { settingsFromConfig, withOverrides } from '../app/research/settings.js';
import { OBJECTIVES } from '../app/research/sweep-plan.js';
import type { CostModel, HistorySpec, Objective, ResearchEvent, RunRecord, SweepParam } from '../app/research/types.js';
import { ConfigError, QgtmError } from '../src/errors.js';
import { startVenueThread, type VenueThread } from '../venue/thread.js';
import { MANUAL_START_TIME } from '../venue/config.js';
import { renderRecord } from './research-report.js';
import { historyAccess } from './research-wiring.js';
import { connectVenue } from './venue-link.js';
import { universe } from '../src/universe/index.js';

type Kind = 'backtest' | 'sweep';
const flag = (name: string, type: FlagSpec['type'], help: string, arg?: string): FlagSpec => ({ name, type, help, usedBy: [], ...(arg ? { arg } : {}) });

const COMMON: FlagSpec[] = [
  flag('csv', 'string', 'bars from a CSV file (timestamp,symbol,open,high,low,close,volume) instead of the venue', 'FILE'),
  flag('days', 'string', 'days of minute bars (default 1): from a local venue of its own, or the configured venue (QGTM_VENUE_URL) or Alpaca (QGTM_VENUE_MODE=alpaca)', 'N'),
  flag('end', 'string', 'with the configured venue or Alpaca: where the history ends, ISO time (default: the start of today, UTC; a running local venue: this minute)', 'TIME'),
  flag('symbols', 'string', 'symbols to replay, comma-separated (default: all)', 'A,B'),
  flag('set', 'list', 'override a trading setting, e.g. --set allocator.sizing.targetVol=0.12 (repeatable)', 'PATH=VALUE'),
  flag('fee-bps', 'string', 'fee, basis points of notional', 'BPS'),
  flag('slippage-bps', 'string', 'slippage per fill, basis points', 'BPS'),
  flag('spread-bps', 'string', 'quoted spread around the close, basis points', 'BPS'),
  flag('seed', 'string', 'seed of the run and of the local venue\'s market (default venue.seed, 42)', 'N'),
  flag('cash', 'string', 'starting cash (default 100000)', 'USD'),
  flag('name', 'string', 'a name for the run record', 'TEXT'),
  flag('workers', 'string', 'research pool threads (QGTM_RESEARCH_WORKERS; default cores - 1)', 'N'),
  flag('config', 'string', 'JSON config file (also QGTM_CONFIG): base settings and research.*', 'PATH'),
  flag('json', 'boolean', 'print the run record as JSON on stdout'),
];
const SWEEP: FlagSpec[] = [
  flag('param', 'list', 'a parameter to vary: PATH=v1,v2,... (grid) or PATH=min:max[:int] (random) (repeatable)', 'SPEC'),
  flag('random', 'string', 'a random sweep of N points (seeded by --seed)', 'N'),
  flag('objective', 'string', `rank by ${OBJECTIVES.join(', ')} (default sharpe)`, 'NAME'),
  flag('walk-forward', 'string', 'optimise on TRAIN bar times, test on the next TEST, roll by TEST', 'TRAIN:TEST'),
];
const HELP_FLAG = flag('help', 'boolean', 'show this help');

export function helpOf(kind: Kind): string {
  const specs = kind === 'sweep' ? [...COMMON, ...SWEEP, HELP_FLAG] : [...COMMON, HELP_FLAG];
  const what =
    kind === 'backtest'
      ? 'Replays history through the daemon\'s trading code (features, strategies, allocator,\nrisk governor, broker session) on virtual time, filling with the venue\'s matching engine.'
      : 'Runs a back-test per parameter point on the research pool and ranks them by an\nobjective; with --walk-forward, optimises on each training window and reports the\nout-of-sample figures of the test windows apart from the in-sample ones.';
  return `usage: qgtm ${kind} [options]\n\n${what}\nThe run record is saved under research.dir (default: research beside the journal folder).\n\noptions:\n${flagsHelp(specs)}`;
}

/** A command-line mistake: exit 2 with the message and the help. */
class UsageError extends Error {}

const DAY_MS = 86_400_000;

function num(values: Record<string, unknown>, name: string, ok: (x: number) => boolean, rule: string): number | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  const x = Number(raw);
  if (typeof raw !== 'string' || raw.trim() === '' || !Number.isFinite(x) || !ok(x)) throw new UsageError(`--${name} must be ${rule}; got ${JSON.stringify(raw)}`);
  return x;
}

/** `--symbols A,B`, upper-cased; undefined when not given. */
function symbolsOf(values: Record<string, unknown>): string[] | undefined {
  return typeof values.symbols === 'string' ? values.symbols.split(',').map((s) => s.trim().toUpperCase()).filter(Boolean) : undefined;
}

/** `--days N` of minute bars (default 1). */
function daysOf(values: Record<string, unknown>): number {
  return num(values, 'days', (x) => x > 0 && x <= 3660, 'a number of days above 0 (at most 3660)') ?? 1;
}

/** `PATH=v1,v2` (grid values) or `PATH=min:max[:int]` (random range). */
export function parseParam(text: string): SweepParam {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new UsageError(`--param ${text}: expected PATH=v1,v2,... or PATH=min:max[:int]`);
  const path = text.slice(0, eq);
  const rest = text.slice(eq + 1);
  const range = /^(-?[\d.e+-]+):(-?[\d.e+-]+)(:int)?$/i.exec(rest);
  if (range) {
    const min = Number(range[1]);
    const max = Number(range[2]);
    if (!Number.isFinite(min) || !Number.isFinite(max)) throw new UsageError(`--param ${text}: min and max must be numbers`);
    return { path, min, max, ...(range[3] ? { int: true } : {}) };
  }
  const values = rest.split(',').map((v) => v.trim());
  if (values.some((v) => v === '')) throw new UsageError(`--param ${text}: an empty value in the list`);
  return { path, values: values.map((v) => (/^-?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(v) ? Number(v) : v === 'true' ? true : v === 'false' ? false : v)) };
}

function setOf(items: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of items) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new UsageError(`--set ${item}: expected PATH=VALUE`);
    out[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return out;
}

interface Progress {
  onEvent(e: ResearchEvent): void;
  end(): void;
}

/** A \r-updated bar on a terminal; plain lines (each 10 % step) otherwise. Both on stderr: stdout is the report. */
function progressPrinter(id: () => string | null): Progress {
  const tty = process.stderr.isTTY === true;
  let lastStep = -1;
  let drawn = false;
  return {
    onEvent(e) {
      if (e.type === 'research.status') {
        if (e.run.id !== id()) return;
        if (drawn) process.stderr.write('\n');
        drawn = false;
        process.stderr.write(`${e.run.kind} ${e.run.id}: ${e.run.status}${e.run.error ? ` (${e.run.error})` : ''}\n`);
        return;
      }
      if (e.id !== id()) return;
      const pct = Math.floor(e.progress * 100);
      if (tty) {
        const width = 30;
        const fill = Math.round(e.progress * width);
        process.stderr.write(`\r[${'#'.repeat(fill)}${'.'.repeat(width - fill)}] ${String(pct).padStart(3)}% ${e.detail.slice(0, 60).padEnd(60)}`);
        drawn = true;
      } else if (Math.floor(pct / 10) > lastStep) {
        lastStep = Math.floor(pct / 10);
        process.stderr.write(`progress ${pct}% ${e.detail}\n`);
      }
    },
    end() {
      if (drawn) process.stderr.write('\n');
    },
  };
}

/**
 * History from the venue the configuration names, read through the SDK into
 * the disk cache: Alpaca's data API (`venue.mode` alpaca, with keys) or a
 * local venue running in a process of its own (`venue.url`). Nothing is
 * started and the trading endpoints are never dialled.
 */
async function configuredHistory(values: Record<string, unknown>, loaded: LoadedConfig, cacheDir: string): Promise<HistorySpec> {
  const days = daysOf(values);
  const { config } = loaded;
  const link = await connectVenue(config);
  try {
    const access = historyAccess(config, cacheDir, link.connection);
    const kind = link.connection.venue === 'alpaca' ? 'alpaca' : 'venue';
    const a = kind === 'alpaca' ? access.alpaca : access.venue;
    if (!a) throw new UsageError('the configured venue gives no history access');
    let end: number;
    if (typeof values.end === 'string') {
      end = Date.parse(values.end);
      if (!Number.isFinite(end)) throw new UsageError(`--end must be an ISO time (e.g. 2026-03-02T21:00:00Z); got ${JSON.stringify(values.end)}`);
    } else {
      // Alpaca: whole days, so a repeated run hits the cache; a running local venue: its history ends now.
      const now = Date.now();
      end = kind === 'alpaca' ? now - (now % DAY_MS) : now - (now % 60_000);
    }
    end -= end % 60_000;
    const symbols = symbolsOf(values) ?? universe(config.universe.focus).map((i) => i.symbol);
    return { kind, ...a, symbols, start: end - Math.round(days * 1440) * 60_000, end, intervalMs: 60_000 };
  } finally {
    await link.close();
  }
}

export async function venueHistory(values: Record<string, unknown>, loaded: LoadedConfig, seed: number, cacheDir: string): Promise<{ history: HistorySpec; venue: VenueThread }> {
  const days = daysOf(values);
  const minutes = Math.round(days * 1440);
  const { config } = loaded;
  // A market of its own on manual time: the same seed and days give the same history, and no paper account is touched.
  const venue = await startVenueThread({ port: 0, seed, focus: config.universe.focus, clockMode: 'manual', startTime: MANUAL_START_TIME, historyMinutes: minutes, rateLimitPerMinute: 100_000, macroRateLimitPerMinute: 100_000 });
  const wanted = symbolsOf(values) ?? [...venue.symbols];
  const unknown = wanted.filter((s) => !venue.symbols.includes(s));
  if (unknown.length > 0) {
    await venue.close();
    throw new UsageError(`--symbols: ${unknown.join(', ')} not in the venue's universe (${venue.symbols.join(', ')})`);
  }
  const key = venue.keys;
  return {
    venue,
    history: {
      kind: 'venue',
      dataUrl: venue.url,
      keyId: key.keyId,
      secretKey: key.secretKey,
      symbols: wanted,
      start: MANUAL_START_TIME - minutes * 60_000,
      end: MANUAL_START_TIME,
      intervalMs: 60_000,
      fredUrl: `${venue.url}/fred`,
      cftcUrl: venue.url,
      cacheDir,
      // The same seed, universe and start give the same market whatever port the venue took.
      cacheAs: `local-venue:seed=${seed}:focus=${config.universe.focus}:start=${MANUAL_START_TIME}:history=${minutes}`,
    },
  };
}

export async function runResearchCommand(kind: Kind, argv: string[]): Promise<number> {
  const specs = kind === 'sweep' ? [...COMMON, ...SWEEP, HELP_FLAG] : [...COMMON, HELP_FLAG];
  const parsed = parseFlags(argv, specs);
  if (parsed.values.help) {
    console.log(helpOf(kind));
    return 0;
  }
  const problems = [...parsed.errors, ...parsed.positionals.map((p) => `unexpected argument ${p}`)];
  if (problems.length > 0) {
    console.error(`qgtm ${kind}: ${problems.join('; ')}\n\n${helpOf(kind)}`);
    return 2;
  }
  const values = parsed.values as Record<string, unknown>;
  let venue: VenueThread | undefined;
  try {
    const workers = num(values, 'workers', (x) => Number.isInteger(x) && x >= 1 && x <= 256, 'an integer 1-256');
    const loaded = loadConfig({ mode: 'start', file: typeof values.config === 'string' ? values.config : undefined, ...(workers !== undefined ? { overrides: { 'research.workers': workers }, overrideNames: { 'research.workers': '--workers' } } : {}) });
    const seed = num(values, 'seed', (x) => Number.isInteger(x) && x >= 0 && x <= 0xffffffff, 'an integer 0-4294967295') ?? loaded.config.venue.seed;
    const cash = num(values, 'cash', (x) => x > 0, 'a positive amount');
    const cost: Partial<Record<keyof CostModel, number>> = {};
    for (const [f, k] of [['fee-bps', 'feeBps'], ['slippage-bps', 'slippageBps'], ['spread-bps', 'spreadBps']] as const) {
      const x = num(values, f, (v) => v >= 0, 'a number of basis points >= 0');
      if (x !== undefined) cost[k] = x;
    }
    const set = setOf((values.set as string[] | undefined) ?? []);
    // Checked before a venue starts: a typo in a path is told at once.
    try {
      withOverrides(settingsFromConfig(loaded.config), set, { source: 'set' });
    } catch (err) {
      if (err instanceof ConfigError) throw new ResearchRequestError(err.violations);
      throw err;
    }
    const params = ((values.param as string[] | undefined) ?? []).map(parseParam);
    const random = num(values, 'random', (x) => Number.isInteger(x) && x >= 1, 'a positive whole number of points');
    const objective = values.objective as string | undefined;
    if (objective !== undefined && !OBJECTIVES.includes(objective as Objective)) throw new UsageError(`--objective must be one of ${OBJECTIVES.join(', ')}; got ${JSON.stringify(objective)}`);
    let walkForward: { trainBars: number; testBars: number } | null = null;
    if (typeof values['walk-forward'] === 'string') {
      const m = /^(\d+):(\d+)$/.exec(values['walk-forward']);
      if (!m || Number(m[1]) < 1 || Number(m[2]) < 1) throw new UsageError(`--walk-forward must be TRAIN:TEST, two positive whole numbers of bars; got ${JSON.stringify(values['walk-forward'])}`);
      walkForward = { trainBars: Number(m[1]), testBars: Number(m[2]) };
    }
    if (kind === 'sweep' && params.length === 0) throw new UsageError('a sweep needs at least one --param PATH=v1,v2,... or PATH=min:max[:int]');
    if (random === undefined && params.some((p) => p.values === undefined)) throw new UsageError('a min:max --param needs --random N (a grid takes a list of values)');

    const dir = researchDir(loaded.config);
    let history: HistorySpec;
    if (typeof values.csv === 'string') {
      const symbols = symbolsOf(values);
      history = { kind: 'csv', file: resolve(values.csv), ...(symbols ? { symbols } : {}) };
    } else if (loaded.config.venue.mode === 'alpaca' || loaded.config.venue.url !== null) {
      history = await configuredHistory(values, loaded, resolve(dir, 'cache'));
    } else {
      if (!values.json) process.stderr.write('starting the local paper venue for history...\n');
      const v = await venueHistory(values, loaded, seed, resolve(dir, 'cache'));
      venue = v.venue;
      history = v.history;
    }
    return await runThrough(kind, { dir, loaded, history, set, cost, seed, cash, params, random, objective: objective as Objective | undefined, walkForward, name: values.name as string | undefined, json: values.json === true });
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`qgtm ${kind}: ${err.message}\n\nrun \`qgtm ${kind} --help\` for the options`);
      return 2;
    }
    if (err instanceof ConfigError || (err instanceof QgtmError && /^QGTM_ERR_RESEARCH_(REQUEST|PLAN)$/.test(err.code))) {
      console.error(`qgtm ${kind}: ${err.message}`);
      return 2;
    }
    throw err;
  } finally {
    await venue?.close();
  }
}

interface RunInput {
  readonly dir: string;
  readonly loaded: LoadedConfig;
  readonly history: HistorySpec;
  readonly set: Record<string, string>;
  readonly cost: Partial<CostModel>;
  readonly seed: number;
  readonly cash: number | undefined;
  readonly params: SweepParam[];
  readonly random: number | undefined;
  readonly objective: Objective | undefined;
  readonly walkForward: { trainBars: number; testBars: number } | null;
  readonly name: string | undefined;
  readonly json: boolean;
}

async function runThrough(kind: Kind, r: RunInput): Promise<number> {
  const service = createResearchService({ dir: r.dir, config: r.loaded.config, maxQueued: 1, onProblem: (m) => process.stderr.write(`warning: ${m}\n`) });
  let id: string | null = null;
  const progress = progressPrinter(() => id);
  const off = r.json ? () => {} : service.onEvent((e) => progress.onEvent(e));
  let interrupted = 0;
  const onSignal = (): void => {
    // First Ctrl-C: cancel and report what ran; a second one leaves at once.
    if (++interrupted > 1 || id === null) process.exit(130);
    process.stderr.write('\ncancelling (Ctrl-C again to quit at once)...\n');
    service.cancel(id);
  };
  process.on('SIGINT', onSignal);
  try {
    const done = new Promise<void>((res) => {
      service.onEvent((e) => {
        if (e.type === 'research.status' && e.run.id === id && (e.run.status === 'done' || e.run.status === 'failed' || e.run.status === 'cancelled')) res();
      });
    });
    const base = { ...(r.name ? { name: r.name } : {}), history: r.history, set: r.set, cost: r.cost, seed: r.seed, ...(r.cash !== undefined ? { startingCash: r.cash } : {}) };
    const head =
      kind === 'backtest'
        ? service.startBacktest(base)
        : service.startSweep({ ...base, params: r.params, mode: r.random !== undefined ? 'random' : 'grid', ...(r.random !== undefined ? { samples: r.random } : {}), ...(r.objective ? { objective: r.objective } : {}), walkForward: r.walkForward });
    id = head.id;
    await done;
    progress.end();
    const record = service.get(id) as RunRecord;
    if (r.json) process.stdout.write(`${JSON.stringify(record)}\n`);
    else process.stdout.write(`${renderRecord(record)}\nrun record: ${service.dir}/${record.id}.json\n`);
    return record.status === 'done' ? 0 : record.status === 'cancelled' ? 130 : 1;
  } finally {
    process.off('SIGINT', onSignal);
    off();
    await service.close();
  }
}
