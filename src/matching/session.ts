/**
 * Trading sessions. By default the simulated session is always open and a
 * "day" is a UTC calendar day (day orders expire at UTC midnight), so the
 * venue trades at any hour. The exchange mode follows NYSE regular hours,
 * 09:30-16:00 America/New_York on weekdays, without holidays.
 */

export interface SessionCalendar {
  readonly mode: 'always_open' | 'exchange';
  isOpen(now: number): boolean;
  /** Start of the next session at or after now (now itself when open in always-open mode). */
  nextOpen(now: number): number;
  /** End of the current session, or of the next one when closed. */
  nextClose(now: number): number;
}

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

export const ALWAYS_OPEN: SessionCalendar = {
  mode: 'always_open',
  isOpen: () => true,
  nextOpen: (now) => floorDay(now) + DAY_MS,
  nextClose: (now) => floorDay(now) + DAY_MS,
};

export const EXCHANGE_HOURS: SessionCalendar = {
  mode: 'exchange',
  isOpen(now) {
    const { open, close } = sessionOf(floorDay(now));
    return open !== undefined && now >= open && now < close!;
  },
  nextOpen(now) {
    for (let day = floorDay(now); ; day += DAY_MS) {
      const { open } = sessionOf(day);
      if (open !== undefined && open > now) return open;
    }
  },
  nextClose(now) {
    for (let day = floorDay(now); ; day += DAY_MS) {
      const { close } = sessionOf(day);
      if (close !== undefined && close > now) return close;
    }
  },
};

/** Regular session of the New York trading day that falls on UTC day `day`. */
function sessionOf(day: number): { open?: number; close?: number } {
  const dow = new Date(day).getUTCDay();
  if (dow === 0 || dow === 6) return {};
  const offset = isUsDst(day + 12 * HOUR_MS) ? 4 : 5;
  return { open: day + (9.5 + offset) * HOUR_MS, close: day + (16 + offset) * HOUR_MS };
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

function floorDay(ms: number): number {
  return ms - (ms % DAY_MS);
}
