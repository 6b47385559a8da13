/**
 * backtest: the research engine's throughput and memory, over the 20 PM
 * instruments of seeded synthetic 1-minute bars (app/research/history), measured in
 * one run, as ratios where there is a baseline:
 *
 * 1. bar events/s on one thread with the daemon's catalog, allocator and
 *    risk on (target >= 250,000/s); the published anchors for context;
 * 2. the engine alone (every strategy does nothing), against the raw bar
 *    stream (target >= 1,000,000/s);
 * 3. a sweep's parallel efficiency on the research pool (piscina) of W
 *    threads against one thread (target >= 85 % per worker);
 * 4. ten years of minute bars (about 20 million bar events) on one thread:
 *    time and peak memory; the engine alone by default, the full catalog
 *    over a slice (extrapolated, and said so). QGTM_BENCH_BACKTEST_FULL=1
 *    runs the full catalog over all of it (hours at today's speed);
 * 5. memory flat as history grows: peak heap at 1x, 4x and 16x history on
 *    the engine alone (target: 16x within 1.5x of 1x).
 *
 * Memory cases run each in a child process of their own, so their peaks are
 * theirs alone. A MISS is printed, never thrown.
 */
import { execFile } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { PM_UNIVERSE } from '../src/universe/index.js';
import { printFigures, printTable, printTargets, round, target, type TargetRow } from './lib/report.js';
import { SyntheticBars, syntheticStream, type SyntheticSpec } from '../app/research/history/index.js';
import { ResearchPool } from '../app/research/pool.js';
import { BENCH_SPEC, runTask, type BacktestTask, type CatalogKind, type TaskResult } from './lib/backtest-task.js';

const SYMBOLS = PM_UNIVERSE.map((i) => i.symbol);
const MINUTE = 60_000;
/** 252 sessions x 390 minutes x 10 years, as timestamps (x 20 symbols = 19.66 M bar events). */
const TEN_YEARS = 252 * 390 * 10;
const FULL = process.env.QGTM_BENCH_BACKTEST_FULL === '1';
/** The full catalog's share of the ten years run by default (0.25 %: about 49,000 bar events). */
const SLICE = 0.0025;

const execFileP = promisify(execFile);
const CHILD = fileURLToPath(new URL('./lib/backtest-child.js', import.meta.url));

function history(bars: number, seed = 7): SyntheticSpec {
  return { kind: 'synthetic', symbols: SYMBOLS, start: Date.UTC(2016, 0, 4, 14, 30), bars, intervalMs: MINUTE, seed };
}

const perSec = (events: number, ms: number): number => (events / ms) * 1000;
const mb = (bytes: number): number => round(bytes / 2 ** 20, 1);
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

/** One task in a child process of its own (its peak memory is its own). */
async function inChild(task: BacktestTask): Promise<TaskResult> {
  const { stdout } = await execFileP(process.execPath, ['--expose-gc', CHILD, JSON.stringify(task)], { maxBuffer: 64 * 2 ** 20 });
  return JSON.parse(stdout.trim().split('\n').pop()!) as TaskResult;
}

/** The raw bar stream: the generator alone, and through the async iteration the engine reads. */
async function streamRates(bars: number): Promise<{ sync: number; async: number }> {
  let n = 0;
  let t = performance.now();
  const gen = new SyntheticBars(history(bars));
  for (let b = gen.next(); b !== null; b = gen.next()) if (b.close > 0) n++;
  const sync = perSec(n, performance.now() - t);
  n = 0;
  t = performance.now();
  for await (const b of syntheticStream(history(bars))) if (b.close > 0) n++;
  return { sync, async: perSec(n, performance.now() - t) };
}

/**
 * Runs `n` identical back-tests (the daemon's catalog, summary only, as a
 * sweep asks) on the research pool with `threads` threads: wall ms. Each
 * thread first runs the task once untimed, so compiling the engine (which a
 * thread does once, on its first task) is not what is measured. Nice 0: the
 * same priority as the single-thread runs it is compared with.
 */
async function sweep(threads: number, n: number, h: SyntheticSpec): Promise<{ ms: number; cpu: number }> {
  const pool = new ResearchPool({ workers: threads, niceIncrement: 0, idleTimeoutMs: 60_000 });
  try {
    await Promise.all(Array.from({ length: threads }, () => pool.runBacktest(h, BENCH_SPEC, { summaryOnly: true })));
    const t = performance.now();
    const c = process.cpuUsage();
    await Promise.all(Array.from({ length: n }, () => pool.runBacktest(h, BENCH_SPEC, { summaryOnly: true })));
    const ms = performance.now() - t;
    const used = process.cpuUsage(c);
    // CPU this process got (all threads) as a share of `threads` cores for the wall time.
    return { ms, cpu: (used.user + used.system) / 1000 / ms / threads };
  } finally {
    await pool.close();
  }
}

/**
 * Time per event grows as the run goes on when the full catalog trades (see
 * the per-quarter rates): fits ms(n) = a n + b n^2 / 2 to the samples and
 * gives the time for `events`. Least squares on the per-segment cost.
 */
function extrapolate(samples: TaskResult['samples'], events: number): { linearS: number; fittedS: number } {
  const pts = samples.filter((s, k) => k === 0 || s[0] > samples[k - 1]![0]);
  // Per segment: mean event index m and ms per event c; fit c = a + b m.
  const seg: [number, number][] = [];
  for (let k = 1; k < pts.length; k++) {
    const dn = pts[k]![0] - pts[k - 1]![0];
    if (dn > 0) seg.push([(pts[k]![0] + pts[k - 1]![0]) / 2, (pts[k]![1] - pts[k - 1]![1]) / dn]);
  }
  const last = pts[pts.length - 1]!;
  const linearS = ((last[1] / last[0]) * events) / 1000;
  if (seg.length < 2) return { linearS, fittedS: linearS };
  const mx = seg.reduce((s, p) => s + p[0], 0) / seg.length;
  const my = seg.reduce((s, p) => s + p[1], 0) / seg.length;
  const b = seg.reduce((s, p) => s + (p[0] - mx) * (p[1] - my), 0) / seg.reduce((s, p) => s + (p[0] - mx) ** 2, 0);
  const a = my - b * mx;
  return { linearS, fittedS: Math.max(linearS, (a * events + (b * events * events) / 2) / 1000) };
}

/** Rates over the first and last quarter of a sampled run (bar events/s). */
function quarterRates(samples: TaskResult['samples']): { first: number; last: number } {
  const end = samples[samples.length - 1]!;
  const at = (frac: number): readonly [number, number, number, number] => samples.find((s) => s[0] >= end[0] * frac) ?? end;
  const q1 = at(0.25);
  const q3 = at(0.75);
  return { first: perSec(q1[0], q1[1]), last: perSec(end[0] - q3[0], end[1] - q3[1]) };
}

/** Settings that turn the broker session's housekeeping on in a back-test (app/research/engine/housekeeping.ts). */
const HOUSEKEEPING = { 'risk.protectiveStops.enabled': true, 'allocator.intents.orderType': 'limit', 'allocator.intents.limitTimeoutMs': 60_000 } as const;

export async function run(): Promise<Record<string, unknown>> {
  const sweepThreads = Math.max(2, availableParallelism());
  const tenYearEvents = TEN_YEARS * SYMBOLS.length;

  // 1-2. Throughput on this thread: the stream, the engine alone, the full catalog.
  const stream = await streamRates(50_000);
  await runTask({ history: history(500), catalog: 'idle' }); // warm-up: load and compile
  const idle = await runTask({ history: history(50_000), catalog: 'idle' });
  const idleRate = perSec(idle.barEvents, idle.ms);
  const sliceBars = Math.round(TEN_YEARS * SLICE);
  const full = await inChild({ history: history(sliceBars), catalog: 'full', sampleEvery: 2_000 });
  const fullRate = perSec(full.barEvents, full.ms);
  const fullQ = quarterRates(full.samples);
  const fullExtra = extrapolate(full.samples, tenYearEvents);
  // The broker's housekeeping on: protective stops on every position, limit orders that turn into market orders after a bar.
  const kept = await inChild({ history: history(sliceBars), catalog: 'full', overrides: HOUSEKEEPING });
  const keptRate = perSec(kept.barEvents, kept.ms);
  printTable('backtest: bar events per second on one thread, 20 PM instruments, 1-minute bars', [
    { case: 'raw bar stream (generator, sync)', 'bar events': fmt(50_000 * SYMBOLS.length), 'events/s': fmt(stream.sync), note: 'no engine' },
    { case: 'raw bar stream (async iteration)', 'bar events': fmt(50_000 * SYMBOLS.length), 'events/s': fmt(stream.async), note: 'what the engine reads: the baseline' },
    { case: 'engine alone (strategies do nothing)', 'bar events': fmt(idle.barEvents), 'events/s': fmt(idleRate), note: `${round(stream.async / idleRate, 1)}x the stream's time per event` },
    { case: 'full catalog, allocator and risk on', 'bar events': fmt(full.barEvents), 'events/s': fmt(fullRate), note: `first quarter ${fmt(fullQ.first)}/s, last quarter ${fmt(fullQ.last)}/s; ${full.counts.fills} fills` },
    { case: 'full catalog, protective stops and limit time limits on', 'bar events': fmt(kept.barEvents), 'events/s': fmt(keptRate), note: `${round(keptRate / fullRate, 2)}x the full catalog's rate; ${kept.counts.fills} fills` },
    { case: 'anchor: LEAN, empty algorithm, minute bars (C#)', 'bar events': '', 'events/s': '200,000-240,000', note: 'published' },
    { case: 'anchor: backtrader (CPython)', 'bar events': '', 'events/s': '~15,000', note: 'published' },
  ]);

  // 3. A sweep: N identical tasks on W threads against the same on one.
  const sweepHistory = history(400);
  const sweepN = 4 * sweepThreads;
  const s1 = await sweep(1, sweepN, sweepHistory);
  const sw = await sweep(sweepThreads, sweepN, sweepHistory);
  const t1 = s1.ms;
  const tw = sw.ms;
  const efficiency = t1 / tw / sweepThreads;
  printTable(`backtest: sweep of ${sweepN} identical tasks (full catalog, ${fmt(400 * SYMBOLS.length)} bar events each) on the research pool (piscina)`, [
    { pool: '1 thread', 'wall ms': round(t1, 0), speedup: 1, 'efficiency per worker': '', 'CPU got / cores': `${round(s1.cpu * 100, 0)} %` },
    { pool: `${sweepThreads} threads`, 'wall ms': round(tw, 0), speedup: round(t1 / tw, 2), 'efficiency per worker': `${round(efficiency * 100, 1)} %`, 'CPU got / cores': `${round(sw.cpu * 100, 0)} %` },
  ]);
  // The pool shares the machine: when other processes take cores, the threads get less than theirs and the efficiency falls with it.
  console.log(`machine: ${availableParallelism()} cores, load average (1 min) ${round(loadavg()[0]!, 2)}; 'CPU got' near 100 % means the threads had their cores`);

  // 4-5. Ten years, and memory as history grows (the engine alone; each in a process of its own).
  const mem: { label: string; kind: CatalogKind; r: TaskResult }[] = [];
  for (const [label, bars] of [
    ['1x (1/16 of ten years)', TEN_YEARS / 16],
    ['4x', TEN_YEARS / 4],
    ['16x (ten years)', TEN_YEARS],
  ] as const) {
    mem.push({ label, kind: 'idle', r: await inChild({ history: history(Math.round(bars)), catalog: 'idle', sampleEvery: 100_000 }) });
  }
  if (FULL) {
    console.log(`QGTM_BENCH_BACKTEST_FULL=1: the full catalog over ten years (${fmt(tenYearEvents)} bar events); at the slice's growth that is about ${round(fullExtra.fittedS / 3600, 0)} hours`);
  }
  if (FULL) mem.push({ label: 'ten years, full catalog', kind: 'full', r: await inChild({ history: history(TEN_YEARS), catalog: 'full', sampleEvery: 100_000 }) });
  const ten = mem[2]!.r;
  const heapRatio = ten.peakHeapUsed / mem[0]!.r.peakHeapUsed;
  const rows = mem.map(({ label, kind, r }) => ({
    run: `${label}, ${kind === 'idle' ? 'engine alone' : 'full catalog'}`,
    'bar events': fmt(r.barEvents),
    's': round(r.ms / 1000, 1),
    'events/s': fmt(perSec(r.barEvents, r.ms)),
    'peak heap MB': mb(r.peakHeapUsed),
    'retained heap MB': mb(r.retainedHeap),
    'peak RSS MB': mb(r.peakRss),
  }));
  rows.push({
    run: `ten years, full catalog: ${SLICE * 100} % slice${FULL ? '' : ' (set QGTM_BENCH_BACKTEST_FULL=1 for all of it)'}`,
    'bar events': fmt(full.barEvents),
    's': round(full.ms / 1000, 1),
    'events/s': fmt(fullRate),
    'peak heap MB': mb(full.peakHeapUsed),
    'retained heap MB': mb(full.retainedHeap),
    'peak RSS MB': mb(full.peakRss),
  });
  printTable('backtest: ten years of 1-minute bars, 20 instruments, one thread; memory as history grows', rows);
  console.log(
    `full catalog over ten years, extrapolated from the slice: ${fmt(fullExtra.linearS)} s at the slice's mean rate; ` +
      `${fmt(fullExtra.fittedS)} s (${round(fullExtra.fittedS / 86_400, 1)} days) with time per event growing as in the slice (linear fit)`,
  );

  const targets: TargetRow[] = [
    { target: 'full catalog bar events/s', measured: `${fmt(fullRate)}/s vs 250,000`, ratio: fullRate / 250_000, op: '>=', bound: 1 },
    { target: 'engine alone bar events/s', measured: `${fmt(idleRate)}/s vs 1,000,000`, ratio: idleRate / 1_000_000, op: '>=', bound: 1 },
    { target: 'full catalog with stops and time limits / without', measured: `${fmt(keptRate)}/s / ${fmt(fullRate)}/s`, ratio: keptRate / fullRate, op: '>=', bound: 0.8 },
    { target: 'sweep efficiency per worker', measured: `(${round(t1, 0)} / ${round(tw, 0)}) / ${sweepThreads}`, ratio: efficiency, op: '>=', bound: 0.85 },
    { target: 'peak heap 16x history / 1x (engine alone)', measured: `${mb(ten.peakHeapUsed)} MB / ${mb(mem[0]!.r.peakHeapUsed)} MB`, ratio: heapRatio, op: '<=', bound: 1.5 },
  ];
  printTargets('backtest: targets (ratios measured in this run)', targets);

  const figures = {
    stream_events_per_s: round(stream.async, 0),
    stream_sync_events_per_s: round(stream.sync, 0),
    engine_alone_events_per_s: target(idleRate, '>=', 1_000_000),
    engine_over_stream_time: round(stream.async / idleRate, 2),
    full_catalog_events_per_s: target(fullRate, '>=', 250_000),
    full_catalog_first_quarter_per_s: round(fullQ.first, 0),
    full_catalog_last_quarter_per_s: round(fullQ.last, 0),
    full_catalog_bar_events: full.barEvents,
    housekeeping_events_per_s: round(keptRate, 0),
    housekeeping_over_full: target(keptRate / fullRate, '>=', 0.8),
    sweep_threads: sweepThreads,
    sweep_tasks: sweepN,
    sweep_t1_ms: round(t1, 0),
    sweep_tw_ms: round(tw, 0),
    sweep_efficiency: target(efficiency, '>=', 0.85),
    sweep_cpu_share: { one: round(s1.cpu, 2), pool: round(sw.cpu, 2) },
    ten_years_engine_alone: { bar_events: ten.barEvents, s: round(ten.ms / 1000, 1), peak_heap_mb: mb(ten.peakHeapUsed), peak_rss_mb: mb(ten.peakRss) },
    ten_years_full_catalog: FULL
      ? { bar_events: mem[3]!.r.barEvents, s: round(mem[3]!.r.ms / 1000, 1), peak_heap_mb: mb(mem[3]!.r.peakHeapUsed), peak_rss_mb: mb(mem[3]!.r.peakRss) }
      : { extrapolated: true, slice: SLICE, linear_s: round(fullExtra.linearS, 0), fitted_s: round(fullExtra.fittedS, 0), slice_peak_heap_mb: mb(full.peakHeapUsed) },
    heap_mb_by_history: Object.fromEntries(mem.slice(0, 3).map(({ label, r }) => [label.split(' ')[0], mb(r.peakHeapUsed)])),
    heap_16x_over_1x: target(heapRatio, '<=', 1.5),
    anchors: { lean_points_per_s: '200000-240000', backtrader_candles_per_s: 15000 },
  };
  printFigures('backtest', figures);
  return figures;
}
