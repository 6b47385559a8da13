import { describe, expect, it } from 'vitest';
import { xsecMomentum } from '../../../../actors/strategy/catalog/relative-momentum.js';
import { paramBounds, boundViolation } from '../../../../actors/strategy/param-bounds.js';
import { viewWith, walk } from './helpers.js';

const SYMS = xsecMomentum.instruments;
/** 130 daily bars per instrument; `drifts` overrides the zero drift of some. */
function universe(drifts: Record<string, number>, n = 130): Record<string, number[]> {
  return Object.fromEntries(SYMS.map((s, i) => [s, walk(n, 50 + i, 0.01, drifts[s] ?? 0, 200 + i)]));
}
const dirOf = (series: Record<string, number[]>, params = xsecMomentum.params) =>
  Object.fromEntries(xsecMomentum.evaluate(viewWith(series), params, 0).map((s) => [s.symbol, s.direction]));

describe('xsec_momentum', () => {
  it('the three strongest formers then long, the three weakest short, the rest flat', () => {
    const d = dirOf(universe({ GLD: 0.006, SLV: 0.005, PPLT: 0.004, PALL: -0.004, GDX: -0.005, GDXJ: -0.006 }));
    expect(Object.keys(d).length).toBe(17);
    expect([d.GLD, d.SLV, d.PPLT]).toEqual([1, 1, 1]);
    expect([d.PALL, d.GDX, d.GDXJ]).toEqual([-1, -1, -1]);
    expect(Object.values(d).filter((x) => x === 0).length).toBe(11);
  });

  it('the drifts reversed then the signals turn: GLD short, GDXJ long', () => {
    const d = dirOf(universe({ GLD: -0.006, SLV: -0.005, PPLT: -0.004, PALL: 0.004, GDX: 0.005, GDXJ: 0.006 }));
    expect(d.GLD).toBe(-1);
    expect(d.GDXJ).toBe(1);
  });

  it('a move only inside the skip window then does not count', () => {
    const u = universe({});
    u.NEM = [...u.NEM.slice(0, 125), ...[1.1, 1.2, 1.3, 1.4, 1.5].map((m) => u.NEM[124] * m)];
    const s = xsecMomentum.evaluate(viewWith(u), xsecMomentum.params, 0).find((x) => x.symbol === 'NEM')!;
    expect(s.reason).not.toContain('rank 1 ');
  });

  it('fewer than 2k instruments with enough history then no signal', () => {
    const few = Object.fromEntries(Object.entries(universe({})).map(([s, c], i) => [s, i < 5 ? c : c.slice(0, 50)]));
    expect(xsecMomentum.evaluate(viewWith(few), xsecMomentum.params, 0)).toEqual([]);
    expect(xsecMomentum.evaluate(viewWith(universe({}, 100)), xsecMomentum.params, 0)).toEqual([]);
  });

  it('a bad k then throws, a zero k refused by the bounds', () => {
    expect(() => xsecMomentum.evaluate(viewWith(universe({})), { ...xsecMomentum.params, k: 9 }, 0)).toThrow(/at most/);
    expect(() => xsecMomentum.evaluate(viewWith(universe({})), { ...xsecMomentum.params, k: 1.5 }, 0)).toThrow(/integer/);
    expect(boundViolation(paramBounds(xsecMomentum).k, 0)).not.toBeNull();
    expect(boundViolation(paramBounds(xsecMomentum).k, 9)).not.toBeNull();
  });
});
