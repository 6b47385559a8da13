import { describe, expect, it } from 'vitest';
import { silverBeta as sb } from '../../../../actors/strategy/catalog/relative-value.js';
import { extend, normals } from './helpers.js';
import { viewWith } from './helpers.js';

/** 120 fit bars where silver = 1.8 x gold + noise, then 20 bars of gold at `drift` and silver at `silverMult` x gold's steps. */
function market(drift: number, silverMult: number, fit = 120): Record<string, number[]> {
  const zg = normals(fit + 20, 51);
  const zs = normals(fit + 20, 52);
  const g = zg.map((z, i) => (i < fit ? 0.008 * z : drift + 0.002 * z));
  const s = g.map((x, i) => (i < fit ? 1.8 * x + 0.003 * zs[i] : silverMult * x + 0.001 * zs[i]));
  return { GLD: extend([180], g), SLV: extend([25], s), SIVR: extend([26], s) };
}
const one = (series: Record<string, number[]>, params = sb.params) => sb.evaluate(viewWith(series), params, 0, ['SLV'])[0];

describe('silver_beta', () => {
  it('gold trending up and silver lagging its beta then long silver (catch-up)', () => {
    const s = one(market(0.004, 0.3));
    expect(s.direction).toBe(1);
    expect(s.reason).toContain('lagging');
  });

  it('gold trending down and silver lagging then short', () => {
    expect(one(market(-0.004, 0.3)).direction).toBe(-1);
  });

  it('silver keeping up with its beta, or running ahead, then flat', () => {
    expect(one(market(0.004, 1.8)).direction).toBe(0);
    expect(one(market(0.004, 3)).direction).toBe(0);
  });

  it('too little joint history then no signal', () => {
    const m = market(0.004, 0.3, 80);
    expect(sb.evaluate(viewWith(m), sb.params, 0)).toEqual([]);
  });

  it('a bad parameter then throws', () => {
    expect(() => one(market(0.004, 0.3), { ...sb.params, lagZ: 0 })).toThrow(/lagZ/);
    expect(() => one(market(0.004, 0.3), { ...sb.params, moveBars: 1 })).toThrow(/integer/);
  });
});
