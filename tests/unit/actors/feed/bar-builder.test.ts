import { describe, expect, it } from 'vitest';
import { BarBuilder } from '../../../../actors/feed/bar-builder.js';
import { BarRing } from '../../../../actors/feed/bar-ring.js';
import { T0 } from './helpers.js';

const M = 60_000;

describe('BarBuilder', () => {
  it('trades within one interval then no bar until the next interval starts', () => {
    const b = new BarBuilder(M);
    expect(b.onTrade(100, 10, T0 + 1_000)).toBeNull();
    expect(b.onTrade(102, 30, T0 + 20_000)).toBeNull();
    expect(b.onTrade(99, 20, T0 + 40_000)).toBeNull();
    expect(b.onTrade(101, 40, T0 + 59_999)).toBeNull();
    const bar = b.onTrade(105, 1, T0 + M);
    expect(bar).not.toBeNull();
    expect(bar!.ts).toBe(T0);
    expect([bar!.open, bar!.high, bar!.low, bar!.close]).toEqual([100, 102, 99, 101]);
    expect(bar!.volume).toBe(100);
    expect(bar!.trades).toBe(4);
    const vwap = (100 * 10 + 102 * 30 + 99 * 20 + 101 * 40) / 100;
    expect(bar!.vwap).toBeCloseTo(vwap, 12);
    expect(b.current()!.open).toBe(105);
    expect(b.current()!.ts).toBe(T0 + M);
  });

  it('bars align to interval multiples whatever the first trade time', () => {
    const b = new BarBuilder(5 * M);
    b.onTrade(100, 1, T0 + 3 * M + 17);
    expect(b.current()!.ts).toBe(T0);
    expect(b.bucket(T0 + 5 * M)).toBe(T0 + 5 * M);
    expect(b.bucket(T0 + 5 * M - 1)).toBe(T0);
  });

  it('onTime before end plus grace then keeps the bar, after then closes it', () => {
    const b = new BarBuilder(M, 2_000);
    b.onTrade(100, 1, T0 + 10);
    expect(b.onTime(T0 + M + 1_999)).toBeNull();
    const bar = b.onTime(T0 + M + 2_000);
    expect(bar?.ts).toBe(T0);
    expect(b.inProgress).toBe(false);
    expect(b.onTime(T0 + 10 * M)).toBeNull();
  });

  it('a late trade for a bar already closed by time then counted and the bar is not reopened', () => {
    const b = new BarBuilder(M, 0);
    b.onTrade(100, 1, T0 + 10);
    b.onTime(T0 + M);
    expect(b.onTrade(101, 1, T0 + 50_000)).toBeNull();
    expect(b.lateTrades).toBe(1);
    expect(b.current()).toBeNull();
  });

  it('an interval with no trades then produces no bar', () => {
    const b = new BarBuilder(M);
    b.onTrade(100, 1, T0);
    const bar = b.onTrade(101, 1, T0 + 3 * M);
    expect(bar!.ts).toBe(T0);
    expect(b.current()!.ts).toBe(T0 + 3 * M);
  });

  it('snapshot and restore then the bar in progress continues', () => {
    const b = new BarBuilder(M);
    b.onTrade(100, 10, T0);
    b.onTrade(104, 10, T0 + 1);
    const c = new BarBuilder(M);
    c.restore(JSON.parse(JSON.stringify(b.snapshot())));
    c.onTrade(98, 20, T0 + 2);
    const bar = c.onTrade(100, 1, T0 + M)!;
    expect([bar.open, bar.high, bar.low, bar.close, bar.volume, bar.trades]).toEqual([100, 104, 98, 98, 40, 3]);
    expect(bar.vwap).toBeCloseTo((1000 + 1040 + 1960) / 40, 10);
  });
});

describe('BarRing', () => {
  it('pushed past capacity then keeps the newest, oldest first', () => {
    const r = new BarRing(3, M);
    for (let i = 1; i <= 5; i++) r.push(i * M, i, i, i, i * 10, i);
    expect(r.length).toBe(3);
    expect([r.close(0), r.close(1), r.close(2)]).toEqual([30, 40, 50]);
    expect(r.ts(0)).toBe(3 * M);
    expect(r.close(3)).toBeNaN();
    expect(r.close(-1)).toBeNaN();
    expect(r.toColumns().close).toEqual([30, 40, 50]);
  });

  it('load then holds the newest capacity rows and skips non-finite rows', () => {
    const r = new BarRing(2, M);
    r.load({ ts: [1, 2, 3], open: [1, 2, 3], high: [1, 2, 3], low: [1, 2, 3], close: [1, NaN, 3], volume: [1, 1, 1] });
    expect(r.toColumns().close).toEqual([3]);
  });
});
