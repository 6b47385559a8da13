import { describe, expect, it } from 'vitest';
import { seasonalityGold } from '../../../../actors/strategy/catalog/seasonality.js';
import { MarketView } from '../../../../actors/strategy/market-view.js';
import { barMsg } from './helpers.js';

function viewAt(ts: number): MarketView {
  const v = new MarketView();
  v.onBar(barMsg('GLD', ts, 200, 199));
  return v;
}

describe('seasonality_gold', () => {
  it('a January bar then long until the end of January', () => {
    const ts = Date.UTC(2026, 0, 12);
    const [s] = seasonalityGold.evaluate(viewAt(ts), seasonalityGold.params, ts);
    expect(s.direction).toBe(1);
    expect(s.horizonMs).toBe(Date.UTC(2026, 1, 1) - ts);
    const t = 1.4 / (4.5 / Math.sqrt(50));
    expect(s.reason).toContain(`t=${t.toFixed(2)}`);
    expect(s.confidence).toBeLessThanOrEqual(0.5);
  });

  it('a month with a weak table entry then flat', () => {
    const ts = Date.UTC(2026, 4, 12); // May, -0.1%
    expect(seasonalityGold.evaluate(viewAt(ts), seasonalityGold.params, ts)[0].direction).toBe(0);
  });

  it('a strongly negative month in the table then short', () => {
    const table = [...seasonalityGold.params.monthlyMeanPct];
    table[5] = -2;
    const ts = Date.UTC(2026, 5, 3);
    const [s] = seasonalityGold.evaluate(viewAt(ts), { ...seasonalityGold.params, monthlyMeanPct: table }, ts);
    expect(s.direction).toBe(-1);
  });

  it('no GLD data then no signal', () => {
    expect(seasonalityGold.evaluate(new MarketView(), seasonalityGold.params, 0)).toEqual([]);
  });

  it('a malformed table then throws (the shard marks it error)', () => {
    expect(() => seasonalityGold.evaluate(viewAt(Date.UTC(2026, 0, 1)), { ...seasonalityGold.params, monthlyMeanPct: [1, 2] }, 0)).toThrow(/12/);
  });
});
