/**
 * Macro series aligned by publication time. A back-test must not let a
 * strategy read a value before the world could: FRED dates an observation
 * by the day it describes, not the day it was published, and the CFTC dates
 * its Commitments of Traders report by the Tuesday positions were taken,
 * though it is released on the Friday. So each observation gets a release
 * instant from its series' rule below, and the events handed to the replay
 * carry, at each release, only what had been released by then.
 *
 * The rules err late: a release placed after the real one only delays
 * information, one placed before it would leak the future.
 */
import type { CotRow, MacroCotMsg, MacroSeriesMsg, Observation } from '../../../actors/macro/messages.js';
import type { MacroEvent } from '../types.js';
import { businessDaysAfter, dayOf, isBusinessDay, nyTime, weekdayOf } from './calendar.js';
import { HistoryError } from './errors.js';

/**
 * When the observations of a series are published: the observation's
 * period ends (the day itself, the Friday of its week, or the last day of
 * its month), then `businessDays` US business days later at `hour:minute`
 * New York time the period's values become visible.
 */
export interface ReleaseRule {
  readonly period: 'day' | 'week' | 'month';
  readonly businessDays: number;
  readonly hour: number;
  readonly minute: number;
}

/**
 * Daily series of the Fed's H.15 release (DFII10 real yields, and T10YIE
 * breakevens FRED derives from it): a day's value is published the next
 * business day in the afternoon (about 16:15 New York); 16:30 leaves margin.
 */
export const FRED_DAILY_RELEASE: ReleaseRule = Object.freeze({ period: 'day', businessDays: 1, hour: 16, minute: 30 });

/**
 * The broad dollar index (DTWEXBGS, the Fed's H.10 release) has daily
 * values but is published weekly, on the Monday after the week (the next
 * business day after its Friday), in the afternoon.
 */
export const FRED_WEEKLY_BATCH_RELEASE: ReleaseRule = Object.freeze({ period: 'week', businessDays: 1, hour: 16, minute: 30 });

/** The release rule of each FRED series the research layer fetches; others use FRED_DAILY_RELEASE. */
export const FRED_RELEASE_RULES: Readonly<Record<string, ReleaseRule>> = Object.freeze({
  DFII10: FRED_DAILY_RELEASE,
  T10YIE: FRED_DAILY_RELEASE,
  DTWEXBGS: FRED_WEEKLY_BATCH_RELEASE,
});

/**
 * CFTC COT: positions as of Tuesday are released on Friday at 15:30 New
 * York, the third business day after. In a week with a federal holiday the
 * CFTC publishes a business day later (a holiday between Tuesday and Friday
 * already pushes the third business day; a holiday on the Monday before is
 * counted by `holidayMondayExtraDay`).
 */
export const COT_RELEASE = Object.freeze({ businessDays: 3, hour: 15, minute: 30, holidayMondayExtraDay: true });

/** Most observations (or COT rows) one event carries: the newest ones. */
export const MAX_OBSERVATIONS_PER_EVENT = 600;

function badDate(what: string, date: string): HistoryError {
  return new HistoryError(`macro ${what}: observation date ${JSON.stringify(date)} is not YYYY-MM-DD`);
}

/** When an observation of `seriesId` dated `date` becomes visible, epoch ms. */
export function fredReleaseAt(seriesId: string, date: string): number {
  const rule = FRED_RELEASE_RULES[seriesId] ?? FRED_DAILY_RELEASE;
  const day = dayOf(date);
  if (day === null) throw badDate(seriesId, date);
  let end = day;
  if (rule.period === 'week') end = day + ((5 - weekdayOf(day) + 7) % 7); // the Friday on or after
  else if (rule.period === 'month') {
    const d = new Date(day * 86_400_000);
    end = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0) / 86_400_000;
  }
  return nyTime(businessDaysAfter(end, rule.businessDays), rule.hour, rule.minute);
}

/** When the COT report of positions as of `reportDate` (a Tuesday) becomes visible, epoch ms. */
export function cotReleaseAt(reportDate: string): number {
  const day = dayOf(reportDate);
  if (day === null) throw badDate('COT', reportDate);
  let release = businessDaysAfter(day, COT_RELEASE.businessDays);
  const monday = day - ((weekdayOf(day) + 6) % 7);
  if (COT_RELEASE.holidayMondayExtraDay && monday < day && !isBusinessDay(monday) && weekdayOf(monday) === 1) release = businessDaysAfter(release, 1);
  return nyTime(release, COT_RELEASE.hour, COT_RELEASE.minute);
}

export interface AlignOptions {
  /** Releases before this instant are folded into one event per series at the last of them (the state at the start). */
  readonly from?: number;
  /** Releases at or after this instant are dropped. */
  readonly to?: number;
  readonly maxObservations?: number;
}

interface Release<T> {
  readonly at: number;
  readonly id: string;
  /** Everything released by `at`, oldest first, capped. */
  readonly visible: readonly T[];
}

/**
 * Walks one series' items (any order) in release order and returns, per
 * distinct release instant, the items visible then (oldest first, newest
 * `max` only).
 */
function releases<T>(id: string, items: readonly T[], dateOf: (x: T) => string, releaseAt: (x: T) => number, max: number): Release<T>[] {
  const dated = items.map((x) => ({ x, at: releaseAt(x), date: dateOf(x) }));
  dated.sort((a, b) => a.at - b.at || (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  const out: Release<T>[] = [];
  const visible: { x: T; date: string }[] = [];
  for (let i = 0; i < dated.length; ) {
    const at = dated[i]!.at;
    for (; i < dated.length && dated[i]!.at === at; i++) {
      const e = dated[i]!;
      // Release order is date order for every rule above; insert in place if a source ever breaks that.
      let k = visible.length;
      while (k > 0 && visible[k - 1]!.date > e.date) k--;
      visible.splice(k, 0, e);
    }
    out.push({ at, id, visible: visible.slice(-max).map((v) => v.x) });
  }
  return out;
}

/** Keeps the releases in [from, to), with the last release before `from` standing for everything earlier. */
function window<T>(rs: Release<T>[], from: number, to: number): Release<T>[] {
  let firstIn = rs.findIndex((r) => r.at >= from);
  if (firstIn < 0) firstIn = rs.length;
  const kept = rs.slice(Math.max(0, firstIn - 1)).filter((r) => r.at < to);
  return kept;
}

/** The macro id a series or COT market is listed under in a description. */
export const cotId = (market: string): string => `cot:${market}`;

/**
 * Macro events in `at` order (ties by id), each message holding only what
 * was released by its `at`, with `fetchedAt = at`.
 */
export function alignMacro(series: readonly MacroSeriesMsg[], cot: readonly MacroCotMsg[], options: AlignOptions = {}): MacroEvent[] {
  const max = options.maxObservations ?? MAX_OBSERVATIONS_PER_EVENT;
  const from = options.from ?? -Infinity;
  const to = options.to ?? Infinity;
  const events: MacroEvent[] = [];
  for (const s of series) {
    for (const r of window(releases<Observation>(s.seriesId, s.observations, (o) => o.date, (o) => fredReleaseAt(s.seriesId, o.date), max), from, to)) {
      events.push({ at: r.at, msg: { type: 'macro.series', seriesId: s.seriesId, observations: r.visible, fetchedAt: r.at } });
    }
  }
  for (const c of cot) {
    for (const r of window(releases<CotRow>(cotId(c.market), c.rows, (x) => x.reportDate, (x) => cotReleaseAt(x.reportDate), max), from, to)) {
      events.push({ at: r.at, msg: { type: 'macro.cot', market: c.market, contractCode: c.contractCode, rows: r.visible, fetchedAt: r.at } });
    }
  }
  const idOf = (e: MacroEvent): string => (e.msg.type === 'macro.series' ? e.msg.seriesId : cotId(e.msg.market));
  events.sort((a, b) => a.at - b.at || (idOf(a) < idOf(b) ? -1 : idOf(a) > idOf(b) ? 1 : 0));
  return events;
}
