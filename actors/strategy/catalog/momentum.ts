/** Momentum family: time-series momentum on bar history. */
import type { MarketViewReader } from '../market-view.js';
import type { Signal } from '../signal.js';
import { returnStd, sign, squash } from '../math.js';
import { confidenceOf, count, makeSignal, num, type Params, type StrategyDef } from '../strategy.js';

export interface TsmomParams extends Params {
  /** Bars back to the start of the formation window. */
  readonly lookback: number;
  /** Most recent bars left out (the "-1" of 12-1), which tend to reverse. */
  readonly skip: number;
  /** |t| below this is no edge: flat. */
  readonly minT: number;
  readonly scoreScale: number;
  readonly horizonBars: number;
}

interface TsmomSpec {
  readonly id: string;
  readonly thesis: string;
  readonly instruments: readonly string[];
  readonly params: TsmomParams;
}

/**
 * Time-series momentum: the log return from `lookback` bars ago to `skip`
 * bars ago, divided by its standard error (bar return sigma times
 * sqrt(lookback - skip)): a t-statistic of drift. Its sign is the direction.
 */
export function tsmomStrategy(spec: TsmomSpec): StrategyDef<TsmomParams> {
  return {
    id: spec.id,
    family: 'momentum',
    thesis: spec.thesis,
    params: spec.params,
    instruments: spec.instruments,
    macro: [],
    trigger: 'bar',
    perInstrument: true,
    evaluate(view: MarketViewReader, p: TsmomParams, _now: number, only?: readonly string[]): Signal[] {
      const lookback = count(p, 'lookback', 2);
      const skip = count(p, 'skip', 0);
      if (skip >= lookback) throw new RangeError(`skip ${skip} must be below lookback ${lookback}`);
      const minT = num(p, 'minT');
      const scale = num(p, 'scoreScale');
      const out: Signal[] = [];
      for (const sym of only ?? spec.instruments) {
        const s = view.bars(sym);
        const n = s.length;
        if (n < lookback + 1) continue;
        const end = n - 1;
        const r = Math.log(s.close(end - skip) / s.close(end - lookback));
        const sigma = Math.max(returnStd(s, lookback), 1e-9);
        const t = r / (sigma * Math.sqrt(lookback - skip));
        const dir = Math.abs(t) < minT ? 0 : sign(t);
        const strength = squash(t, scale);
        out.push(makeSignal(spec.id, sym, dir, strength, confidenceOf(1, squash(t, 2)), count(p, 'horizonBars') * s.intervalMs, s.ts(end),
          `${lookback}-${skip} bar return ${(r * 100).toFixed(2)}%, t=${t.toFixed(2)}`));
      }
      return out;
    },
  };
}

export const tsmom12_1 = tsmomStrategy({
  id: 'tsmom_12_1',
  thesis: 'Past returns of metals persist (time-series momentum, 12-1 style): lean with the sign of the long formation return, skipping the most recent stretch.',
  instruments: ['GLD', 'SLV', 'GDX', 'PPLT', 'PALL'],
  params: { lookback: 252, skip: 21, minT: 0.25, scoreScale: 1.5, horizonBars: 21 },
});

export const tsmomShort = tsmomStrategy({
  id: 'tsmom_3_0',
  thesis: 'Shorter-horizon momentum in miners: the last quarter of bars predicts the next month of bars.',
  instruments: ['GDX', 'GDXJ', 'SIL', 'SILJ'],
  params: { lookback: 63, skip: 0, minT: 0.5, scoreScale: 1.5, horizonBars: 10 },
});

export const MOMENTUM_STRATEGIES = [tsmom12_1, tsmomShort] as const;
