import { describe, expect, it } from 'vitest';
import { EquityTracker } from '../../../../actors/risk/equity.js';

describe('EquityTracker', () => {
  it('equity rises then falls then peak kept and day start per day', () => {
    const t = new EquityTracker();
    t.update(100_000, '2024-01-02');
    t.update(104_000, '2024-01-02');
    expect(t.update(101_000, '2024-01-02')).toEqual({ equity: 101_000, peakEquity: 104_000, dayStartEquity: 100_000, day: '2024-01-02' });
    expect(t.update(99_000, '2024-01-03')).toEqual({ equity: 99_000, peakEquity: 104_000, dayStartEquity: 99_000, day: '2024-01-03' });
  });

  it('non-finite reading then ignored; reset peak then peak is current', () => {
    const t = new EquityTracker();
    t.update(100, 'd');
    t.update(Number.NaN, 'd');
    expect(t.current!.equity).toBe(100);
    t.update(90, 'd');
    t.resetPeak();
    expect(t.current!.peakEquity).toBe(90);
  });
});
