/**
 * One CSV row to one bar: the header's column map, timestamps, numbers, and
 * the checks a bar must pass (with a message per problem). The usual row
 * takes a fast path (parse, one combined check); messages are built only
 * for a bad row.
 */
import type { HistBar } from '../types.js';
import { HistoryError } from './errors.js';

export const REQUIRED = ['timestamp', 'symbol', 'open', 'high', 'low', 'close', 'volume'] as const;
const OPTIONAL = ['vwap', 'trades'] as const;
export type Column = (typeof REQUIRED)[number] | (typeof OPTIONAL)[number];

/** The header the cache writes (epoch-ms timestamps). */
export const CSV_HEADER = 'timestamp,symbol,open,high,low,close,volume,vwap,trades';

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;
const EPOCH = /^-?\d+(\.\d+)?$/;

/** Epoch ms of a CSV timestamp, or a reason it is not one. */
export function parseTimestamp(raw: string): number | string {
  if (EPOCH.test(raw)) {
    const n = Number(raw);
    return Math.round(Math.abs(n) < 1e11 ? n * 1000 : n);
  }
  const m = ISO.exec(raw);
  if (!m) return `timestamp ${JSON.stringify(raw)} is neither ISO-8601 nor epoch seconds/ms`;
  const [y, mo, d, h = 0, mi = 0, s = 0] = [m[1], m[2], m[3], m[4], m[5], m[6]].map((x) => (x === undefined ? undefined : Number(x))) as number[];
  const day = Date.UTC(y, mo - 1, d);
  const back = new Date(day);
  if (back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) return `timestamp ${JSON.stringify(raw)} is not a real date and time`;
  const frac = m[7] ? Math.round(Number(m[7]) * 1000) : 0;
  let offsetMin = 0;
  const zone = m[8];
  if (zone && zone.toUpperCase() !== 'Z') {
    const digits = zone.slice(1).replace(':', '');
    offsetMin = (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || 0)) * (zone[0] === '-' ? -1 : 1);
  }
  return day + ((h * 60 + mi - offsetMin) * 60 + s) * 1000 + frac;
}

/**
 * A file's column map, plus the last timestamp parsed: the rows of one
 * timestamp repeat the same text, so it is parsed once per timestamp.
 */
export type Header = Readonly<Record<Column, number>> & { readonly count: number; readonly last: { raw: string; ts: number | string } };

export function parseHeader(file: string, line: string): Header {
  const names = line.replace(/^\uFEFF/, '').split(',').map((c) => unquote(c).trim().toLowerCase());
  const problems: string[] = [];
  const index: Partial<Record<Column, number>> = {};
  names.forEach((name, k) => {
    if (!(REQUIRED as readonly string[]).includes(name) && !(OPTIONAL as readonly string[]).includes(name)) {
      problems.push(`${file}:1: unknown column ${JSON.stringify(name)} (expected ${[...REQUIRED, ...OPTIONAL].join(', ')})`);
    } else if (index[name as Column] !== undefined) problems.push(`${file}:1: column ${name} appears twice`);
    else index[name as Column] = k;
  });
  for (const c of REQUIRED) if (index[c] === undefined) problems.push(`${file}:1: missing column ${c}`);
  if (problems.length > 0) throw new HistoryError(`CSV ${file}: bad header`, problems);
  return { ...(index as Record<Column, number>), vwap: index.vwap ?? -1, trades: index.trades ?? -1, count: names.length, last: { raw: '', ts: 'no timestamp yet' } };
}

function unquote(s: string): string {
  return s.length >= 2 && s.charCodeAt(0) === 34 && s.charCodeAt(s.length - 1) === 34 ? s.slice(1, -1) : s;
}

/** A field without surrounding quotes and blanks (returned as is in the usual case: nothing to strip). */
function clean(s: string): string {
  const n = s.length;
  if (n === 0) return s;
  const first = s.charCodeAt(0);
  const last = s.charCodeAt(n - 1);
  if (first > 32 && first !== 34 && last > 32 && last !== 34) return s;
  return unquote(s.trim()).trim();
}

const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

/**
 * A plain decimal (`-12.345`) of at most 15 digits, or NaN to fall back on
 * `Number`. Exact: the digits form an integer below 2^53 and the power of
 * ten is exact, so the one division rounds correctly, as `Number` does.
 */
export function fastDecimal(s: string): number {
  const n = s.length;
  let i = 0;
  let neg = false;
  if (n > 0 && s.charCodeAt(0) === 45) {
    neg = true;
    i = 1;
  }
  let m = 0;
  let digits = 0;
  let frac = -1;
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      m = m * 10 + (c - 48);
      digits++;
      if (frac >= 0) frac++;
    } else if (c === 46 && frac < 0) frac = 0;
    else return NaN;
  }
  if (digits === 0 || digits > 15) return NaN;
  const x = frac > 0 ? m / POW10[frac]! : m;
  return neg ? -x : x;
}

/** A number field: NaN when empty or not a finite number. */
export function num(raw: string): number {
  const s = clean(raw);
  if (s === '') return NaN;
  const fast = fastDecimal(s);
  if (fast === fast) return fast;
  const x = +s;
  return Number.isFinite(x) ? x : NaN;
}

/** An optional number field: undefined when empty. */
function optionalNum(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  return clean(raw) === '' ? undefined : num(raw);
}

/**
 * Parses one data row; returns the bar or the problems with it (without the
 * file:line prefix). The usual row takes the fast path: parse everything,
 * then one check; messages are built only for a bad row.
 */
export function parseRow(h: Header, line: string): HistBar | string[] {
  const f = line.split(',');
  if (f.length !== h.count) return [`has ${f.length} fields, the header ${h.count}`];
  const symbol = clean(f[h.symbol]!);
  const rawTs = f[h.timestamp]!;
  const last = h.last;
  if (rawTs !== last.raw) {
    last.ts = parseTimestamp(clean(rawTs));
    last.raw = rawTs;
  }
  const ts = last.ts;
  const open = num(f[h.open]!);
  const high = num(f[h.high]!);
  const low = num(f[h.low]!);
  const close = num(f[h.close]!);
  const volume = num(f[h.volume]!);
  const vwap = h.vwap >= 0 ? optionalNum(f[h.vwap]) : undefined;
  const trades = h.trades >= 0 ? optionalNum(f[h.trades]) : undefined;
  // NaN fails every comparison below, so a bad number falls to the slow path too.
  const ok =
    symbol !== '' && typeof ts === 'number' && low > 0 && high >= low && open >= low && open <= high && close >= low && close <= high && volume >= 0 &&
    (vwap === undefined || vwap === vwap) && (trades === undefined || trades >= 0);
  if (!ok) return rowProblems(h, f, symbol, ts);
  const bar: { -readonly [K in keyof HistBar]: HistBar[K] } = { symbol, ts: ts as number, open, high, low, close, volume };
  if (vwap !== undefined) bar.vwap = vwap;
  if (trades !== undefined) bar.trades = trades;
  return bar;
}

/** Everything wrong with a row that failed the fast check. */
function rowProblems(h: Header, f: readonly string[], symbol: string, ts: number | string): string[] {
  const problems: string[] = [];
  const value = (col: Column, optional = false): number | undefined => {
    const raw = clean(f[h[col]]!);
    if (raw === '' && optional) return undefined;
    const x = num(raw);
    if (Number.isNaN(x)) problems.push(`${col} ${JSON.stringify(raw)} is not a number`);
    return x;
  };
  if (symbol === '') problems.push('symbol is empty');
  if (typeof ts === 'string') problems.push(ts);
  const open = value('open')!;
  const high = value('high')!;
  const low = value('low')!;
  const close = value('close')!;
  const volume = value('volume')!;
  if (h.vwap >= 0) value('vwap', true);
  const trades = h.trades >= 0 ? value('trades', true) : undefined;
  if (problems.length > 0) return problems;
  if (high < low) problems.push(`high ${high} < low ${low}`);
  else {
    if (close < low || close > high) problems.push(`close ${close} outside [low ${low}, high ${high}]`);
    if (open < low || open > high) problems.push(`open ${open} outside [low ${low}, high ${high}]`);
  }
  if (low <= 0) problems.push(`low ${low} is not a positive price`);
  if (volume < 0) problems.push(`volume ${volume} is negative`);
  if (trades !== undefined && trades < 0) problems.push(`trades ${trades} is negative`);
  return problems;
}

