/**
 * Pair mean reversion, shared by the ratio and spread families: the log
 * spread of two instruments (a fixed 1:1 log ratio, or the residual of an OLS
 * hedge of log A on log B fitted on the lookback window) is turned into a
 * z-score against its own window. Far above its mean, A is rich against B:
 * short A, long B; far below, the reverse. Strength ramps from 0 at `exitZ`
 * to 1 at `entryZ`, so the call fades out smoothly as the spread reverts.
 */
import type { MarketViewReader } from '../market-view.js';
import type { Signal } from '../signal.js';
import { alignedLogCloses, clamp, mean, ols, squash, std } from '../math.js';
import { confidenceOf, count, makeSignal, num, type Family, type Params, type StrategyDef } from '../strategy.js';

export interface PairParams extends Params {
  /** Bars in the lookback window. */
  readonly window: number;
  readonly entryZ: number;
  readonly exitZ: number;
  readonly horizonBars: number;
}

export interface PairSpec {
  readonly id: string;
  readonly family: Family;
  readonly thesis: string;
  readonly a: string;
  readonly b: string;
  /** 'ratio': spread = log A - log B. 'ols': spread = log A - (alpha + beta log B). */
  readonly hedge: 'ratio' | 'ols';
  readonly params: PairParams;
}

/** The z-score of the current spread, or null when data is insufficient or degenerate. */
export function pairZ(
  view: MarketViewReader,
  a: string,
  b: string,
  hedge: 'ratio' | 'ols',
  window: number,
): { z: number; beta: number; n: number; ts: number; intervalMs: number } | null {
  const A = view.bars(a);
  const B = view.bars(b);
  const al = alignedLogCloses(A, B, 2 * window + 1);
  const n = al.n;
  if (n < window + 1) return null;
  const from = n - 1 - window;
  const to = n - 1;
  let alpha = 0;
  let beta = 1;
  if (hedge === 'ols') ({ alpha, beta } = ols(al.b.subarray(from, to), al.a.subarray(from, to)));
  const spread = new Float64Array(window);
  for (let i = from; i < to; i++) spread[i - from] = al.a[i] - beta * al.b[i] - alpha;
  const sd = std(spread);
  if (!(sd > 1e-12)) return null;
  const z = (al.a[to] - beta * al.b[to] - alpha - mean(spread)) / sd;
  return { z, beta, n, ts: al.ts, intervalMs: A.intervalMs };
}

export function pairStrategy(spec: PairSpec): StrategyDef<PairParams> {
  const { id, a, b, hedge } = spec;
  return {
    id,
    family: spec.family,
    thesis: spec.thesis,
    params: spec.params,
    instruments: [a, b],
    macro: [],
    trigger: 'bar',
    evaluate(view: MarketViewReader, p: PairParams): Signal[] {
      const window = count(p, 'window', 10);
      const entryZ = num(p, 'entryZ');
      const exitZ = num(p, 'exitZ');
      if (!(exitZ >= 0 && exitZ < entryZ)) throw new RangeError(`need 0 <= exitZ < entryZ, got ${exitZ} and ${entryZ}`);
      const r = pairZ(view, a, b, hedge, window);
      if (!r) return [];
      const { z, beta, n, ts } = r;
      const strength = clamp((Math.abs(z) - exitZ) / (entryZ - exitZ));
      const dirA: -1 | 0 | 1 = strength > 0 ? (z > 0 ? -1 : 1) : 0;
      const conf = confidenceOf(n / (2 * window + 1), squash(z, entryZ));
      const horizonMs = count(p, 'horizonBars') * r.intervalMs;
      const label = hedge === 'ratio' ? `log(${a}/${b})` : `${a} vs ${beta.toFixed(2)}x ${b}`;
      const why = `${label} z=${z.toFixed(2)} over ${window} bars`;
      return [
        makeSignal(id, a, dirA, strength, conf, horizonMs, ts, `${why}: ${a} ${dirA > 0 ? 'cheap' : dirA < 0 ? 'rich' : 'fair'}`),
        makeSignal(id, b, dirA === 0 ? 0 : dirA > 0 ? -1 : 1, strength, conf, horizonMs, ts, why),
      ];
    },
  };
}
