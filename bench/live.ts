/**
 * live: tick-to-intent as the running product measures it. Starts the real
 * all-in-one (`qgtm start`: the embedded paper venue, the daemon, the
 * gateway) as a child process on a free port, in a temporary directory with
 * its own journal and venue data (`--fresh`), so it never touches var/;
 * waits until `qgtm_tick_to_intent_seconds_count` on /metrics reaches N
 * samples; reads the histogram and reports its p50/p90/p99, interpolated
 * within the buckets (as Prometheus' histogram_quantile does), and the mean
 * (sum / count, exact).
 *
 * Target (issue 12): live p50 <= 2 x the tick-to-intent suite's actors p50,
 * taken from that suite when it ran earlier in the same `bench` invocation,
 * else from a short run of the same actor pipeline here (split placement).
 *
 * Knobs: QGTM_BENCH_LIVE_SAMPLES (default 30), QGTM_BENCH_LIVE_TIMEOUT_S
 * (default 600, from launch to the last sample), QGTM_BENCH_LIVE_PIPELINE_TICKS
 * (default 1000, the short pipeline run).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { freePort } from '../src/net/free-port.js';
import { printFigures, printTable, printTargets, round, sharedFigures } from './lib/report.js';

const METRIC = 'qgtm_tick_to_intent_seconds';
const SAMPLES = Number(process.env.QGTM_BENCH_LIVE_SAMPLES ?? 30);
// Approvals come in bursts at rebalances: about 5 a minute on the embedded venue (2026-12-04), so 30 take ~6 min.
const TIMEOUT_MS = Number(process.env.QGTM_BENCH_LIVE_TIMEOUT_S ?? 600) * 1000;
const PIPELINE_TICKS = Number(process.env.QGTM_BENCH_LIVE_PIPELINE_TICKS ?? 1000);
const BIN = fileURLToPath(new URL('../../bin/qgtm.js', import.meta.url));

export interface Histogram {
  /** Cumulative counts by upper bound, ascending; the last bound is Infinity. */
  readonly buckets: readonly { readonly le: number; readonly count: number }[];
  readonly sum: number;
  readonly count: number;
}

/** The histogram `name` from a Prometheus exposition, summed over its label sets. */
export function parseHistogram(text: string, name: string): Histogram | null {
  const byLe = new Map<number, number>();
  let sum = 0;
  let count = 0;
  let seen = false;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const m = /^(\S+?)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m) continue;
    const value = Number(m[3]);
    if (m[1] === `${name}_bucket`) {
      const le = /(?:^|,)le="([^"]+)"/.exec(m[2] ?? '')?.[1];
      if (le === undefined) continue;
      const bound = le === '+Inf' ? Infinity : Number(le);
      byLe.set(bound, (byLe.get(bound) ?? 0) + value);
      seen = true;
    } else if (m[1] === `${name}_sum`) sum += value;
    else if (m[1] === `${name}_count`) count += value;
  }
  if (!seen) return null;
  const buckets = [...byLe].sort((a, b) => a[0] - b[0]).map(([le, c]) => ({ le, count: c }));
  return { buckets, sum, count };
}

/** The q-quantile (0..1) by linear interpolation within the bucket that holds it; the last finite bound when it is in +Inf. */
export function quantile(h: Histogram, q: number): number {
  if (h.count === 0) return NaN;
  const rank = q * h.count;
  let lower = 0;
  let below = 0;
  for (const b of h.buckets) {
    if (b.count >= rank) {
      if (b.le === Infinity) return lower;
      const inBucket = b.count - below;
      return inBucket === 0 ? b.le : lower + ((b.le - lower) * (rank - below)) / inBucket;
    }
    lower = b.le;
    below = b.count;
  }
  return lower;
}


const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface LiveRun {
  readonly histogram: Histogram;
  readonly waitedS: number;
  readonly startupS: number;
}

/** Runs `qgtm start` until the histogram holds `samples` samples; always stops it and removes its directory. */
async function sampleLive(samples: number): Promise<LiveRun> {
  const dir = mkdtempSync(join(tmpdir(), 'qgtm-bench-live-'));
  const port = await freePort();
  const t0 = Date.now();
  const child = spawn(process.execPath, [BIN, 'start', '--http-port', String(port), '--fresh'], {
    // cwd in the temporary directory too: any relative path the product writes stays there.
    cwd: dir,
    env: { ...process.env, QGTM_JOURNAL_DIR: join(dir, 'journal'), QGTM_VENUE_DATA_DIR: join(dir, 'venue'), QGTM_LOG_LEVEL: process.env.QGTM_LOG_LEVEL ?? 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  for (const s of [child.stdout, child.stderr]) createInterface({ input: s }).on('line', (l) => lines.push(l));
  let exit: string | null = null;
  const exited = new Promise<void>((r) => child.once('exit', (code, signal) => ((exit = `exit code ${code ?? signal}`), r())));
  // The operator token line is left out: a failure message gets pasted around.
  const fail = (why: string): Error => new Error(`live: ${why}\nlast output of qgtm start:\n${lines.filter((l) => !/token/i.test(l)).slice(-30).join('\n')}`);
  try {
    while (!lines.some((l) => l.startsWith('qgtm is running'))) {
      if (exit) throw fail(`qgtm start ended before it was running (${exit})`);
      if (Date.now() - t0 > TIMEOUT_MS) throw fail(`qgtm start was not running after ${TIMEOUT_MS / 1000} s`);
      await sleep(100);
    }
    const startupS = (Date.now() - t0) / 1000;
    const url = `http://127.0.0.1:${port}/metrics`;
    let last: Histogram | null = null;
    let reported = Date.now();
    for (;;) {
      if (exit) throw fail(`qgtm start ended while sampling (${exit})`);
      const res = await fetch(url);
      if (res.status !== 200) throw fail(`GET /metrics answered ${res.status}`);
      last = parseHistogram(await res.text(), METRIC);
      if (last && last.count >= samples) return { histogram: last, waitedS: (Date.now() - t0) / 1000, startupS };
      if (Date.now() - t0 > TIMEOUT_MS) {
        throw fail(`${METRIC}_count reached ${last?.count ?? 'nothing (the metric is not exposed)'} of ${samples} samples in ${TIMEOUT_MS / 1000} s (QGTM_BENCH_LIVE_TIMEOUT_S, QGTM_BENCH_LIVE_SAMPLES)`);
      }
      if (Date.now() - reported >= 15_000) {
        reported = Date.now();
        console.log(`live: ${last?.count ?? 0} of ${samples} samples after ${Math.round((Date.now() - t0) / 1000)} s`);
      }
      await sleep(1000);
    }
  } finally {
    // SIGINT: the product's own orderly stop; killed if it does not end within 20 s.
    if (!exit) {
      child.kill('SIGINT');
      const t = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(t);
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function run(): Promise<Record<string, unknown>> {
  if (!Number.isInteger(SAMPLES) || SAMPLES < 1) throw new Error('QGTM_BENCH_LIVE_SAMPLES must be a positive integer');
  if (!(TIMEOUT_MS > 0)) throw new Error('QGTM_BENCH_LIVE_TIMEOUT_S must be a positive number of seconds');
  const live = await sampleLive(SAMPLES);
  const h = live.histogram;
  let actorsP50 = sharedFigures.tickToIntentActorsP50Us;
  let actorsFrom = `the tick-to-intent suite of this invocation (${sharedFigures.tickToIntentPlacement ?? '?'} placement)`;
  if (actorsP50 === undefined) {
    // Not run before this one: the same actor pipeline, shorter.
    const { actorPath } = await import('./tick-to-intent.js');
    const r = await actorPath('trading', 'split', PIPELINE_TICKS);
    const sorted = Float64Array.from(r.samples).sort();
    actorsP50 = sorted[Math.max(0, Math.ceil(sorted.length / 2) - 1)] ?? NaN;
    actorsFrom = `a ${PIPELINE_TICKS}-tick run of the tick-to-intent actor pipeline here (split placement)`;
  }
  const us = (s: number): number => round(s * 1e6, 1);
  const p50 = quantile(h, 0.5);
  printTable(`live: qgtm start (embedded venue), ${METRIC} after ${h.count} samples (${round(live.waitedS, 1)} s from launch, running after ${round(live.startupS, 1)} s); quantiles interpolated within histogram buckets`, [
    { figure: 'p50 µs', value: us(p50) },
    { figure: 'p90 µs', value: us(quantile(h, 0.9)) },
    { figure: 'p99 µs', value: us(quantile(h, 0.99)) },
    { figure: 'mean µs (sum / count, exact)', value: us(h.sum / h.count) },
    { figure: `actors p50 µs, from ${actorsFrom}`, value: round(actorsP50, 1) },
  ]);
  const ratio = (p50 * 1e6) / actorsP50;
  printTargets('live target (issue 12)', [{ target: 'live: qgtm_tick_to_intent_seconds p50 / actors p50', measured: `${us(p50)} / ${round(actorsP50, 1)} µs`, ratio, op: '<=', bound: 2 }]);
  const figures = {
    samples: h.count,
    waited_s: round(live.waitedS, 1),
    p50_us: us(p50),
    p90_us: us(quantile(h, 0.9)),
    p99_us: us(quantile(h, 0.99)),
    mean_us: us(h.sum / h.count),
    quantiles: 'interpolated within histogram buckets',
    buckets: h.buckets.map((b) => [b.le === Infinity ? '+Inf' : b.le, b.count]),
    actors_p50_us: round(actorsP50, 1),
    actors_p50_from: actorsFrom,
    live_p50_over_actors_p50: { value: round(ratio), target: '<= 2', met: ratio <= 2 },
  };
  printFigures('live', figures);
  return figures;
}
