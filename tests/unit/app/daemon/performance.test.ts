import { describe, expect, it } from 'vitest';
import { PerformanceTracker } from '../../../../app/daemon/performance.js';

const T0 = Date.UTC(2026, 11, 1, 14, 0, 0);
let exec = 0;
const fill = (symbol: string, side: 'buy' | 'sell', qty: number, price: number, ts: number) => ({ executionId: `e${++exec}`, symbol, side, qty, price, ts });

describe('the book over time', () => {
  it('fills then closed trades first in, first out: P&L, return and holding time per closing fill, long and short', () => {
    const p = new PerformanceTracker();
    p.onFill(fill('GLD', 'buy', 10, 100, T0));
    p.onFill(fill('GLD', 'buy', 10, 110, T0 + 60_000));
    // Closes the first lot whole and half the second: 15 at a weighted 103.33.
    p.onFill(fill('GLD', 'sell', 15, 120, T0 + 120_000));
    // Through zero: closes the last 5 long and opens 5 short at 90.
    p.onFill(fill('GLD', 'sell', 10, 90, T0 + 180_000));
    p.onFill(fill('GLD', 'buy', 5, 80, T0 + 240_000));
    const s = p.section() as { trades: Record<string, number | string>[]; closed: Record<string, number>; byInstrument: Record<string, number | string>[] };
    const [cover, flip, first] = s.trades;
    expect(first).toMatchObject({ symbol: 'GLD', side: 'long', qty: 15, exitPrice: 120, entryAt: T0, exitAt: T0 + 120_000, holdingMs: 120_000 });
    expect(first.entryPrice).toBeCloseTo((10 * 100 + 5 * 110) / 15, 9);
    expect(first.pnl).toBeCloseTo(15 * 120 - (10 * 100 + 5 * 110), 9);
    expect(first.returnFrac).toBeCloseTo((first.pnl as number) / (10 * 100 + 5 * 110), 9);
    expect(flip).toMatchObject({ side: 'long', qty: 5, entryPrice: 110, exitPrice: 90, pnl: -100 });
    expect(cover).toMatchObject({ side: 'short', qty: 5, entryPrice: 90, exitPrice: 80, pnl: 50, holdingMs: 60_000 });
    expect(s.closed).toMatchObject({ trades: 3, wins: 2 });
    expect(s.byInstrument).toEqual([{ symbol: 'GLD', trades: 3, wins: 2, winRate: 2 / 3, realizedPnl: expect.closeTo(250 - 100 + 50, 9), avgHoldingMs: expect.any(Number) }]);
  });

  it('the same execution twice (a replay after a reconnect) then counted once', () => {
    const p = new PerformanceTracker();
    const f = fill('SLV', 'buy', 3, 30, T0);
    p.onFill(f);
    p.onFill(f);
    p.onFill(fill('SLV', 'sell', 3, 31, T0 + 1000));
    expect((p.section() as { trades: { qty: number }[] }).trades.map((t) => t.qty)).toEqual([3]);
  });

  it('equity readings then sampled at the spacing, drawdown from the running peak, P&L per UTC day', () => {
    const p = new PerformanceTracker({ sampleEveryMs: 10_000 });
    p.onEquity(T0, 100_000, 0.5, 0.5);
    p.onEquity(T0 + 5_000, 101_000, 0.5, 0.5); // inside the spacing: the peak moves, no point
    p.onEquity(T0 + 10_000, 99_990, 0.4, -0.1);
    p.onEquity(T0 + 86_400_000, 100_500, 0.4, 0.2);
    const s = p.section() as { points: { equity: number; drawdown: number }[]; days: { day: string; pnl: number }[]; peak: number; maxDrawdown: number };
    expect(s.points.map((x) => x.equity)).toEqual([100_000, 99_990, 100_500]);
    expect(s.peak).toBe(101_000);
    expect(s.points[1].drawdown).toBeCloseTo(1 - 99_990 / 101_000, 12);
    expect(s.maxDrawdown).toBeCloseTo(1 - 99_990 / 101_000, 12);
    expect(s.days).toEqual([
      { day: '2026-12-01', pnl: -10, endEquity: 99_990 },
      { day: '2026-12-02', pnl: 510, endEquity: 100_500 },
    ]);
  });

  it('a long run then the series stays bounded, spans it all, and samples more coarsely', () => {
    const p = new PerformanceTracker({ sampleEveryMs: 1000, maxPoints: 100, maxPricePoints: 50 });
    for (let i = 0; i < 10_000; i++) {
      p.onEquity(T0 + i * 1000, 100_000 + i, null, null);
      p.onPrices(T0 + i * 1000, new Map([['GLD', 200 + i / 100]]));
    }
    const s = p.section() as { points: { t: number }[]; sampleEveryMs: number; prices: Record<string, { t: number }[]> };
    expect(s.points.length).toBeLessThanOrEqual(101);
    expect(s.points[0].t).toBeLessThan(T0 + 200_000);
    expect(s.points[s.points.length - 1].t).toBeGreaterThan(T0 + 9_000_000);
    expect(s.sampleEveryMs).toBeGreaterThan(1000);
    expect(s.prices.GLD.length).toBeLessThanOrEqual(51);
  });

  it('snapshot then restore carries on; lots that disagree with the broker are replaced once', () => {
    const p = new PerformanceTracker();
    p.onEquity(T0, 100_000, null, null);
    p.onFill(fill('GLD', 'buy', 10, 100, T0));
    const q = PerformanceTracker.restore(JSON.parse(JSON.stringify(p.snapshot())));
    expect(q.section()).toEqual(p.section());
    // A fill after the snapshot (lost with a crash): the broker holds 15.
    expect(q.alignOnce(T0 + 5000, [{ symbol: 'GLD', qty: 15, avgPrice: 102 }])).toEqual(['GLD']);
    expect(q.alignOnce(T0 + 6000, [{ symbol: 'GLD', qty: 99, avgPrice: 1 }])).toEqual([]);
    q.onFill(fill('GLD', 'sell', 15, 110, T0 + 10_000));
    expect((q.section() as { trades: Record<string, number>[] }).trades[0]).toMatchObject({ qty: 15, entryPrice: 102, pnl: 120, holdingMs: 5000 });
    expect(() => PerformanceTracker.restore({ v: 2 })).toThrow('not a performance snapshot');
    expect(() => PerformanceTracker.restore({ v: 1, points: [] })).toThrow('missing');
  });
});
