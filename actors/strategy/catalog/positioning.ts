/** Positioning family: crowded speculative positions unwind. */
import type { MarketViewReader } from '../market-view.js';
import type { Signal } from '../signal.js';
import type { CotRow } from '../../macro/messages.js';
import { DAY_MS, clamp, dateMs, percentileRank, sign, squash } from '../math.js';
import { confidenceOf, count, makeSignal, num, type Params, type StrategyDef } from '../strategy.js';
import { ageFactor, changeZ } from './macro-change.js';

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

/** Managed-money net positioning as a share of open interest, per report. */
function netShare(rows: readonly CotRow[], from: number): Float64Array {
  const net = new Float64Array(rows.length - from);
  for (let i = from; i < rows.length; i++) net[i - from] = (rows[i].managedMoneyLong - rows[i].managedMoneyShort) / rows[i].openInterest;
  return net;
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
      const net = netShare(rows, Math.max(0, n - 1 - lookback));
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

export interface CotMomentumParams extends Params {
  /** Weekly reports the change in net positioning is measured over. */
  readonly changeReports: number;
  /** Reports of history the change is standardised against (and the level ranked against). */
  readonly historyReports: number;
  readonly minReports: number;
  /** |z| of the change below this: flat. */
  readonly deadbandZ: number;
  /** Level percentile (0..1) beyond which a flow in the same direction is left alone: the trade is crowded. */
  readonly crowdedPct: number;
  readonly scoreScale: number;
  readonly horizonDays: number;
  readonly maxAgeDays: number;
}

const MOM_ID = 'cot_momentum';


/**
 * The flow, not the stock: the change in managed-money net positioning
 * over `changeReports` weeks, as a z-score against the spread of such
 * changes over the last `historyReports`. Speculators who have been adding
 * keep adding (their flows are persistent and move prices as they go):
 * follow a rising net long, and a falling one. When the level is already
 * beyond `crowdedPct` in the flow's direction, that is cot_extremes'
 * contrarian territory: stand aside (flat, "crowded").
 */
export const cotMomentum: StrategyDef<CotMomentumParams> = {
  id: MOM_ID,
  family: 'positioning',
  thesis: 'Speculative positioning trends: when managed money has been building a net long (short) in gold or silver futures over several weeks the buying (selling) tends to continue and to move prices with it (hedging-pressure and flow studies on CFTC COT data, e.g. Bessembinder 1992, Kang, Rouwenhorst and Tang 2020): follow the flow until it is crowded.',
  params: { changeReports: 4, historyReports: 156, minReports: 52, deadbandZ: 0.5, crowdedPct: 0.95, scoreScale: 1.5, horizonDays: 21, maxAgeDays: 14 },
  instruments: MARKETS.map((m) => m.symbol),
  macro: ['cot:gold', 'cot:silver'],
  trigger: 'bar',
  evaluate(view: MarketViewReader, p: CotMomentumParams, now: number): Signal[] {
    const k = count(p, 'changeReports');
    const hist = count(p, 'historyReports', 2);
    const minReports = Math.max(count(p, 'minReports', 2), k + 3);
    const crowded = num(p, 'crowdedPct');
    if (!(crowded > 0.5 && crowded <= 1)) throw new RangeError(`crowdedPct must be in (0.5, 1], got ${crowded}`);
    const out: Signal[] = [];
    for (const { market, symbol } of MARKETS) {
      const rows = view.cot(market);
      if (!rows || rows.length < minReports + 1) continue;
      const net = netShare(rows, Math.max(0, rows.length - 1 - hist - k));
      const n = net.length;
      const c = changeZ(net, k, hist);
      if (!c) continue;
      const { delta, z } = c;
      const levelPct = percentileRank(net, net[n - 1], Math.max(0, n - 1 - hist), n - 1);
      const flow = Math.abs(z) < num(p, 'deadbandZ') ? 0 : sign(z);
      const isCrowded = (flow > 0 && levelPct > crowded) || (flow < 0 && levelPct < 1 - crowded);
      const dir = isCrowded ? 0 : flow;
      const last = rows[rows.length - 1].reportDate;
      const conf = confidenceOf(Math.min(1, c.samples / hist), squash(z, 2)) * ageFactor(last, now, num(p, 'maxAgeDays'));
      const why = `${market} managed-money net ${delta >= 0 ? '+' : ''}${(delta * 100).toFixed(1)}% of OI over ${k} reports (z=${z.toFixed(2)}), level percentile ${(levelPct * 100).toFixed(0)}${isCrowded ? ': crowded, stand aside' : ''}`;
      out.push(makeSignal(MOM_ID, symbol, dir, squash(z, num(p, 'scoreScale')), conf, num(p, 'horizonDays') * DAY_MS, dateMs(last), why));
    }
    return out;
  },
};

export const POSITIONING_STRATEGIES = [cotExtremes, cotMomentum] as const;
