import { describe, expect, it } from 'vitest';
import { openingRangeBreakout } from '../../../../actors/strategy/catalog/opening-range.js';
import { MarketView } from '../../../../actors/strategy/market-view.js';
import { DAY, MIN, barMsg } from './helpers.js';

const p = openingRangeBreakout.params;
/** 2025-01-02 00:00 UTC: the session the bars below belong to. */
const DAY0 = Date.UTC(2025, 0, 2);

/** Minute bars of `sym` from the session's start: closes as given, each bar's high/low 0.02 around its open and close. */
function session(closes: number[], sym = 'GLD', start = DAY0, view = new MarketView({ historyCapacity: 512 })): MarketView {
  closes.forEach((c, i) => {
    const prev = i > 0 ? closes[i - 1]! : c;
    view.onBar({ ...barMsg(sym, start + i * MIN, c, prev, MIN, 0), high: Math.max(prev, c) + 0.02, low: Math.min(prev, c) - 0.02 });
  });
  return view;
}

/** 30 opening bars between 199.8 and 200.2 (range 199.78-200.22 with the wicks). */
const opening = Array.from({ length: 30 }, (_, i) => (i % 2 === 0 ? 199.8 : 200.2));
const one = (v: MarketView, sym = 'GLD') => openingRangeBreakout.evaluate(v, p, 0, [sym])[0];

describe('opening_range_breakout', () => {
  it('a close above the range high plus the buffer then long until the session ends (at most 60 bars)', () => {
    const s = one(session([...opening, 200.1, 200.3]))!;
    expect(s.direction).toBe(1);
    expect(s.horizonMs).toBe(60 * MIN);
    expect(s.reason).toBe('opening range 199.78-200.22 (first 30 bars of 2025-01-02): broke above at 00:31, close 200.30');
    expect(s.strength).toBeGreaterThan(0.5);
  });

  it('a close below the low less the buffer then short; late in the session the horizon stops at its end', () => {
    expect(one(session([...opening, 199.6]))!.direction).toBe(-1);
    const late = Date.UTC(2025, 0, 2, 23, 0);
    const v = session([...opening, 199.6], 'GLD', late - 30 * MIN);
    const s = one(v)!;
    expect(s.direction).toBe(-1);
    expect(s.horizonMs).toBe(Date.UTC(2025, 0, 3) - (late));
  });

  it('inside the range (or within the buffer) then flat', () => {
    const s = one(session([...opening, 200.0, 200.25]))!;
    expect(s.direction).toBe(0);
    expect(s.reason).toContain('inside, no breakout');
  });

  it('a breakout that falls back through the other side then stopped: flat for the rest of the session, no second entry', () => {
    const s = one(session([...opening, 200.4, 200.0, 199.7, 200.5]))!;
    expect(s.direction).toBe(0);
    expect(s.reason).toBe('opening range 199.78-200.22 (first 30 bars of 2025-01-02): broke above, stopped at 00:32 back through the other side');
  });

  it('a new session restarts the range: before its range completes no signal, on daily bars never one', () => {
    const v = session([...opening, 200.4]);
    session([200, 200.1, 200.2], 'GLD', DAY0 + DAY, v);
    expect(openingRangeBreakout.evaluate(v, p, 0, ['GLD'])).toEqual([]);
    const daily = new MarketView();
    for (let i = 0; i < 100; i++) daily.onBar(barMsg('GLD', DAY0 + i * DAY, 200 + i, 200 + i));
    expect(openingRangeBreakout.evaluate(daily, p, 0)).toEqual([]);
  });

  it('each instrument on its own bars; a bad parameter then throws', () => {
    const v = session([...opening, 200.4]);
    session([...opening.map((x) => x / 10), 19.9], 'SLV', DAY0, v);
    expect(openingRangeBreakout.evaluate(v, p, 0).map((s) => [s.symbol, s.direction])).toEqual([['GLD', 1], ['SLV', -1]]);
    expect(() => openingRangeBreakout.evaluate(v, { ...p, rangeBars: 0 }, 0)).toThrow(/rangeBars/);
  });
});
