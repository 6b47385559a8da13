import { describe, expect, it } from 'vitest';
import { combineSignals, validateSignal } from '../../../../actors/allocator/combine.js';
import type { Signal } from '../../../../actors/strategy/signal.js';

const sig = (over: Partial<Signal>): Signal => ({
  strategyId: 's1',
  symbol: 'GLD',
  direction: 1,
  strength: 1,
  confidence: 1,
  horizonMs: 60_000,
  ts: 1_000,
  reason: 'test',
  ...over,
});

describe('combineSignals', () => {
  it('long and short of equal weight conflict then score is zero', () => {
    const out = combineSignals([sig({ strategyId: 'a', direction: 1 }), sig({ strategyId: 'b', direction: -1 })], 2_000);
    expect(out.get('GLD')!.score).toBeCloseTo(0, 12);
    expect(out.get('GLD')!.contributors.map((c) => c.strategyId)).toEqual(['a', 'b']);
  });

  it('conflicting signals then confidence and strength weighted mean with flat prior', () => {
    const a = sig({ strategyId: 'a', direction: 1, strength: 0.8, confidence: 0.9 });
    const b = sig({ strategyId: 'b', direction: -1, strength: 0.5, confidence: 0.3 });
    const out = combineSignals([a, b], 2_000, {}, { flatPrior: 0.5 });
    const expected = (0.9 * 0.8 - 0.3 * 0.5) / (0.9 + 0.3 + 0.5);
    expect(out.get('GLD')!.score).toBeCloseTo(expected, 12);
    expect(out.get('GLD')!.evidence).toBeCloseTo(1.2, 12);
    const sum = out.get('GLD')!.contributors.reduce((s, c) => s + c.contribution, 0);
    expect(sum).toBeCloseTo(expected, 12);
  });

  it('confident flat vote then pulls score toward zero', () => {
    const alone = combineSignals([sig({ strategyId: 'a' })], 2_000).get('GLD')!.score;
    const withFlat = combineSignals([sig({ strategyId: 'a' }), sig({ strategyId: 'f', direction: 0 })], 2_000).get('GLD')!.score;
    expect(withFlat).toBeGreaterThan(0);
    expect(withFlat).toBeLessThan(alone);
  });

  it('signal older than its horizon then expired and ignored', () => {
    const out = combineSignals([sig({ strategyId: 'a', ts: 0, horizonMs: 1_000 }), sig({ strategyId: 'b', direction: -1, ts: 5_000 })], 5_500);
    const c = out.get('GLD')!;
    expect(c.contributors.map((x) => x.strategyId)).toEqual(['b']);
    expect(c.score).toBeLessThan(0);
    expect(combineSignals([sig({ ts: 0, horizonMs: 1_000 })], 1_001).size).toBe(0);
  });

  it('two signals of one strategy then only the latest counts', () => {
    const out = combineSignals([sig({ ts: 2_000, direction: -1 }), sig({ ts: 1_000, direction: 1 })], 2_500);
    expect(out.get('GLD')!.contributors).toHaveLength(1);
    expect(out.get('GLD')!.score).toBeLessThan(0);
  });

  it('meta weight zero then strategy silenced and weights scale votes', () => {
    const a = sig({ strategyId: 'a', direction: 1 });
    const b = sig({ strategyId: 'b', direction: -1 });
    expect(combineSignals([a, b], 2_000, { b: 0 }).get('GLD')!.score).toBeCloseTo(1 / 1.5, 12);
    expect(combineSignals([a, b], 2_000, { a: 3 }).get('GLD')!.score).toBeCloseTo((3 - 1) / (4 + 0.5), 12);
  });

  it('same inputs in another order then same output', () => {
    const list = [sig({ strategyId: 'x', symbol: 'SLV' }), sig({ strategyId: 'a', direction: -1 }), sig({ strategyId: 'b', confidence: 0.2 })];
    const one = combineSignals(list, 2_000);
    const two = combineSignals([...list].reverse(), 2_000);
    expect([...two.entries()]).toEqual([...one.entries()]);
  });
});

describe('validateSignal', () => {
  it('malformed signals then rejected with what was wrong', () => {
    expect(validateSignal(sig({}))).toBeNull();
    expect(validateSignal(sig({ strength: 1.5 }))).toMatch(/strength/);
    expect(validateSignal(sig({ confidence: Number.NaN }))).toMatch(/confidence/);
    expect(validateSignal(sig({ direction: 2 as unknown as 1 }))).toMatch(/direction/);
    expect(validateSignal(sig({ horizonMs: 0 }))).toMatch(/horizonMs/);
  });
});
