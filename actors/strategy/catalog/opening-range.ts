/**
 * Opening range breakout: an intraday trend entry. The session is the UTC
 * day of the latest bar; what the first bars of it span is the range the
 * day's later trade either stays in or leaves.
 */
import type { MarketViewReader } from '../market-view.js';
import type { Signal } from '../signal.js';
import { DAY_MS, clamp, highest, lowest } from '../math.js';
import { confidenceOf, count, makeSignal, num, type Params, type StrategyDef } from '../strategy.js';

export interface OpeningRangeParams extends Params {
  /** The session's first bars whose high and low make the opening range. */
  readonly rangeBars: number;
  /** How far beyond the range (in range widths) a close must be to count as a breakout. */
  readonly buffer: number;
  /** Range widths beyond the edge at which strength saturates. */
  readonly scoreScale: number;
  /** Longest horizon in bars; it never runs past the session's end. */
  readonly horizonBars: number;
}

const ID = 'opening_range_breakout';
const INSTRUMENTS = ['GLD', 'SLV', 'GDX'] as const;

/**
 * Per instrument: the high and low of the session's first `rangeBars` bars.
 * The session's later closes are read in order: the first above the high
 * plus `buffer` range widths is a long breakout, the first below the low
 * less the buffer a short one; a long that then closes below the range low
 * (a short above its high) is stopped: flat for the rest of the session, no
 * second entry. A complete range without a breakout is flat; before the
 * range completes there is no signal (yesterday's has expired with its
 * session). The horizon runs to the session's end, at most `horizonBars`.
 * Intraday by nature: on daily bars a session holds one bar, the range never
 * completes, and it stays silent.
 */
export const openingRangeBreakout: StrategyDef<OpeningRangeParams> = {
  id: ID,
  family: 'trend',
  thesis: 'A move out of the session\'s opening range tends to carry on through the day, as the opening\'s order flow resolves into a direction (Crabel 1990, "Day Trading with Short Term Price Patterns and Opening Range Breakout"; Zarattini and Aziz 2023): trade the first breakout, give it up if price crosses back through the other side.',
  params: { rangeBars: 30, buffer: 0.1, scoreScale: 1, horizonBars: 60 },
  instruments: INSTRUMENTS,
  macro: [],
  trigger: 'bar',
  perInstrument: true,
  evaluate(view: MarketViewReader, p: OpeningRangeParams, _now: number, only?: readonly string[]): Signal[] {
    const rangeBars = count(p, 'rangeBars', 1);
    const buffer = num(p, 'buffer');
    const scale = num(p, 'scoreScale');
    const horizonBars = count(p, 'horizonBars');
    const out: Signal[] = [];
    for (const sym of only ?? INSTRUMENTS) {
      const s = view.bars(sym);
      if (s.length === 0) continue;
      const end = s.length - 1;
      const ts = s.ts(end);
      const dayStart = Math.floor(ts / DAY_MS) * DAY_MS;
      let i0 = end;
      while (i0 > 0 && s.ts(i0 - 1) >= dayStart) i0--;
      if (end - i0 + 1 < rangeBars) continue;
      const rangeEnd = i0 + rangeBars;
      const hi = highest(s, i0, rangeEnd);
      const lo = lowest(s, i0, rangeEnd);
      const width = Math.max(hi - lo, 1e-9 * hi);
      const up = hi + buffer * width;
      const down = lo - buffer * width;
      let state: -1 | 0 | 1 = 0;
      let stopped = false;
      let at = -1;
      for (let i = rangeEnd; i <= end && !stopped; i++) {
        const c = s.close(i);
        if (state === 0) {
          if (c > up) [state, at] = [1, i];
          else if (c < down) [state, at] = [-1, i];
        } else if ((state === 1 && c < lo) || (state === -1 && c > hi)) {
          stopped = true;
          at = i;
        }
      }
      const close = s.close(end);
      const beyond = state === 1 ? (close - hi) / width : state === -1 ? (lo - close) / width : 0;
      const dir = stopped ? 0 : state;
      const horizon = Math.min(dayStart + DAY_MS - ts, horizonBars * s.intervalMs);
      const hhmm = (i: number) => new Date(s.ts(i)).toISOString().slice(11, 16);
      const range = `opening range ${lo.toFixed(2)}-${hi.toFixed(2)} (first ${rangeBars} bars of ${new Date(dayStart).toISOString().slice(0, 10)})`;
      const why = stopped
        ? `${range}: broke ${state > 0 ? 'above' : 'below'}, stopped at ${hhmm(at)} back through the other side`
        : state !== 0
          ? `${range}: broke ${state > 0 ? 'above' : 'below'} at ${hhmm(at)}, close ${close.toFixed(2)}`
          : `${range}: inside, no breakout`;
      // Half strength at the range's edge, more the further beyond it the close is, less once it has slipped back inside.
      const strength = clamp(0.5 + 0.5 * Math.tanh(beyond / scale));
      out.push(makeSignal(ID, sym, dir, strength, confidenceOf(1, dir === 0 ? 0 : strength), horizon, ts, why));
    }
    return out;
  },
};

export const OPENING_RANGE_STRATEGIES = [openingRangeBreakout] as const;
