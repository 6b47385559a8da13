/** Market-data snapshots through the SDK's StockApi: latest trade and quote, minute, daily and previous daily bars. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startVenue, type VenueHandle } from '../../../venue/index.js';
import type { AlpacaClients } from '../../../src/alpaca/index.js';
import { caught, clientsFor } from './helpers.js';

describe('stock snapshots through the SDK', () => {
  let venue: VenueHandle;
  let api: AlpacaClients;

  beforeAll(async () => {
    venue = await startVenue({ clockMode: 'manual', stepMs: 1000, seed: 31, historyMinutes: 2000 });
    venue.market.step(150);
    api = clientsFor(venue);
  });

  afterAll(async () => {
    await venue.close();
  });

  it('snapshot of one symbol then the latest trade and quote and bars built from the same minute bars', async () => {
    const snap = await api.stocks.stockSnapshotSingle({ symbol: 'GLD' });
    const trade = venue.market.lastTrade('GLD')!;
    const quote = venue.market.quote('GLD')!;
    expect([snap.latestTrade?.p, snap.latestQuote?.bp, snap.latestQuote?.ap]).toEqual([trade.price, quote.bid, quote.ask]);
    const today = Date.UTC(2025, 0, 6);
    const todays = venue.market.minuteBars('GLD', today, venue.market.now + 1);
    expect(snap.minuteBar?.c).toBe(todays.at(-1)!.close);
    expect([snap.dailyBar?.t.getTime(), snap.dailyBar?.o, snap.dailyBar?.c]).toEqual([today, todays[0].open, todays.at(-1)!.close]);
    expect(snap.dailyBar?.h).toBe(Math.max(...todays.map((b) => b.high)));
    const prev = venue.market.minuteBars('GLD', today - 86_400_000, today);
    expect([snap.prevDailyBar?.t.getTime(), snap.prevDailyBar?.c, snap.prevDailyBar?.v]).toEqual([today - 86_400_000, prev.at(-1)!.close, prev.reduce((a, b) => a + b.volume, 0)]);
  });

  it('snapshots of several symbols then one per known symbol; an unknown single symbol is 422', async () => {
    const snaps = await api.stocks.stockSnapshots({ symbols: 'GLD,SLV,NOPE' });
    expect(Object.keys(snaps).sort()).toEqual(['GLD', 'SLV']);
    expect(snaps.SLV.latestQuote?.bp).toBe(venue.market.quote('SLV')!.bid);
    const err = await caught(() => api.stocks.stockSnapshotSingle({ symbol: 'NOPE' }));
    expect(err.status).toBe(422);
  });
});
