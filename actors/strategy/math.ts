/**
 * Small numeric helpers for strategies. Index conventions follow BarSeries:
 * 0 is the oldest bar, `length - 1` the newest; `end` is inclusive.
 */
import type { BarSeries } from '../feed/bar-ring.js';

export const clamp = (x: number, lo = 0, hi = 1): number => (x < lo ? lo : x > hi ? hi : x);

/** tanh(|x| / scale): maps a score to 0..1, about 0.76 at one `scale`. */
export const squash = (x: number, scale: number): number => Math.tanh(Math.abs(x) / scale);

export const sign = (x: number): -1 | 0 | 1 => (x > 0 ? 1 : x < 0 ? -1 : 0);

export function mean(a: ArrayLike<number>, from = 0, to = a.length): number {
  let s = 0;
  for (let i = from; i < to; i++) s += a[i];
  return s / (to - from);
}

/** Sample standard deviation (n - 1); NaN below two values. */
export function std(a: ArrayLike<number>, from = 0, to = a.length): number {
  const n = to - from;
  if (n < 2) return NaN;
  const m = mean(a, from, to);
  let s = 0;
  for (let i = from; i < to; i++) s += (a[i] - m) * (a[i] - m);
  return Math.sqrt(s / (n - 1));
}

/** Mean of closes over the `n` bars ending at `end`. */
export function sma(s: BarSeries, n: number, end = s.length - 1): number {
  let sum = 0;
  for (let i = end - n + 1; i <= end; i++) sum += s.close(i);
  return sum / n;
}

/** Sample std of close-to-close log returns over the `n` returns ending at bar `end`. */
export function returnStd(s: BarSeries, n: number, end = s.length - 1): number {
  return std(logReturns(s, n, end));
}

/** The `n` close-to-close log returns ending at bar `end`, oldest first (needs `end - n >= 0`). */
export function logReturns(s: BarSeries, n: number, end = s.length - 1): Float64Array {
  const r = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const i = end - n + 1 + k;
    r[k] = Math.log(s.close(i) / s.close(i - 1));
  }
  return r;
}

/** True range of bar i (needs bar i - 1). */
export function trueRange(s: BarSeries, i: number): number {
  const pc = s.close(i - 1);
  return Math.max(s.high(i) - s.low(i), Math.abs(s.high(i) - pc), Math.abs(s.low(i) - pc));
}

/** Average true range over the `n` bars ending at `end` (simple mean, needs `end - n >= 0`). */
export function atr(s: BarSeries, n: number, end = s.length - 1): number {
  let sum = 0;
  for (let i = end - n + 1; i <= end; i++) sum += trueRange(s, i);
  return sum / n;
}

/** Highest high / lowest low over bars [from, to). */
export function highest(s: BarSeries, from: number, to: number): number {
  let h = -Infinity;
  for (let i = from; i < to; i++) if (s.high(i) > h) h = s.high(i);
  return h;
}
export function lowest(s: BarSeries, from: number, to: number): number {
  let l = Infinity;
  for (let i = from; i < to; i++) if (s.low(i) < l) l = s.low(i);
  return l;
}

/** Ordinary least squares y = alpha + beta * x over [0, n). */
export function ols(x: ArrayLike<number>, y: ArrayLike<number>, n = x.length): { alpha: number; beta: number } {
  const mx = mean(x, 0, n);
  const my = mean(y, 0, n);
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) * (x[i] - mx);
  }
  const beta = sxx > 0 ? sxy / sxx : 0;
  return { alpha: my - beta * mx, beta };
}

/** Share of `values` below x, ties counting half: 1 for a new maximum, 0 for a new minimum. */
export function percentileRank(values: ArrayLike<number>, x: number, from = 0, to = values.length): number {
  let below = 0;
  let equal = 0;
  for (let i = from; i < to; i++) {
    if (values[i] < x) below++;
    else if (values[i] === x) equal++;
  }
  return (below + equal / 2) / (to - from);
}

/**
 * Standard deviation, in units of the per-step shock, of SMA(fast) - SMA(slow)
 * for a random walk: the difference is a weighted sum of recent increments
 * with weight (slow-1-j)/slow - (fast-1-j)/fast on increment j steps back.
 * Dividing an MA gap by sigma times this turns it into a z-score under the
 * no-trend null.
 */
export function maGapStdFactor(fast: number, slow: number): number {
  let s = 0;
  for (let j = 0; j < slow - 1; j++) {
    const w = (slow - 1 - j) / slow - (j < fast - 1 ? (fast - 1 - j) / fast : 0);
    s += w * w;
  }
  return Math.sqrt(s);
}

/**
 * Log closes of two series at the timestamps both hold, oldest first, up to
 * the newest `max` matches. Walks back from the newest bar of each, so it
 * tolerates a bar missing on one side.
 */
export function alignedLogCloses(a: BarSeries, b: BarSeries, max: number): { a: Float64Array; b: Float64Array; n: number; ts: number } {
  const outA = new Float64Array(max);
  const outB = new Float64Array(max);
  let i = a.length - 1;
  let j = b.length - 1;
  let k = max;
  let ts = NaN;
  while (i >= 0 && j >= 0 && k > 0) {
    const ta = a.ts(i);
    const tb = b.ts(j);
    if (ta === tb) {
      k--;
      outA[k] = Math.log(a.close(i));
      outB[k] = Math.log(b.close(j));
      if (Number.isNaN(ts)) ts = ta;
      i--;
      j--;
    } else if (ta > tb) i--;
    else j--;
  }
  const n = max - k;
  return { a: outA.subarray(k), b: outB.subarray(k), n, ts };
}

/** Epoch ms of a YYYY-MM-DD date at 00:00 UTC. */
export function dateMs(date: string): number {
  return Date.parse(`${date}T00:00:00Z`);
}

export const DAY_MS = 86_400_000;
