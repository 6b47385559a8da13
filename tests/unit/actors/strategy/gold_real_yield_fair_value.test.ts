import { describe, expect, it } from 'vitest';
import { goldRealYieldFairValue } from '../../../../actors/strategy/catalog/real-yield.js';
import { MarketView } from '../../../../actors/strategy/market-view.js';
import { AFTER, DAY, MIN, barMsg, normals, observations } from './helpers.js';

const p = goldRealYieldFairValue.params;

/**
 * 300 days: DFII10 wanders around 1.5%, GLD's log close is 6 + slope x yield
 * plus 1% noise, and the last day's close sits `lastGap` (log) off the line.
 */
function view(slope: number, lastGap: number, intervalMs = DAY, n = 300): MarketView {
  const z = normals(n, 91);
  const e = normals(n, 92);
  const ry: number[] = [];
  let v = 1.5;
  for (let i = 0; i < n; i++) ry.push((v += 0.05 * z[i]!));
  const view = new MarketView({ historyCapacity: 512 });
  view.onSeries({ type: 'macro.series', seriesId: 'DFII10', observations: observations(ry), fetchedAt: AFTER });
  // Bar i falls on the date of observation i (observations end the day before AFTER).
  let prev = 0;
  for (let i = 0; i < n; i++) {
    const close = Math.exp(6 + slope * ry[i]! + 0.01 * e[i]! + (i === n - 1 ? lastGap : 0));
    const ts = intervalMs === DAY ? AFTER - (n - i) * DAY + 20 * 3_600_000 : AFTER - DAY + 20 * 3_600_000 - (n - 1 - i) * intervalMs;
    view.onBar(barMsg('GLD', ts, close, prev || close, intervalMs));
    prev = close;
  }
  return view;
}

describe('gold_real_yield_fair_value', () => {
  it('gold far above the value real yields give it then short, the reason naming the fair value', () => {
    const [s] = goldRealYieldFairValue.evaluate(view(-0.15, 0.05), p, AFTER);
    expect(s.symbol).toBe('GLD');
    expect(s.direction).toBe(-1);
    expect(s.horizonMs).toBe(20 * DAY);
    expect(s.reason).toMatch(/^GLD \d+\.\d\d vs fair \d+\.\d\d at DFII10 \d\.\d\d% \(-1\d\.\d% per point over 250 days\), residual z=\d\.\d\d: rich, short$/);
  });

  it('gold far below it then long', () => {
    expect(goldRealYieldFairValue.evaluate(view(-0.15, -0.05), p, AFTER)[0].direction).toBe(1);
  });

  it('gold on its line then flat', () => {
    const [s] = goldRealYieldFairValue.evaluate(view(-0.15, 0), p, AFTER);
    expect(s.direction).toBe(0);
    expect(Math.abs(Number(/z=(-?[\d.]+)/.exec(s.reason)![1]))).toBeLessThan(1.5);
  });

  it('gold rising with real yields on this history then flat: the relation is broken', () => {
    const [s] = goldRealYieldFairValue.evaluate(view(0.15, 0.05), p, AFTER);
    expect(s.direction).toBe(0);
    expect(s.reason).toMatch(/^relation broken/);
  });

  it('minute bars (a few hundred, within two days) or no DFII10 then no signal: a daily strategy', () => {
    expect(goldRealYieldFairValue.evaluate(view(-0.15, 0.05, MIN), p, AFTER)).toEqual([]);
    const v = new MarketView();
    for (let i = 0; i < 100; i++) v.onBar(barMsg('GLD', AFTER - (100 - i) * DAY, 200, 200));
    expect(goldRealYieldFairValue.evaluate(v, p, AFTER)).toEqual([]);
  });

  it('fewer fitted days than minDays then no signal; more then a signal', () => {
    expect(goldRealYieldFairValue.evaluate(view(-0.15, 0.05, DAY, 60), p, AFTER)).toEqual([]);
    expect(goldRealYieldFairValue.evaluate(view(-0.15, 0.05, DAY, 62), p, AFTER)).toHaveLength(1);
  });
});
