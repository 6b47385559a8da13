/**
 * Reversal family: short-term moves against the prevailing trend overshoot
 * and snap back; and a volatility-regime switch that only fades when the
 * market is turbulent enough for overshoots to dominate.
 */
import type { MarketViewReader } from '../market-view.js';
import type { Signal } from '../signal.js';
import { clamp, logReturns, maGapStdFactor, percentileRank, sign, sma, squash, std } from '../math.js';
import { confidenceOf, count, makeSignal, num, type Params, type StrategyDef } from '../strategy.js';

export interface RsiReversalParams extends Params {
  /** RSI window in bars (Connors uses 2). */
  readonly rsiBars: number;
  /** Trend filter: the close against its simple average over this many bars. */
  readonly trendBars: number;
  /** RSI at or below this (0..100) in an uptrend: buy the pullback. */
  readonly oversold: number;
  /** RSI at or above this (0..100) in a downtrend: sell the rally. */
  readonly overbought: number;
  readonly horizonBars: number;
}

const RSI_ID = 'rsi_reversal';
const RSI_INSTRUMENTS = ['GLD', 'SLV', 'GDX'] as const;

/**
 * RSI over the `n` close-to-close changes ending at the newest bar, with
 * simple averages of gains and losses (Cutler's variant: no seed, so the value
 * depends only on the window, which keeps it exact under a truncated
 * history). 50 when nothing moved.
 */
export function rsi(closes: (i: number) => number, n: number, end: number): number {
  let up = 0;
  let down = 0;
  for (let i = end - n + 1; i <= end; i++) {
    const d = closes(i) - closes(i - 1);
    if (d > 0) up += d;
    else down -= d;
  }
  return up + down === 0 ? 50 : (100 * up) / (up + down);
}

/**
 * Connors' short-term reversal: with the close above its `trendBars`
 * average (uptrend), an RSI(2) at or below `oversold` buys; below it
 * (downtrend), an RSI at or above `overbought` sells. Anything else is flat:
 * the rule never fades the trend itself.
 */
export const rsiReversal: StrategyDef<RsiReversalParams> = {
  id: RSI_ID,
  family: 'reversal',
  thesis: 'Sharp two-to-three-day pullbacks inside a long-term trend are liquidity-driven overshoots that revert (Connors RSI(2)): buy oversold dips in uptrends, sell overbought rallies in downtrends.',
  params: { rsiBars: 2, trendBars: 200, oversold: 10, overbought: 90, horizonBars: 5 },
  instruments: RSI_INSTRUMENTS,
  macro: [],
  trigger: 'bar',
  perInstrument: true,
  evaluate(view: MarketViewReader, p: RsiReversalParams, _now: number, only?: readonly string[]): Signal[] {
    const n = count(p, 'rsiBars');
    const trendBars = count(p, 'trendBars', 2);
    const lo = num(p, 'oversold');
    const hi = num(p, 'overbought');
    if (!(lo > 0 && lo < hi && hi < 100)) throw new RangeError(`need 0 < oversold < overbought < 100, got ${lo} and ${hi}`);
    const out: Signal[] = [];
    for (const sym of only ?? RSI_INSTRUMENTS) {
      const s = view.bars(sym);
      const last = s.length - 1;
      if (s.length < Math.max(trendBars, n + 1)) continue;
      const r = rsi((i) => s.close(i), n, last);
      const avg = sma(s, trendBars, last);
      const trend = sign(s.close(last) - avg);
      let dir: -1 | 0 | 1 = 0;
      let depth = 0;
      if (trend > 0 && r <= lo) {
        dir = 1;
        depth = (lo - r) / lo;
      } else if (trend < 0 && r >= hi) {
        dir = -1;
        depth = (r - hi) / (100 - hi);
      }
      const strength = 0.5 + 0.5 * clamp(depth);
      const why = `RSI(${n}) ${r.toFixed(1)}, close ${trend > 0 ? 'above' : 'below'} its ${trendBars}-bar average${dir === 0 ? ': no pullback against the trend' : ''}`;
      out.push(makeSignal(RSI_ID, sym, dir, strength, confidenceOf(1, dir === 0 ? 0 : strength), count(p, 'horizonBars') * s.intervalMs, s.ts(last), why));
    }
    return out;
  },
};

export interface VolRegimeParams extends Params {
  /** Bars of returns in one realised-volatility estimate. */
  readonly volBars: number;
  /** Bars of realised-volatility history the current one is ranked against. */
  readonly volHistory: number;
  /** Percentile (0..1) at or below which the market is calm: follow the trend. */
  readonly lowPct: number;
  /** Percentile (0..1) at or above which it is turbulent: fade stretched moves. */
  readonly highPct: number;
  /** Moving-average window the stretch is measured from. */
  readonly lookback: number;
  /** |stretch z| at or above this in calm markets: follow. */
  readonly followZ: number;
  /** |stretch z| at or above this in turbulent markets: fade. */
  readonly fadeZ: number;
  readonly horizonBars: number;
}

const VR_ID = 'vol_regime_switch';
const VR_INSTRUMENTS = ['GLD', 'SLV'] as const;

/**
 * Realised volatility's percentile in its own history picks the rule. The
 * stretch is the log gap of the close to its `lookback`-bar average as a
 * z-score under a random walk at the current volatility (maGapStdFactor with
 * a 1-bar "fast" average). Calm: follow a stretch beyond `followZ` (low-vol
 * trends persist); turbulent: fade one beyond `fadeZ` (high-vol moves are
 * forced flows that overshoot); in between: flat.
 */
export const volRegimeSwitch: StrategyDef<VolRegimeParams> = {
  id: VR_ID,
  family: 'volatility',
  thesis: 'Trends persist in calm markets but overshoot and revert in turbulent ones, so realised volatility decides whether to follow or fade a stretched price.',
  params: { volBars: 20, volHistory: 250, lowPct: 0.5, highPct: 0.8, lookback: 20, followZ: 1, fadeZ: 1.5, horizonBars: 10 },
  instruments: VR_INSTRUMENTS,
  macro: [],
  trigger: 'bar',
  perInstrument: true,
  evaluate(view: MarketViewReader, p: VolRegimeParams, _now: number, only?: readonly string[]): Signal[] {
    const volBars = count(p, 'volBars', 2);
    const hist = count(p, 'volHistory', 2);
    const lookback = count(p, 'lookback', 2);
    const lowPct = num(p, 'lowPct');
    const highPct = num(p, 'highPct');
    if (!(lowPct >= 0 && lowPct < highPct && highPct <= 1)) throw new RangeError(`need 0 <= lowPct < highPct <= 1, got ${lowPct} and ${highPct}`);
    const out: Signal[] = [];
    for (const sym of only ?? VR_INSTRUMENTS) {
      const s = view.bars(sym);
      const last = s.length - 1;
      if (s.length < Math.max(hist + volBars + 1, lookback + 1)) continue;
      // Realised vol at each of the last hist + 1 bars; the newest is ranked against the others.
      // The returns are taken once and each window's deviation read from them (the same figures
      // as returnStd per window, without hist x volBars logarithms per bar).
      const r = logReturns(s, hist + volBars, last);
      const vols = new Float64Array(hist + 1);
      for (let k = 0; k <= hist; k++) vols[k] = std(r, k, k + volBars);
      const vol = vols[hist];
      if (!(vol > 0)) {
        // Enough data but a price that has not moved: no edge, so flat rather than silent.
        out.push(makeSignal(VR_ID, sym, 0, 0, confidenceOf(1, 0), count(p, 'horizonBars') * s.intervalMs, s.ts(last), `no price movement over ${volBars} bars`));
        continue;
      }
      const pct = percentileRank(vols, vol, 0, hist);
      const z = Math.log(s.close(last) / sma(s, lookback, last)) / (vol * maGapStdFactor(1, lookback));
      const regime = pct <= lowPct ? 'calm' : pct >= highPct ? 'turbulent' : 'middling';
      let dir: -1 | 0 | 1 = 0;
      if (regime === 'calm' && Math.abs(z) >= num(p, 'followZ')) dir = sign(z);
      else if (regime === 'turbulent' && Math.abs(z) >= num(p, 'fadeZ')) dir = sign(-z);
      const why = `${regime} (vol percentile ${(pct * 100).toFixed(0)}), stretch z=${z.toFixed(2)}: ${dir === 0 ? 'flat' : regime === 'calm' ? 'follow' : 'fade'}`;
      out.push(makeSignal(VR_ID, sym, dir, squash(z, 2), confidenceOf(1, squash(z, 2)), count(p, 'horizonBars') * s.intervalMs, s.ts(last), why));
    }
    return out;
  },
};

export const REVERSAL_STRATEGIES = [rsiReversal, volRegimeSwitch] as const;
