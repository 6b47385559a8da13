/**
 * The US calendar the macro releases follow: business days (weekdays that
 * are not Federal Reserve holidays) and New York wall-clock times. Days are
 * whole UTC day numbers (epoch ms / 86,400,000) so the arithmetic is exact
 * and independent of the process's time zone.
 */

export const DAY_MS = 86_400_000;

/** Day number of a `YYYY-MM-DD` date, or null when it is not a real date. */
export function dayOf(date: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) return null;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  const ms = Date.UTC(y, mo - 1, d);
  const back = new Date(ms);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) return null;
  return ms / DAY_MS;
}

/** `YYYY-MM-DD` of a day number. */
export function dateOf(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** 0 = Sunday ... 6 = Saturday. */
export function weekdayOf(day: number): number {
  return (((day + 4) % 7) + 7) % 7; // 1970-01-01 was a Thursday
}

/** Day number of the n-th (1-based) `weekday` of a month; n = -1: the last one. */
function nthWeekday(year: number, month0: number, weekday: number, n: number): number {
  if (n > 0) {
    const first = Date.UTC(year, month0, 1) / DAY_MS;
    return first + ((weekday - weekdayOf(first) + 7) % 7) + (n - 1) * 7;
  }
  const last = Date.UTC(year, month0 + 1, 0) / DAY_MS;
  return last - ((weekdayOf(last) - weekday + 7) % 7);
}

const holidayCache = new Map<number, ReadonlySet<number>>();

/**
 * The Federal Reserve's holidays of a year (the days FRED's H.15/H.10 and
 * the CFTC do not publish): New Year, Martin Luther King Jr., Presidents,
 * Memorial, Juneteenth (from 2022), Independence, Labor, Columbus, Veterans,
 * Thanksgiving and Christmas. A fixed-date holiday on a Sunday is kept on
 * the Monday; on a Saturday the Fed stays open on the Friday, so no weekday
 * is lost.
 */
export function fedHolidays(year: number): ReadonlySet<number> {
  const cached = holidayCache.get(year);
  if (cached) return cached;
  const days = new Set<number>();
  const fixed = (month0: number, date: number): void => {
    const day = Date.UTC(year, month0, date) / DAY_MS;
    const wd = weekdayOf(day);
    if (wd === 0) days.add(day + 1);
    else if (wd !== 6) days.add(day);
  };
  fixed(0, 1);
  days.add(nthWeekday(year, 0, 1, 3));
  days.add(nthWeekday(year, 1, 1, 3));
  days.add(nthWeekday(year, 4, 1, -1));
  if (year >= 2022) fixed(5, 19);
  fixed(6, 4);
  days.add(nthWeekday(year, 8, 1, 1));
  days.add(nthWeekday(year, 9, 1, 2));
  fixed(10, 11);
  days.add(nthWeekday(year, 10, 4, 4));
  fixed(11, 25);
  holidayCache.set(year, days);
  return days;
}

export function isBusinessDay(day: number): boolean {
  const wd = weekdayOf(day);
  if (wd === 0 || wd === 6) return false;
  return !fedHolidays(new Date(day * DAY_MS).getUTCFullYear()).has(day);
}

/** The n-th business day strictly after `day` (n >= 1). */
export function businessDaysAfter(day: number, n: number): number {
  let d = day;
  for (let k = 0; k < n; ) {
    d++;
    if (isBusinessDay(d)) k++;
  }
  return d;
}

/**
 * True when New York keeps daylight time on `day` in the afternoon (the DST
 * switch happens at 02:00, so an afternoon instant sees the new offset).
 * Rules: since 2007 second Sunday of March to first Sunday of November;
 * 1987-2006 first Sunday of April to last Sunday of October.
 */
function nyDaylight(day: number): boolean {
  const year = new Date(day * DAY_MS).getUTCFullYear();
  const [from, to] = year >= 2007 ? [nthWeekday(year, 2, 0, 2), nthWeekday(year, 10, 0, 1)] : [nthWeekday(year, 3, 0, 1), nthWeekday(year, 9, 0, -1)];
  return day >= from && day < to;
}

/** Epoch ms of `hour:minute` New York time on `day` (an afternoon time: never inside a DST switch). */
export function nyTime(day: number, hour: number, minute: number): number {
  const offsetHours = nyDaylight(day) ? 4 : 5;
  return day * DAY_MS + (hour + offsetHours) * 3_600_000 + minute * 60_000;
}
