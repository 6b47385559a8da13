import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  backfillRetryDelayMs,
  backfillSettingsViolations,
  fetchBackfillBars,
  isPermanentFailure,
  timeframeFor,
  type BarsApi,
} from '../../../../actors/feed/backfill-fetch.js';
import { createAlpacaClients, resolveAlpacaConnection } from '../../../../src/alpaca/index.js';
import { startVenue, type VenueHandle } from '../../../../venue/index.js';

const M = 60_000;

/** A fake StockApi serving `total` bars ending at `last` (newest first with sort=desc), recording requests. */
function fakeApi(total: number, last: number, opts: { emptyPagesWithToken?: boolean } = {}) {
  const calls: Record<string, unknown>[] = [];
  const all = Array.from({ length: total }, (_, i) => {
    const ts = last - (total - 1 - i) * M;
    return { t: new Date(ts), o: 10 + i, h: 11 + i, l: 9 + i, c: 10.5 + i, v: 100 + i, n: 3, vw: 10 };
  });
  const api = {
    async stockBarSingle(req: Record<string, unknown>) {
      calls.push(req);
      if (opts.emptyPagesWithToken) return { bars: [], nextPageToken: 'again', symbol: req.symbol };
      const desc = [...all].reverse();
      const from = req.pageToken ? Number(req.pageToken) : 0;
      const page = desc.slice(from, from + (req.limit as number));
      const next = from + page.length < desc.length ? String(from + page.length) : null;
      return { bars: page, nextPageToken: next, symbol: req.symbol };
    },
  } as unknown as BarsApi;
  return { api, calls, all };
}

describe('backfill settings and schedule', () => {
  it('bar intervals then the matching Alpaca timeframe, or null when there is none', () => {
    expect(timeframeFor(M)).toBe('1Min');
    expect(timeframeFor(5 * M)).toBe('5Min');
    expect(timeframeFor(60 * M)).toBe('1Hour');
    expect(timeframeFor(120 * M)).toBe('2Hour');
    expect(timeframeFor(1440 * M)).toBe('1Day');
    expect(timeframeFor(30_000)).toBeNull();
    expect(timeframeFor(90 * M)).toBeNull();
  });

  it('retry attempts then delays grow, stay capped and are the same for the same symbol', () => {
    const s = { bars: 10, retryMinMs: 100, retryMaxMs: 1000 };
    const d = [2, 3, 4, 5, 6, 7].map((a) => backfillRetryDelayMs(a, 'GLD', s));
    expect(d[0]).toBeGreaterThanOrEqual(100);
    expect(d[0]).toBeLessThanOrEqual(125);
    expect(d[1]).toBeGreaterThanOrEqual(200);
    expect(d[2]).toBeGreaterThanOrEqual(400);
    for (const x of d.slice(4)) expect(x).toBeLessThanOrEqual(1250);
    expect([2, 3, 4, 5, 6, 7].map((a) => backfillRetryDelayMs(a, 'GLD', s))).toEqual(d);
    // Different symbols are spread apart.
    expect(backfillRetryDelayMs(2, 'GLD', s)).not.toBe(backfillRetryDelayMs(2, 'SLV', s));
  });

  it('bad settings then every problem is named under the prefix', () => {
    const v = backfillSettingsViolations({ bars: 0, maxAttempts: 1.5, pageLimit: 20_000, feed: 'x' as never }, 'feed.backfill');
    expect(v).toEqual([
      'feed.backfill.bars must be an integer 1-9007199254740991 (got 0)',
      'feed.backfill.maxAttempts must be an integer 1-100 (got 1.5)',
      'feed.backfill.pageLimit must be an integer 1-10000 (got 20000)',
      "feed.backfill.feed must be 'iex' or 'sip' (got x)",
    ]);
    expect(backfillSettingsViolations({ bars: 480 }, 'p')).toEqual([]);
  });

  it('SDK errors then 4xx other than 408/429 are permanent, the rest retryable', () => {
    const err = (status: number) => Object.assign(new Error('x'), { response: { status } });
    expect(isPermanentFailure(err(403))).toBe(true);
    expect(isPermanentFailure(err(422))).toBe(true);
    expect(isPermanentFailure(err(429))).toBe(false);
    expect(isPermanentFailure(err(503))).toBe(false);
    expect(isPermanentFailure(new Error('fetch failed'))).toBe(false);
  });
});

describe('fetchBackfillBars', () => {
  const now = Date.UTC(2026, 0, 5, 16, 0);

  it('more bars wanted than a page holds then pages are followed and the newest come back oldest first', async () => {
    const { api, calls, all } = fakeApi(50, now - M);
    const r = await fetchBackfillBars(api, 'GLD', M, now, { bars: 23, pageLimit: 10 });
    expect(r.pages).toBe(3);
    expect(calls.map((c) => c.limit)).toEqual([10, 10, 3]);
    expect(calls[0]).toMatchObject({ symbol: 'GLD', timeframe: '1Min', sort: 'desc' });
    expect((calls[0].start as Date).getTime()).toBe(now - 4 * 86_400_000);
    expect(r.bars.map((b) => b.ts)).toEqual(all.slice(-23).map((b) => b.t.getTime()));
    expect(r.bars[22]).toEqual({ ts: now - M, open: 59, high: 60, low: 58, close: 59.5, volume: 149 });
  });

  it('fewer bars available than wanted then all of them', async () => {
    const { api } = fakeApi(7, now - M);
    const r = await fetchBackfillBars(api, 'GLD', M, now, { bars: 100 });
    expect(r.bars).toHaveLength(7);
    expect(r.pages).toBe(1);
  });

  it('a venue that keeps sending a token with empty pages then the fetch stops after a bounded number of pages', async () => {
    const { api, calls } = fakeApi(0, now, { emptyPagesWithToken: true });
    const r = await fetchBackfillBars(api, 'GLD', M, now, { bars: 20, pageLimit: 10 });
    expect(r.bars).toEqual([]);
    expect(calls.length).toBe(4);
  });

  it('an interval with no timeframe then the fetch rejects without a request', async () => {
    const { api, calls } = fakeApi(5, now);
    await expect(fetchBackfillBars(api, 'GLD', 90 * M, now, { bars: 5 })).rejects.toThrow(/no Alpaca timeframe/);
    expect(calls).toHaveLength(0);
  });
});

describe('fetchBackfillBars through the SDK against the venue', () => {
  let venue: VenueHandle;
  const start = Date.UTC(2026, 0, 5, 16, 0);

  beforeAll(async () => {
    venue = await startVenue({ clockMode: 'manual', startTime: start, historyMinutes: 45, symbols: ['GLD', 'SLV'], seed: 5 });
  });

  afterAll(async () => {
    await venue.close();
  });

  it('paged requests then exactly the venue minute bars, newest N, oldest first', async () => {
    const api = createAlpacaClients(resolveAlpacaConnection({ local: venue }), { retry: false, rateLimit: false }).stocks;
    const truth = venue.market.minuteBars('SLV');
    expect(truth.length).toBeGreaterThan(40);
    const r = await fetchBackfillBars(api, 'SLV', M, start, { bars: 30, pageLimit: 7 });
    expect(r.pages).toBe(5);
    expect(r.bars).toEqual(truth.slice(-30).map((b) => ({ ts: b.ts, open: b.open, high: b.high, low: b.low, close: b.close, volume: b.volume })));
  });

  it('a data 503 then the SDK error surfaces with its status (retryable)', async () => {
    const api = createAlpacaClients(resolveAlpacaConnection({ local: venue }), { retry: false, rateLimit: false }).stocks;
    venue.faults.failNext(1, 503, 'data');
    const err = await fetchBackfillBars(api, 'GLD', M, start, { bars: 5 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(isPermanentFailure(err)).toBe(false);
    expect((err as { response?: { status: number } }).response?.status).toBe(503);
  });
});
