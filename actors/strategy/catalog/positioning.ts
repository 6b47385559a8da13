/** Positioning family: crowded speculative positions unwind. */
import type { MarketViewReader } from '../market-view.js';
import type { Signal } from '../signal.js';
import { DAY_MS, clamp, dateMs, percentileRank } from '../math.js';
import { confidenceOf, count, makeSignal, num, type Params, type StrategyDef } from '../strategy.js';
import { ageFactor } from './macro-change.js';

export interface CotParams extends Params {
  /** Weekly reports the current positioning is ranked against. */
  readonly lookbackReports: number;
  readonly minReports: number;
  /** Percentile at or above which managed money is crowded long (contrarian short). */
  readonly upper: number;
  /** Percentile at or below which it is crowded short (contrarian long). */
  readonly lower: number;
  readonly horizonDays: number;
  readonly maxAgeDays: number;
}

const ID = 'cot_extremes';
const MARKETS = [
  { market: 'gold', symbol: 'GLD' },
  { market: 'silver', symbol: 'SLV' },
] as const;

/**
 * Managed-money net positioning, (long - short) / open interest, ranked
 * against its last `lookbackReports` reports (current excluded). At an
 * extreme percentile the trade is crowded: lean against it.
 */
export const cotExtremes: StrategyDef<CotParams> = {
  id: ID,
  family: 'positioning',
  thesis: 'When managed money is at an extreme of its net long (short) positioning in gold or silver futures there are few buyers (sellers) left: fade it.',
  params: { lookbackReports: 156, minReports: 52, upper: 0.9, lower: 0.1, horizonDays: 28, maxAgeDays: 14 },
  instruments: MARKETS.map((m) => m.symbol),
  macro: ['cot:gold', 'cot:silver'],
  trigger: 'bar',
  evaluate(view: MarketViewReader, p: CotParams, now: number): Signal[] {
    const lookback = count(p, 'lookbackReports', 2);
    const minReports = count(p, 'minReports', 2);
    const upper = num(p, 'upper');
    const lower = num(p, 'lower');
    if (!(lower >= 0 && lower < upper && upper <= 1)) throw new RangeError(`need 0 <= lower < upper <= 1, got ${lower} and ${upper}`);
    const out: Signal[] = [];
    for (const { market, symbol } of MARKETS) {
      const rows = view.cot(market);
      if (!rows || rows.length < minReports + 1) continue;
      const n = rows.length;
      const from = Math.max(0, n - 1 - lookback);
      const net = new Float64Array(n - from);
      for (let i = from; i < n; i++) net[i - from] = (rows[i].managedMoneyLong - rows[i].managedMoneyShort) / rows[i].openInterest;
      const cur = net[net.length - 1];
      const pct = percentileRank(net, cur, 0, net.length - 1);
      let dir: -1 | 0 | 1 = 0;
      let strength = 0;
      if (pct >= upper) {
        dir = -1;
        strength = 0.5 + 0.5 * clamp((pct - upper) / Math.max(1 - upper, 1e-9));
      } else if (pct <= lower) {
        dir = 1;
        strength = 0.5 + 0.5 * clamp((lower - pct) / Math.max(lower, 1e-9));
      }
      const last = rows[n - 1].reportDate;
      const extremity = clamp(Math.abs(pct - 0.5) * 2);
      const conf = confidenceOf(Math.min(1, (net.length - 1) / lookback), extremity) * ageFactor(last, now, num(p, 'maxAgeDays'));
      out.push(makeSignal(ID, symbol, dir, strength, conf, num(p, 'horizonDays') * DAY_MS, dateMs(last),
        `${market} managed-money net ${(cur * 100).toFixed(1)}% of OI, percentile ${(pct * 100).toFixed(0)} of ${net.length - 1} reports`));
    }
    return out;
  },
};

export const POSITIONING_STRATEGIES = [cotExtremes] as const;
