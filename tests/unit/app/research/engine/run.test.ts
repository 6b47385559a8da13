import { describe, expect, it } from 'vitest';
import { DEFAULT_TRADING } from '../../../../../app/config/trading.js';
import { DEFAULT_COST_MODEL, runBacktest } from '../../../../../app/research/engine/index.js';
import type { BacktestSpec } from '../../../../../app/research/types.js';
import { arraySource, walkBars } from './source.js';

const SYMBOLS = ['GLD', 'SLV', 'GDX', 'IAU'];

export function spec(over: Partial<BacktestSpec> = {}): BacktestSpec {
  return { settings: DEFAULT_TRADING, cost: DEFAULT_COST_MODEL, startingCash: 100_000, accountMode: 'margin', seed: 1, ...over };
}

describe('runBacktest', () => {
  it('trending bars with the default settings then trades and keeps consistent books', async () => {
    const bars = walkBars(SYMBOLS, 900);
    const r = await runBacktest(arraySource(bars, 60_000), spec());
    expect(r.counts.bars).toBe(bars.length);
    expect(r.counts.fills).toBeGreaterThan(0);
    const pnl = Object.values(r.attribution.byInstrument).reduce((a, b) => a + b, 0);
    expect(pnl).toBeCloseTo(r.summary.endEquity - r.summary.startEquity, 6);
    expect(r.summary.fees).toBeGreaterThan(0);
    const byStrategy = Object.values(r.attribution.byStrategy).reduce((a, b) => a + b, 0);
    expect(byStrategy).toBeCloseTo(pnl, 6);
  });

  it('the same history, spec and seed twice then byte-identical results', async () => {
    const bars = walkBars(SYMBOLS, 400, { seed: 3 });
    const a = await runBacktest(arraySource(bars, 60_000), spec());
    const b = await runBacktest(arraySource(bars, 60_000), spec());
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
  });
});
