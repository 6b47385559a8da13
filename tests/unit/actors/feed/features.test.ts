import { describe, expect, it } from 'vitest';
import { FeatureEngine } from '../../../../actors/feed/features.js';
import type { BuiltBar } from '../../../../actors/feed/bar-builder.js';
import { T0 } from './helpers.js';

const M = 60_000;

function engine(over: Partial<ConstructorParameters<typeof FeatureEngine>[0]> = {}): FeatureEngine {
  return new FeatureEngine({
    barIntervalMs: M,
    volHalfLifeBars: 2,
    minVolBars: 2,
    barsPerYear: 98_280,
    historyCapacity: 4,
    dayOffsetMs: -5 * 3_600_000,
    ...over,
  });
}

function closed(ts: number, close: number): BuiltBar {
  return { ts, open: close, high: close + 1, low: close - 1, close, volume: 10, vwap: close, trades: 1 };
}

describe('FeatureEngine', () => {
  it('EWMA volatility then matches a hand computation', () => {
    const f = engine();
    const closes = [100, 101, 99.5, 102, 102.3];
    closes.forEach((c, i) => f.onBar(closed(T0 + i * M, c)));
    // By hand: lambda = 0.5^(1/2); var seeded with r1^2, then var = l*var + (1-l)*r^2.
    const l = Math.SQRT1_2;
    const r = [Math.log(101 / 100), Math.log(99.5 / 101), Math.log(102 / 99.5), Math.log(102.3 / 102)];
    let v = r[0] * r[0];
    for (let i = 1; i < r.length; i++) v = l * v + (1 - l) * r[i] * r[i];
    expect(f.vol()).toBeCloseTo(Math.sqrt(v * 98_280), 12);
    expect(f.lastBarRet()).toBeCloseTo(r[3], 15);
  });

  it('fewer bar returns than minVolBars then no volatility', () => {
    const f = engine({ minVolBars: 3 });
    f.onBar(closed(T0, 100));
    f.onBar(closed(T0 + M, 101));
    f.onBar(closed(T0 + 2 * M, 102));
    expect(f.vol()).toBeNaN();
    expect(f.features('GLD', T0, 1, 'trade', 'fresh').vol).toBeNull();
    f.onBar(closed(T0 + 3 * M, 101));
    expect(f.vol()).toBeGreaterThan(0);
  });

  it('trades and a quote then price, tick return, spread and range', () => {
    const f = engine();
    f.onTrade(100, T0);
    f.onTrade(101, T0 + 1);
    f.onTrade(99, T0 + 2);
    f.onQuote(98.9, 99.1);
    const x = f.features('GLD', T0 + 2, 7, 'quote', 'fresh');
    expect(x.price).toBe(99);
    expect(x.ret).toBeCloseTo(Math.log(99 / 101), 15);
    expect(x.mid).toBeCloseTo(99, 12);
    expect(x.spreadBps).toBeCloseTo((0.2 / 99) * 1e4, 9);
    expect(x.dayHigh).toBe(101);
    expect(x.dayLow).toBe(99);
    expect(x.rangeBps).toBeCloseTo((2 / 99) * 1e4, 9);
    expect(x.seq).toBe(7);
    expect(x.barRet).toBeNull();
  });

  it('before any trade then price is the mid and returns are null', () => {
    const f = engine();
    f.onQuote(10, 12);
    const x = f.features('GLD', T0, 1, 'quote', 'fresh');
    expect(x.price).toBe(11);
    expect(x.ret).toBeNull();
    expect(x.dayHigh).toBeNull();
  });

  it('a new session day then the intraday range resets', () => {
    const f = engine();
    f.onTrade(100, T0);
    f.onTrade(110, T0 + 1);
    f.onTrade(105, T0 + 24 * 3_600_000);
    const x = f.features('GLD', T0, 1, 'trade', 'fresh');
    expect([x.dayHigh, x.dayLow]).toEqual([105, 105]);
  });

  it('many bars then history stays at capacity', () => {
    const f = engine({ historyCapacity: 4 });
    for (let i = 0; i < 10; i++) f.onBar(closed(T0 + i * M, 100 + i));
    expect(f.history.length).toBe(4);
    expect(f.history.close(0)).toBe(106);
  });

  it('snapshot and restore then volatility and history continue identically', () => {
    const a = engine();
    const b = engine();
    for (let i = 0; i < 6; i++) a.onBar(closed(T0 + i * M, 100 + Math.sin(i)));
    b.restore(JSON.parse(JSON.stringify(a.snapshot())));
    a.onBar(closed(T0 + 6 * M, 103));
    b.onBar(closed(T0 + 6 * M, 103));
    expect(b.vol()).toBe(a.vol());
    expect(b.history.toColumns()).toEqual(a.history.toColumns());
  });
});
