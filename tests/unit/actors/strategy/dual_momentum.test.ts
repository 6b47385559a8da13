import { describe, expect, it } from 'vitest';
import { dualMomentum } from '../../../../actors/strategy/catalog/relative-momentum.js';
import { boundViolation, paramBounds } from '../../../../actors/strategy/param-bounds.js';
import { viewWith, walk } from './helpers.js';

const metals = (g: number, s: number, p: number, n = 130) => ({ GLD: walk(n, 180, 0.005, g, 1), SLV: walk(n, 25, 0.005, s, 2), PPLT: walk(n, 90, 0.005, p, 3) });
const dirs = (series: Record<string, number[]>, params = dualMomentum.params) =>
  Object.fromEntries(dualMomentum.evaluate(viewWith(series), params, 0).map((x) => [x.symbol, x.direction]));

describe('dual_momentum', () => {
  it('silver the best and rising then long silver only', () => {
    expect(dirs(metals(0.001, 0.004, 0))).toEqual({ GLD: 0, SLV: 1, PPLT: 0 });
  });

  it('the leader changes then the long moves to it', () => {
    expect(dirs(metals(0.005, 0.001, 0.002))).toEqual({ GLD: 1, SLV: 0, PPLT: 0 });
  });

  it('all three falling then flat everywhere, never short', () => {
    const d = dualMomentum.evaluate(viewWith(metals(-0.003, -0.004, -0.005)), dualMomentum.params, 0);
    expect(d.map((x) => x.direction)).toEqual([0, 0, 0]);
    expect(d.find((x) => x.symbol === 'GLD')!.reason).toContain('below cash');
  });

  it('a winner that beats zero but not a high risk-free rate then flat', () => {
    const series = metals(0.0003, -0.001, -0.001);
    const g = series.GLD;
    const r = Math.log(g[129] / g[9]);
    expect(r).toBeGreaterThan(0);
    expect(dirs(series, { ...dualMomentum.params, riskFree: 0 }).GLD).toBe(1);
    // A rate whose 120-day share exceeds r.
    expect(dirs(series, { ...dualMomentum.params, riskFree: Math.min(1, Math.expm1((r * 365) / 120) + 0.01) }).GLD).toBe(0);
  });

  it('one metal short of the lookback then no signal', () => {
    const s = metals(0.001, 0.004, 0);
    expect(dualMomentum.evaluate(viewWith({ ...s, PPLT: s.PPLT.slice(0, 100) }), dualMomentum.params, 0)).toEqual([]);
  });

  it('a rate outside (-1, 1] then throws and is refused by the bounds', () => {
    expect(() => dualMomentum.evaluate(viewWith(metals(0, 0, 0)), { ...dualMomentum.params, riskFree: 2 }, 0)).toThrow(/annual rate/);
    expect(boundViolation(paramBounds(dualMomentum).riskFree, 2)).not.toBeNull();
    expect(boundViolation(paramBounds(dualMomentum).riskFree, 0)).toBeNull();
  });
});
