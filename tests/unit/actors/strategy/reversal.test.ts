import { describe, expect, it } from 'vitest';
import { rsi, rsiReversal, volRegimeSwitch } from '../../../../actors/strategy/catalog/reversal.js';
import { boundViolation, paramBounds } from '../../../../actors/strategy/param-bounds.js';
import { extend, viewWith, walk } from './helpers.js';

const rep = (n: number, step: number): number[] => Array.from({ length: n }, () => step);
const alt = (n: number, step: number): number[] => Array.from({ length: n }, (_, i) => (i % 2 === 0 ? step : -step));
/** A drift with a little alternating wobble, so the realised volatility is not zero. */
const drift = (n: number, step: number): number[] => alt(n, 0.001).map((x) => x + step);
const gld = (closes: number[], params = rsiReversal.params) => rsiReversal.evaluate(viewWith({ GLD: closes }), params, 0, ['GLD'])[0];

describe('rsi_reversal', () => {
  /** 220 bars of a steady trend with noise, the direction set by `drift`. */
  const trend = (drift: number) => walk(220, 100, 0.004, drift, 7);

  it('rsi of two down closes then 0, two up closes then 100, no change then 50', () => {
    const c = [10, 9, 8, 9, 10, 10, 10];
    expect(rsi((i) => c[i], 2, 2)).toBe(0);
    expect(rsi((i) => c[i], 2, 4)).toBe(100);
    expect(rsi((i) => c[i], 2, 6)).toBe(50);
  });

  it('two sharp down bars in an uptrend then long GLD', () => {
    const s = gld(extend(trend(0.003), [-0.01, -0.01]));
    expect(s.direction).toBe(1);
    expect(s.strength).toBe(1);
    expect(s.reason).toContain('RSI(2) 0.0');
    expect(s.reason).toContain('above');
  });

  it('two sharp up bars in a downtrend then short', () => {
    expect(gld(extend(trend(-0.003), [0.01, 0.01])).direction).toBe(-1);
  });

  it('the same pullback in a downtrend then flat (never fades the trend)', () => {
    const s = gld(extend(trend(-0.003), [-0.01, -0.01]));
    expect(s.direction).toBe(0);
    expect(s.reason).toContain('no pullback');
  });

  it('an oversold dip that then rebounds then long turns flat', () => {
    const dip = extend(trend(0.003), [-0.01, -0.01]);
    expect(gld(dip).direction).toBe(1);
    expect(gld(extend(dip, [0.01, 0.01])).direction).toBe(0);
  });

  it('fewer bars than the trend window then no signal', () => {
    expect(rsiReversal.evaluate(viewWith({ GLD: walk(150, 100, 0.004, 0.003, 7) }), rsiReversal.params, 0)).toEqual([]);
  });

  it('an RSI level outside 0..100 then refused by the bounds, oversold above overbought then throws', () => {
    const b = paramBounds(rsiReversal);
    expect(boundViolation(b.oversold, 150)).toMatch(/<= 100/);
    expect(boundViolation(b.overbought, 95)).toBeNull();
    expect(() => gld(trend(0.003), { ...rsiReversal.params, oversold: 95, overbought: 90 })).toThrow(/oversold < overbought/);
  });
});

describe('vol_regime_switch', () => {
  const turbulentPast = () => walk(260, 100, 0.02, 0, 11);
  const calmPast = () => walk(260, 100, 0.003, 0, 11);
  const run = (closes: number[], params = volRegimeSwitch.params) => volRegimeSwitch.evaluate(viewWith({ SLV: closes }), params, 0, ['SLV'])[0];

  it('a calm market drifting up then long (follow)', () => {
    const s = run(extend(turbulentPast(), drift(30, 0.002)));
    expect(s.direction).toBe(1);
    expect(s.reason).toContain('calm');
  });

  it('a calm market drifting down then short: the signal turns with the drift', () => {
    expect(run(extend(turbulentPast(), drift(30, -0.002))).direction).toBe(-1);
  });

  it('a turbulent spike up then short (fade), a turbulent plunge then long', () => {
    const up = run(extend(calmPast(), [...alt(15, 0.03), ...rep(5, 0.04)]));
    expect(up.direction).toBe(-1);
    expect(up.reason).toContain('turbulent');
    expect(run(extend(calmPast(), [...alt(15, 0.03), ...rep(5, -0.04)])).direction).toBe(1);
  });

  it('a calm market going nowhere then flat', () => {
    const s = run(extend(turbulentPast(), alt(30, 0.002)));
    expect(s.reason).toContain('calm');
    expect(s.direction).toBe(0);
  });

  it('a price that never moves then flat, not silent', () => {
    expect(run(extend(turbulentPast(), rep(30, 0))).direction).toBe(0);
  });

  it('less history than the volatility ranking needs then no signal', () => {
    expect(volRegimeSwitch.evaluate(viewWith({ GLD: walk(200, 100, 0.01, 0, 3), SLV: walk(200, 20, 0.01, 0, 4) }), volRegimeSwitch.params, 0)).toEqual([]);
  });

  it('a percentile above 1 then refused by the bounds, lowPct above highPct then throws', () => {
    expect(boundViolation(paramBounds(volRegimeSwitch).highPct, 1.5)).toMatch(/<= 1/);
    expect(() => run(turbulentPast(), { ...volRegimeSwitch.params, lowPct: 0.9, highPct: 0.8 })).toThrow(/lowPct < highPct/);
  });
});
