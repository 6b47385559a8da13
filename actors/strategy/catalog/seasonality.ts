/** Seasonality family: calendar effects in gold demand. */
import type { MarketViewReader } from '../market-view.js';
import type { Signal } from '../signal.js';
import { sign, squash } from '../math.js';
import { count, makeSignal, num, type Params, type StrategyDef } from '../strategy.js';

export interface SeasonalityParams extends Params {
  /** Mean monthly return in percent, January first. */
  readonly monthlyMeanPct: readonly number[];
  /** Typical standard deviation of a monthly return, percent. */
  readonly monthlyStdPct: number;
  /** Years of history the table was estimated from (sets the standard error). */
  readonly years: number;
  /** |t| below this: flat. */
  readonly minT: number;
  /** Calendar evidence is weak; confidence never exceeds this. */
  readonly maxConfidence: number;
}

const ID = 'seasonality_gold';
const SYMBOL = 'GLD';

/**
 * Month-of-year table. The signal is the t-statistic of the current month's
 * mean return (mean / (std / sqrt(years))); the horizon runs to the month's
 * end. The default table holds rounded priors of gold's average monthly
 * returns (strong January and late summer into autumn with Indian festival and
 * wedding demand and Chinese New Year restocking, soft March and June); they
 * are parameters to re-estimate with a research back-test, not facts.
 */
export const seasonalityGold: StrategyDef<SeasonalityParams> = {
  id: ID,
  family: 'seasonality',
  thesis: 'Physical gold demand is seasonal (Chinese New Year, Indian festival and wedding seasons), so some calendar months have had persistently better returns.',
  params: {
    monthlyMeanPct: [1.4, 0.5, -0.6, 0.3, -0.1, -0.4, 0.6, 1.1, 0.8, -0.2, 0.5, 0.6],
    monthlyStdPct: 4.5,
    years: 50,
    minT: 1,
    maxConfidence: 0.5,
  },
  instruments: [SYMBOL],
  macro: [],
  trigger: 'bar',
  evaluate(view: MarketViewReader, p: SeasonalityParams): Signal[] {
    const table = p.monthlyMeanPct;
    if (!Array.isArray(table) || table.length !== 12 || !table.every(Number.isFinite)) throw new TypeError('monthlyMeanPct must hold 12 finite numbers');
    const bars = view.bars(SYMBOL);
    const ts = bars.length > 0 ? bars.ts(bars.length - 1) : view.features(SYMBOL)?.ts;
    if (ts === undefined) return [];
    const d = new Date(ts);
    const month = d.getUTCMonth();
    const monthEnd = Date.UTC(d.getUTCFullYear(), month + 1, 1);
    const se = num(p, 'monthlyStdPct') / Math.sqrt(count(p, 'years'));
    const t = table[month] / se;
    const dir = Math.abs(t) < num(p, 'minT') ? 0 : sign(t);
    const conf = num(p, 'maxConfidence') * squash(t, 2);
    const names = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
    return [makeSignal(ID, SYMBOL, dir, squash(t, 3), conf, monthEnd - ts, ts, `${names[month]} mean ${table[month]}%, t=${t.toFixed(2)}`)];
  },
};

export const SEASONALITY_STRATEGIES = [seasonalityGold] as const;
