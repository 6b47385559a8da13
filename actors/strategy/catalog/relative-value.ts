/**
 * Relative value: one PM instrument priced off another through a measured
 * sensitivity (beta) rather than a mean-reverting spread (those are in
 * spread.ts / pairs.ts).
 */
import type { MarketViewReader } from '../market-view.js';
import type { Signal } from '../signal.js';
import { alignedLogCloses, clamp, highest, ols, percentileRank, returnStd, sign, squash } from '../math.js';
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
 * least `minLeverage`; strength grows with that beta. GLD is an `input`:
 * read, never traded, and its bars re-evaluate the strategy too.
 */
export const minersOperatingLeverage: StrategyDef<MinersLeverageParams> = {
  id: ML_ID,
  family: 'relative_value',
  thesis: 'Miners earn the metal price less roughly fixed all-in sustaining costs, so their profits and shares move as a leveraged bet on gold (operating leverage; Tufano 1998 on gold-miner exposures): ride an established gold trend in the miners whose measured beta confirms the leverage.',
  params: { trendBars: 60, betaBars: 120, entryT: 1.5, minLeverage: 1.2, horizonBars: 10 },
  instruments: ML_INSTRUMENTS,
  inputs: ['GLD'],
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

export interface SilverBetaParams extends Params {
  /** Joint returns silver's beta to gold is fitted on, ending before the last moveBars. */
  readonly betaBars: number;
  /** Bars of the recent move: gold's trend and silver's residual are measured over them. */
  readonly moveBars: number;
  /** |gold trend t| over moveBars at or above this: gold is trending. */
  readonly entryT: number;
  /** Silver's lag behind its beta-implied move, in residual deviations, at or above which to trade the catch-up. */
  readonly lagZ: number;
  readonly horizonBars: number;
}

const SB_ID = 'silver_beta';
const SB_INSTRUMENTS = ['SLV', 'SIVR'] as const;

/**
 * Silver's beta to gold is fitted on the betaBars joint returns before the
 * last moveBars (so the move being judged does not fit its own beta). While
 * gold trends over moveBars (|t| >= entryT), silver's residual over the same
 * bars (its move less beta x gold's) scaled by the fit's residual deviation
 * x sqrt(moveBars) says whether it lagged: a lag of lagZ or more against
 * gold's direction trades the catch-up in gold's direction; silver that ran
 * ahead, or no gold trend, is flat. GLD is an `input` (read, not traded).
 */
export const silverBeta: StrategyDef<SilverBetaParams> = {
  id: SB_ID,
  family: 'relative_value',
  thesis: 'Silver moves as a high-beta version of gold (roughly 1.5-2x, the "poor man\'s gold" with industrial demand on top), so while gold trends a silver that has lagged its beta-implied move catches up: trade silver\'s residual lag in the direction of gold\'s trend.',
  params: { betaBars: 120, moveBars: 20, entryT: 1.5, lagZ: 1, horizonBars: 10 },
  instruments: SB_INSTRUMENTS,
  inputs: ['GLD'],
  macro: [],
  trigger: 'bar',
  perInstrument: true,
  evaluate(view: MarketViewReader, p: SilverBetaParams, _now: number, only?: readonly string[]): Signal[] {
    const betaBars = count(p, 'betaBars', 2);
    const moveBars = count(p, 'moveBars', 2);
    const entryT = num(p, 'entryT');
    const lagZ = num(p, 'lagZ');
    if (!(entryT > 0 && lagZ > 0)) throw new RangeError(`need entryT > 0 and lagZ > 0, got ${entryT} and ${lagZ}`);
    const horizon = count(p, 'horizonBars');
    const t = trendT(view, 'GLD', moveBars);
    if (t === null) return [];
    const out: Signal[] = [];
    for (const sym of only ?? SB_INSTRUMENTS) {
      const j = alignedLogCloses(view.bars('GLD'), view.bars(sym), betaBars + moveBars + 1);
      if (j.n < betaBars + moveBars + 1) continue;
      const rx = new Float64Array(betaBars);
      const ry = new Float64Array(betaBars);
      for (let k = 0; k < betaBars; k++) {
        rx[k] = j.a[k + 1] - j.a[k];
        ry[k] = j.b[k + 1] - j.b[k];
      }
      const { alpha, beta } = ols(rx, ry);
      let ss = 0;
      for (let k = 0; k < betaBars; k++) ss += (ry[k] - alpha - beta * rx[k]) ** 2;
      const dev = Math.sqrt(ss / Math.max(1, betaBars - 2)) * Math.sqrt(moveBars);
      const last = j.n - 1;
      const g = j.a[last] - j.a[last - moveBars];
      const resid = j.b[last] - j.b[last - moveBars] - beta * g;
      const z = dev > 0 ? resid / dev : 0;
      const trending = Math.abs(t) >= entryT;
      const lag = -sign(t) * z;
      const dir = trending && lag >= lagZ ? sign(t) : 0;
      const s = view.bars(sym);
      const why = `gold t=${t.toFixed(2)}${trending ? '' : ' (no trend)'}, ${sym} beta ${beta.toFixed(2)}, residual z=${z.toFixed(2)}${dir === 0 ? '' : ': lagging, catch-up'}`;
      out.push(makeSignal(SB_ID, sym, dir, squash(lag, 2 * lagZ), confidenceOf(1, dir === 0 ? 0 : squash(t, 2 * entryT)), horizon * s.intervalMs, s.ts(s.length - 1), why));
    }
    return out;
  },
};

export interface RoyaltyMinersParams extends Params {
  /** Bars of GLD returns in one realised-volatility estimate. */
  readonly volBars: number;
  /** Bars of volatility history the current one is ranked against. */
  readonly volHistory: number;
  /** Volatility percentile (0..1) at or above which the metal is stressed. */
  readonly highPct: number;
  /** Volatility percentile (0..1) at or below which it is calm. */
  readonly lowPct: number;
  /** Window of the drawdown (from the highest close) and of the trend t. */
  readonly ddBars: number;
  /** Drawdown fraction (0..1) at or beyond which the metal is stressed. */
  readonly maxDrawdown: number;
  readonly horizonBars: number;
}

const RM_ID = 'royalty_vs_miners';
const ROYALTIES = ['WPM', 'FNV', 'RGLD'] as const;
const OPERATORS = ['NEM', 'B', 'AEM'] as const;

/**
 * Rotation between royalty/streaming companies and operating miners on the
 * state of gold (GLD, an `input`: read, not traded):
 * stressed (GLD volatility percentile >= highPct or drawdown from its
 * ddBars high >= maxDrawdown): long royalties, short operators; calm uptrend
 * (percentile <= lowPct, gold's ddBars trend t > 0, drawdown under half the
 * limit): the reverse; otherwise flat. No signal until GLD has the history.
 */
export const royaltyVsMiners: StrategyDef<RoyaltyMinersParams> = {
  id: RM_ID,
  family: 'relative_value',
  thesis: 'Royalty and streaming companies (Wheaton, Franco-Nevada, Royal Gold) own a share of revenue without operating costs, so they hold up when metal prices fall or turn volatile while operators\' margins compress, and lag operators\' leverage in calm rallies: rotate toward royalties under stress and toward operators in calm uptrends.',
  params: { volBars: 20, volHistory: 120, highPct: 0.8, lowPct: 0.3, ddBars: 60, maxDrawdown: 0.08, horizonBars: 20 },
  instruments: [...ROYALTIES, ...OPERATORS],
  inputs: ['GLD'],
  macro: [],
  trigger: 'bar',
  perInstrument: false,
  evaluate(view: MarketViewReader, p: RoyaltyMinersParams): Signal[] {
    const volBars = count(p, 'volBars', 2);
    const hist = count(p, 'volHistory', 2);
    const ddBars = count(p, 'ddBars', 2);
    const lowPct = num(p, 'lowPct');
    const highPct = num(p, 'highPct');
    const maxDd = num(p, 'maxDrawdown');
    if (!(lowPct >= 0 && lowPct < highPct && highPct <= 1)) throw new RangeError(`need 0 <= lowPct < highPct <= 1, got ${lowPct} and ${highPct}`);
    if (!(maxDd > 0 && maxDd < 1)) throw new RangeError(`maxDrawdown must be a fraction in (0, 1), got ${maxDd}`);
    const horizon = count(p, 'horizonBars');
    const g = view.bars('GLD');
    const last = g.length - 1;
    if (g.length < Math.max(hist + volBars + 1, ddBars + 1)) return [];
    const vols = new Float64Array(hist + 1);
    for (let k = 0; k <= hist; k++) vols[k] = returnStd(g, volBars, last - hist + k);
    const pct = percentileRank(vols, vols[hist], 0, hist);
    const dd = 1 - g.close(last) / highest(g, last - ddBars + 1, last);
    const t = trendT(view, 'GLD', ddBars) ?? 0;
    const stressed = pct >= highPct || dd >= maxDd;
    const calmUp = !stressed && pct <= lowPct && t > 0 && dd < maxDd / 2;
    const tilt: -1 | 0 | 1 = stressed ? 1 : calmUp ? -1 : 0;
    const mag = stressed ? Math.max(clamp((pct - highPct) / (1 - highPct || 1)), clamp(dd / maxDd - 1)) : calmUp ? squash(t, 2) : 0;
    const why = `GLD vol percentile ${(pct * 100).toFixed(0)}, drawdown ${(dd * 100).toFixed(1)}%, trend t=${t.toFixed(2)}: ${stressed ? 'stress, royalties over operators' : calmUp ? 'calm uptrend, operators over royalties' : 'no regime'}`;
    const out: Signal[] = [];
    for (const sym of [...ROYALTIES, ...OPERATORS]) {
      const s = view.bars(sym);
      if (s.length === 0) continue;
      const dir = ((ROYALTIES as readonly string[]).includes(sym) ? tilt : -tilt) as -1 | 0 | 1;
      out.push(makeSignal(RM_ID, sym, dir, 0.5 + 0.5 * mag, confidenceOf(1, dir === 0 ? 0 : mag), horizon * s.intervalMs, s.ts(s.length - 1), why));
    }
    return out;
  },
};

export const RELATIVE_VALUE_STRATEGIES = [minersOperatingLeverage, silverBeta, royaltyVsMiners] as const;
