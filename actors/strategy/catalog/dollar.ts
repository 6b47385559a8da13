/** Dollar family: metals are priced in dollars and fall as the dollar strengthens. */
import type { MarketViewReader } from '../market-view.js';
import type { Signal } from '../signal.js';
import { DAY_MS, clamp, dateMs, maGapStdFactor, returnStd, sign, squash, std } from '../math.js';
import { confidenceOf, count, makeSignal, num, type Params, type StrategyDef } from '../strategy.js';
import { ageFactor, changeZ } from './macro-change.js';

export interface DollarParams extends Params {
  readonly fast: number;
  readonly slow: number;
  readonly deadbandZ: number;
  readonly scoreScale: number;
  readonly horizonDays: number;
  readonly maxAgeDays: number;
}

const ID = 'dollar_regime';
const SERIES = 'DTWEXBGS';
const INSTRUMENTS = ['GLD', 'SLV'] as const;

/**
 * Trend of the broad dollar index (FRED DTWEXBGS): the gap between its fast
 * and slow moving averages of log levels, as a z-score under a random walk.
 * A rising dollar is a headwind for dollar-priced metals: the direction is
 * the opposite of the dollar trend.
 */
export const dollarRegime: StrategyDef<DollarParams> = {
  id: ID,
  family: 'dollar',
  thesis: 'Metals are priced in dollars: a broad-dollar uptrend pushes gold and silver down, a downtrend lifts them.',
  params: { fast: 10, slow: 50, deadbandZ: 0.5, scoreScale: 1.5, horizonDays: 20, maxAgeDays: 10 },
  instruments: INSTRUMENTS,
  macro: [SERIES],
  trigger: 'bar',
  evaluate(view: MarketViewReader, p: DollarParams, now: number): Signal[] {
    const fast = count(p, 'fast', 2);
    const slow = count(p, 'slow', fast + 1);
    const s = view.series(SERIES);
    if (!s || s.values.length < slow + 1) return [];
    const v = s.values;
    const n = v.length;
    let fastSum = 0;
    let slowSum = 0;
    for (let i = n - slow; i < n; i++) {
      const l = Math.log(v[i]);
      slowSum += l;
      if (i >= n - fast) fastSum += l;
    }
    const gap = fastSum / fast - slowSum / slow;
    const r = new Float64Array(slow);
    for (let i = 0; i < slow; i++) r[i] = Math.log(v[n - slow + i] / v[n - slow + i - 1]);
    const sigma = Math.max(std(r), 1e-9);
    const z = gap / (sigma * maGapStdFactor(fast, slow));
    const dir = Math.abs(z) < num(p, 'deadbandZ') ? 0 : sign(-z);
    const last = s.dates[n - 1];
    const conf = confidenceOf(Math.min(1, n / (2 * slow)), squash(z, 2)) * ageFactor(last, now, num(p, 'maxAgeDays'));
    const why = `broad dollar ${z > 0 ? 'uptrend' : 'downtrend'} (MA${fast}/MA${slow} gap z=${z.toFixed(2)}) to ${last}`;
    return INSTRUMENTS.map((sym) => makeSignal(ID, sym, dir, squash(z, num(p, 'scoreScale')), conf, num(p, 'horizonDays') * DAY_MS, dateMs(last), why));
  },
};

export interface DollarDivergenceParams extends Params {
  /** Observations of the dollar's change. */
  readonly changeObs: number;
  /** Observations of history the change is standardised against. */
  readonly historyObs: number;
  readonly minObs: number;
  /** |dollar change z| at or above this: the dollar has made a move the metal should answer. */
  readonly entryZ: number;
  /** The metal's t in the implied direction below this: it has not answered yet. */
  readonly lagT: number;
  /** Bar returns the metal's volatility is measured over, at least (fewer bars: no signal). */
  readonly minBars: number;
  readonly scoreScale: number;
  readonly horizonDays: number;
  readonly maxAgeDays: number;
}

const DIV_ID = 'dollar_gold_divergence';

/**
 * The broad dollar's change over `changeObs` observations as a z-score
 * (changeZ), and each metal's answer over the same calendar span: its log
 * move since the first bar on or after the change's start date, as a
 * t-statistic against its own bar volatility. The usual answer to a dollar
 * move is the opposite move in the metal. When the dollar moved (|z| >=
 * entryZ) and the metal has not yet answered (its t in the implied
 * direction below lagT, or it went the dollar's way), trade the catch-up in
 * the implied direction, stronger as the gap (|z| less that t) grows; an
 * answered move is flat ("priced in"). Where the bars do not reach back to
 * the start date (minute bars hold hours, not days) the move is judged on
 * the bars there are and confidence shrinks with the share of the span they
 * cover.
 */
export const dollarGoldDivergence: StrategyDef<DollarDivergenceParams> = {
  id: DIV_ID,
  family: 'dollar',
  thesis: 'Gold and silver are priced in dollars and usually answer a broad-dollar move with the opposite one (Capie, Mills and Wood 2005 on gold as a dollar hedge); when the dollar has moved and the metal has not answered yet, it tends to catch up.',
  params: { changeObs: 5, historyObs: 250, minObs: 60, entryZ: 1, lagT: 0.5, minBars: 20, scoreScale: 2, horizonDays: 5, maxAgeDays: 10 },
  instruments: INSTRUMENTS,
  macro: [SERIES],
  trigger: 'bar',
  evaluate(view: MarketViewReader, p: DollarDivergenceParams, now: number): Signal[] {
    const k = count(p, 'changeObs');
    const hist = count(p, 'historyObs', 2);
    const minObs = Math.max(count(p, 'minObs'), k + 3);
    const minBars = count(p, 'minBars', 3);
    const entryZ = num(p, 'entryZ');
    const lagT = num(p, 'lagT');
    const s = view.series(SERIES);
    if (!s || s.values.length < minObs) return [];
    const c = changeZ(s.values, k, hist);
    if (!c) return [];
    const n = s.values.length;
    const startMs = dateMs(s.dates[n - 1 - k]);
    const last = s.dates[n - 1];
    const implied = -sign(c.z) as -1 | 0 | 1;
    const moved = Math.abs(c.z) >= entryZ;
    const out: Signal[] = [];
    for (const sym of INSTRUMENTS) {
      const bars = view.bars(sym);
      const end = bars.length - 1;
      if (bars.length < minBars + 1) continue;
      let i0 = end;
      while (i0 > 0 && bars.ts(i0 - 1) >= startMs) i0--;
      // The move over the span's bars, against a bar volatility of at least minBars returns.
      const m = Math.max(end - i0, 1);
      const from = end - m;
      const sd = returnStd(bars, Math.max(m, minBars), end) * Math.sqrt(m);
      const t = sd > 0 ? Math.log(bars.close(end) / bars.close(from)) / sd : 0;
      const answered = implied * t;
      const lagging = moved && answered < lagT;
      const dir = lagging ? implied : 0;
      const lastTs = bars.ts(end);
      const coverage = clamp((lastTs - bars.ts(from)) / Math.max(lastTs - startMs, 1));
      const conf = confidenceOf(coverage, dir === 0 ? 0 : squash(c.z, 2)) * ageFactor(last, now, num(p, 'maxAgeDays'));
      const why = `broad dollar ${c.delta >= 0 ? '+' : ''}${c.delta.toFixed(2)} over ${k} obs to ${last} (z=${c.z.toFixed(2)}), ${sym} t=${t.toFixed(2)} over ${m} bars${!moved ? '' : lagging ? `: not answered, catch-up ${implied > 0 ? 'long' : 'short'}` : ': answered, priced in'}`;
      out.push(makeSignal(DIV_ID, sym, dir, squash(Math.abs(c.z) - answered, num(p, 'scoreScale')), conf, num(p, 'horizonDays') * DAY_MS, lastTs, why));
    }
    return out;
  },
};

export const DOLLAR_STRATEGIES = [dollarRegime, dollarGoldDivergence] as const;
