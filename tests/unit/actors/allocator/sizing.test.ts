import { describe, expect, it } from 'vitest';
import { sizeWeights, DEFAULT_SIZING_CONFIG, type SizingConfig } from '../../../../actors/allocator/sizing.js';
import type { CombinedScore } from '../../../../actors/allocator/combine.js';

const score = (symbol: string, s: number): CombinedScore => ({ symbol, score: s, evidence: 1, contributors: [] });
const cfg = (over: Partial<SizingConfig>): SizingConfig => ({ ...DEFAULT_SIZING_CONFIG, maxWeight: 10, grossCap: 100, netCap: 100, ...over });

describe('sizeWeights', () => {
  it('vol targeting then weight is score times target over instrument vol', () => {
    const r = sizeWeights([score('GLD', 0.5), score('GDXJ', 0.5)], new Map([['GLD', 0.15], ['GDXJ', 0.45]]), cfg({ targetVol: 0.1 }));
    const w = Object.fromEntries(r.weights.map((x) => [x.symbol, x.weight]));
    expect(w.GLD).toBeCloseTo((0.5 * 0.1) / 0.15, 12);
    expect(w.GDXJ).toBeCloseTo((0.5 * 0.1) / 0.45, 12);
    expect(w.GLD! / w.GDXJ!).toBeCloseTo(3, 12);
  });

  it('weight above per-instrument cap then capped', () => {
    const r = sizeWeights([score('GLD', -1)], new Map([['GLD', 0.05]]), cfg({ targetVol: 0.1, maxWeight: 0.2 }));
    expect(r.weights[0]!.weight).toBeCloseTo(-0.2, 12);
    expect(r.weights[0]!.limitedBy).toContain('max_weight');
  });

  it('tiny vol estimate then floored by minVol', () => {
    const r = sizeWeights([score('GLD', 1)], new Map([['GLD', 0.0001]]), cfg({ targetVol: 0.1, minVol: 0.05 }));
    expect(r.weights[0]!.weight).toBeCloseTo(2, 12);
  });

  it('no vol known then weight zero and says why', () => {
    const r = sizeWeights([score('GLD', 1)], new Map(), cfg({}));
    expect(r.weights[0]!.weight).toBe(0);
    expect(r.weights[0]!.limitedBy).toEqual(['no_vol']);
  });

  it('gross above cap then all scaled proportionally', () => {
    const vols = new Map([['A', 0.1], ['B', 0.1], ['C', 0.1]]);
    const r = sizeWeights([score('A', 0.6), score('B', -0.4), score('C', 0.2)], vols, cfg({ targetVol: 0.1, grossCap: 0.6 }));
    expect(r.gross).toBeCloseTo(0.6, 12);
    expect(r.grossScale).toBeCloseTo(0.6 / 1.2, 12);
    const w = r.weights.map((x) => x.weight);
    expect(w[0]! / w[2]!).toBeCloseTo(3, 12);
    expect(w[1]! / w[2]!).toBeCloseTo(-2, 12);
  });

  it('net above cap then only the excess side scaled and hedge kept', () => {
    const vols = new Map([['A', 0.1], ['B', 0.1], ['C', 0.1]]);
    const r = sizeWeights([score('A', 0.5), score('B', 0.5), score('C', -0.2)], vols, cfg({ targetVol: 0.1, netCap: 0.4 }));
    expect(r.net).toBeCloseTo(0.4, 12);
    const w = Object.fromEntries(r.weights.map((x) => [x.symbol, x.weight]));
    expect(w.C).toBeCloseTo(-0.2, 12);
    expect(w.A).toBeCloseTo(0.3, 12);
    expect(w.B).toBeCloseTo(0.3, 12);
  });

  it('both caps binding then both hold', () => {
    const vols = new Map([['A', 0.1], ['B', 0.1]]);
    const r = sizeWeights([score('A', 1), score('B', 0.8)], vols, cfg({ targetVol: 0.1, netCap: 1.5, grossCap: 1.0 }));
    expect(r.gross).toBeLessThanOrEqual(1.0 + 1e-12);
    expect(Math.abs(r.net)).toBeLessThanOrEqual(1.5 + 1e-12);
    expect(r.gross).toBeCloseTo(1.0, 12);
  });

  it('shorts disallowed then negative weights zeroed', () => {
    const r = sizeWeights([score('A', -1)], new Map([['A', 0.2]]), cfg({ allowShort: false }));
    expect(r.weights[0]!.weight).toBe(0);
    expect(r.weights[0]!.limitedBy).toContain('no_short');
  });
});
