import { describe, expect, it } from 'vitest';
import { cotMomentum } from '../../../../actors/strategy/catalog/positioning.js';
import { MarketView } from '../../../../actors/strategy/market-view.js';
import type { CotRow } from '../../../../actors/macro/messages.js';
import { AFTER, DAY, isoDay, rng } from './helpers.js';

const p = cotMomentum.params;

/** `reports` weekly rows whose net share of open interest wanders over 0..0.4; the last five are `tail` (from five reports back to now). */
function cotView(tail: number[], reports = 200, market: 'gold' | 'silver' = 'gold'): MarketView {
  const u = rng(71);
  const rows: CotRow[] = [];
  const oi = 400_000;
  for (let i = 0; i < reports; i++) {
    const t = i - (reports - tail.length);
    const net = t >= 0 ? tail[t]! : 0.4 * u();
    rows.push({ reportDate: isoDay(AFTER - (reports - i) * 7 * DAY), managedMoneyLong: Math.round((0.35 + net / 2) * oi), managedMoneyShort: Math.round((0.35 - net / 2) * oi), openInterest: oi });
  }
  const v = new MarketView();
  v.onCot({ type: 'macro.cot', market, contractCode: market === 'gold' ? '088691' : '084691', rows, fetchedAt: AFTER });
  return v;
}

describe('cot_momentum', () => {
  it('managed money building a net long over four weeks from a middling level then long GLD, for its horizon', () => {
    const signals = cotMomentum.evaluate(cotView([0.05, 0.1, 0.15, 0.2, 0.25]), p, AFTER);
    expect(signals.map((s) => s.symbol)).toEqual(['GLD']); // only gold's report is in the view
    const [s] = signals;
    expect(s.direction).toBe(1);
    expect(s.horizonMs).toBe(21 * DAY);
    expect(s.reason).toMatch(/^gold managed-money net \+20\.0% of OI over 4 reports \(z=\d/);
    expect(s.reason).not.toContain('crowded');
  });

  it('managed money cutting its net long then short; silver reports drive SLV', () => {
    const [s] = cotMomentum.evaluate(cotView([0.35, 0.3, 0.25, 0.2, 0.15], 200, 'silver'), p, AFTER);
    expect([s.symbol, s.direction]).toEqual(['SLV', -1]);
  });

  it('a flow that has carried the level past its 95th percentile then flat: crowded, cot_extremes\' territory', () => {
    const [s] = cotMomentum.evaluate(cotView([0.2, 0.27, 0.34, 0.41, 0.48]), p, AFTER);
    expect(s.direction).toBe(0);
    expect(s.reason).toContain('crowded, stand aside');
    // A looser crowding line lets it follow the same flow.
    expect(cotMomentum.evaluate(cotView([0.2, 0.27, 0.34, 0.41, 0.48]), { ...p, crowdedPct: 1 }, AFTER)[0].direction).toBe(1);
  });

  it('no change over the window then flat; a stale report halves confidence', () => {
    const [s] = cotMomentum.evaluate(cotView([0.2, 0.3, 0.1, 0.25, 0.2]), p, AFTER);
    expect(s.direction).toBe(0);
    const v = cotView([0.05, 0.1, 0.15, 0.2, 0.25]);
    const [fresh] = cotMomentum.evaluate(v, p, AFTER);
    const [stale] = cotMomentum.evaluate(v, p, AFTER + 30 * DAY);
    expect(stale.confidence).toBeCloseTo(fresh.confidence / 2, 12);
  });

  it('too few reports or none then no signal; crowdedPct at or below one half then throws', () => {
    expect(cotMomentum.evaluate(cotView([0.05, 0.1, 0.15, 0.2, 0.25], 52), p, AFTER)).toEqual([]);
    expect(cotMomentum.evaluate(new MarketView(), p, AFTER)).toEqual([]);
    expect(() => cotMomentum.evaluate(new MarketView(), { ...p, crowdedPct: 0.5 }, AFTER)).toThrow(/crowdedPct/);
  });
});
