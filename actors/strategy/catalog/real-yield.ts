/** Real-yield family: gold as a zero-coupon real asset priced against real rates. */
import type { MarketViewReader } from '../market-view.js';
import type { Signal } from '../signal.js';
import { DAY_MS, ols, sign, squash } from '../math.js';
import { confidenceOf, count, makeSignal, num, type Params, type StrategyDef } from '../strategy.js';
import { ageFactor, macroChangeStrategy } from './macro-change.js';

/** 10-year TIPS yield (FRED DFII10): falling real yields are bullish for gold. */
export const realYieldRegime = macroChangeStrategy({
  id: 'real_yield_regime',
  family: 'real_yield',
  thesis: 'Gold pays no coupon, so its opportunity cost is the real yield: an unusual fall in the 10y TIPS yield lifts gold and miners, a rise weighs on them.',
  seriesId: 'DFII10',
  sign: -1,
  instruments: ['GLD', 'GDX'],
  params: { changeObs: 20, historyObs: 500, minObs: 120, deadbandZ: 0.5, scoreScale: 1.5, horizonDays: 20, maxAgeDays: 10 },
});

/** 10-year breakeven inflation (FRED T10YIE): rising expected inflation is bullish for gold. */
export const breakevenRegime = macroChangeStrategy({
  id: 'breakeven_regime',
  family: 'real_yield',
  thesis: 'Rising breakeven inflation lowers real yields for a given nominal yield and raises demand for inflation hedges: lean long gold and silver.',
  seriesId: 'T10YIE',
  sign: 1,
  instruments: ['GLD', 'SLV'],
  params: { changeObs: 20, historyObs: 500, minObs: 120, deadbandZ: 0.5, scoreScale: 1.5, horizonDays: 20, maxAgeDays: 10 },
});

export interface FairValueParams extends Params {
  /** Days (daily closes) the fair-value line is fitted on, before the current day. */
  readonly fitDays: number;
  /** Fewer fitted days than this: no signal. */
  readonly minDays: number;
  /** |residual z| at or above this: gold is rich (cheap) against its real-yield fair value. */
  readonly entryZ: number;
  readonly scoreScale: number;
  readonly horizonDays: number;
  readonly maxAgeDays: number;
}

const FV_ID = 'gold_real_yield_fair_value';

/** GLD's last close of each UTC day, oldest first. */
function dailyCloses(view: MarketViewReader, sym: string): { date: string; close: number }[] {
  const bars = view.bars(sym);
  const out: { date: string; close: number }[] = [];
  for (let i = 0; i < bars.length; i++) {
    const date = new Date(bars.ts(i)).toISOString().slice(0, 10);
    if (out.length > 0 && out[out.length - 1]!.date === date) out[out.length - 1] = { date, close: bars.close(i) };
    else out.push({ date, close: bars.close(i) });
  }
  return out;
}

/**
 * A level model, where real_yield_regime reads changes: gold's log price
 * against the 10-year TIPS yield (FRED DFII10). Each day's GLD close (the
 * last bar of its UTC date) is paired with the yield on or before that date;
 * `log(close) = a + b x yield` is fitted by least squares on the `fitDays`
 * days before today, and today's residual, scaled by the fit's residual
 * deviation, says how far gold stands from the value real yields give it:
 * rich (z >= entryZ) short, cheap (z <= -entryZ) long, else flat. A fitted
 * b >= 0 means the relation does not hold on this history: flat, with the
 * reason. A daily strategy: it needs `minDays` distinct days of bars, which
 * 1-minute bars in a ring of hundreds never hold, so on them it stays
 * silent.
 */
export const goldRealYieldFairValue: StrategyDef<FairValueParams> = {
  id: FV_ID,
  family: 'real_yield',
  thesis: 'Gold\'s price level has tracked the inverse of the 10-year real yield (Erb and Harvey 2013, "The Golden Dilemma"): when gold stands far above (below) the value the real yield gives it on the recent fit, it tends to come back toward it.',
  params: { fitDays: 250, minDays: 60, entryZ: 1.5, scoreScale: 2, horizonDays: 20, maxAgeDays: 10 },
  instruments: ['GLD'],
  macro: ['DFII10'],
  trigger: 'bar',
  evaluate(view: MarketViewReader, p: FairValueParams, now: number): Signal[] {
    const fitDays = count(p, 'fitDays', 3);
    const minDays = Math.max(count(p, 'minDays', 3), 3);
    const entryZ = num(p, 'entryZ');
    const ry = view.series('DFII10');
    if (!ry || ry.values.length === 0) return [];
    const days = dailyCloses(view, 'GLD');
    // Each day's yield: the observation on or before its date.
    const x: number[] = [];
    const y: number[] = [];
    let j = -1;
    for (const d of days) {
      while (j + 1 < ry.dates.length && ry.dates[j + 1]! <= d.date) j++;
      if (j < 0) continue;
      x.push(ry.values[j]!);
      y.push(Math.log(d.close));
    }
    const n = Math.min(x.length - 1, fitDays);
    if (n < minDays) return [];
    const fx = Float64Array.from(x.slice(x.length - 1 - n, x.length - 1));
    const fy = Float64Array.from(y.slice(y.length - 1 - n, y.length - 1));
    const { alpha, beta } = ols(fx, fy);
    let ss = 0;
    for (let i = 0; i < n; i++) ss += (fy[i]! - alpha - beta * fx[i]!) ** 2;
    const sd = Math.sqrt(ss / (n - 2));
    if (!(sd > 1e-12)) return [];
    const xNow = x[x.length - 1]!;
    const yNow = y[y.length - 1]!;
    const z = (yNow - alpha - beta * xNow) / sd;
    const holds = beta < 0;
    const dir = holds && Math.abs(z) >= entryZ ? sign(-z) : 0;
    const last = ry.dates[ry.dates.length - 1]!;
    const fair = Math.exp(alpha + beta * xNow);
    const conf = confidenceOf(Math.min(1, n / fitDays), dir === 0 ? 0 : squash(z, 2 * entryZ)) * ageFactor(last, now, num(p, 'maxAgeDays'));
    const g = view.bars('GLD');
    const why = holds
      ? `GLD ${Math.exp(yNow).toFixed(2)} vs fair ${fair.toFixed(2)} at DFII10 ${xNow.toFixed(2)}% (${(beta * 100).toFixed(1)}% per point over ${n} days), residual z=${z.toFixed(2)}${dir === 0 ? '' : dir < 0 ? ': rich, short' : ': cheap, long'}`
      : `relation broken: GLD rose with DFII10 over ${n} days (${(beta * 100).toFixed(1)}% per point), no fair value`;
    return [makeSignal(FV_ID, 'GLD', dir, squash(z, num(p, 'scoreScale')), conf, num(p, 'horizonDays') * DAY_MS, g.ts(g.length - 1), why)];
  },
};

export const REAL_YIELD_STRATEGIES = [realYieldRegime, breakevenRegime, goldRealYieldFairValue] as const;
