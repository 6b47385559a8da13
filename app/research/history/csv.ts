/**
 * Bars from a CSV file, streamed: node:readline over a file stream, so only
 * the rows of one timestamp are held at a time.
 *
 * Format: a header row naming `timestamp,symbol,open,high,low,close,volume`
 * (any case, any order) and optionally `vwap` and `trades`; one bar per row.
 * A timestamp is ISO-8601 (no offset means UTC) or epoch (seconds below
 * 1e11, else milliseconds). Rows must be in time order (ascending timestamp;
 * within one timestamp any symbol order): bars come out in (ts, symbol)
 * order, as the back-test replays them.
 *
 * Every bad row is reported as `file:line: what`; up to `maxProblems` are
 * collected and thrown together as one HistoryError. The disk cache of
 * fetched bars uses this format too (epoch-ms timestamps), so it is read by
 * the same code.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { HistBar } from '../types.js';
import { HistoryError, MAX_PROBLEMS } from './errors.js';

const REQUIRED = ['timestamp', 'symbol', 'open', 'high', 'low', 'close', 'volume'] as const;
const OPTIONAL = ['vwap', 'trades'] as const;
type Column = (typeof REQUIRED)[number] | (typeof OPTIONAL)[number];

/** The header the cache writes (epoch-ms timestamps). */
export const CSV_HEADER = 'timestamp,symbol,open,high,low,close,volume,vwap,trades';

export interface CsvReadOptions {
  /** Emit only these symbols (every row is still validated). */
  readonly symbols?: readonly string[];
  /** The bar interval, when known: bars of one symbol closer than this are an error. */
  readonly intervalMs?: number;
  /** Problems collected before reading stops. Default 20. */
  readonly maxProblems?: number;
}

/** What a pass over the file saw (of the emitted symbols), filled in as it reads. */
export interface CsvStats {
  bars: number;
  firstTs: number | null;
  lastTs: number | null;
  /** Smallest positive gap between consecutive bars of one symbol, ms (null: none seen). */
  minGapMs: number | null;
  readonly symbols: Set<string>;
}

export function emptyCsvStats(): CsvStats {
  return { bars: 0, firstTs: null, lastTs: null, minGapMs: null, symbols: new Set() };
}

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

type Header = Readonly<Record<Column, number>> & { readonly count: number };

function parseHeader(file: string, line: string): Header {
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
  return { ...(index as Record<Column, number>), vwap: index.vwap ?? -1, trades: index.trades ?? -1, count: names.length };
}

function unquote(s: string): string {
  return s.length >= 2 && s.charCodeAt(0) === 34 && s.charCodeAt(s.length - 1) === 34 ? s.slice(1, -1) : s;
}

/** Parses one data row; returns the bar or the problems with it (without the file:line prefix). */
function parseRow(h: Header, line: string): HistBar | string[] {
  const f = line.split(',');
  if (f.length !== h.count) return [`has ${f.length} fields, the header ${h.count}`];
  const problems: string[] = [];
  const num = (col: Column, optional = false): number | undefined => {
    const raw = unquote(f[h[col]]!).trim();
    if (raw === '' && optional) return undefined;
    const x = raw === '' ? NaN : Number(raw);
    if (!Number.isFinite(x)) problems.push(`${col} ${JSON.stringify(raw)} is not a number`);
    return x;
  };
  const symbol = unquote(f[h.symbol]!).trim();
  if (symbol === '') problems.push('symbol is empty');
  const ts = parseTimestamp(unquote(f[h.timestamp]!).trim());
  if (typeof ts === 'string') problems.push(ts);
  const open = num('open')!;
  const high = num('high')!;
  const low = num('low')!;
  const close = num('close')!;
  const volume = num('volume')!;
  const vwap = h.vwap >= 0 ? num('vwap', true) : undefined;
  const trades = h.trades >= 0 ? num('trades', true) : undefined;
  if (problems.length > 0) return problems;
  if (high < low) problems.push(`high ${high} < low ${low}`);
  else {
    if (close < low || close > high) problems.push(`close ${close} outside [low ${low}, high ${high}]`);
    if (open < low || open > high) problems.push(`open ${open} outside [low ${low}, high ${high}]`);
  }
  if (low <= 0) problems.push(`low ${low} is not a positive price`);
  if (volume < 0) problems.push(`volume ${volume} is negative`);
  if (trades !== undefined && trades < 0) problems.push(`trades ${trades} is negative`);
  if (problems.length > 0) return problems;
  const bar: { -readonly [K in keyof HistBar]: HistBar[K] } = { symbol, ts: ts as number, open, high, low, close, volume };
  if (vwap !== undefined) bar.vwap = vwap;
  if (trades !== undefined) bar.trades = trades;
  return bar;
}

/** Orders one timestamp's bars by symbol (usually already in order: no sort then). */
function bySymbol(a: HistBar, b: HistBar): number {
  return a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0;
}

/**
 * Streams the bars of a CSV file in (ts, symbol) order. Throws a
 * HistoryError listing the problems (up to `maxProblems`) when the file is
 * unreadable or has bad rows; bars before the first problem may already
 * have been yielded (scan first, as `scanCsv` does, to validate up front).
 */
export async function* readCsvBars(file: string, options: CsvReadOptions = {}, stats?: CsvStats): AsyncGenerator<HistBar> {
  const maxProblems = options.maxProblems ?? MAX_PROBLEMS;
  const only = options.symbols ? new Set(options.symbols) : null;
  const intervalMs = options.intervalMs;
  const problems: string[] = [];
  const fail = (why: string): HistoryError => new HistoryError(`CSV ${file}: ${problems.length} problem(s)${why}`, problems);
  const stream = createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 });
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  const lastTs = new Map<string, number>();
  let header: Header | null = null;
  let lineNo = 0;
  let group: HistBar[] = [];
  let groupTs = -Infinity;
  const groupSymbols = new Set<string>();
  try {
    for await (const line of lines) {
      lineNo++;
      if (header === null) {
        if (line.trim() === '') throw new HistoryError(`CSV ${file}: line 1 must be the header (${REQUIRED.join(',')})`);
        header = parseHeader(file, line);
        continue;
      }
      if (line.trim() === '') continue;
      const bar = parseRow(header, line);
      if (Array.isArray(bar)) {
        for (const p of bar) problems.push(`${file}:${lineNo}: ${p}`);
      } else if (bar.ts < groupTs) {
        problems.push(`${file}:${lineNo}: out of time order: ${iso(bar.ts)} after ${iso(groupTs)}`);
      } else {
        if (bar.ts > groupTs) {
          // A timestamp is complete once a later one starts: emit it.
          if (group.length > 1) group.sort(bySymbol);
          for (const b of group) yield b;
          group = [];
          groupSymbols.clear();
          groupTs = bar.ts;
        }
        if (groupSymbols.has(bar.symbol)) {
          problems.push(`${file}:${lineNo}: duplicate bar for ${bar.symbol} at ${iso(bar.ts)}`);
        } else {
          groupSymbols.add(bar.symbol);
          const prev = lastTs.get(bar.symbol);
          lastTs.set(bar.symbol, bar.ts);
          if (prev !== undefined && intervalMs !== undefined && bar.ts - prev < intervalMs) {
            problems.push(`${file}:${lineNo}: ${bar.symbol} bars ${bar.ts - prev} ms apart, less than the interval ${intervalMs} ms`);
          }
          if (only === null || only.has(bar.symbol)) {
            group.push(bar);
            if (stats) {
              stats.bars++;
              stats.firstTs ??= bar.ts;
              stats.lastTs = bar.ts;
              stats.symbols.add(bar.symbol);
              const gap = prev === undefined ? 0 : bar.ts - prev;
              if (gap > 0 && (stats.minGapMs === null || gap < stats.minGapMs)) stats.minGapMs = gap;
            }
          }
        }
      }
      if (problems.length >= maxProblems) throw fail(` (stopped after ${maxProblems})`);
    }
    if (header === null) throw new HistoryError(`CSV ${file}: empty file (expected a header row: ${REQUIRED.join(',')})`);
    if (problems.length > 0) throw fail('');
    if (group.length > 1) group.sort(bySymbol);
    for (const b of group) yield b;
  } catch (err) {
    if (err instanceof HistoryError) throw err;
    throw new HistoryError(`CSV ${file}: cannot read: ${(err as Error).message}`, [], { cause: err });
  } finally {
    lines.close();
    stream.destroy();
  }
}

function iso(ts: number): string {
  return Number.isFinite(ts) ? new Date(ts).toISOString() : String(ts);
}

/** What a validating pass over a CSV file found. */
export interface CsvScan {
  readonly symbols: readonly string[];
  readonly intervalMs: number;
  /** First bar's start and last bar's close, epoch ms (null: no bars). */
  readonly start: number | null;
  readonly end: number | null;
  readonly bars: number;
}

/**
 * Reads the whole file once, validating every row, and counts what a
 * description needs (O(symbols) memory). The interval is `intervalMs` when
 * given, else the smallest gap between consecutive bars of one symbol.
 */
export async function scanCsv(file: string, options: CsvReadOptions = {}): Promise<CsvScan> {
  const stats = emptyCsvStats();
  for await (const _ of readCsvBars(file, options, stats)) {
    // Counting happens in readCsvBars; nothing to keep per bar.
  }
  const problems: string[] = [];
  for (const s of options.symbols ?? []) if (!stats.symbols.has(s)) problems.push(`symbol ${s} has no bars in the file`);
  const intervalMs = options.intervalMs ?? stats.minGapMs;
  if (intervalMs === null) problems.push('cannot infer the bar interval (no symbol has two bars): give intervalMs');
  if (problems.length > 0) throw new HistoryError(`CSV ${file}`, problems);
  return {
    symbols: [...stats.symbols].sort(),
    intervalMs: intervalMs!,
    start: stats.firstTs,
    end: stats.lastTs === null ? null : stats.lastTs + intervalMs!,
    bars: stats.bars,
  };
}
