/**
 * History from the local venue through the real SDK: fetched once into the
 * disk cache (following next_page_token), then served from it with no
 * request reaching the venue; macro series through the real FRED and CFTC
 * clients, aligned by release time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startVenue, LOCAL_KEY_PAIR, type VenueHandle } from '../../../venue/index.js';
import { barCacheKey, cotReleaseAt, fredReleaseAt, HistoryError, openHistory, prepareHistory, type NetworkSpec } from '../../../app/research/history/index.js';
import type { HistBar } from '../../../app/research/types.js';

const HISTORY_MINUTES = 600;

describe('venue history through the SDK and the disk cache', () => {
  let venue: VenueHandle;
  let cacheDir: string;
  let spec: NetworkSpec;

  beforeAll(async () => {
    venue = await startVenue({ clockMode: 'manual', historyMinutes: HISTORY_MINUTES, seed: 23 });
    cacheDir = await mkdtemp(join(tmpdir(), 'qgtm-history-cache-'));
    const start = venue.options.startTime - HISTORY_MINUTES * 60_000;
    spec = {
      kind: 'venue',
      dataUrl: venue.url,
      ...LOCAL_KEY_PAIR,
      symbols: venue.options.instruments.map((i) => i.symbol).slice(0, 6),
      start,
      end: venue.options.startTime,
      intervalMs: 60_000,
      fredUrl: `${venue.url}/fred`,
      cftcUrl: venue.url,
      cacheDir,
    };
  });

  afterAll(async () => {
    await venue?.close();
    await rm(cacheDir, { recursive: true, force: true });
  });

  it('open before prepare then a HistoryError naming the missing cache key', async () => {
    const err = await openHistory(spec).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HistoryError);
    expect((err as Error).message).toContain(barCacheKey(spec));
  });

  it('first prepare then fetched over several pages: the venue bars in (ts, symbol) order', async () => {
    const before = venue.stats.requests;
    const d = await prepareHistory(spec, { pageLimit: 1000 });
    const truth = spec.symbols.flatMap((s) => venue.market.minuteBars(s, spec.start, spec.end));
    expect(d).toMatchObject({ kind: 'venue', source: venue.url, intervalMs: 60_000, bars: truth.length, cached: false, macro: ['DFII10', 'DTWEXBGS', 'T10YIE', 'cot:gold', 'cot:silver'] });
    expect(d.symbols).toEqual([...spec.symbols].sort());
    // 6 symbols x 600 minutes in pages of 1000, plus 3 FRED series and 2 COT markets.
    expect(venue.stats.requests - before).toBe(Math.ceil(truth.length / 1000) + 5);
    const h = await openHistory(spec);
    const bars: HistBar[] = [];
    for await (const b of h.bars()) bars.push(b);
    const expected = [...truth]
      .sort((a, b) => a.ts - b.ts || (a.symbol < b.symbol ? -1 : 1))
      .map((b) => ({ symbol: b.symbol, ts: b.ts, open: b.open, high: b.high, low: b.low, close: b.close, volume: b.volume, vwap: b.vwap, trades: b.trades }));
    expect(bars).toEqual(expected);
    expect(h.describe().cached).toBe(true);
    expect(await readdir(cacheDir)).toHaveLength(3); // <key>.bars, <key>.json, <macro key>.macro.json: no scratch left
  });

  it('second prepare and opens then no request reaches the venue', async () => {
    const before = venue.stats.requests;
    const d = await prepareHistory(spec);
    expect(d.cached).toBe(true);
    const h = await openHistory(spec);
    let n = 0;
    for await (const _ of h.bars({ from: spec.start + 60 * 60_000 })) n++;
    expect(n).toBe(spec.symbols.length * (HISTORY_MINUTES - 59));
    expect(venue.stats.requests).toBe(before);
  });

  it('macro from the cache then releases in order, none holding an observation released after its at', async () => {
    const events = (await openHistory(spec)).macro();
    expect(events.length).toBeGreaterThanOrEqual(5);
    for (let k = 0; k < events.length; k++) {
      const e = events[k]!;
      if (k > 0) expect(e.at).toBeGreaterThanOrEqual(events[k - 1]!.at);
      const latest = e.msg.type === 'macro.series' ? fredReleaseAt(e.msg.seriesId, e.msg.observations.at(-1)!.date) : cotReleaseAt(e.msg.rows.at(-1)!.reportDate);
      expect(latest).toBeLessThanOrEqual(e.at);
      expect(e.at).toBeLessThan(spec.end + spec.intervalMs);
    }
  });

  it('another symbol set then a different key and an unprepared error, not the wrong bars', async () => {
    const other = { ...spec, symbols: spec.symbols.slice(0, 2) };
    const err = await openHistory(other).catch((e: unknown) => e);
    expect((err as Error).message).toContain(barCacheKey(other));
  });

  it('the alpaca kind with a feed then fetched through the same SDK call under its own cache key', async () => {
    const alpaca: NetworkSpec = { ...spec, kind: 'alpaca', feed: 'iex', symbols: spec.symbols.slice(0, 2), fredUrl: null, cftcUrl: null };
    expect(barCacheKey(alpaca)).not.toBe(barCacheKey({ ...alpaca, feed: 'sip' }));
    const d = await prepareHistory(alpaca);
    expect(d).toMatchObject({ kind: 'alpaca', bars: 2 * HISTORY_MINUTES, cached: false, macro: [] });
    expect((await openHistory(alpaca)).macro()).toEqual([]);
  });

  it('bad keys then a HistoryError with the HTTP status and no cache entry', async () => {
    const bad = { ...spec, keyId: 'wrong', secretKey: 'wrong', cacheDir: join(cacheDir, 'bad') };
    const err = await prepareHistory(bad).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HistoryError);
    expect((err as Error).message).toMatch(/HTTP (401|403)/);
    expect(await readdir(bad.cacheDir)).toEqual([]);
  });
});
