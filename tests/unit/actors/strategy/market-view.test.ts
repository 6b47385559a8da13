import { describe, expect, it } from 'vitest';
import { pack, unpack } from 'msgpackr';
import { MarketView } from '../../../../actors/strategy/market-view.js';
import { DAY, START, barMsg } from './helpers.js';

describe('MarketView', () => {
  it('bars then held oldest first; a repeated or older bar then ignored and counted', () => {
    const v = new MarketView();
    expect(v.onBar(barMsg('GLD', START, 100, 100))).toBe(true);
    expect(v.onBar(barMsg('GLD', START + DAY, 101, 100))).toBe(true);
    expect(v.onBar(barMsg('GLD', START + DAY, 102, 101))).toBe(false);
    expect(v.onBar(barMsg('GLD', START, 99, 101))).toBe(false);
    const b = v.bars('GLD');
    expect([b.length, b.close(0), b.close(1)]).toEqual([2, 100, 101]);
    expect(v.ignored).toBe(2);
    expect(v.bars('NOPE').length).toBe(0);
  });

  it('history capacity then only the newest bars kept', () => {
    const v = new MarketView({ historyCapacity: 3 });
    for (let i = 0; i < 10; i++) v.onBar(barMsg('SLV', START + i * DAY, 20 + i, 20));
    expect(v.bars('SLV').length).toBe(3);
    expect(v.bars('SLV').close(0)).toBe(27);
  });

  it('a feed history then seeds the bars and keeps newer bars already held', () => {
    const v = new MarketView();
    v.onBar(barMsg('GLD', START + 5 * DAY, 105, 104));
    v.onHistory({
      type: 'feed.history', symbol: 'GLD', intervalMs: DAY,
      ts: [START, START + DAY, START + 2 * DAY], open: [1, 1, 1], high: [2, 2, 2], low: [0.5, 0.5, 0.5], close: [100, 101, 102], volume: [1, 1, 1],
    });
    const b = v.bars('GLD');
    expect(Array.from({ length: b.length }, (_, i) => b.close(i))).toEqual([100, 101, 102, 105]);
  });

  it('features out of exchange-time order then the newer kept', () => {
    const v = new MarketView();
    const f = { type: 'feed.features', symbol: 'GLD', seq: 1, source: 'trade', price: 1, bid: null, ask: null, mid: null, spreadBps: null, ret: null, barRet: null, vol: null, dayHigh: null, dayLow: null, rangeBps: null, bars: 0, status: 'fresh' } as const;
    v.onFeatures({ ...f, ts: 10, price: 2 });
    v.onFeatures({ ...f, ts: 5, price: 3 });
    expect(v.features('GLD')!.price).toBe(2);
  });

  it('an incremental FRED fetch then merged by date, revisions replacing', () => {
    const v = new MarketView();
    v.onSeries({ type: 'macro.series', seriesId: 'DFII10', fetchedAt: 1, observations: [{ date: '2026-01-01', value: 1 }, { date: '2026-01-02', value: 2 }, { date: '2026-01-03', value: 3 }] });
    v.onSeries({ type: 'macro.series', seriesId: 'DFII10', fetchedAt: 2, observations: [{ date: '2026-01-03', value: 3.5 }, { date: '2026-01-04', value: null }, { date: '2026-01-05', value: 5 }] });
    const s = v.series('DFII10')!;
    expect(s.dates).toEqual(['2026-01-01', '2026-01-02', '2026-01-03', '2026-01-05']);
    expect(s.values).toEqual([1, 2, 3.5, 5]);
    expect(s.fetchedAt).toBe(2);
  });

  it('snapshot through msgpack then an equal view', () => {
    const v = new MarketView();
    v.onBar(barMsg('GLD', START, 100, 100));
    v.onSeries({ type: 'macro.series', seriesId: 'T10YIE', fetchedAt: 1, observations: [{ date: '2026-01-01', value: 2.3 }] });
    v.onCot({ type: 'macro.cot', market: 'gold', contractCode: '088691', fetchedAt: 1, rows: [{ reportDate: '2026-01-06', managedMoneyLong: 3, managedMoneyShort: 1, openInterest: 10 }] });
    const w = new MarketView();
    w.restore(unpack(pack(v.snapshot())));
    expect(w.snapshot()).toEqual(v.snapshot());
    expect(w.bars('GLD').close(0)).toBe(100);
  });
});
