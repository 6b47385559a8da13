import { describe, expect, it } from 'vitest';
import { PnlAttribution, type AttributionSnapshot } from '../../../../actors/allocator/attribution.js';
import type { Contribution } from '../../../../actors/allocator/combine.js';

const c = (strategyId: string, contribution: number): Contribution => ({ strategyId, direction: 1, strength: 1, confidence: 1, weight: 1, contribution, ts: 0 });

describe('PnlAttribution', () => {
  it('two strategies behind a long that gains then the gain splits by contribution and sums to the instrument P&L', () => {
    const a = new PnlAttribution();
    a.mark('GLD', 100);
    a.posture([{ symbol: 'GLD', score: 0.8, contributors: [c('a', 0.6), c('b', 0.2)] }]);
    a.fill('GLD', 10, 100.5, 1); // paid 0.5 over the mark and a $1 fee: -6
    a.mark('GLD', 102); // +20
    expect(a.instrumentPnl().GLD).toBeCloseTo(14);
    expect(a.strategyPnl().a).toBeCloseTo(14 * 0.75);
    expect(a.strategyPnl().b).toBeCloseTo(14 * 0.25);
  });

  it('a position the posture no longer names then its P&L is unattributed', () => {
    const a = new PnlAttribution();
    a.mark('SLV', 20);
    a.fill('SLV', -5, 20);
    a.posture([]);
    a.mark('SLV', 21);
    expect(a.strategyPnl()).toEqual({ unattributed: -5 });
  });

  it('takePeriod then returns the increments since the last one and counts wins for the hit rate', () => {
    const a = new PnlAttribution();
    a.mark('GLD', 100);
    a.posture([{ symbol: 'GLD', score: 1, contributors: [c('a', 1)] }]);
    a.fill('GLD', 1, 100);
    a.mark('GLD', 101);
    expect(a.takePeriod()).toEqual({ a: 1 });
    a.mark('GLD', 99);
    expect(a.takePeriod()).toEqual({ a: -2 });
    expect(a.takePeriod()).toEqual({});
    expect(a.perStrategy()).toEqual({ a: { pnl: -1, hitRate: 0.5, periods: 2 } });
  });

  it('a snapshot restored then continues identically; a bad one is refused naming the field', () => {
    const a = new PnlAttribution();
    a.mark('GLD', 100);
    a.posture([{ symbol: 'GLD', score: 1, contributors: [c('a', 1)] }]);
    a.fill('GLD', 3, 100);
    const b = PnlAttribution.restore(JSON.parse(JSON.stringify(a.snapshot())) as AttributionSnapshot);
    for (const x of [a, b]) x.mark('GLD', 104);
    expect(b.snapshot()).toEqual(a.snapshot());
    expect(() => PnlAttribution.restore({ ...a.snapshot(), marks: { GLD: 'x' } } as unknown as AttributionSnapshot)).toThrow(/marks\.GLD/);
  });
});
