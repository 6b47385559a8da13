import { describe, expect, it } from 'vitest';
import { donchianBreakout, maCrossover } from '../../../../actors/strategy/catalog/trend.js';
import { maGapStdFactor } from '../../../../actors/strategy/math.js';
import type { Signal } from '../../../../actors/strategy/signal.js';
import { extend, normals, viewWith, walk } from './helpers.js';

const one = (signals: Signal[], symbol: string) => signals.find((s) => s.symbol === symbol);

describe('trend_ma_cross', () => {
  it('a steady uptrend then long with high strength', () => {
    const view = viewWith({ GLD: walk(200, 100, 0.005, 0.003, 1) });
    const s = one(maCrossover.evaluate(view, maCrossover.params, 0), 'GLD')!;
    expect(s.direction).toBe(1);
    expect(s.strength).toBeGreaterThan(0.7);
    expect(s.reason).toContain('above');
  });

  it('an uptrend that rolls over into a longer decline then the signal turns short', () => {
    const up = walk(150, 100, 0.005, 0.003, 2);
    const view1 = viewWith({ SLV: up });
    expect(one(maCrossover.evaluate(view1, maCrossover.params, 0), 'SLV')!.direction).toBe(1);
    const down = extend(up, normals(80, 3).map((z) => -0.006 + 0.005 * z));
    const view2 = viewWith({ SLV: down });
    expect(one(maCrossover.evaluate(view2, maCrossover.params, 0), 'SLV')!.direction).toBe(-1);
  });

  it('fewer bars than slow + 1 then no signal for that instrument only', () => {
    const view = viewWith({ GLD: walk(200, 100, 0.005, 0.003, 1), GDX: walk(100, 30, 0.01, 0, 4) });
    const signals = maCrossover.evaluate(view, maCrossover.params, 0);
    expect(one(signals, 'GLD')).toBeDefined();
    expect(one(signals, 'GDX')).toBeUndefined();
  });

  it('MA gap std factor then matches a direct sum of squared weights', () => {
    // fast 2, slow 3: increments back 0 and 1 weigh 2/3-1/2 and 1/3.
    expect(maGapStdFactor(2, 3)).toBeCloseTo(Math.sqrt((2 / 3 - 1 / 2) ** 2 + (1 / 3) ** 2), 12);
  });
});

describe('trend_donchian', () => {
  const range = (n: number, seed: number) => normals(n, seed).map((z) => 100 + 0.8 * Math.max(-2, Math.min(2, z)));

  it('a close above the 55-bar high then long', () => {
    const closes = [...range(100, 5), 103, 104, 105];
    const s = one(donchianBreakout.evaluate(viewWith({ GLD: closes }, undefined, undefined, 0.001), donchianBreakout.params, 0), 'GLD')!;
    expect(s.direction).toBe(1);
    expect(s.strength).toBeGreaterThan(0.1);
  });

  it('a close below the 55-bar low then short, and a range then flat', () => {
    const flat = range(100, 6);
    const down = [...flat, 97, 96];
    expect(one(donchianBreakout.evaluate(viewWith({ SLV: down }, undefined, undefined, 0.001), donchianBreakout.params, 0), 'SLV')!.direction).toBe(-1);
    expect(one(donchianBreakout.evaluate(viewWith({ SLV: flat }, undefined, undefined, 0.001), donchianBreakout.params, 0), 'SLV')!.direction).toBe(0);
  });

  it('a long breakout that then breaks the 20-bar low (but not the 55-bar low) then flat', () => {
    const held = normals(25, 9).map((z) => 106.5 + 0.2 * Math.max(-1, Math.min(1, z)));
    const trend = [...range(100, 7), 103, 104, 105, 106, ...held];
    const long = one(donchianBreakout.evaluate(viewWith({ GDX: trend }, undefined, undefined, 0.001), donchianBreakout.params, 0), 'GDX')!;
    expect(long.direction).toBe(1);
    const exited = one(donchianBreakout.evaluate(viewWith({ GDX: [...trend, 104] }, undefined, undefined, 0.001), donchianBreakout.params, 0), 'GDX')!;
    expect(exited.direction).toBe(0);
    expect(exited.reason).toContain('no open breakout');
  });

  it('fewer bars than the entry channel then no signal', () => {
    expect(donchianBreakout.evaluate(viewWith({ GLD: range(50, 8) }), donchianBreakout.params, 0)).toEqual([]);
  });
});
