import { describe, expect, it } from 'vitest';
import { dollarGoldDivergence } from '../../../../actors/strategy/catalog/dollar.js';
import { MarketView } from '../../../../actors/strategy/market-view.js';
import { AFTER, DAY, MIN, barMsg, normals, observations, walk, extend } from './helpers.js';

const p = dollarGoldDivergence.params;

/** The broad dollar: a random walk of daily changes with `tail` added over the last 5 observations. */
function dollar(tail: number, n = 300): number[] {
  const z = normals(n, 81);
  const out: number[] = [];
  let v = 120;
  for (let i = 0; i < n; i++) {
    v += 0.3 * z[i]! + (i >= n - 5 ? tail / 5 : 0);
    out.push(v);
  }
  return out;
}

/** The dollar series (last observation the day before AFTER) and each metal's closes as bars ending that day at `intervalMs`. */
function view(tail: number, metals: Record<string, number[]>, intervalMs = DAY): MarketView {
  const v = new MarketView({ historyCapacity: 512 });
  v.onSeries({ type: 'macro.series', seriesId: 'DTWEXBGS', observations: observations(dollar(tail)), fetchedAt: AFTER });
  const lastBar = AFTER - DAY;
  for (const [sym, closes] of Object.entries(metals)) {
    closes.forEach((c, i) => v.onBar(barMsg(sym, lastBar - (closes.length - 1 - i) * intervalMs, c, i > 0 ? closes[i - 1]! : c, intervalMs)));
  }
  return v;
}

const quiet = (seed: number) => walk(60, 200, 0.002, 0, seed);

describe('dollar_gold_divergence', () => {
  it('the dollar jumps and gold has not answered then short gold and silver (catch-up), for its horizon', () => {
    const signals = dollarGoldDivergence.evaluate(view(4, { GLD: quiet(1), SLV: quiet(2) }), p, AFTER);
    expect(signals.map((s) => [s.symbol, s.direction])).toEqual([['GLD', -1], ['SLV', -1]]);
    expect(signals[0].horizonMs).toBe(5 * DAY);
    expect(signals[0].reason).toMatch(/broad dollar \+\d+\.\d\d over 5 obs to \d{4}-\d\d-\d\d \(z=\d+\.\d\d\), GLD t=-?\d\.\d\d over \d bars: not answered, catch-up short/);
  });

  it('the dollar falls and gold has not answered then long', () => {
    expect(dollarGoldDivergence.evaluate(view(-4, { GLD: quiet(3) }), p, AFTER)[0].direction).toBe(1);
  });

  it('gold already fell as the dollar rose then flat: priced in', () => {
    const answered = extend(quiet(4), [-0.02, -0.02, -0.02, -0.02, -0.02]);
    const [s] = dollarGoldDivergence.evaluate(view(4, { GLD: answered }), p, AFTER);
    expect(s.direction).toBe(0);
    expect(s.reason).toContain('answered, priced in');
  });

  it('an ordinary dollar week then flat', () => {
    const [s] = dollarGoldDivergence.evaluate(view(0, { GLD: quiet(5) }), p, AFTER);
    expect(Math.abs(Number(/z=(-?[\d.]+)/.exec(s.reason)![1]))).toBeLessThan(1);
    expect(s.direction).toBe(0);
  });

  it('minute bars that reach back hours, not days, then judged on them with confidence cut by the span they cover', () => {
    const daily = dollarGoldDivergence.evaluate(view(4, { GLD: quiet(6) }), p, AFTER)[0];
    const minutes = dollarGoldDivergence.evaluate(view(4, { GLD: walk(300, 200, 0.0003, 0, 6) }, MIN), p, AFTER)[0];
    expect(minutes.direction).toBe(-1);
    expect(minutes.confidence).toBeLessThan(daily.confidence / 10);
  });

  it('no dollar series, too few observations or too few bars then no signal', () => {
    const v = new MarketView();
    for (let i = 0; i < 60; i++) v.onBar(barMsg('GLD', AFTER - (60 - i) * DAY, 200, 200));
    expect(dollarGoldDivergence.evaluate(v, p, AFTER)).toEqual([]);
    expect(dollarGoldDivergence.evaluate(view(4, { GLD: quiet(7).slice(0, 15) }), p, AFTER)).toEqual([]);
    const few = new MarketView();
    few.onSeries({ type: 'macro.series', seriesId: 'DTWEXBGS', observations: observations(dollar(4).slice(0, 40)), fetchedAt: AFTER });
    expect(dollarGoldDivergence.evaluate(few, p, AFTER)).toEqual([]);
  });
});
