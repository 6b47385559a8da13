/**
 * One benchmark back-test, as plain data in and plain figures out, so the
 * same task runs in this thread or in a child process of its own
 * (`backtest-child.ts`, for peak memory measured apart from everything
 * else). The history is the research's seeded synthetic walk, generated as
 * it is read.
 *
 * Memory is sampled on the engine's progress callback (every `sampleEvery`
 * bar events), so the sampling follows the replay, not a wall-clock timer.
 */
import { getHeapStatistics } from 'node:v8';
import { CATALOG } from '../../actors/strategy/registry.js';
import type { StrategyDef } from '../../actors/strategy/strategy.js';
import { DEFAULT_TRADING } from '../../app/config/trading.js';
import { DEFAULT_COST_MODEL, runBacktest } from '../../app/research/engine/index.js';
import type { BacktestSpec, BacktestCounts, Progress, Summary } from '../../app/research/types.js';
import { openHistory, type SyntheticSpec } from '../../app/research/history/index.js';
import { withOverrides, type OverrideValue } from '../../app/research/settings.js';

/** 'full': the daemon's catalog; 'idle': the same entries (ids, params, instruments) whose `evaluate` returns nothing. */
export type CatalogKind = 'full' | 'idle';

export interface BacktestTask {
  readonly history: SyntheticSpec;
  readonly catalog: CatalogKind;
  /** Bar events between memory samples (0: none). */
  readonly sampleEvery?: number;
  /** Settings overrides on the daemon's defaults (`path: value`, as `qgtm backtest --set`). */
  readonly overrides?: Readonly<Record<string, OverrideValue>>;
}

export interface TaskResult {
  readonly barEvents: number;
  readonly ms: number;
  readonly counts: BacktestCounts;
  readonly summary: Summary;
  /** Peaks over the samples (bytes); 0 when not sampled. */
  readonly peakRss: number;
  readonly peakHeapUsed: number;
  readonly peakHeapTotal: number;
  /** Heap in use after a full collection at the last bar, the desk still alive (bytes; 0 without `--expose-gc`). */
  readonly retainedHeap: number;
  /** Each sample: [bar events done, ms since start, heap used, rss]. */
  readonly samples: readonly (readonly [number, number, number, number])[];
}

/** The catalog with every strategy doing nothing: the shards still keep their views, so this is the engine's own cost. */
export const IDLE_CATALOG: readonly StrategyDef[] = CATALOG.map((d) => ({ ...d, evaluate: () => [] }));

export const BENCH_SPEC: BacktestSpec = {
  name: 'bench',
  settings: DEFAULT_TRADING,
  cost: DEFAULT_COST_MODEL,
  startingCash: 100_000,
  accountMode: 'margin',
  seed: 1,
};

export async function runTask(task: BacktestTask): Promise<TaskResult> {
  let peakRss = 0;
  let peakHeapUsed = 0;
  let peakHeapTotal = 0;
  let retainedHeap = 0;
  const samples: [number, number, number, number][] = [];
  const total = task.history.bars * task.history.symbols.length;
  const gc = (globalThis as { gc?: () => void }).gc;
  const sample = (p?: Progress): void => {
    if (p && p.barsDone === total && gc) {
      gc();
      retainedHeap = getHeapStatistics().used_heap_size;
    }
    const rss = process.memoryUsage.rss();
    const h = getHeapStatistics();
    if (rss > peakRss) peakRss = rss;
    if (h.used_heap_size > peakHeapUsed) peakHeapUsed = h.used_heap_size;
    if (h.total_heap_size > peakHeapTotal) peakHeapTotal = h.total_heap_size;
    samples.push([p?.barsDone ?? total, performance.now() - started, h.used_heap_size, rss]);
  };
  const every = task.sampleEvery ?? 0;
  const started = performance.now();
  const result = await runBacktest(
    await openHistory(task.history),
    task.overrides ? { ...BENCH_SPEC, settings: withOverrides(DEFAULT_TRADING, task.overrides) } : BENCH_SPEC,
    every > 0 ? { progressEvery: every, onProgress: sample } : { progressEvery: Number.MAX_SAFE_INTEGER },
    { catalog: task.catalog === 'full' ? CATALOG : IDLE_CATALOG },
  );
  const ms = performance.now() - started;
  return { barEvents: result.counts.bars, ms, counts: result.counts, summary: result.summary, peakRss, peakHeapUsed, peakHeapTotal, retainedHeap, samples };
}
