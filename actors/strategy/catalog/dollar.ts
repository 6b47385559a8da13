/** Dollar family: metals are priced in dollars and fall as the dollar strengthens. */
import type { MarketViewReader } from '../market-view.js';
import type { Signal } from '../signal.js';
import { DAY_MS, dateMs, maGapStdFactor, sign, squash, std } from '../math.js';
import { confidenceOf, count, makeSignal, num, type Params, type StrategyDef } from '../strategy.js';
import { ageFactor } from './macro-change.js';

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

export const DOLLAR_STRATEGIES = [dollarRegime] as const;
