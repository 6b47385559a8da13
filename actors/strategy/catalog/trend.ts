/** Trend family: follow persistent moves in metals and miners. */
import type { MarketViewReader } from '../market-view.js';
import type { Signal } from '../signal.js';
import { atr, clamp, highest, lowest, maGapStdFactor, returnStd, sign, sma, squash } from '../math.js';
import { confidenceOf, count, makeSignal, num, type Params, type StrategyDef } from '../strategy.js';

export interface MaCrossParams extends Params {
  readonly fast: number;
  readonly slow: number;
  /** z-score of the MA gap that maps to strength tanh(1). */
  readonly scoreScale: number;
  readonly horizonBars: number;
}

/**
 * Moving-average crossover. The gap SMA(fast) - SMA(slow) is scaled to a
 * z-score by its standard deviation under a driftless random walk (bar return
 * sigma times `maGapStdFactor`), so strength means the same across
 * instruments and intervals.
 */
const ID_MA = 'trend_ma_cross';
const ID_DONCHIAN = 'trend_donchian';
const MA_INSTRUMENTS = ['GLD', 'SLV', 'GDX', 'PPLT'] as const;
const DONCHIAN_INSTRUMENTS = ['GLD', 'SLV', 'GDX'] as const;

export const maCrossover: StrategyDef<MaCrossParams> = {
  id: ID_MA,
  family: 'trend',
  thesis: 'Metal prices trend: when the fast moving average is above the slow one by more than noise explains, lean long, and short below.',
  params: { fast: 20, slow: 100, scoreScale: 1.5, horizonBars: 50 },
  instruments: MA_INSTRUMENTS,
  macro: [],
  trigger: 'bar',
  perInstrument: true,
  evaluate(view: MarketViewReader, p: MaCrossParams, _now: number, only?: readonly string[]): Signal[] {
    const fast = count(p, 'fast', 2);
    const slow = count(p, 'slow', fast + 1);
    const scale = num(p, 'scoreScale');
    const factor = maGapStdFactor(fast, slow);
    const out: Signal[] = [];
    for (const sym of only ?? MA_INSTRUMENTS) {
      const s = view.bars(sym);
      const n = s.length;
      if (n < slow + 1) continue;
      const f = sma(s, fast);
      const sl = sma(s, slow);
      const sigma = Math.max(returnStd(s, slow), 1e-9);
      const z = (f - sl) / (sl * sigma * factor);
      const strength = squash(z, scale);
      const conf = confidenceOf(Math.min(1, n / (2 * slow)), strength);
      out.push(
        makeSignal(ID_MA, sym, sign(z), strength, conf, count(p, 'horizonBars') * s.intervalMs, s.ts(n - 1),
          `SMA${fast} ${f > sl ? 'above' : 'below'} SMA${slow}, gap z=${z.toFixed(2)}`),
      );
    }
    return out;
  },
};

export interface DonchianParams extends Params {
  readonly entryBars: number;
  readonly exitBars: number;
  readonly atrBars: number;
  /** Bars replayed to recover the position the rules would hold now. */
  readonly replayBars: number;
  readonly horizonBars: number;
}

/**
 * Donchian channel breakout (turtle style): enter on a close beyond the
 * `entryBars` channel, exit on a close beyond the shorter `exitBars` channel
 * the other way. The rule is path dependent, so the position is recovered by
 * replaying the last `replayBars` bars: the function stays pure. Strength is
 * the distance from the exit stop in ATRs.
 */
export const donchianBreakout: StrategyDef<DonchianParams> = {
  id: ID_DONCHIAN,
  family: 'trend',
  thesis: 'A close beyond the highest high (lowest low) of the last 55 bars starts a trend worth riding until the 20-bar channel breaks the other way.',
  params: { entryBars: 55, exitBars: 20, atrBars: 20, replayBars: 250, horizonBars: 20 },
  instruments: DONCHIAN_INSTRUMENTS,
  macro: [],
  trigger: 'bar',
  perInstrument: true,
  evaluate(view: MarketViewReader, p: DonchianParams, _now: number, only?: readonly string[]): Signal[] {
    const entry = count(p, 'entryBars', 2);
    const exit = count(p, 'exitBars', 2);
    const atrBars = count(p, 'atrBars', 1);
    const replay = count(p, 'replayBars', 1);
    const warm = Math.max(entry, exit, atrBars + 1);
    const out: Signal[] = [];
    for (const sym of only ?? DONCHIAN_INSTRUMENTS) {
      const s = view.bars(sym);
      const n = s.length;
      if (n < warm + 1) continue;
      const start = Math.max(warm, n - replay);
      let pos: -1 | 0 | 1 = 0;
      for (let t = start; t < n; t++) {
        const c = s.close(t);
        if (pos === 1 && c < lowest(s, t - exit, t)) pos = 0;
        else if (pos === -1 && c > highest(s, t - exit, t)) pos = 0;
        if (pos === 0) {
          if (c > highest(s, t - entry, t)) pos = 1;
          else if (c < lowest(s, t - entry, t)) pos = -1;
        }
      }
      const last = n - 1;
      const c = s.close(last);
      const stop = pos === 1 ? lowest(s, last - exit + 1, last + 1) : pos === -1 ? highest(s, last - exit + 1, last + 1) : c;
      const a = atr(s, atrBars);
      const dist = a > 0 ? (pos * (c - stop)) / a : 0;
      const strength = pos === 0 ? 0 : Math.max(0.1, squash(dist, 3));
      const replayed = (n - start) / replay;
      const conf = confidenceOf(0.25 + 0.75 * clamp(replayed), strength);
      const state = pos === 1 ? 'long since an upside breakout' : pos === -1 ? 'short since a downside breakout' : 'no open breakout';
      out.push(makeSignal(ID_DONCHIAN, sym, pos, strength, conf, count(p, 'horizonBars') * s.intervalMs, s.ts(last),
        `${state}; ${dist.toFixed(2)} ATR from the ${exit}-bar stop`));
    }
    return out;
  },
};

export const TREND_STRATEGIES = [maCrossover, donchianBreakout] as const;
