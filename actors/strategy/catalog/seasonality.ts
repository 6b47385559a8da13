/** Seasonality family: calendar effects in gold demand. */
import type { MarketViewReader } from '../market-view.js';
import type { Signal } from '../signal.js';
import { DAY_MS, sign, squash } from '../math.js';
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

export interface TurnOfMonthParams extends Params {
  /** Last weekdays of a month inside the window. */
  readonly daysBefore: number;
  /** First weekdays of the next month inside the window. */
  readonly daysAfter: number;
  /** How far to lean inside the window (0..1). */
  readonly strength: number;
  /** Calendar evidence is weak; confidence never exceeds this. */
  readonly maxConfidence: number;
}

const TOM_ID = 'turn_of_month';

const isWeekday = (ms: number): boolean => {
  const d = new Date(ms).getUTCDay();
  return d !== 0 && d !== 6;
};

/**
 * The turn-of-month window around the boundary `b` (00:00 UTC on a month's
 * first day): from the start of the `before`-th last weekday before it to
 * the end of the `after`-th weekday on or after it.
 */
function tomWindow(b: number, before: number, after: number): { start: number; end: number } {
  let start = b;
  for (let n = 0; n < before; ) {
    start -= DAY_MS;
    if (isWeekday(start)) n++;
  }
  let end = b;
  for (let n = 0; n < after; end += DAY_MS) if (isWeekday(end)) n++;
  return { start, end };
}

/**
 * Long GLD inside the turn-of-month window (the last `daysBefore` weekdays
 * of a month and the first `daysAfter` of the next; weekends inside it
 * count as inside), flat outside it. Weekdays are Monday to Friday in UTC:
 * there is no exchange holiday calendar, so a holiday counts as a trading
 * day. Time is the latest GLD bar's (the features' before any bar), as
 * seasonality_gold reads it. The horizon runs to the window's end inside
 * it, and to the next window's start outside.
 */
export const turnOfMonth: StrategyDef<TurnOfMonthParams> = {
  id: TOM_ID,
  family: 'seasonality',
  thesis: 'Returns bunch around the turn of the month, when pension, salary and fund flows are invested (Ariel 1987; Lakonishok and Smidt 1988; McConnell and Xu 2008), and gold ETFs share the flows: hold gold over the last day of a month and the first days of the next, stand aside otherwise.',
  params: { daysBefore: 1, daysAfter: 3, strength: 0.6, maxConfidence: 0.4 },
  instruments: [SYMBOL],
  macro: [],
  trigger: 'bar',
  evaluate(view: MarketViewReader, p: TurnOfMonthParams): Signal[] {
    const before = count(p, 'daysBefore', 0);
    const after = count(p, 'daysAfter', 0);
    if (before + after === 0) throw new RangeError('daysBefore and daysAfter cannot both be 0 (an empty window)');
    const bars = view.bars(SYMBOL);
    const ts = bars.length > 0 ? bars.ts(bars.length - 1) : view.features(SYMBOL)?.ts;
    if (ts === undefined) return [];
    const d = new Date(ts);
    const thisMonth = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
    const nextMonth = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
    const opening = tomWindow(thisMonth, before, after);
    const closing = tomWindow(nextMonth, before, after);
    const month = (ms: number) => new Date(ms).toISOString().slice(0, 7);
    const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
    const cap = num(p, 'maxConfidence');
    if (ts >= opening.start && ts < opening.end) {
      return [makeSignal(TOM_ID, SYMBOL, 1, num(p, 'strength'), cap, opening.end - ts, ts, `turn of month: after the ${month(thisMonth - DAY_MS)} end, window to ${day(opening.end - DAY_MS)}`)];
    }
    if (ts >= closing.start && ts < closing.end) {
      return [makeSignal(TOM_ID, SYMBOL, 1, num(p, 'strength'), cap, closing.end - ts, ts, `turn of month: the ${month(ts)} end, window to ${day(closing.end - DAY_MS)}`)];
    }
    const next = ts < opening.start ? opening.start : closing.start;
    return [makeSignal(TOM_ID, SYMBOL, 0, 0, cap, next - ts, ts, `outside the turn of month (next window from ${day(next)})`)];
  },
};

export const SEASONALITY_STRATEGIES = [seasonalityGold, turnOfMonth] as const;
