import { describe, expect, it } from 'vitest';
import { royaltyVsMiners as rm } from '../../../../actors/strategy/catalog/relative-value.js';
import { boundViolation, paramBounds } from '../../../../actors/strategy/param-bounds.js';
import { extend, viewWith, walk } from './helpers.js';

const alt = (n: number, step: number): number[] => Array.from({ length: n }, (_, i) => (i % 2 === 0 ? step : -step));
const names = ['WPM', 'FNV', 'RGLD', 'NEM', 'B', 'AEM'];
const stocks = (n: number) => Object.fromEntries(names.map((s, i) => [s, walk(n, 40 + i, 0.01, 0, 60 + i)]));
const dirs = (gld: number[], params = rm.params) => Object.fromEntries(rm.evaluate(viewWith({ GLD: gld, ...stocks(gld.length) }), params, 0).map((s) => [s.symbol, s.direction]));

describe('royalty_vs_miners', () => {
  it('gold falling hard after a calm stretch then long royalties, short operators', () => {
    const d = dirs(extend(walk(150, 180, 0.004, 0, 7), [...alt(4, 0.02), -0.03, -0.03, -0.03]));
    expect([d.WPM, d.FNV, d.RGLD]).toEqual([1, 1, 1]);
    expect([d.NEM, d.B, d.AEM]).toEqual([-1, -1, -1]);
  });

  it('a calm steady uptrend after a turbulent past then long operators, short royalties', () => {
    const d = dirs(extend(walk(100, 180, 0.02, 0, 8), alt(60, 0.002).map((x) => x + 0.002)));
    expect(d.NEM).toBe(1);
    expect(d.WPM).toBe(-1);
  });

  it('a calm market drifting gently down (no stress, no uptrend) then flat on all six', () => {
    const d = dirs(extend(walk(100, 180, 0.02, 0, 8), alt(60, 0.002).map((x) => x - 0.0005)));
    expect(Object.values(d)).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('too little gold history then no signal', () => {
    expect(rm.evaluate(viewWith({ GLD: walk(100, 180, 0.01, 0, 1), ...stocks(100) }), rm.params, 0)).toEqual([]);
  });

  it('a bad parameter then throws and the bounds refuse a drawdown above 1', () => {
    const g = walk(160, 180, 0.01, 0, 1);
    expect(() => dirs(g, { ...rm.params, lowPct: 0.9 })).toThrow(/lowPct < highPct/);
    expect(() => dirs(g, { ...rm.params, maxDrawdown: 1.5 })).toThrow(/maxDrawdown/);
    expect(boundViolation(paramBounds(rm).maxDrawdown, 1.5)).not.toBeNull();
  });
});
