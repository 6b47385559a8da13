/**
 * `runBacktest`: replays a history through the research desk and keeps the
 * run's books. Bars stream in (ascending start time, then symbol); each is
 * handed over at its close, after every macro release up to that instant.
 * Equity is marked once per bar time, after the last bar of that time.
 *
 * Deterministic: no wall time and no unseeded randomness on this path, so
 * the same history, spec and seed give byte-identical results.
 */
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { ConfigError } from '../../../src/errors.js';
import type { StrategyDef } from '../../../actors/strategy/strategy.js';
import type { BacktestOptions, BacktestResult, BacktestSpec, HistorySource } from '../types.js';
import { RunBooks } from './books.js';
import { ResearchDesk, type DeskObserver } from './desk.js';
import { costModelViolations } from './market.js';

export interface RunExtras {
  /** Also told everything the desk does (tests: parity, look-ahead). */
  readonly observer?: DeskObserver;
  /** A strategy catalog other than the daemon's (tests). */
  readonly catalog?: readonly StrategyDef[];
}

/** Bars between turns given back to the event loop, so a cancel (or anything else queued) gets in. */
const YIELD_EVERY = 4096;

/** Every problem with a spec, each naming its field. */
export function specViolations(spec: BacktestSpec): string[] {
  const v = costModelViolations(spec.cost);
  if (!(typeof spec.startingCash === 'number' && Number.isFinite(spec.startingCash) && spec.startingCash > 0)) v.push(`startingCash must be a positive number; got ${JSON.stringify(spec.startingCash)}`);
  if (spec.accountMode !== 'cash' && spec.accountMode !== 'margin') v.push(`accountMode must be 'cash' or 'margin'; got ${JSON.stringify(spec.accountMode)}`);
  if (!Number.isInteger(spec.seed) || spec.seed < 0 || spec.seed > 0xffffffff) v.push(`seed must be an integer 0-4294967295; got ${JSON.stringify(spec.seed)}`);
  if (spec.maxSeriesPoints !== undefined && !(Number.isInteger(spec.maxSeriesPoints) && spec.maxSeriesPoints >= 3)) v.push(`maxSeriesPoints must be an integer >= 3; got ${JSON.stringify(spec.maxSeriesPoints)}`);
  return v;
}

export async function runBacktest(history: HistorySource, spec: BacktestSpec, opts: BacktestOptions = {}, extras: RunExtras = {}): Promise<BacktestResult> {
  const violations = specViolations(spec);
  if (violations.length > 0) throw new ConfigError(violations);
  const interval = history.intervalMs;
  const macro = history.macro();
  const progressEvery = Math.max(1, opts.progressEvery ?? 10_000);
  const total = history.describe().bars;
  const books = new RunBooks(spec.startingCash, spec.maxSeriesPoints ?? 2000);
  const outer = extras.observer ?? {};
  const counts = { bars: 0, signals: 0, postures: 0, intents: 0, approved: 0, denied: 0, fills: 0 };
  const observer: DeskObserver = {
    shardInput: outer.shardInput,
    bar(b, now) {
      // The position held up to now earns the bar's move (after any fill the timers made at the old quote).
      books.onBar(b);
      outer.bar?.(b, now);
    },
    signal(m, now) {
      counts.signals++;
      outer.signal?.(m, now);
    },
    posture(m, now) {
      counts.postures++;
      books.onPosture(m);
      outer.posture?.(m, now);
    },
    intents(m, now) {
      counts.intents += m.intents.length;
      outer.intents?.(m, now);
    },
    approved(m, now) {
      counts.approved++;
      books.onApproved(m);
      outer.approved?.(m, now);
    },
    denied(m, now) {
      counts.denied++;
      books.onDenied(m);
      outer.denied?.(m, now);
    },
    tier: outer.tier,
    broker(m, now) {
      books.onBroker(m);
      outer.broker?.(m, now);
    },
    fill(u, fee, close, now) {
      counts.fills++;
      books.onFill(u, fee, close, now);
      outer.fill?.(u, fee, close, now);
    },
  };

  let desk: ResearchDesk | null = null;
  let barTs = NaN;
  let from: number | null = null;
  let to: number | null = null;
  let mi = 0;
  let cancelled = false;
  const mark = (now: number): void => {
    const m = desk!.marks();
    books.perf.mark(now, m.equity, m.gross, m.net);
  };

  for await (const bar of history.bars()) {
    if (opts.signal?.aborted) {
      cancelled = true;
      break;
    }
    if (bar.ts !== barTs) {
      if (desk) mark(barTs + interval);
      barTs = bar.ts;
    }
    const close = bar.ts + interval;
    if (!desk) {
      desk = new ResearchDesk({ spec, symbols: history.symbols, intervalMs: interval, start: bar.ts, observer, ...(extras.catalog ? { catalog: extras.catalog } : {}) });
      from = bar.ts;
    }
    // Released by the bar's close: the shards see it now, never earlier than its release.
    while (mi < macro.length && macro[mi]!.at <= close) desk.macro(macro[mi++]!.msg, close);
    desk.bar(bar, close);
    to = close;
    counts.bars++;
    if (counts.bars % progressEvery === 0) opts.onProgress?.({ barsDone: counts.bars, barsTotal: total, at: close, equity: desk.marks().equity });
    if (counts.bars % YIELD_EVERY === 0) await yieldToLoop();
  }
  if (desk && Number.isFinite(barTs)) mark(barTs + interval);
  if (desk) opts.onProgress?.({ barsDone: counts.bars, barsTotal: total, at: to ?? 0, equity: desk.marks().equity });
  return {
    summary: books.perf.summary(),
    equity: books.perf.series(),
    attribution: books.attribution(),
    learning: desk ? desk.allocator.learningState(to ?? 0, Infinity) : null,
    orders: books.orderList(),
    fills: books.fillList(),
    counts,
    cost: spec.cost,
    from,
    to,
    cancelled,
  };
}
