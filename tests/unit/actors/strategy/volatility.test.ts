import { describe, expect, it } from 'vitest';
import { atrBreakout, squeezeBreakout } from '../../../../actors/strategy/catalog/volatility.js';
import type { Signal } from '../../../../actors/strategy/signal.js';
import { extend, viewWith, walk } from './helpers.js';

const one = (signals: Signal[], symbol: string) => signals.find((s) => s.symbol === symbol);

describe('vol_atr_breakout', () => {
  const quiet = (seed: number) => walk(60, 100, 0.003, 0, seed);

  it('a close-to-close move of several ATRs up then long, down then short', () => {
    const up = extend(quiet(21), [0.03]);
    const down = extend(quiet(21), [-0.03]);
    const su = one(atrBreakout.evaluate(viewWith({ GLD: up }), atrBreakout.params, 0), 'GLD')!;
    const sd = one(atrBreakout.evaluate(viewWith({ GLD: down }), atrBreakout.params, 0), 'GLD')!;
    expect(su.direction).toBe(1);
    expect(sd.direction).toBe(-1);
    expect(su.reason).toContain('0 bars ago');
  });

  it('an ordinary day then flat', () => {
    const s = one(atrBreakout.evaluate(viewWith({ SLV: quiet(22) }), atrBreakout.params, 0), 'SLV')!;
    expect(s.direction).toBe(0);
  });

  it('a breakout ages then its strength fades and after holdBars it is gone', () => {
    const base = extend(quiet(23), [0.03]);
    const strengths: number[] = [];
    let closes = base;
    for (let k = 0; k < 6; k++) {
      const s = one(atrBreakout.evaluate(viewWith({ GDX: closes }), atrBreakout.params, 0), 'GDX')!;
      strengths.push(s.direction * s.strength);
      closes = extend(closes, [0.0005]);
    }
    for (let k = 1; k < 5; k++) expect(strengths[k]).toBeLessThan(strengths[k - 1]);
    expect(strengths[4]).toBeGreaterThan(0);
    expect(strengths[5]).toBe(0);
  });

  it('a breakout fully given back in small steps then flat as a failed breakout', () => {
    const params = { ...atrBreakout.params, holdBars: 10 };
    const closes = extend(quiet(24), [0.03, ...Array(8).fill(-0.0045)]);
    const s = one(atrBreakout.evaluate(viewWith({ GLD: closes }), params, 0), 'GLD')!;
    expect(s.direction).toBe(0);
    expect(s.reason).toContain('failed');
  });

  it('too few bars then no signal', () => {
    expect(atrBreakout.evaluate(viewWith({ GLD: quiet(25).slice(0, 20) }), atrBreakout.params, 0)).toEqual([]);
  });
});

describe('vol_squeeze_breakout', () => {
  // Volatile history, then a tight coil, then a break.
  const coil = (seed: number) => {
    const loud = walk(150, 100, 0.015, 0, seed);
    // A deterministic tight oscillation: never outside its own 2-sigma band.
    return extend(loud, Array.from({ length: 30 }, (_, i) => (i % 2 === 0 ? 0.0005 : -0.0005)));
  };

  it('a break above a squeezed band then long, below then short', () => {
    const up = extend(coil(31), [0.02]);
    const down = extend(coil(31), [-0.02]);
    const su = one(squeezeBreakout.evaluate(viewWith({ PPLT: up }), squeezeBreakout.params, 0), 'PPLT')!;
    const sd = one(squeezeBreakout.evaluate(viewWith({ PPLT: down }), squeezeBreakout.params, 0), 'PPLT')!;
    expect(su.direction).toBe(1);
    expect(sd.direction).toBe(-1);
    expect(su.reason).toContain('squeezed');
  });

  it('the same move without a prior squeeze then flat', () => {
    const loud = extend(walk(181, 100, 0.015, 0, 32), [0.02]);
    const s = one(squeezeBreakout.evaluate(viewWith({ PALL: loud }), squeezeBreakout.params, 0), 'PALL')!;
    expect(s.direction).toBe(0);
  });

  it('still coiled, no break then flat', () => {
    const s = one(squeezeBreakout.evaluate(viewWith({ GLD: coil(33) }), squeezeBreakout.params, 0), 'GLD')!;
    expect(s.direction).toBe(0);
  });

  it('too few bars then no signal', () => {
    expect(squeezeBreakout.evaluate(viewWith({ GLD: walk(100, 100, 0.01, 0, 34) }), squeezeBreakout.params, 0)).toEqual([]);
  });
});
