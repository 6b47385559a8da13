/**
 * Trading sessions. By default the simulated session is always open and a
 * "day" is a UTC calendar day (day orders expire at UTC midnight), so the
 * venue trades at any hour. The exchange mode follows NYSE regular hours,
 * 09:30-16:00 America/New_York on weekdays, closed on NYSE holidays and
 * closing at 13:00 on its early-close days (see calendar.ts).
 */
import { nyseDay } from './calendar.js';

export interface SessionCalendar {
  readonly mode: 'always_open' | 'exchange';
  isOpen(now: number): boolean;
  /** Start of the next session at or after now (now itself when open in always-open mode). */
  nextOpen(now: number): number;
  /** End of the current session, or of the next one when closed. */
  nextClose(now: number): number;
  /** The session of the UTC day starting at `day` (ms), or undefined when there is none. */
  sessionOf(day: number): { readonly open: number; readonly close: number } | undefined;
}

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

export const ALWAYS_OPEN: SessionCalendar = {
  mode: 'always_open',
  isOpen: () => true,
  nextOpen: (now) => floorDay(now) + DAY_MS,
  nextClose: (now) => floorDay(now) + DAY_MS,
  sessionOf: (day) => ({ open: floorDay(day), close: floorDay(day) + DAY_MS }),
};

export const EXCHANGE_HOURS: SessionCalendar = {
  mode: 'exchange',
  isOpen(now) {
    const s = exchangeSession(floorDay(now));
    return s !== undefined && now >= s.open && now < s.close;
  },
  nextOpen(now) {
    for (let day = floorDay(now); ; day += DAY_MS) {
      const s = exchangeSession(day);
      if (s && s.open > now) return s.open;
    }
  },
  nextClose(now) {
    for (let day = floorDay(now); ; day += DAY_MS) {
      const s = exchangeSession(day);
      if (s && s.close > now) return s.close;
    }
  },
  sessionOf: (day) => exchangeSession(floorDay(day)),
};

/** Regular session of the New York trading day that falls on UTC day `day`. */
function exchangeSession(day: number): { open: number; close: number } | undefined {
  const d = nyseDay(day);
  if (!d.trading) return undefined;
  const offset = isUsDst(day + 12 * HOUR_MS) ? 4 : 5;
  return { open: day + (9.5 + offset) * HOUR_MS, close: day + ((d.earlyClose ? 13 : 16) + offset) * HOUR_MS };
}

/** US daylight saving: second Sunday of March to first Sunday of November. */
export function isUsDst(utcMs: number): boolean {
  const year = new Date(utcMs).getUTCFullYear();
  const start = nthSunday(year, 2, 2) + 7 * HOUR_MS; // 02:00 EST
  const end = nthSunday(year, 10, 1) + 6 * HOUR_MS; // 02:00 EDT
  return utcMs >= start && utcMs < end;
}

function nthSunday(year: number, month: number, n: number): number {
  const first = Date.UTC(year, month, 1);
  const dow = new Date(first).getUTCDay();
  return first + (((7 - dow) % 7) + 7 * (n - 1)) * DAY_MS;
}

export function floorDay(ms: number): number {
  return ms - (((ms % DAY_MS) + DAY_MS) % DAY_MS);
}

interface SessionDay {
  readonly day: number;
  readonly open: number;
  readonly close: number;
  /** The next session's day: settlement is T+1. */
  readonly settles: number;
  /** Hours New York is behind UTC that day (0 in always-open mode, whose days are UTC days). */
  readonly offsetHours: number;
}

/** The sessions of the UTC days from `start` to `end` (inclusive). */
function sessionDays(session: SessionCalendar, start: number, end: number): SessionDay[] {
  const days: number[] = [];
  for (let day = floorDay(start); day <= floorDay(end); day += DAY_MS) if (session.sessionOf(day)) days.push(day);
  // One more session past the end, for the last one's settlement date.
  let after = floorDay(end) + DAY_MS;
  while (!session.sessionOf(after)) after += DAY_MS;
  days.push(after);
  return days.slice(0, -1).map((day, k) => {
    const s = session.sessionOf(day)!;
    const offsetHours = session.mode === 'exchange' ? (isUsDst(day + 12 * HOUR_MS) ? 4 : 5) : 0;
    return { day, open: s.open, close: s.close, settles: days[k + 1], offsetHours };
  });
}

const dateOf = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/**
 * `GET /v2/calendar` rows from `start` to `end` (UTC days, inclusive): each
 * session's date, open and close in New York time (HH:MM; in always-open mode
 * the UTC day, 00:00-23:59), the extended session (HHMM) and the settlement
 * date (T+1: the next session's date).
 */
export function calendarRows(session: SessionCalendar, start: number, end: number): Record<string, string>[] {
  const exchange = session.mode === 'exchange';
  return sessionDays(session, start, end).map((d) => {
    const hhmm = (ms: number): string => new Date(ms - d.offsetHours * HOUR_MS).toISOString().slice(11, 16);
    return {
      date: dateOf(d.day),
      open: hhmm(d.open),
      close: exchange ? hhmm(d.close) : '23:59',
      session_open: exchange ? '0400' : '0000',
      session_close: exchange ? '2000' : '2359',
      settlement_date: dateOf(d.settles),
    };
  });
}

/**
 * `GET /v3/calendar/{market}` days: core session start and end as RFC 3339
 * times (UTC), the pre-market (04:00 New York to the open) and after-hours
 * (the close to 20:00) sessions in exchange mode, and the settlement date.
 */
export function calendarV3Days(session: SessionCalendar, start: number, end: number): Record<string, string>[] {
  const exchange = session.mode === 'exchange';
  return sessionDays(session, start, end).map((d) => ({
    date: dateOf(d.day),
    core_start: new Date(d.open).toISOString(),
    core_end: new Date(d.close).toISOString(),
    ...(exchange
      ? {
          pre_start: new Date(d.day + (4 + d.offsetHours) * HOUR_MS).toISOString(),
          pre_end: new Date(d.open).toISOString(),
          post_start: new Date(d.close).toISOString(),
          post_end: new Date(d.day + (20 + d.offsetHours) * HOUR_MS).toISOString(),
        }
      : {}),
    settlement_date: dateOf(d.settles),
  }));
}
