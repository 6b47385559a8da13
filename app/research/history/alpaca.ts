/**
 * Fetching history into the disk cache: bars through the real Alpaca SDK
 * (the local venue and Alpaca's data API are read the same way, as the
 * feeds' backfill does), and macro series through the project's FRED and
 * CFTC clients.
 *
 * Bars are requested for all symbols at once (`GET /v2/stocks/bars`,
 * following `next_page_token`). Pages come grouped by symbol, then time, so
 * each symbol is written to its own scratch file as it arrives and the files
 * are then merged into the cache's (ts, symbol) order: memory holds one page
 * and one bar per symbol, never the history. Requests go through the
 * account's bulk budget lane (src/alpaca/rate-budget.ts), so preparing
 * history never spends the requests a running daemon's orders need.
 */
import { join } from 'node:path';
import { rename } from 'node:fs/promises';
import { createAlpacaClients, type AlpacaConnection } from '../../../src/alpaca/index.js';
import { errorStatus, timeframeFor } from '../../../actors/feed/backfill-fetch.js';
import { CftcClient, FredClient, DEFAULT_FRED_SERIES, type CotMarketName, type MacroCotMsg, type MacroSeriesMsg } from '../../../actors/macro/index.js';
import type { HistBar, HistorySpec } from '../types.js';
import { readCsvBars } from './csv.js';
import { barCacheKey, barRow, barsPath, CACHE_VERSION, ChunkWriter, macroCacheKey, macroPath, mergeByTime, metaPath, removeDir, scratchDir, writeAtomic, type BarCacheMeta } from './cache.js';
import { dateOf, DAY_MS } from './calendar.js';
import { HistoryError, MAX_PROBLEMS } from './errors.js';

export type NetworkSpec = Extract<HistorySpec, { kind: 'venue' | 'alpaca' }>;

/** Bars per request page (Alpaca's maximum). */
export const PAGE_LIMIT = 10_000;

/** Macro history fetched before the first bar, so the series a strategy reads are warm at the start. */
export const MACRO_LOOKBACK_DAYS = 400;
export const COT_MARKETS: readonly CotMarketName[] = ['gold', 'silver'];

export interface FetchOptions {
  /** FRED api key. Default: $FRED_API_KEY, else 'qgtm-local' (the local venue accepts any key). */
  readonly fredApiKey?: string;
  /** Socrata app token for the CFTC (optional). */
  readonly cftcAppToken?: string;
  /** Per-request timeout, ms. Default 30,000. */
  readonly timeoutMs?: number;
  /** Bars per page (1-10,000). Default PAGE_LIMIT. */
  readonly pageLimit?: number;
}

/** Every problem with a network spec, each naming its field. */
export function networkSpecViolations(spec: NetworkSpec): string[] {
  const v: string[] = [];
  if (!/^https?:\/\//.test(spec.dataUrl ?? '')) v.push(`history.dataUrl must be an http(s) URL (got ${JSON.stringify(spec.dataUrl)})`);
  if (!Array.isArray(spec.symbols) || spec.symbols.length === 0) v.push('history.symbols must list at least one symbol');
  else if (spec.symbols.some((s) => typeof s !== 'string' || !/^[A-Za-z0-9.\-/]+$/.test(s))) v.push(`history.symbols has an invalid symbol: ${JSON.stringify(spec.symbols)}`);
  if (!Number.isFinite(spec.start) || !Number.isFinite(spec.end) || spec.start >= spec.end) v.push(`history.start must be before history.end (got ${spec.start}, ${spec.end})`);
  if (timeframeFor(spec.intervalMs) === null) v.push(`history.intervalMs ${spec.intervalMs} has no Alpaca timeframe (1-59 minutes, 1-23 hours or a day)`);
  if (!spec.cacheDir) v.push('history.cacheDir is required');
  return v;
}

function connectionOf(spec: NetworkSpec): AlpacaConnection {
  const url = spec.dataUrl.replace(/\/+$/, '');
  // Only market-data REST is used; the trading URLs are never dialled.
  return { venue: spec.kind === 'venue' ? 'local' : 'alpaca', keyId: spec.keyId, secretKey: spec.secretKey, restBaseUrl: url, dataRestBaseUrl: url, tradingStreamUrl: '', dataStreamUrl: '' };
}

interface SdkBar {
  readonly t: Date | string | number;
  readonly o: number;
  readonly h: number;
  readonly l: number;
  readonly c: number;
  readonly v: number;
  readonly vw?: number;
  readonly n?: number;
}

/** An SDK bar as a HistBar, or why it is unusable. */
function toHistBar(symbol: string, b: SdkBar): HistBar | string {
  const ts = b.t instanceof Date ? b.t.getTime() : typeof b.t === 'string' ? Date.parse(b.t) : Number(b.t);
  const [open, high, low, close, volume] = [b.o, b.h, b.l, b.c, b.v].map(Number) as [number, number, number, number, number];
  const at = Number.isFinite(ts) ? new Date(ts).toISOString() : String(b.t);
  if (!Number.isFinite(ts)) return `${symbol}: bar time ${JSON.stringify(b.t)} is not a time`;
  if (![open, high, low, close, volume].every(Number.isFinite)) return `${symbol} ${at}: a price or the volume is not a number`;
  if (high < low || close < low || close > high || open < low || open > high) return `${symbol} ${at}: inconsistent OHLC (o ${open} h ${high} l ${low} c ${close})`;
  if (volume < 0) return `${symbol} ${at}: negative volume ${volume}`;
  const bar: { -readonly [K in keyof HistBar]: HistBar[K] } = { symbol, ts, open, high, low, close, volume };
  if (b.vw !== undefined && b.vw !== null && Number.isFinite(Number(b.vw))) bar.vwap = Number(b.vw);
  if (b.n !== undefined && b.n !== null && Number.isFinite(Number(b.n))) bar.trades = Number(b.n);
  return bar;
}

/**
 * Fetches the spec's bars into the cache and returns the entry's
 * description. Throws a HistoryError naming the source and HTTP status on
 * a failed request, or listing the unusable bars.
 */
export async function fetchBarsToCache(spec: NetworkSpec, options: FetchOptions = {}): Promise<BarCacheMeta> {
  const key = barCacheKey(spec);
  const symbols = [...new Set(spec.symbols)].sort();
  const timeframe = timeframeFor(spec.intervalMs)!;
  const clients = createAlpacaClients(connectionOf(spec), { lane: 'bulk', timeoutMs: options.timeoutMs ?? 30_000 });
  const scratch = await scratchDir(spec.cacheDir);
  const files = symbols.map((_, k) => join(scratch, `${k}.csv`));
  const writers = new Map<string, ChunkWriter>();
  const lastTs = new Map<string, number>();
  const problems: string[] = [];
  try {
    for (let k = 0; k < symbols.length; k++) writers.set(symbols[k]!, await ChunkWriter.create(files[k]!));
    let pageToken: string | undefined;
    const seenTokens = new Set<string>();
    do {
      const release = await clients.budget.acquire('bulk');
      let resp: Awaited<ReturnType<typeof clients.stocks.stockBars>>;
      try {
        resp = await clients.stocks.stockBars({
          symbols: symbols.join(','),
          timeframe,
          start: new Date(spec.start),
          // Alpaca's end is inclusive; the spec's range is bar starts in [start, end).
          end: new Date(spec.end - 1),
          limit: options.pageLimit ?? PAGE_LIMIT,
          sort: 'asc' as never,
          ...(spec.feed ? { feed: spec.feed as never } : {}),
          ...(pageToken ? { pageToken } : {}),
        });
      } catch (err) {
        const status = errorStatus(err);
        throw new HistoryError(`fetching ${timeframe} bars for ${symbols.join(',')} from ${spec.dataUrl} failed${status !== null ? ` (HTTP ${status})` : ''}: ${(err as Error).message}`, [], { cause: err });
      } finally {
        release();
      }
      for (const [symbol, list] of Object.entries(resp.bars ?? {})) {
        const out = writers.get(symbol);
        if (!out) {
          problems.push(`${spec.dataUrl} sent bars for ${symbol}, which was not asked for`);
          continue;
        }
        for (const raw of list as readonly SdkBar[]) {
          const bar = toHistBar(symbol, raw);
          if (typeof bar === 'string') problems.push(bar);
          else if (bar.ts <= (lastTs.get(symbol) ?? -Infinity)) problems.push(`${symbol} ${new Date(bar.ts).toISOString()}: out of time order or repeated`);
          else if (bar.ts >= spec.start && bar.ts < spec.end) {
            lastTs.set(symbol, bar.ts);
            await out.write(barRow(bar));
          }
          if (problems.length >= MAX_PROBLEMS) break;
        }
        if (problems.length >= MAX_PROBLEMS) break;
      }
      if (problems.length > 0) throw new HistoryError(`bars from ${spec.dataUrl} are unusable`, problems);
      pageToken = resp.nextPageToken ?? undefined;
      if (pageToken !== undefined) {
        // A venue that hands back a token it gave before would keep this loop going forever.
        if (seenTokens.has(pageToken)) throw new HistoryError(`${spec.dataUrl} repeated the page token ${pageToken}: paging does not advance`);
        seenTokens.add(pageToken);
      }
    } while (pageToken !== undefined);
    for (const w of writers.values()) await w.close();
    writers.clear();

    // Merge the per-symbol files into the (ts, symbol) order replay reads.
    const tmp = join(scratch, 'merged.bars');
    const out = await ChunkWriter.create(tmp);
    let bars = 0;
    let first: number | null = null;
    let last: number | null = null;
    try {
      for await (const b of mergeByTime(files.map((f) => readCsvBars(f)))) {
        bars++;
        first ??= b.ts;
        last = b.ts;
        await out.write(barRow(b));
      }
      await out.close();
    } catch (err) {
      await out.abandon();
      throw err;
    }
    await rename(tmp, barsPath(spec.cacheDir, key));
    const meta: BarCacheMeta = {
      version: CACHE_VERSION,
      key,
      dataUrl: spec.dataUrl,
      feed: spec.feed ?? null,
      symbols,
      requestStart: spec.start,
      requestEnd: spec.end,
      intervalMs: spec.intervalMs,
      start: first,
      end: last === null ? null : last + spec.intervalMs,
      bars,
    };
    // The description goes last: its presence says the entry is complete.
    await writeAtomic(metaPath(spec.cacheDir, key), JSON.stringify(meta));
    return meta;
  } finally {
    for (const w of writers.values()) await w.abandon();
    await removeDir(scratch);
  }
}

/** The macro cache entry: the series and COT reports as fetched (oldest first). */
export interface MacroCacheEntry {
  readonly version: number;
  readonly key: string;
  readonly series: readonly MacroSeriesMsg[];
  readonly cot: readonly MacroCotMsg[];
}

/**
 * Fetches the macro inputs for the spec's range (plus MACRO_LOOKBACK_DAYS
 * before it) with the project's FRED and CFTC clients into the cache. The
 * spec's `fredUrl` is FRED's API base (the local venue's is `<venue>/fred`),
 * `cftcUrl` the Socrata host (the local venue's own URL).
 */
export async function fetchMacroToCache(spec: NetworkSpec, options: FetchOptions = {}): Promise<MacroCacheEntry> {
  const key = macroCacheKey(spec);
  const fromDay = Math.floor((spec.start - MACRO_LOOKBACK_DAYS * DAY_MS) / DAY_MS);
  const toDay = Math.floor((spec.end - 1) / DAY_MS);
  const wrap = (what: string, err: unknown): HistoryError => new HistoryError(`fetching ${what} failed: ${(err as Error).message}`, [], { cause: err });
  const series: MacroSeriesMsg[] = [];
  const cot: MacroCotMsg[] = [];
  if (spec.fredUrl) {
    const fred = new FredClient({ baseUrl: spec.fredUrl, apiKey: options.fredApiKey ?? process.env.FRED_API_KEY ?? 'qgtm-local', timeoutMs: options.timeoutMs ?? 30_000 });
    for (const id of DEFAULT_FRED_SERIES) {
      try {
        const msg = await fred.getSeries(id, { start: dateOf(fromDay), end: dateOf(toDay) });
        series.push({ ...msg, fetchedAt: 0 });
      } catch (err) {
        throw wrap(`FRED ${id} from ${spec.fredUrl}`, err);
      }
    }
  }
  if (spec.cftcUrl) {
    const cftc = new CftcClient({ baseUrl: spec.cftcUrl, timeoutMs: options.timeoutMs ?? 30_000, ...(options.cftcAppToken ? { appToken: options.cftcAppToken } : {}) });
    const weeks = Math.min(5000, Math.ceil((toDay - fromDay) / 7) + 2);
    for (const market of COT_MARKETS) {
      try {
        const msg = await cftc.getCot(market, { since: dateOf(fromDay), weeks });
        cot.push({ ...msg, fetchedAt: 0 });
      } catch (err) {
        throw wrap(`CFTC COT ${market} from ${spec.cftcUrl}`, err);
      }
    }
  }
  const entry: MacroCacheEntry = { version: CACHE_VERSION, key, series, cot };
  await writeAtomic(macroPath(spec.cacheDir, key), JSON.stringify(entry));
  return entry;
}
