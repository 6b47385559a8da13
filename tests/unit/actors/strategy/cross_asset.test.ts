import { describe, expect, it } from 'vitest';
import { goldCopperRatio, goldOilRatio } from '../../../../actors/strategy/catalog/cross-asset.js';
import { MarketView } from '../../../../actors/strategy/market-view.js';
import { DAY, START, barMsg, normals, viewWith, walk } from './helpers.js';

/** Two legs from the same shocks: `b` follows `a` with its own noise, then a tail of `tailA` / `tailB` log steps per bar over the last `k` bars. */
function legs(n: number, seed: number, tailA: number, tailB: number, k: number): { a: number[]; b: number[] } {
  const za = normals(n, seed);
  const zb = normals(n, seed + 1);
  const a = [200];
  const b = [25];
  for (let i = 1; i < n; i++) {
    const tail = i >= n - k;
    a.push(a[i - 1] * Math.exp(0.004 * za[i] + (tail ? tailA : 0)));
    b.push(b[i - 1] * Math.exp(0.004 * za[i] + 0.004 * zb[i] + (tail ? tailB : 0)));
  }
  return { a, b };
}

describe('gold_copper_ratio', () => {
  const p = goldCopperRatio.params;

  it('gold trending up against copper (copper sliding) then long gold, horizon in bars', () => {
    const { a, b } = legs(80, 1, 0, -0.01, 60);
    const [s] = goldCopperRatio.evaluate(viewWith({ GLD: a, CPER: b }), p, 0);
    expect(s.symbol).toBe('GLD');
    expect(s.direction).toBe(1);
    expect(s.horizonMs).toBe(20 * DAY);
    expect(s.reason).toMatch(/growth fear, long gold/);
    expect(s.ts).toBe(START + 79 * DAY);
  });

  it('copper leading gold then short gold', () => {
    const { a, b } = legs(80, 2, 0, 0.01, 60);
    expect(goldCopperRatio.evaluate(viewWith({ GLD: a, CPER: b }), p, 0)[0].direction).toBe(-1);
  });

  it('both moving together (the ratio flat) then flat though gold itself trended', () => {
    const { a, b } = legs(80, 3, 0.01, 0.01, 60);
    const [s] = goldCopperRatio.evaluate(viewWith({ GLD: a, CPER: b }), p, 0);
    expect(a[79] / a[19]).toBeGreaterThan(1.5); // gold alone is in a strong uptrend
    expect(s.direction).toBe(0);
    expect(s.reason).toContain('no regime');
  });

  it('no copper bars (the PM universe) or too few joint bars then no signal', () => {
    expect(goldCopperRatio.evaluate(viewWith({ GLD: walk(100, 200, 0.01, 0, 4) }), p, 0)).toEqual([]);
    const { a, b } = legs(60, 5, 0, -0.01, 30);
    expect(goldCopperRatio.evaluate(viewWith({ GLD: a, CPER: b }), p, 0)).toEqual([]);
    expect(goldCopperRatio.evaluate(viewWith({ GLD: a, CPER: b }), { ...p, trendBars: 59 }, 0)).toHaveLength(1);
  });

  it('a bad parameter then throws (the shard marks it error)', () => {
    expect(() => goldCopperRatio.evaluate(new MarketView(), { ...p, trendBars: 1.5 }, 0)).toThrow(/trendBars/);
  });
});

describe('gold_oil_ratio', () => {
  const p = goldOilRatio.params;
  /** A steady relation for `n` bars (oil tracks gold with a little noise of its own), then a last bar where gold and oil jump by `ga` and `gb` log. */
  function jump(n: number, ga: number, gb: number): MarketView {
    const gold = walk(n, 200, 0.005, 0, 9);
    const zo = normals(n, 10);
    const oil = gold.map((g, i) => 0.35 * g * Math.exp(0.002 * zo[i]));
    gold.push(gold[n - 1] * Math.exp(ga));
    oil.push(oil[n - 1] * Math.exp(gb));
    return viewWith({ GLD: gold, USO: oil });
  }

  it('gold jumps far above its oil relation then short gold (rich in barrels)', () => {
    const [s] = goldOilRatio.evaluate(jump(130, 0.08, 0), p, 0);
    expect(s.direction).toBe(-1);
    expect(s.reason).toMatch(/gold rich, short/);
    expect(s.horizonMs).toBe(30 * DAY);
  });

  it('gold collapses against oil then long gold', () => {
    expect(goldOilRatio.evaluate(jump(130, -0.08, 0), p, 0)[0].direction).toBe(1);
  });

  it('oil crashes (the ratio as extreme, but oil made the gap) then flat: no call on gold', () => {
    const [s] = goldOilRatio.evaluate(jump(130, 0, -0.12), p, 0);
    expect(s.direction).toBe(0);
    expect(s.reason).toContain('made by oil');
    expect(Number(/z=([-\d.]+)/.exec(s.reason)![1])).toBeGreaterThan(2);
  });

  it('an ordinary bar then flat; too few joint bars or no oil then no signal', () => {
    expect(goldOilRatio.evaluate(jump(130, 0.001, 0.001), p, 0)[0].direction).toBe(0);
    expect(goldOilRatio.evaluate(jump(100, 0.08, 0), p, 0)).toEqual([]);
    const v = new MarketView();
    for (let i = 0; i < 130; i++) v.onBar(barMsg('GLD', START + i * DAY, 200, 200));
    expect(goldOilRatio.evaluate(v, p, 0)).toEqual([]);
  });

  it('goldShare outside (0, 1] then throws', () => {
    expect(() => goldOilRatio.evaluate(jump(130, 0.08, 0), { ...p, goldShare: 0 }, 0)).toThrow(/goldShare/);
    expect(() => goldOilRatio.evaluate(jump(130, 0.08, 0), { ...p, goldShare: 1.5 }, 0)).toThrow(/goldShare/);
  });
});
