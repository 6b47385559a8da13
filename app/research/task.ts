/**
 * The piscina worker module: one task is one back-test. It runs in a pool
 * thread (never on the main thread: pool.ts is the main-thread side), opens
 * the history from its plain-data spec, replays it with the engine and
 * answers with the result.
 *
 * Progress and cancellation travel over a MessagePort the task carries
 * (transferred, not cloned): the worker posts `started` when it begins and
 * progress while it runs; the main thread posts `abort` to stop a running
 * task cooperatively, so the task still answers with what ran (`cancelled`).
 */
import { getPriority } from 'node:os';
import { readFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { threadId, type MessagePort } from 'node:worker_threads';
import { runBacktest } from './engine/index.js';
import { openHistory } from './history/index.js';
import { PerformanceTracker } from './performance.js';
import type { BacktestResult, BacktestSpec, BarStream, HistorySource, HistorySpec, Progress, Summary } from './types.js';

/** Bars, by close time: [from, to). */
export interface BarRange {
  readonly from?: number;
  readonly to?: number;
}

export interface BacktestTask {
  readonly kind: 'backtest';
  readonly history: HistorySpec;
  readonly spec: BacktestSpec;
  /** Replay only the bars closing in this range (a walk-forward window). */
  readonly range?: BarRange;
  /**
   * Summary-only: the answer carries the figures, attribution and counts but
   * no orders, fills or series, so a sweep's messages stay small.
   */
  readonly summaryOnly?: boolean;
  /**
   * With `spec.tradeFrom`: report figures over the trading part only (the
   * warm-up's flat equity would dilute returns and volatility), and keep the
   * trading part's series at full resolution up to this many points.
   */
  readonly tradingWindowPoints?: number;
  readonly progressEvery?: number;
  readonly port?: MessagePort;
}

/** The distinct bar start times of a history (a walk-forward counts bars by time, not by symbol). */
export interface BarTimesTask {
  readonly kind: 'bar-times';
  readonly history: HistorySpec;
}

/** What priority the pool's threads run at (tests and `qgtm config check` show it). */
export interface ProbeTask {
  readonly kind: 'probe';
}

/** A history's distinct bar start times, ascending, and its bar interval. */
export interface BarTimes {
  readonly intervalMs: number;
  readonly times: Float64Array;
}

export type ResearchTask = BacktestTask | BarTimesTask | ProbeTask;

export interface ProbeResult {
  readonly threadId: number;
  /** os.getPriority() in this thread: Linux keeps the nice value per thread. */
  readonly priority: number;
  /** The nice value /proc reports for this very thread (null where there is no /proc). */
  readonly procNice: number | null;
}

/** Messages from a task to the main thread. */
export type TaskMessage = { readonly type: 'started' } | { readonly type: 'progress'; readonly p: Progress };

/** Opened histories, kept between tasks of a sweep (a CSV is scanned once per thread, not once per point). */
const opened = new Map<string, Promise<HistorySource>>();
const KEEP_OPEN = 4;

async function historyKey(spec: HistorySpec): Promise<string> {
  if (spec.kind !== 'csv') return JSON.stringify(spec);
  // A file rewritten between runs must be read again.
  const s = await stat(spec.file).catch(() => null);
  return JSON.stringify(spec) + (s ? `@${s.size}:${s.mtimeMs}` : '');
}

async function open(spec: HistorySpec): Promise<HistorySource> {
  const key = await historyKey(spec);
  let h = opened.get(key);
  if (!h) {
    h = openHistory(spec);
    opened.set(key, h);
    h.catch(() => opened.delete(key));
    while (opened.size > KEEP_OPEN) opened.delete(opened.keys().next().value!);
  }
  return h;
}

/** `source` seen through a close-time window: every pass, and the engine's, streams only [from, to). */
export function windowed(source: HistorySource, range: BarRange): HistorySource {
  const lo = range.from ?? -Infinity;
  const hi = range.to ?? Infinity;
  return {
    intervalMs: source.intervalMs,
    symbols: source.symbols,
    bars: (r = {}): BarStream => source.bars({ from: Math.max(lo, r.from ?? -Infinity), to: Math.min(hi, r.to ?? Infinity) }),
    macro: () => source.macro(),
    // Bars in the window are not counted up front: progress then goes by virtual time.
    describe: () => ({ ...source.describe(), bars: null }),
  };
}

/**
 * The figures of the trading part of a run (marks from `tradeFrom` on).
 * Equity figures are recomputed from the full-resolution series; the
 * trade figures (fees, trips, orders, fills) are the run's own, since
 * nothing trades before `tradeFrom`. Turnover is rescaled to the trading
 * part's average equity.
 */
export function tradingWindowSummary(result: BacktestResult, tradeFrom: number): { summary: Summary; series: BacktestResult['equity'] } {
  const all = result.equity;
  const start = all.filter((p) => p.ts < tradeFrom).at(-1)?.equity ?? result.summary.startEquity;
  const part = all.filter((p) => p.ts >= tradeFrom);
  const perf = new PerformanceTracker({ startEquity: start, maxSeriesPoints: Math.max(3, part.length + 2) });
  for (const p of part) perf.mark(p.ts, p.equity, p.gross, p.net);
  const w = perf.summary();
  const mean = (xs: readonly { equity: number }[]): number => (xs.length ? xs.reduce((s, p) => s + p.equity, 0) / xs.length : 0);
  const avgAll = mean(all);
  const avgPart = mean(part);
  const r = result.summary;
  return {
    summary: {
      ...w,
      turnover: avgPart > 0 ? (r.turnover * avgAll) / avgPart : 0,
      fees: r.fees,
      slippage: r.slippage,
      hitRate: r.hitRate,
      avgWin: r.avgWin,
      avgLoss: r.avgLoss,
      trades: r.trades,
      orders: r.orders,
      fills: r.fills,
    },
    series: perf.series(),
  };
}

async function backtest(task: BacktestTask): Promise<BacktestResult> {
  const port = task.port;
  const abort = new AbortController();
  port?.on('message', (m: { type?: string }) => {
    if (m?.type === 'abort') abort.abort();
  });
  try {
    port?.postMessage({ type: 'started' } satisfies TaskMessage);
    let history = await open(task.history);
    if (task.range) history = windowed(history, task.range);
    const windowPoints = task.spec.tradeFrom !== undefined ? task.tradingWindowPoints : undefined;
    // Every mark is kept when the trading part's figures are recomputed from the series.
    const spec = windowPoints !== undefined ? { ...task.spec, maxSeriesPoints: Math.max(task.spec.maxSeriesPoints ?? 2000, windowPoints * 4) } : task.spec;
    let result = await runBacktest(history, spec, {
      signal: abort.signal,
      progressEvery: task.progressEvery,
      onProgress: port ? (p) => port.postMessage({ type: 'progress', p } satisfies TaskMessage) : undefined,
    });
    if (windowPoints !== undefined && task.spec.tradeFrom !== undefined) {
      const w = tradingWindowSummary(result, task.spec.tradeFrom);
      result = { ...result, summary: w.summary, equity: w.series.length > windowPoints ? thin(w.series, windowPoints) : w.series };
    }
    if (task.summaryOnly) result = { ...result, orders: [], fills: [], equity: windowPoints !== undefined ? result.equity : [] };
    return result;
  } finally {
    port?.close();
  }
}

/** Evenly spaced points, the first and last kept. */
function thin<T>(xs: readonly T[], n: number): T[] {
  if (xs.length <= n) return [...xs];
  const out: T[] = [];
  for (let i = 0; i < n; i++) out.push(xs[Math.round((i * (xs.length - 1)) / (n - 1))]!);
  return out;
}

async function barTimes(task: BarTimesTask): Promise<BarTimes> {
  const history = await open(task.history);
  let out = new Float64Array(1024);
  let n = 0;
  let last = NaN;
  for await (const bar of history.bars()) {
    if (bar.ts === last) continue;
    last = bar.ts;
    if (n === out.length) {
      const grown = new Float64Array(out.length * 2);
      grown.set(out);
      out = grown;
    }
    out[n++] = bar.ts;
  }
  return { intervalMs: history.intervalMs, times: out.slice(0, n) };
}

function probe(): ProbeResult {
  let procNice: number | null = null;
  try {
    // Field 19 of /proc/thread-self/stat is this thread's nice value (after the parenthesised command name).
    const stat = readFileSync('/proc/thread-self/stat', 'utf8');
    procNice = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
  } catch {
    procNice = null;
  }
  return { threadId, priority: getPriority(), procNice };
}

/** The task entry piscina calls. */
export default async function run(task: ResearchTask): Promise<BacktestResult | BarTimes | ProbeResult> {
  switch (task.kind) {
    case 'backtest':
      return backtest(task);
    case 'bar-times':
      return barTimes(task);
    case 'probe':
      return probe();
  }
}
