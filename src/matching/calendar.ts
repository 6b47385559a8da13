/**
 * NYSE holidays and early closes, computed from the exchange's rules (not a
 * table, so every year is covered): New Year's Day, Martin Luther King Jr.
 * Day, Washington's Birthday, Good Friday, Memorial Day, Juneteenth (from
 * 2022), Independence Day, Labor Day, Thanksgiving and Christmas; a holiday on
 * a Saturday is observed the Friday before (except New Year's Day, which is
 * then not observed), one on a Sunday the Monday after. Early closes (13:00)
 * are July 3rd, the day after Thanksgiving and Christmas Eve, when they are
 * trading days.
 */
const DAY_MS = 86_400_000;

export interface NyseDay {
  readonly trading: boolean;
  readonly holiday?: string;
  readonly earlyClose: boolean;
}

const cache = new Map<number, Map<number, string>>();

/** The NYSE's holidays of a year: UTC-midnight ms -> name. */
export function nyseHolidays(year: number): ReadonlyMap<number, string> {
  let h = cache.get(year);
  if (h) return h;
  h = new Map<number, string>();
  const fixed = (month: number, date: number, name: string, observeFriday = true): void => {
    const d = Date.UTC(year, month, date);
    const dow = new Date(d).getUTCDay();
    if (dow === 6) {
      if (observeFriday) h!.set(d - DAY_MS, name);
    } else if (dow === 0) h!.set(d + DAY_MS, name);
    else h!.set(d, name);
  };
  fixed(0, 1, "New Year's Day", false);
  h.set(nthWeekday(year, 0, 1, 3), 'Martin Luther King Jr. Day');
  h.set(nthWeekday(year, 1, 1, 3), "Washington's Birthday");
  h.set(easter(year) - 2 * DAY_MS, 'Good Friday');
  h.set(lastWeekday(year, 4, 1), 'Memorial Day');
  if (year >= 2022) fixed(5, 19, 'Juneteenth');
  fixed(6, 4, 'Independence Day');
  h.set(nthWeekday(year, 8, 1, 1), 'Labor Day');
  h.set(nthWeekday(year, 10, 4, 4), 'Thanksgiving Day');
  fixed(11, 25, 'Christmas Day');
  // A New Year's Day on a Saturday is not observed on the Friday before (the NYSE rule).
  cache.set(year, h);
  return h;
}

/** Whether the NYSE trades on the UTC day starting at `day`, and whether it closes early. */
export function nyseDay(day: number): NyseDay {
  const date = new Date(day);
  const dow = date.getUTCDay();
  if (dow === 0 || dow === 6) return { trading: false, earlyClose: false };
  const year = date.getUTCFullYear();
  const holiday = nyseHolidays(year).get(day);
  if (holiday) return { trading: false, holiday, earlyClose: false };
  const month = date.getUTCMonth();
  const dom = date.getUTCDate();
  const early =
    (month === 6 && dom === 3) ||
    (month === 11 && dom === 24) ||
    day === nthWeekday(year, 10, 4, 4) + DAY_MS;
  return { trading: true, earlyClose: early };
}

/** The n-th given weekday (0 = Sunday) of a month, as UTC-midnight ms. */
function nthWeekday(year: number, month: number, weekday: number, n: number): number {
  const first = Date.UTC(year, month, 1);
  const dow = new Date(first).getUTCDay();
  return first + (((weekday - dow + 7) % 7) + 7 * (n - 1)) * DAY_MS;
}

function lastWeekday(year: number, month: number, weekday: number): number {
  const last = Date.UTC(year, month + 1, 0);
  const dow = new Date(last).getUTCDay();
  return last - ((dow - weekday + 7) % 7) * DAY_MS;
}

/** Easter Sunday (Gregorian, anonymous algorithm) as UTC-midnight ms. */
function easter(year: number): number {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return Date.UTC(year, month - 1, day);
}
