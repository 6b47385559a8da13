/**
 * Relative value: one PM instrument priced off another through a measured
 * sensitivity (beta) rather than a mean-reverting spread (those are in
 * spread.ts / pairs.ts).
 */
import type { MarketViewReader } from '../market-view.js';
import type { Signal } from '../signal.js';
import { alignedLogCloses, clamp, ols, returnStd, sign, squash } from '../math.js';
import { confidenceOf, count, makeSignal, num, type Params, type StrategyDef } from '../strategy.js';

export interface MinersLeverageParams extends Params {
  /** Bars of gold (GLD) returns in its trend t-statistic. */
  readonly trendBars: number;
  /** Joint bars of returns the miner's beta to gold is fitted on. */
  readonly betaBars: number;
  /** |gold trend t| at or above this: the trend is established. */
  readonly entryT: number;
  /** Minimum measured beta to gold for the miner to count as leveraged. */
  readonly minLeverage: number;
  readonly horizonBars: number;
}

const ML_ID = 'miners_operating_leverage';
const ML_INSTRUMENTS = ['GDX', 'GDXJ'] as const;

/** Gold's trend t-statistic: the summed log return over `n` bars against its random-walk deviation. */
export function trendT(view: MarketViewReader, sym: string, n: number): number | null {
  const s = view.bars(sym);
  const last = s.length - 1;
  if (s.length < n + 1) return null;
  const vol = returnStd(s, n, last) * Math.sqrt(n);
  return vol > 0 ? Math.log(s.close(last) / s.close(last - n)) / vol : 0;
}

/** OLS beta of `y`'s log returns on `x`'s over the newest `n` joint returns; null with fewer. */
export function returnBeta(view: MarketViewReader, x: string, y: string, n: number): number | null {
  const j = alignedLogCloses(view.bars(x), view.bars(y), n + 1);
  if (j.n < n + 1) return null;
  const rx = new Float64Array(n);
  const ry = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    rx[k] = j.a[k + 1] - j.a[k];
    ry[k] = j.b[k + 1] - j.b[k];
  }
  return ols(rx, ry).beta;
}

/**
 * Follows gold's established trend (|t| >= entryT over trendBars of GLD) in
 * the miners, but only in a miner whose measured return beta to GLD is at
 * least `minLeverage`; strength grows with that beta. GLD is read through
 * view.bars('GLD') as an input and is not listed in `instruments` (which
 * holds only what it trades), so the shard re-evaluates it on GDX/GDXJ bars
 * only; a GLD bar alone does not trigger it.
 */
export const minersOperatingLeverage: StrategyDef<MinersLeverageParams> = {
  id: ML_ID,
  family: 'relative_value',
  thesis: 'Miners earn the metal price less roughly fixed all-in sustaining costs, so their profits and shares move as a leveraged bet on gold (operating leverage; Tufano 1998 on gold-miner exposures): ride an established gold trend in the miners whose measured beta confirms the leverage.',
  params: { trendBars: 60, betaBars: 120, entryT: 1.5, minLeverage: 1.2, horizonBars: 10 },
  instruments: ML_INSTRUMENTS,
  macro: [],
  trigger: 'bar',
  perInstrument: true,
  evaluate(view: MarketViewReader, p: MinersLeverageParams, _now: number, only?: readonly string[]): Signal[] {
    const trendBars = count(p, 'trendBars', 2);
    const betaBars = count(p, 'betaBars', 2);
    const entryT = num(p, 'entryT');
    const minLev = num(p, 'minLeverage');
    if (!(entryT > 0 && minLev > 0)) throw new RangeError(`need entryT > 0 and minLeverage > 0, got ${entryT} and ${minLev}`);
    const horizon = count(p, 'horizonBars');
    const t = trendT(view, 'GLD', trendBars);
    if (t === null) return [];
    const out: Signal[] = [];
    for (const sym of only ?? ML_INSTRUMENTS) {
      const beta = returnBeta(view, 'GLD', sym, betaBars);
      if (beta === null) continue;
      const s = view.bars(sym);
      const established = Math.abs(t) >= entryT;
      const leveraged = beta >= minLev;
      const dir = established && leveraged ? sign(t) : 0;
      const strength = clamp(beta / (2 * minLev), 0.5, 1);
      const why = `gold trend t=${t.toFixed(2)}${established ? '' : ' (not established)'}, ${sym} beta to GLD ${beta.toFixed(2)}${leveraged ? '' : ` below ${minLev}`}`;
      out.push(makeSignal(ML_ID, sym, dir, strength, confidenceOf(1, dir === 0 ? 0 : squash(t, 2 * entryT)), horizon * s.intervalMs, s.ts(s.length - 1), why));
    }
    return out;
  },
};

export const RELATIVE_VALUE_STRATEGIES = [minersOperatingLeverage] as const;
