/** Volatility family: trade the expansion that follows a quiet market. */
import type { BarSeries } from '../../feed/bar-ring.js';
import type { MarketViewReader } from '../market-view.js';
import type { Signal } from '../signal.js';
import { atr, percentileRank, sign, sma, squash, std } from '../math.js';
import { confidenceOf, count, makeSignal, num, type Params, type StrategyDef } from '../strategy.js';

export interface AtrBreakoutParams extends Params {
  readonly atrBars: number;
  /** A close-to-close move above k ATRs is a breakout. */
  readonly k: number;
  /** Bars a breakout stays live, its strength fading linearly. */
  readonly holdBars: number;
  readonly horizonBars: number;
}

const ATR_ID = 'vol_atr_breakout';
const ATR_INSTRUMENTS = ['GLD', 'SLV', 'GDX', 'GDXJ', 'SIL'] as const;

/**
 * ATR breakout: the most recent bar, within `holdBars`, whose close-to-close
 * move exceeded k times the ATR of the bars before it sets the direction. A
 * breakout the price has since fully given back (close back beyond the
 * pre-breakout close) has failed: flat.
 */
export const atrBreakout: StrategyDef<AtrBreakoutParams> = {
  id: ATR_ID,
  family: 'volatility',
  thesis: 'A move larger than 1.5 average true ranges marks new information that keeps moving price in the same direction for a while.',
  params: { atrBars: 20, k: 1.5, holdBars: 5, horizonBars: 10 },
  instruments: ATR_INSTRUMENTS,
  macro: [],
  trigger: 'bar',
  perInstrument: true,
  evaluate(view: MarketViewReader, p: AtrBreakoutParams, _now: number, only?: readonly string[]): Signal[] {
    const atrBars = count(p, 'atrBars');
    const k = num(p, 'k');
    const hold = count(p, 'holdBars');
    const out: Signal[] = [];
    for (const sym of only ?? ATR_INSTRUMENTS) {
      const s = view.bars(sym);
      const n = s.length;
      if (n < atrBars + hold + 1) continue;
      let dir: -1 | 0 | 1 = 0;
      let strength = 0;
      let mag = 0;
      let why = `no move above ${k} ATR in the last ${hold} bars`;
      for (let age = 0; age < hold; age++) {
        const t = n - 1 - age;
        const a = atr(s, atrBars, t - 1);
        const move = s.close(t) - s.close(t - 1);
        if (a > 0 && Math.abs(move) > k * a) {
          mag = Math.abs(move) / a;
          const d = sign(move);
          if (d * (s.close(n - 1) - s.close(t - 1)) <= 0) {
            why = `breakout ${age} bars ago failed`;
          } else {
            dir = d;
            strength = squash(mag / k, 1.5) * (1 - age / hold);
            why = `${mag.toFixed(2)} ATR ${d > 0 ? 'up' : 'down'} move ${age} bars ago`;
          }
          break;
        }
      }
      out.push(makeSignal(ATR_ID, sym, dir, strength, confidenceOf(1, squash(mag / k, 1)), count(p, 'horizonBars') * s.intervalMs, s.ts(n - 1), why));
    }
    return out;
  },
};

export interface SqueezeParams extends Params {
  /** Bollinger window. */
  readonly bbBars: number;
  /** Band half-width in standard deviations. */
  readonly width: number;
  /** Bars of bandwidth history a squeeze is ranked against. */
  readonly lookback: number;
  /** Bandwidth at or below this percentile of its history is a squeeze. */
  readonly squeezePct: number;
  readonly holdBars: number;
  readonly horizonBars: number;
}

const SQUEEZE_ID = 'vol_squeeze_breakout';
const SQUEEZE_INSTRUMENTS = ['GLD', 'SLV', 'PPLT', 'PALL'] as const;

function band(s: BarSeries, n: number, t: number): { mid: number; sd: number } {
  const closes = new Float64Array(n);
  for (let i = 0; i < n; i++) closes[i] = s.close(t - n + 1 + i);
  return { mid: sma(s, n, t), sd: std(closes) };
}

/**
 * Bollinger squeeze breakout: when the band width (as a fraction of price)
 * of the bar before sat in the lowest `squeezePct` of its recent history and
 * this bar closed outside the band, trade the break. Live for `holdBars`,
 * void if price falls back through the band's middle.
 */
export const squeezeBreakout: StrategyDef<SqueezeParams> = {
  id: SQUEEZE_ID,
  family: 'volatility',
  thesis: 'Volatility clusters and mean-reverts: a break out of unusually narrow Bollinger bands starts an expansion in the direction of the break.',
  params: { bbBars: 20, width: 2, lookback: 120, squeezePct: 0.2, holdBars: 10, horizonBars: 20 },
  instruments: SQUEEZE_INSTRUMENTS,
  macro: [],
  trigger: 'bar',
  perInstrument: true,
  evaluate(view: MarketViewReader, p: SqueezeParams, _now: number, only?: readonly string[]): Signal[] {
    const bb = count(p, 'bbBars', 2);
    const width = num(p, 'width');
    const lookback = count(p, 'lookback', 2);
    const pct = num(p, 'squeezePct');
    const hold = count(p, 'holdBars');
    const out: Signal[] = [];
    for (const sym of only ?? SQUEEZE_INSTRUMENTS) {
      const s = view.bars(sym);
      const n = s.length;
      if (n < lookback + bb + hold) continue;
      // Band widths for bars [first, n - 1], enough to rank each candidate's previous bar.
      const first = n - hold - 1 - lookback;
      const bw = new Float64Array(n - first);
      for (let t = first; t < n; t++) {
        const b = band(s, bb, t);
        bw[t - first] = (2 * width * b.sd) / b.mid;
      }
      let dir: -1 | 0 | 1 = 0;
      let strength = 0;
      let excess = 0;
      let why = 'no squeeze breakout';
      for (let age = 0; age < hold; age++) {
        const t = n - 1 - age;
        const prev = t - 1 - first;
        const rank = percentileRank(bw, bw[prev], prev - lookback, prev);
        if (rank > pct) continue;
        const b = band(s, bb, t - 1);
        const dev = s.close(t) - b.mid;
        if (Math.abs(dev) <= width * b.sd) continue;
        excess = Math.abs(dev) / (width * b.sd);
        const d = sign(dev);
        if (d * (s.close(n - 1) - b.mid) <= 0) {
          why = `squeeze breakout ${age} bars ago fell back inside`;
        } else {
          dir = d;
          strength = squash(excess, 1.5) * (1 - age / hold);
          why = `break ${d > 0 ? 'above' : 'below'} a squeezed band (width pct ${rank.toFixed(2)}) ${age} bars ago`;
        }
        break;
      }
      out.push(makeSignal(SQUEEZE_ID, sym, dir, strength, confidenceOf(1, squash(excess, 1.5)), count(p, 'horizonBars') * s.intervalMs, s.ts(n - 1), why));
    }
    return out;
  },
};

export const VOLATILITY_STRATEGIES = [atrBreakout, squeezeBreakout] as const;
