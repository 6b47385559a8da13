import { describe, expect, it } from 'vitest';
import { breakevenRegime, realYieldRegime } from '../../../../actors/strategy/catalog/real-yield.js';
import { dollarRegime } from '../../../../actors/strategy/catalog/dollar.js';
import { cotExtremes } from '../../../../actors/strategy/catalog/positioning.js';
import { MarketView } from '../../../../actors/strategy/market-view.js';
import type { CotRow } from '../../../../actors/macro/messages.js';
import { AFTER, DAY, START, isoDay, normals, observations, rng } from './helpers.js';

/** A level series: a random walk of `n` daily changes, then `tail` added linearly over the last `k` observations. */
function level(n: number, start: number, sigma: number, seed: number, tail = 0, k = 20): number[] {
  const z = normals(n, seed);
  const out: number[] = [];
  let v = start;
  for (let i = 0; i < n; i++) {
    v += sigma * z[i];
    if (i >= n - k) v += tail / k;
    out.push(v);
  }
  return out;
}

function seriesView(seriesId: string, values: number[]): MarketView {
  const v = new MarketView();
  v.onSeries({ type: 'macro.series', seriesId, observations: observations(values), fetchedAt: AFTER });
  return v;
}

describe('real_yield_regime', () => {
  it('real yields fall sharply then long gold and miners', () => {
    const view = seriesView('DFII10', level(300, 1.8, 0.03, 41, -0.8));
    const signals = realYieldRegime.evaluate(view, realYieldRegime.params, AFTER);
    expect(signals.map((s) => s.symbol)).toEqual(['GLD', 'GDX']);
    expect(signals.every((s) => s.direction === 1)).toBe(true);
    expect(signals[0].reason).toContain('DFII10');
  });

  it('real yields rise sharply then short', () => {
    const view = seriesView('DFII10', level(300, 1.8, 0.03, 41, +0.8));
    expect(realYieldRegime.evaluate(view, realYieldRegime.params, AFTER).every((s) => s.direction === -1)).toBe(true);
  });

  it('unchanged over the change window then flat', () => {
    const values = level(300, 1.8, 0.03, 42);
    values[299] = values[279];
    const [s] = realYieldRegime.evaluate(seriesView('DFII10', values), realYieldRegime.params, AFTER);
    expect(s.direction).toBe(0);
  });

  it('missing observations (null) then dropped, and too few then no signal', () => {
    const values = level(130, 1.8, 0.03, 43, -0.8);
    const obs = observations(values).map((o, i) => (i % 5 === 0 ? { ...o, value: null } : o));
    const view = new MarketView();
    view.onSeries({ type: 'macro.series', seriesId: 'DFII10', observations: obs, fetchedAt: AFTER });
    expect(view.series('DFII10')!.values.length).toBe(104);
    expect(realYieldRegime.evaluate(view, realYieldRegime.params, AFTER)).toEqual([]);
    expect(realYieldRegime.evaluate(new MarketView(), realYieldRegime.params, AFTER)).toEqual([]);
  });

  it('a stalled source then confidence halved', () => {
    const view = seriesView('DFII10', level(300, 1.8, 0.03, 41, -0.8));
    const [fresh] = realYieldRegime.evaluate(view, realYieldRegime.params, AFTER);
    const [stalled] = realYieldRegime.evaluate(view, realYieldRegime.params, AFTER + 30 * DAY);
    expect(stalled.confidence).toBeCloseTo(fresh.confidence / 2, 12);
  });
});

describe('breakeven_regime', () => {
  it('breakevens rise then long gold and silver, fall then short', () => {
    const up = breakevenRegime.evaluate(seriesView('T10YIE', level(300, 2.3, 0.02, 44, +0.5)), breakevenRegime.params, AFTER);
    const down = breakevenRegime.evaluate(seriesView('T10YIE', level(300, 2.3, 0.02, 44, -0.5)), breakevenRegime.params, AFTER);
    expect(up.map((s) => [s.symbol, s.direction])).toEqual([['GLD', 1], ['SLV', 1]]);
    expect(down.map((s) => s.direction)).toEqual([-1, -1]);
  });
});

describe('dollar_regime', () => {
  /** Broad dollar index: flat noise, then a trend over the last 30 observations. */
  const dollar = (drift: number, seed: number) => {
    const z = normals(200, seed);
    let lv = Math.log(120);
    return z.map((x, i) => Math.exp((lv += 0.002 * x + (i >= 170 ? drift : 0))));
  };

  it('the dollar trends up then short gold and silver', () => {
    const s = dollarRegime.evaluate(seriesView('DTWEXBGS', dollar(0.003, 51)), dollarRegime.params, AFTER);
    expect(s.map((x) => x.direction)).toEqual([-1, -1]);
    expect(s[0].reason).toContain('uptrend');
  });

  it('the dollar trends down then long', () => {
    const s = dollarRegime.evaluate(seriesView('DTWEXBGS', dollar(-0.003, 51)), dollarRegime.params, AFTER);
    expect(s.map((x) => x.direction)).toEqual([1, 1]);
  });

  it('fewer observations than the slow average then no signal', () => {
    expect(dollarRegime.evaluate(seriesView('DTWEXBGS', dollar(0.003, 52).slice(0, 40)), dollarRegime.params, AFTER)).toEqual([]);
  });
});

describe('cot_extremes', () => {
  function cotView(lastNet: number, reports = 200, market: 'gold' | 'silver' = 'gold'): MarketView {
    const u = rng(61);
    const rows: CotRow[] = [];
    for (let i = 0; i < reports; i++) {
      const net = i === reports - 1 ? lastNet : 0.1 + 0.2 * u();
      const oi = 500_000;
      rows.push({ reportDate: isoDay(AFTER - (reports - i) * 7 * DAY), managedMoneyLong: Math.round((0.3 + net / 2) * oi), managedMoneyShort: Math.round((0.3 - net / 2) * oi), openInterest: oi });
    }
    const v = new MarketView();
    v.onCot({ type: 'macro.cot', market, contractCode: market === 'gold' ? '088691' : '084691', rows, fetchedAt: AFTER });
    return v;
  }

  it('managed money at a record net long then short GLD (crowded)', () => {
    const [s] = cotExtremes.evaluate(cotView(0.45), cotExtremes.params, AFTER);
    expect(s.symbol).toBe('GLD');
    expect(s.direction).toBe(-1);
    expect(s.strength).toBe(1);
    expect(s.reason).toContain('percentile 100');
  });

  it('managed money at a record net short then long, and silver maps to SLV', () => {
    const [s] = cotExtremes.evaluate(cotView(-0.1, 200, 'silver'), cotExtremes.params, AFTER);
    expect(s.symbol).toBe('SLV');
    expect(s.direction).toBe(1);
  });

  it('positioning mid-range then flat', () => {
    const [s] = cotExtremes.evaluate(cotView(0.2), cotExtremes.params, AFTER);
    expect(s.direction).toBe(0);
  });

  it('fewer reports than minReports then no signal', () => {
    expect(cotExtremes.evaluate(cotView(0.45, 40), cotExtremes.params, AFTER)).toEqual([]);
  });

  it('a later fetch overlapping earlier rows then merged without duplicates', () => {
    const v = cotView(0.2, 60);
    const rows = v.cot('gold')!;
    v.onCot({ type: 'macro.cot', market: 'gold', contractCode: '088691', rows: [...rows.slice(-2), { ...rows[0], reportDate: isoDay(AFTER) }], fetchedAt: AFTER });
    expect(v.cot('gold')!.length).toBe(61);
    expect(v.cot('gold')!.at(-1)!.reportDate).toBe(isoDay(AFTER));
  });
});

it('macro helpers: observations end the day before AFTER', () => {
  expect(observations([1, 2]).at(-1)!.date).toBe(isoDay(AFTER - DAY));
  expect(START).toBeLessThan(AFTER);
});
