import { describe, expect, it } from 'vitest';
import { DEFAULT_TRADING } from '../../../../../app/config/trading.js';
import { DEFAULT_COST_MODEL, runBacktest } from '../../../../../app/research/engine/index.js';
import { withOverrides } from '../../../../../app/research/settings.js';
import type { BacktestSpec, TradingSettings } from '../../../../../app/research/types.js';
import { arraySource, walkBars } from './source.js';

const SYMBOLS = ['GLD', 'SLV', 'GDX', 'IAU'];
const spec = (settings: TradingSettings): BacktestSpec => ({ settings, cost: DEFAULT_COST_MODEL, startingCash: 100_000, accountMode: 'margin', seed: 1 });

describe('research learning', () => {
  it('a back-test with learning on then the result shows learned weights, per-strategy P&L and a history per period', async () => {
    const settings = withOverrides(DEFAULT_TRADING, { 'allocator.learning.periodMs': 30 * 60_000 });
    const r = await runBacktest(arraySource(walkBars(SYMBOLS, 900), 60_000), spec(settings));
    const l = r.learning!;
    expect(l.enabled).toBe(true);
    expect(l.settings.periodMs).toBe(30 * 60_000);
    // 900 one-minute bars per symbol: ~29 periods of 30 minutes with P&L in most.
    expect(l.updates).toBeGreaterThan(10);
    expect(l.history.length).toBe(l.updates);
    const weights = Object.values(l.strategies).map((s) => s.learnedWeight);
    expect(weights.some((w) => Math.abs(w - 1) > 0.01)).toBe(true);
    for (const w of weights) {
      expect(w).toBeGreaterThanOrEqual(l.settings.floor);
      expect(w).toBeLessThanOrEqual(l.settings.cap);
    }
  });

  it('a back-test with learning off then no weight is learned and attribution still sums to the equity change', async () => {
    const settings = withOverrides(DEFAULT_TRADING, { 'allocator.learning.enabled': false });
    const r = await runBacktest(arraySource(walkBars(SYMBOLS, 600), 60_000), spec(settings));
    expect(r.learning!.enabled).toBe(false);
    expect(r.learning!.history).toEqual([]);
    expect(Object.values(r.learning!.strategies).every((s) => s.learnedWeight === 1)).toBe(true);
    const byStrategy = Object.values(r.attribution.byStrategy).reduce((a, b) => a + b, 0);
    expect(byStrategy).toBeCloseTo(r.summary.endEquity - r.summary.startEquity, 6);
  });

  it('a bad learning override then refused naming the path', () => {
    expect(() => withOverrides(DEFAULT_TRADING, { 'allocator.learning.share': 1.5 })).toThrow(/allocator\.learning\.share/);
    expect(() => withOverrides(DEFAULT_TRADING, { 'allocator.learning.floor': 0 })).toThrow(/allocator\.learning\.floor/);
  });
});
