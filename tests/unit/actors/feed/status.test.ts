import { describe, expect, it } from 'vitest';
import { StatusTracker } from '../../../../actors/feed/status.js';
import { T0 } from './helpers.js';

const M = 60_000;

function tracker(over: Partial<ConstructorParameters<typeof StatusTracker>[0]> = {}): StatusTracker {
  return new StatusTracker({
    symbol: 'GLD',
    staleAfterMs: 30_000,
    gapAfterMs: 5 * M,
    maxMissedBars: 0,
    barIntervalMs: M,
    gapHoldMs: M,
    ...over,
  });
}

describe('StatusTracker', () => {
  it('before any data then stale, first update then fresh with reason first_data', () => {
    const s = tracker();
    expect(s.status).toBe('stale');
    expect(s.onTime(T0, NaN)).toBeNull();
    const ev = s.onUpdate(T0, T0, NaN);
    expect(ev).toMatchObject({ type: 'feed.status', symbol: 'GLD', status: 'fresh', previous: 'stale', reason: 'first_data', ts: T0 });
  });

  it('no update for longer than staleAfterMs then one stale event, repeated checks emit nothing', () => {
    const s = tracker();
    s.onUpdate(T0, T0, NaN);
    expect(s.onTime(T0 + 30_000, NaN)).toBeNull();
    const ev = s.onTime(T0 + 30_001, NaN);
    expect(ev).toMatchObject({ status: 'stale', previous: 'fresh', reason: 'no_update', lastUpdateAt: T0 });
    expect(s.onTime(T0 + 40_000, NaN)).toBeNull();
    expect(s.onTime(T0 + 90_000, NaN)).toBeNull();
    expect(s.transitionCount).toBe(2);
  });

  it('data resumes after stale then fresh with reason resumed', () => {
    const s = tracker();
    s.onUpdate(T0, T0, NaN);
    s.onTime(T0 + 31_000, NaN);
    const ev = s.onUpdate(T0 + 40_000, T0 + 40_000, NaN);
    expect(ev).toMatchObject({ status: 'fresh', previous: 'stale', reason: 'resumed' });
  });

  it('updates keep coming then never stale', () => {
    const s = tracker();
    for (let t = 0; t <= 10 * M; t += 10_000) {
      const ev = s.onUpdate(T0 + t, T0 + t, NaN);
      if (t > 0) expect(ev).toBeNull();
      expect(s.onTime(T0 + t + 5_000, NaN)).toBeNull();
    }
    expect(s.status).toBe('fresh');
  });

  it('exchange time jumps beyond gapAfterMs then gap, and fresh again after gapHoldMs of data', () => {
    const s = tracker();
    s.onUpdate(T0, T0, NaN);
    const gap = s.onUpdate(T0 + 1_000, T0 + 6 * M, NaN);
    expect(gap).toMatchObject({ status: 'gap', previous: 'fresh', reason: 'ts_jump' });
    expect(s.onUpdate(T0 + 30_000, T0 + 6 * M + 29_000, NaN)).toBeNull();
    expect(s.status).toBe('gap');
    const back = s.onUpdate(T0 + 1_000 + M, T0 + 7 * M, NaN);
    expect(back).toMatchObject({ status: 'fresh', previous: 'gap', reason: 'recovered' });
  });

  it('closed bars skip an interval then gap with reason bar_gap', () => {
    const s = tracker();
    s.onUpdate(T0, T0, NaN);
    expect(s.onUpdate(T0 + M, T0 + M, T0)).toBeNull();
    expect(s.onUpdate(T0 + 2 * M, T0 + 2 * M, T0 + M)).toBeNull();
    const ev = s.onUpdate(T0 + 4 * M, T0 + 4 * M, T0 + 3 * M);
    expect(ev).toMatchObject({ status: 'gap', reason: 'bar_gap' });
    expect(ev!.detail).toContain('1 bar interval');
  });

  it('skipped intervals within maxMissedBars then no gap', () => {
    const s = tracker({ maxMissedBars: 2 });
    s.onUpdate(T0, T0, NaN);
    s.onUpdate(T0 + M, T0 + M, T0);
    expect(s.onUpdate(T0 + 4 * M, T0 + 4 * M, T0 + 3 * M)).toBeNull();
    expect(s.onUpdate(T0 + 8 * M, T0 + 4 * M + 1, T0 + 7 * M)).toMatchObject({ status: 'gap', reason: 'bar_gap' });
  });

  it('stale and then data returns after a long hole then gap (not fresh)', () => {
    const s = tracker();
    s.onUpdate(T0, T0, NaN);
    s.onTime(T0 + 31_000, NaN);
    const ev = s.onUpdate(T0 + 10 * M, T0 + 10 * M, NaN);
    expect(ev).toMatchObject({ status: 'gap', previous: 'stale', reason: 'ts_jump' });
  });

  it('in gap with no data then goes stale', () => {
    const s = tracker();
    s.onUpdate(T0, T0, NaN);
    s.onUpdate(T0 + 1, T0 + 10 * M, NaN);
    expect(s.onTime(T0 + 40_000, NaN)).toMatchObject({ status: 'stale', previous: 'gap' });
  });

  it('snapshot and restore then staleness is judged from the saved last update', () => {
    const s = tracker();
    s.onUpdate(T0, T0, NaN);
    const r = tracker();
    r.restore(JSON.parse(JSON.stringify(s.snapshot())));
    expect(r.status).toBe('fresh');
    expect(r.onTime(T0 + 31_000, NaN)).toMatchObject({ status: 'stale', lastUpdateAt: T0 });
  });
});
