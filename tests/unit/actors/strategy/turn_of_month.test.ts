import { describe, expect, it } from 'vitest';
import { turnOfMonth } from '../../../../actors/strategy/catalog/seasonality.js';
import { MarketView } from '../../../../actors/strategy/market-view.js';
import { barMsg } from './helpers.js';

const p = turnOfMonth.params;
const at = (iso: string) => Date.parse(iso);

function evalAt(iso: string, params = p) {
  const v = new MarketView();
  v.onBar(barMsg('GLD', at(iso), 200, 199));
  return turnOfMonth.evaluate(v, params, at(iso))[0]!;
}

describe('turn_of_month', () => {
  it('the last weekday of a month then long until the end of the next month\'s third weekday (February 2025 opens on a Saturday)', () => {
    const s = evalAt('2025-01-31T15:00:00Z');
    expect(s.direction).toBe(1);
    expect(s.strength).toBe(0.6);
    expect(s.horizonMs).toBe(at('2025-02-06T00:00:00Z') - at('2025-01-31T15:00:00Z'));
    expect(s.reason).toBe('turn of month: the 2025-01 end, window to 2025-02-05');
    expect(s.confidence).toBeLessThanOrEqual(0.4);
  });

  it('the weekend inside the window then still long; the first weekdays of the month too', () => {
    expect(evalAt('2025-02-02T12:00:00Z')).toMatchObject({ direction: 1, reason: 'turn of month: after the 2025-01 end, window to 2025-02-05' });
    expect(evalAt('2025-02-05T20:00:00Z').direction).toBe(1);
    expect(evalAt('2025-02-06T00:00:00Z').direction).toBe(0);
  });

  it('across the year end: 31 December and the first three weekdays of January, the holiday counted as a weekday', () => {
    expect(evalAt('2024-12-31T12:00:00Z')).toMatchObject({ direction: 1, horizonMs: at('2025-01-04T00:00:00Z') - at('2024-12-31T12:00:00Z') });
    expect(evalAt('2025-01-03T16:00:00Z').direction).toBe(1);
    expect(evalAt('2024-12-30T23:59:00Z').direction).toBe(0);
  });

  it('mid-month then flat, with the horizon to the next window\'s start', () => {
    const s = evalAt('2025-01-15T12:00:00Z');
    expect(s.direction).toBe(0);
    expect(s.horizonMs).toBe(at('2025-01-31T00:00:00Z') - at('2025-01-15T12:00:00Z'));
    expect(s.reason).toBe('outside the turn of month (next window from 2025-01-31)');
    // A month ending on a Sunday: the window opens on the Friday before.
    expect(evalAt('2025-08-29T10:00:00Z').direction).toBe(1);
    expect(evalAt('2025-08-28T10:00:00Z').direction).toBe(0);
  });

  it('a one-sided window (daysBefore 0) then the month\'s last day is outside; both 0 then throws; no data then no signal', () => {
    expect(evalAt('2025-01-31T15:00:00Z', { ...p, daysBefore: 0 }).direction).toBe(0);
    expect(evalAt('2025-02-03T15:00:00Z', { ...p, daysBefore: 0 }).direction).toBe(1);
    expect(() => evalAt('2025-01-31T15:00:00Z', { ...p, daysBefore: 0, daysAfter: 0 })).toThrow(/both be 0/);
    expect(turnOfMonth.evaluate(new MarketView(), p, 0)).toEqual([]);
  });
});
