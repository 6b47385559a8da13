/**
 * Shared math for regime strategies on a FRED series: the change over
 * `changeObs` observations, standardised by the spread of such changes in
 * recent history, is a z-score of how unusual the move is. `sign` says
 * whether a rise is good (+1) or bad (-1) for the instruments.
 */
import type { MarketViewReader } from '../market-view.js';
import type { Signal } from '../signal.js';
import { DAY_MS, dateMs, sign, squash, std } from '../math.js';
import { confidenceOf, count, makeSignal, num, type Family, type Params, type StrategyDef } from '../strategy.js';

export interface MacroChangeParams extends Params {
  readonly changeObs: number;
  /** Observations of history the change is compared with. */
  readonly historyObs: number;
  /** Fewer observations than this: no signal. */
  readonly minObs: number;
  /** |z| below this: flat. */
  readonly deadbandZ: number;
  readonly scoreScale: number;
  readonly horizonDays: number;
  /** Older last observation than this halves confidence (the source has stalled). */
  readonly maxAgeDays: number;
}

export interface MacroChangeSpec {
  readonly id: string;
  readonly family: Family;
  readonly thesis: string;
  readonly seriesId: string;
  readonly sign: 1 | -1;
  readonly instruments: readonly string[];
  readonly params: MacroChangeParams;
}

/** 1 when the last observation is recent, 0.5 when the source looks stalled. */
export function ageFactor(lastDate: string, now: number, maxAgeDays: number): number {
  return now - dateMs(lastDate) > maxAgeDays * DAY_MS ? 0.5 : 1;
}

/**
 * The change of `v` over its last `k` steps as a z-score: against the
 * spread of the overlapping k-step changes over the `hist` steps before the
 * current one. Null when there are no such changes or they do not vary.
 */
export function changeZ(v: ArrayLike<number>, k: number, hist: number): { delta: number; z: number; samples: number } | null {
  const n = v.length;
  if (n < k + 3) return null;
  const delta = v[n - 1] - v[n - 1 - k];
  const from = Math.max(k, n - 1 - hist);
  const changes = new Float64Array(n - 1 - from);
  for (let i = from; i < n - 1; i++) changes[i - from] = v[i] - v[i - k];
  const sd = std(changes);
  if (!(sd > 1e-12)) return null;
  return { delta, z: delta / sd, samples: changes.length };
}

export function macroChangeStrategy(spec: MacroChangeSpec): StrategyDef<MacroChangeParams> {
  return {
    id: spec.id,
    family: spec.family,
    thesis: spec.thesis,
    params: spec.params,
    instruments: spec.instruments,
    macro: [spec.seriesId],
    trigger: 'bar',
    evaluate(view: MarketViewReader, p: MacroChangeParams, now: number): Signal[] {
      const k = count(p, 'changeObs');
      const hist = count(p, 'historyObs', 2);
      const minObs = Math.max(count(p, 'minObs'), k + 3);
      const s = view.series(spec.seriesId);
      if (!s || s.values.length < minObs) return [];
      const c = changeZ(s.values, k, hist);
      if (!c) return [];
      const { delta, z } = c;
      const n = s.values.length;
      const score = spec.sign * z;
      const dir = Math.abs(z) < num(p, 'deadbandZ') ? 0 : sign(score);
      const strength = squash(z, num(p, 'scoreScale'));
      const last = s.dates[n - 1];
      const conf = confidenceOf(Math.min(1, c.samples / hist), squash(z, 2)) * ageFactor(last, now, num(p, 'maxAgeDays'));
      const horizonMs = num(p, 'horizonDays') * DAY_MS;
      const ts = dateMs(last);
      const why = `${spec.seriesId} ${delta >= 0 ? '+' : ''}${delta.toFixed(2)} over ${k} obs to ${last} (z=${z.toFixed(2)})`;
      return spec.instruments.map((sym) => makeSignal(spec.id, sym, dir, strength, conf, horizonMs, ts, why));
    },
  };
}
