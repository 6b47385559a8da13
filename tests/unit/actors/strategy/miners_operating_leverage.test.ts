import { describe, expect, it } from 'vitest';
import { minersOperatingLeverage as ml } from '../../../../actors/strategy/catalog/relative-value.js';
import { extend, normals, walk } from './helpers.js';
import { viewWith } from './helpers.js';

/** Gold with the given drift; each miner's log steps are beta x gold's plus a little own noise. */
function market(drift: number, betas: Record<string, number>, n = 130): Record<string, number[]> {
  const gld = walk(n, 180, 0.008, drift, 31);
  const steps = gld.slice(1).map((c, i) => Math.log(c / gld[i]));
  const miners = Object.fromEntries(Object.entries(betas).map(([s, b], k) => {
    const z = normals(n - 1, 40 + k);
    return [s, extend([30], steps.map((x, i) => b * x + 0.002 * z[i]))];
  }));
  return { GLD: gld, ...miners };
}
const dirs = (series: Record<string, number[]>, params = ml.params) => Object.fromEntries(ml.evaluate(viewWith(series), params, 0).map((s) => [s.symbol, s]));

describe('miners_operating_leverage', () => {
  it('gold trending up and miners at twice its beta then long both, stronger with more beta', () => {
    const d = dirs(market(0.004, { GDX: 1.8, GDXJ: 2.4 }));
    expect(d.GDX.direction).toBe(1);
    expect(d.GDXJ.direction).toBe(1);
    expect(d.GDXJ.strength).toBeGreaterThan(d.GDX.strength);
  });

  it('gold trending down then short the leveraged miners', () => {
    expect(dirs(market(-0.004, { GDX: 2, GDXJ: 2 })).GDX.direction).toBe(-1);
  });

  it('a miner whose beta is below minLeverage then flat while gold trends', () => {
    const d = dirs(market(0.004, { GDX: 0.6, GDXJ: 2 }));
    expect(d.GDX.direction).toBe(0);
    expect(d.GDX.reason).toContain('below 1.2');
    expect(d.GDXJ.direction).toBe(1);
  });

  it('gold going nowhere (alternating moves) then flat even in leveraged miners', () => {
    const steps = Array.from({ length: 129 }, (_, i) => (i % 2 === 0 ? 0.01 : -0.01));
    const d = dirs({ GLD: extend([180], steps), GDX: extend([30], steps.map((x) => 2 * x)), GDXJ: extend([40], steps.map((x) => 2.5 * x)) });
    expect(d.GDX.direction).toBe(0);
    expect(d.GDXJ.direction).toBe(0);
    expect(d.GDX.reason).toContain('not established');
  });

  it('too little GLD or miner history then no signal', () => {
    expect(ml.evaluate(viewWith(market(0.004, { GDX: 2, GDXJ: 2 }, 100)), ml.params, 0)).toEqual([]);
    const m = market(0.004, { GDX: 2, GDXJ: 2 });
    expect(ml.evaluate(viewWith({ GDX: m.GDX, GDXJ: m.GDXJ }), ml.params, 0)).toEqual([]);
  });

  it('a bad parameter then throws', () => {
    const m = market(0.004, { GDX: 2, GDXJ: 2 });
    expect(() => ml.evaluate(viewWith(m), { ...ml.params, minLeverage: -1 }, 0)).toThrow(/minLeverage/);
    expect(() => ml.evaluate(viewWith(m), { ...ml.params, betaBars: 1 }, 0)).toThrow(/integer/);
  });
});
