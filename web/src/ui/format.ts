/**
 * Number and time formatting for the terminal. `null` (unknown) always
 * prints as an em dash: the page never turns "unknown" into a zero.
 */

export const DASH = '—';

const cache = new Map<string, Intl.NumberFormat>();
function nf(min: number, max: number, extra: Intl.NumberFormatOptions = {}): Intl.NumberFormat {
  const k = `${min}:${max}:${JSON.stringify(extra)}`;
  let f = cache.get(k);
  if (!f) {
    f = new Intl.NumberFormat('en-US', { minimumFractionDigits: min, maximumFractionDigits: max, ...extra });
    cache.set(k, f);
  }
  return f;
}

export function fixed(x: number | null | undefined, digits = 2): string {
  return x === null || x === undefined || !Number.isFinite(x) ? DASH : nf(digits, digits).format(x);
}

/**
 * A rate given per second, in the unit that reads best: "12.3/s" from one a
 * second up, "8.0/min" below (8 orders a minute is not "0.13/s"), "3.0/h"
 * below one a minute; "0/s" for none.
 */
export function rate(perSec: number | null | undefined): string {
  if (perSec === null || perSec === undefined || !Number.isFinite(perSec)) return DASH;
  const a = Math.abs(perSec);
  if (a === 0) return '0/s';
  if (a >= 1) return `${nf(1, 1).format(perSec)}/s`;
  if (a * 60 >= 1) return `${nf(1, 1).format(perSec * 60)}/min`;
  return `${nf(1, 1).format(perSec * 3600)}/h`;
}

export function int(x: number | null | undefined): string {
  return x === null || x === undefined || !Number.isFinite(x) ? DASH : nf(0, 0).format(Math.round(x));
}

/** A price: 2 decimals, 4 below 1 (cheap instruments still show movement). */
export function price(x: number | null | undefined): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return DASH;
  return Math.abs(x) < 1 ? nf(4, 4).format(x) : nf(2, 2).format(x);
}

/** A fraction as a percentage: 0.0123 -> "1.23%"; `signed` adds "+". */
export function pct(x: number | null | undefined, digits = 2, signed = false): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return DASH;
  return nf(digits, digits, signed ? { signDisplay: 'exceptZero' } : {}).format(x * 100) + '%';
}

export function signed(x: number | null | undefined, digits = 2): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return DASH;
  return nf(digits, digits, { signDisplay: 'exceptZero' }).format(x);
}

/** Dollars, compact past a million: "$1.25M". */
export function money(x: number | null | undefined, digits = 0): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return DASH;
  const a = Math.abs(x);
  if (a >= 1e6) return nf(2, 2, { style: 'currency', currency: 'USD', notation: 'compact', signDisplay: 'auto' }).format(x);
  return nf(digits, digits, { style: 'currency', currency: 'USD' }).format(x);
}

export function bytes(x: number | null | undefined): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return DASH;
  if (x >= 1 << 30) return fixed(x / (1 << 30), 2) + ' GiB';
  if (x >= 1 << 20) return fixed(x / (1 << 20), 1) + ' MiB';
  if (x >= 1 << 10) return fixed(x / (1 << 10), 0) + ' KiB';
  return int(x) + ' B';
}

/** A duration: "850 ms", "12.3 s", "4m 05s", "3h 12m", "2d 04h". */
export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return DASH;
  const a = Math.max(0, ms);
  if (a < 1000) return `${Math.round(a)} ms`;
  if (a < 60_000) return `${(a / 1000).toFixed(1)} s`;
  const s = Math.floor(a / 1000);
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  return `${Math.floor(s / 86_400)}d ${String(Math.floor((s % 86_400) / 3600)).padStart(2, '0')}h`;
}

/** How long ago an epoch-ms instant was: "3.2 s ago". */
export function ago(at: number | null | undefined, now: number): string {
  if (at === null || at === undefined || !Number.isFinite(at)) return DASH;
  return `${duration(now - at)} ago`;
}

/** Wall-clock time of an epoch-ms instant, HH:MM:SS (local). */
export function clock(at: number | null | undefined): string {
  if (at === null || at === undefined || !Number.isFinite(at)) return DASH;
  const d = new Date(at);
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((x) => String(x).padStart(2, '0')).join(':');
}

export function dirText(d: number | null | undefined): string {
  return d === 1 ? 'LONG' : d === -1 ? 'SHORT' : d === 0 ? 'FLAT' : DASH;
}

/** Positive / negative / zero class for coloured numbers. */
export function signClass(x: number | null | undefined): string {
  if (x === null || x === undefined || !Number.isFinite(x) || x === 0) return '';
  return x > 0 ? 'pos' : 'neg';
}

/** A multiple (of equity, say): 0.2345 -> "0.23×"; `signed` adds "+". Never a dollar figure. */
export function times(x: number | null | undefined, digits = 2, signed = false): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return DASH;
  return nf(digits, digits, signed ? { signDisplay: 'exceptZero' } : {}).format(x) + '×';
}

/** `text` without a leading `prefix` (case-insensitive), so a caller adding that prefix never doubles it. */
export function dropPrefix(text: string, prefix: string): string {
  return text.toLowerCase().startsWith(prefix.toLowerCase()) ? text.slice(prefix.length).trimStart() : text;
}

/** A share quantity: whole shares plain, fractional shares (Alpaca allows them) up to 4 decimals, never rounded to 0. */
export function qty(x: number | null | undefined): string {
  return x === null || x === undefined || !Number.isFinite(x) ? DASH : nf(0, 4).format(x);
}
