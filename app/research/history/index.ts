/**
 * The back-tester's history layer: where bars and macro releases come from.
 *
 * - `prepareHistory(spec)` runs once, on the main thread: for the local
 *   venue or Alpaca it fetches the bars (and macro series) into the disk
 *   cache unless they are there already; for a CSV file or synthetic bars
 *   there is nothing to fetch.
 * - `openHistory(spec)` runs in each task: it reads the cache only (never
 *   the network), scans a CSV once to validate it, or sets up the
 *   generator. Its `bars(range)` streams bars in (ts, symbol) order, as many
 *   times as asked, holding no more than a timestamp's bars.
 *
 * A bar belongs to a range [from, to) by its close (`ts + intervalMs`): the
 * instant the replay may first see it.
 */
import { stat } from 'node:fs/promises';
import type { BarStream, HistoryDescription, HistorySource, HistorySpec, MacroEvent } from '../types.js';
import { fetchBarsToCache, fetchMacroToCache, networkSpecViolations, type FetchOptions, type MacroCacheEntry, type NetworkSpec } from './alpaca.js';
import { barCacheKey, barsPath, macroCacheKey, macroPath, metaPath, readJsonEntry, type BarCacheMeta } from './cache.js';
import { readCsvBars, scanCsv, type CsvScan } from './csv.js';
import { HistoryError } from './errors.js';
import { alignMacro, cotId } from './macro.js';
import { SyntheticBars, syntheticSpecViolations, syntheticStream } from './synthetic.js';

export { HistoryError, MAX_PROBLEMS } from './errors.js';
export { readCsvBars, scanCsv, parseTimestamp, CSV_HEADER } from './csv.js';
export { fastDecimal } from './csv-row.js';
export type { CsvReadOptions, CsvScan, CsvStats } from './csv.js';
export { barCacheKey, macroCacheKey, mergeByTime } from './cache.js';
export type { BarCacheMeta } from './cache.js';
export { fetchBarsToCache, fetchMacroToCache, PAGE_LIMIT, MACRO_LOOKBACK_DAYS } from './alpaca.js';
export type { FetchOptions, MacroCacheEntry, NetworkSpec } from './alpaca.js';
export { alignMacro, fredReleaseAt, cotReleaseAt, FRED_RELEASE_RULES, FRED_DAILY_RELEASE, FRED_WEEKLY_BATCH_RELEASE, COT_RELEASE, MAX_OBSERVATIONS_PER_EVENT } from './macro.js';
export type { ReleaseRule, AlignOptions } from './macro.js';
export { SyntheticBars, syntheticStream } from './synthetic.js';
export type { SyntheticSpec } from './synthetic.js';

export type HistoryRange = { readonly from?: number; readonly to?: number };

function checkSpec(spec: HistorySpec): void {
  let v: string[];
  if (spec.kind === 'venue' || spec.kind === 'alpaca') v = networkSpecViolations(spec);
  else if (spec.kind === 'synthetic') v = syntheticSpecViolations(spec);
  else if (spec.kind === 'csv') {
    v = [];
    if (typeof spec.file !== 'string' || spec.file === '') v.push('history.file is required');
    if (spec.intervalMs !== undefined && !(Number.isInteger(spec.intervalMs) && spec.intervalMs > 0)) v.push(`history.intervalMs must be a positive integer (got ${spec.intervalMs})`);
  } else v = [`history.kind must be venue, alpaca, csv or synthetic (got ${JSON.stringify((spec as { kind?: unknown }).kind)})`];
  if (v.length > 0) throw new HistoryError('invalid history spec', v);
}

const macroIds = (m: MacroCacheEntry | null): string[] => (m ? [...m.series.map((s) => s.seriesId), ...m.cot.map((c) => cotId(c.market))] : []);
const wantsMacro = (spec: NetworkSpec): boolean => Boolean(spec.fredUrl || spec.cftcUrl);

function describeCache(spec: NetworkSpec, meta: BarCacheMeta, macro: MacroCacheEntry | null, cached: boolean): HistoryDescription {
  return { kind: spec.kind, source: spec.dataUrl, symbols: meta.symbols, intervalMs: meta.intervalMs, start: meta.start, end: meta.end, bars: meta.bars, cached, macro: macroIds(macro) };
}

/**
 * Makes the spec's history available to `openHistory`: fetches network
 * sources into the cache (nothing when the cache holds them already:
 * `cached` is then true); validates a CSV file; checks a synthetic spec.
 */
export async function prepareHistory(spec: HistorySpec, options: FetchOptions = {}): Promise<HistoryDescription> {
  checkSpec(spec);
  if (spec.kind === 'csv') {
    const scan = await scanOnce(spec.file, spec.symbols, spec.intervalMs);
    return { kind: 'csv', source: spec.file, ...scan, cached: false, macro: [] };
  }
  if (spec.kind === 'synthetic') return describeSynthetic(spec);
  let meta = await readJsonEntry<BarCacheMeta>(metaPath(spec.cacheDir, barCacheKey(spec)));
  let cached = true;
  if (meta === null) {
    meta = await fetchBarsToCache(spec, options);
    cached = false;
  }
  let macro: MacroCacheEntry | null = null;
  if (wantsMacro(spec)) {
    macro = await readJsonEntry<MacroCacheEntry>(macroPath(spec.cacheDir, macroCacheKey(spec)));
    if (macro === null) {
      macro = await fetchMacroToCache(spec, options);
      cached = false;
    }
  }
  return describeCache(spec, meta, macro, cached);
}

function describeSynthetic(spec: Extract<HistorySpec, { kind: 'synthetic' }>): HistoryDescription {
  return {
    kind: 'synthetic',
    source: `synthetic:seed=${spec.seed}`,
    symbols: [...spec.symbols].sort(),
    intervalMs: spec.intervalMs,
    start: spec.start,
    end: spec.start + spec.bars * spec.intervalMs,
    bars: spec.bars * spec.symbols.length,
    cached: false,
    macro: [],
  };
}

/** Scans kept per thread: a pool worker opening the same file for task after task reads it once. */
const scans = new Map<string, Promise<CsvScan>>();
const MAX_SCANS = 16;

/**
 * The scan of a CSV file, remembered while the file is unchanged (same
 * size and modification time) so repeated opens do not re-read it.
 */
async function scanOnce(file: string, symbols: readonly string[] | undefined, intervalMs: number | undefined): Promise<CsvScan> {
  let info;
  try {
    info = await stat(file);
  } catch (err) {
    throw new HistoryError(`CSV ${file}: cannot read: ${(err as Error).message}`, [], { cause: err });
  }
  const key = JSON.stringify([file, info.size, info.mtimeMs, symbols ?? null, intervalMs ?? null]);
  let scan = scans.get(key);
  if (!scan) {
    if (scans.size >= MAX_SCANS) scans.delete(scans.keys().next().value!);
    scan = scanCsv(file, { symbols, intervalMs });
    scans.set(key, scan);
    // A failed scan is not remembered: the user may fix the file (its mtime changes anyway).
    scan.catch(() => scans.delete(key));
  }
  return scan;
}

/**
 * Opens the spec's history for a run. Network sources are read from the
 * cache only: an unprepared spec is a HistoryError naming the missing key.
 */
export async function openHistory(spec: HistorySpec): Promise<HistorySource> {
  checkSpec(spec);
  if (spec.kind === 'synthetic') {
    const description = describeSynthetic(spec);
    new SyntheticBars(spec); // validates now rather than at the first read
    return {
      intervalMs: spec.intervalMs,
      symbols: description.symbols,
      bars: (range = {}): BarStream => syntheticStream(spec, range),
      macro: () => [],
      describe: () => description,
    };
  }
  if (spec.kind === 'csv') {
    const scan = await scanOnce(spec.file, spec.symbols, spec.intervalMs);
    const description: HistoryDescription = { kind: 'csv', source: spec.file, ...scan, cached: false, macro: [] };
    const read = { symbols: spec.symbols, intervalMs: scan.intervalMs };
    return {
      intervalMs: scan.intervalMs,
      symbols: scan.symbols,
      bars: (range = {}): BarStream => readCsvBars(spec.file, { ...read, range }),
      macro: () => [],
      describe: () => description,
    };
  }
  const key = barCacheKey(spec);
  const notPrepared = (what: string, k: string): HistoryError =>
    new HistoryError(`history not prepared: no cached ${what} ${k} in ${spec.cacheDir} for ${spec.dataUrl} (run prepareHistory first)`);
  const meta = await readJsonEntry<BarCacheMeta>(metaPath(spec.cacheDir, key));
  if (meta === null) throw notPrepared('bars', key);
  const file = barsPath(spec.cacheDir, key);
  try {
    await stat(file);
  } catch {
    throw notPrepared('bars file', `${key}.bars`);
  }
  let events: MacroEvent[] = [];
  let macro: MacroCacheEntry | null = null;
  if (wantsMacro(spec)) {
    const mkey = macroCacheKey(spec);
    macro = await readJsonEntry<MacroCacheEntry>(macroPath(spec.cacheDir, mkey));
    if (macro === null) throw notPrepared('macro series', mkey);
    events = alignMacro(macro.series, macro.cot, { from: spec.start, to: spec.end + spec.intervalMs });
  }
  const description = describeCache(spec, meta, macro, true);
  const read = { intervalMs: meta.intervalMs };
  return {
    intervalMs: meta.intervalMs,
    symbols: meta.symbols,
    bars: (range = {}): BarStream => readCsvBars(file, { ...read, range }),
    macro: () => events,
    describe: () => description,
  };
}
