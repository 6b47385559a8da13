/**
 * Runs a sweep on the research pool: one back-test per point of a grid or a
 * seeded random draw, each point's settings being the base settings with the
 * point's values (checked as the configuration checks them). A point that
 * fails (a bad combination, an engine error) becomes a row with its
 * parameters and error, and the sweep goes on. Rows come back ranked by the
 * objective. A cancelled sweep stops queued and running tasks and keeps the
 * rows that finished.
 *
 * Walk-forward: the history's bar times are cut into windows
 * (`walkForwardWindows`: train on `trainBars` bar times, test on the next
 * `testBars`, roll by `testBars`). For each window the points run on the
 * training bars, the best is picked, and it runs on the test bars with the
 * training bars as warm-up (it trades only from the test window's first
 * close). In-sample and out-of-sample figures are reported apart; see
 * `WalkForwardResult` for how they are combined across windows.
 */
import { ConfigError } from '../../src/errors.js';
import { PerformanceTracker } from './performance.js';
import { ResearchCancelledError, type ResearchPool } from './pool.js';
import { withOverrides } from './settings.js';
import { gridPoints, randomPoints, rankRows, scoreOf, walkForwardWindows, type BarWindow, type ParamPoint } from './sweep-plan.js';
import type { BacktestResult, BacktestSpec, HistorySpec, Progress, Summary, SweepResult, SweepRow, SweepSpec, WalkForwardWindow } from './types.js';

export interface SweepProgress {
  /** 0..1 over every task of the sweep. */
  readonly fraction: number;
  readonly tasksDone: number;
  readonly tasksTotal: number;
  readonly detail: string;
}

export interface RunSweepOptions {
  readonly pool: ResearchPool;
  readonly history: HistorySpec;
  readonly spec: SweepSpec;
  /** First bar start and last bar close of the history (progress by virtual time). */
  readonly span?: { readonly start: number | null; readonly end: number | null };
  readonly signal?: AbortSignal;
  readonly onProgress?: (p: SweepProgress) => void;
}

/** Series points kept per test window for the chained out-of-sample figures. */
const TEST_SERIES_POINTS = 5000;

/** The points of a sweep spec (throws ResearchPlanError on a bad plan). */
export function sweepPoints(spec: SweepSpec): ParamPoint[] {
  return spec.mode === 'random' ? randomPoints(spec.params, spec.samples ?? 0, spec.base.seed) : gridPoints(spec.params);
}

/** Tracks task progress into one fraction. */
class Tally {
  private done = 0;
  private readonly running = new Map<number, number>();
  private nextId = 0;
  constructor(readonly total: number, private readonly emit: (p: SweepProgress) => void) {}

  start(): number {
    const id = this.nextId++;
    this.running.set(id, 0);
    return id;
  }
  update(id: number, fraction: number, detail: string): void {
    this.running.set(id, Math.min(1, Math.max(0, fraction)));
    this.report(detail);
  }
  finish(id: number, detail: string): void {
    this.running.delete(id);
    this.done++;
    this.report(detail);
  }
  private report(detail: string): void {
    let f = this.done;
    for (const x of this.running.values()) f += x;
    this.emit({ fraction: this.total > 0 ? f / this.total : 1, tasksDone: this.done, tasksTotal: this.total, detail });
  }
}

/** Runs `fn` over `items` with at most `limit` at a time, in order of start; stops starting new ones once `stop()`. */
async function mapLimited<T, R>(items: readonly T[], limit: number, stop: () => boolean, fn: (x: T, i: number) => Promise<R>): Promise<(R | undefined)[]> {
  const out: (R | undefined)[] = new Array(items.length).fill(undefined);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length && !stop()) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, lane));
  return out;
}

const errorText = (err: unknown): string => (err instanceof ConfigError ? err.violations.join('; ') : err instanceof Error ? err.message : String(err));

const fractionOf = (p: Progress, from: number | null, to: number | null): number => {
  if (p.barsTotal !== null && p.barsTotal > 0) return p.barsDone / p.barsTotal;
  if (from === null || to === null || !(to > from)) return 0;
  return (p.at - from) / (to - from);
};

interface PointRunContext {
  readonly opts: RunSweepOptions;
  readonly tally: Tally;
  readonly signal: AbortSignal | undefined;
  readonly range?: { readonly from: number; readonly to: number };
  readonly label: string;
}

/** One point: a row, or undefined when the sweep was cancelled before or while it ran. */
async function runPoint(ctx: PointRunContext, point: ParamPoint, index: number): Promise<SweepRow | undefined> {
  const { spec, pool, history } = ctx.opts;
  const id = ctx.tally.start();
  const params = { ...point };
  const detail = `${ctx.label}point ${index + 1}`;
  try {
    const settings = withOverrides(spec.base.settings, point, { source: 'sweep parameter' });
    const from = ctx.range?.from ?? ctx.opts.span?.start ?? null;
    const to = ctx.range?.to ?? ctx.opts.span?.end ?? null;
    const result = await pool.runBacktest(history, { ...spec.base, settings }, {
      summaryOnly: true,
      ...(ctx.range ? { range: ctx.range } : {}),
      ...(ctx.signal ? { signal: ctx.signal } : {}),
      onProgress: (p) => ctx.tally.update(id, fractionOf(p, from, to), detail),
    });
    ctx.tally.finish(id, detail);
    if (result.cancelled) return undefined;
    return { index, params, summary: result.summary, score: scoreOf(result.summary, spec.objective), error: null };
  } catch (err) {
    ctx.tally.finish(id, detail);
    if (err instanceof ResearchCancelledError || ctx.signal?.aborted) return undefined;
    return { index, params, summary: null, score: null, error: errorText(err) };
  }
}

async function sweepOnce(ctx: PointRunContext, points: readonly ParamPoint[]): Promise<SweepRow[]> {
  const rows = await mapLimited(points, ctx.opts.pool.size * 2, () => ctx.signal?.aborted === true, (pt, i) => runPoint(ctx, pt, i));
  return rankRows(rows.filter((r): r is SweepRow => r !== undefined), ctx.opts.spec.objective);
}

/** Runs a sweep (grid, random, optionally walk-forward); never throws for a failed point. */
export async function runSweep(opts: RunSweepOptions): Promise<SweepResult> {
  const { spec } = opts;
  const points = sweepPoints(spec);
  const paths = spec.params.map((p) => p.path);
  if (!spec.walkForward) {
    const tally = new Tally(points.length, (p) => opts.onProgress?.(p));
    const rows = await sweepOnce({ opts, tally, signal: opts.signal, label: '' }, points);
    return { objective: spec.objective, paths, rows, walkForward: null, cancelled: opts.signal?.aborted === true };
  }
  return walkForward(opts, points, paths);
}

/** Close-time bounds of bar indices: bar i closes at times[i] + interval; `n` is just past the last close. */
function closeOf(times: Float64Array, intervalMs: number, i: number): number {
  return i < times.length ? times[i]! + intervalMs : times[times.length - 1]! + intervalMs + 1;
}

async function walkForward(opts: RunSweepOptions, points: readonly ParamPoint[], paths: string[]): Promise<SweepResult> {
  const { spec, pool, history } = opts;
  const wf = spec.walkForward!;
  const { times, intervalMs: interval } = await pool.barTimes(history);
  const windows = walkForwardWindows(times.length, wf.trainBars, wf.testBars);
  const tally = new Tally(windows.length * (points.length + 1), (p) => opts.onProgress?.(p));
  const signal = opts.signal;
  const results = await mapLimited(windows, Math.max(1, Math.ceil((pool.size * 2) / Math.max(1, points.length))), () => signal?.aborted === true, async (w, k) => {
    const train = { from: closeOf(times, interval, w.trainFrom), to: closeOf(times, interval, w.trainTo) };
    const rows = await sweepOnce({ opts, tally, signal, range: train, label: `window ${k + 1}/${windows.length} ` }, points);
    return { w, rows, test: await testBest(opts, tally, w, k, rows, times, interval, windows.length) };
  });
  const done = results.filter((r): r is NonNullable<typeof r> => r !== undefined);
  const out: WalkForwardWindow[] = done.map(({ w, rows, test }) => {
    const best = rows[0] && rows[0].error === null ? rows[0] : null;
    return {
      trainFrom: times[w.trainFrom]!,
      trainTo: closeOf(times, interval, w.trainTo - 1),
      testFrom: times[w.testFrom]!,
      testTo: closeOf(times, interval, w.testTo - 1),
      best: best?.params ?? null,
      inSample: best?.summary ?? null,
      outOfSample: test?.summary ?? null,
    };
  });
  const cancelled = signal?.aborted === true;
  return {
    objective: spec.objective,
    paths,
    // The most recent training window's ranking: what would be traded next.
    rows: done.at(-1)?.rows ?? [],
    walkForward: {
      windows: out,
      outOfSample: chainTests(done.map((d) => d.test).filter((t): t is BacktestResult => t !== null), spec.base.startingCash),
      inSample: meanSummary(out.map((w) => w.inSample).filter((s): s is Summary => s !== null)),
    },
    cancelled,
  };
}

async function testBest(opts: RunSweepOptions, tally: Tally, w: BarWindow, k: number, rows: readonly SweepRow[], times: Float64Array, interval: number, count: number): Promise<BacktestResult | null> {
  const id = tally.start();
  const detail = `window ${k + 1}/${count} test`;
  const best = rows[0];
  try {
    if (!best || best.error !== null || opts.signal?.aborted) return null;
    const settings = withOverrides(opts.spec.base.settings, best.params, { source: 'sweep parameter' });
    const from = closeOf(times, interval, w.trainFrom);
    const to = closeOf(times, interval, w.testTo);
    const tradeFrom = closeOf(times, interval, w.testFrom);
    const spec: BacktestSpec = { ...opts.spec.base, settings, tradeFrom };
    const r = await opts.pool.runBacktest(opts.history, spec, {
      range: { from, to },
      summaryOnly: true,
      tradingWindowPoints: TEST_SERIES_POINTS,
      ...(opts.signal ? { signal: opts.signal } : {}),
      onProgress: (p) => tally.update(id, (p.at - from) / (to - from), detail),
    });
    return r.cancelled ? null : r;
  } catch (err) {
    if (err instanceof ResearchCancelledError || opts.signal?.aborted) return null;
    throw err;
  } finally {
    tally.finish(id, detail);
  }
}

/**
 * The out-of-sample figures of the test windows chained: each window's
 * trading-part equity series is scaled so it starts where the previous one
 * ended (compounding), and the chain is measured as one run. Trade figures
 * (fees, slippage, trips, orders, fills, turnover) are the windows' sums;
 * hit rate and average win/loss are weighted by trips.
 */
export function chainTests(tests: readonly BacktestResult[], startingCash: number): Summary | null {
  if (tests.length === 0) return null;
  const perf = new PerformanceTracker({ startEquity: startingCash, maxSeriesPoints: 3 });
  let carry = startingCash;
  let lastTs = -Infinity;
  for (const t of tests) {
    const scale = carry / t.summary.startEquity;
    for (const p of t.equity) {
      if (p.ts <= lastTs) continue;
      perf.mark(p.ts, p.equity * scale, p.gross, p.net);
      lastTs = p.ts;
    }
    carry = t.summary.endEquity * scale;
  }
  const s = perf.summary();
  const sum = (f: (x: Summary) => number): number => tests.reduce((a, t) => a + f(t.summary), 0);
  const trips = sum((x) => x.trades);
  const wins = sum((x) => (x.hitRate ?? 0) * x.trades);
  const winSum = sum((x) => (x.avgWin ?? 0) * (x.hitRate ?? 0) * x.trades);
  const losses = trips - wins;
  const lossSum = sum((x) => (x.avgLoss ?? 0) * (1 - (x.hitRate ?? 0)) * x.trades);
  return {
    ...s,
    turnover: sum((x) => x.turnover),
    fees: sum((x) => x.fees),
    slippage: sum((x) => x.slippage),
    hitRate: trips > 0 ? wins / trips : null,
    avgWin: wins > 0 ? winSum / wins : null,
    avgLoss: losses > 0 ? lossSum / losses : null,
    trades: trips,
    orders: sum((x) => x.orders),
    fills: sum((x) => x.fills),
  };
}

/**
 * The in-sample figures across windows: each field the mean of the windows'
 * best in-sample figures (training windows overlap, so they cannot be
 * chained); counts and costs are summed. Null fields stay out of a mean.
 */
export function meanSummary(xs: readonly Summary[]): Summary | null {
  if (xs.length === 0) return null;
  const mean = (f: (s: Summary) => number | null): number | null => {
    const v = xs.map(f).filter((x): x is number => x !== null && Number.isFinite(x));
    return v.length ? v.reduce((a, b) => a + b, 0) / v.length : null;
  };
  const sum = (f: (s: Summary) => number): number => xs.reduce((a, s) => a + f(s), 0);
  return {
    startEquity: mean((s) => s.startEquity)!,
    endEquity: mean((s) => s.endEquity)!,
    totalReturn: mean((s) => s.totalReturn)!,
    annualReturn: mean((s) => s.annualReturn),
    volatility: mean((s) => s.volatility),
    sharpe: mean((s) => s.sharpe),
    sortino: mean((s) => s.sortino),
    calmar: mean((s) => s.calmar),
    maxDrawdown: mean((s) => s.maxDrawdown)!,
    maxDrawdownDurationMs: mean((s) => s.maxDrawdownDurationMs)!,
    turnover: mean((s) => s.turnover)!,
    fees: sum((s) => s.fees),
    slippage: sum((s) => s.slippage),
    avgGross: mean((s) => s.avgGross)!,
    hitRate: mean((s) => s.hitRate),
    avgWin: mean((s) => s.avgWin),
    avgLoss: mean((s) => s.avgLoss),
    trades: sum((s) => s.trades),
    orders: sum((s) => s.orders),
    fills: sum((s) => s.fills),
  };
}
