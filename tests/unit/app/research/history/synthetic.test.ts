import { describe, expect, it } from 'vitest';
import { HistoryError, SyntheticBars, syntheticStream, type SyntheticSpec } from '../../../../../app/research/history/index.js';
import type { HistBar } from '../../../../../app/research/types.js';
import { all } from './helpers.js';

const spec: SyntheticSpec = { kind: 'synthetic', symbols: ['SLV', 'GLD', 'PPLT'], start: Date.UTC(2024, 0, 2), bars: 4000, intervalMs: 60_000, seed: 17 };

function drain(s: SyntheticSpec): HistBar[] {
  const g = new SyntheticBars(s);
  const out: HistBar[] = [];
  for (let b = g.next(); b !== null; b = g.next()) out.push(b);
  return out;
}

describe('synthetic bars', () => {
  const bars = drain(spec);

  it('the same seed then the same bars; another seed then different ones', () => {
    expect(drain(spec)).toEqual(bars);
    expect(drain({ ...spec, seed: 18 })[0]!.close).not.toBe(bars[0]!.close);
  });

  it('a spec then bars x symbols bars in (ts, symbol) order on the interval grid', () => {
    expect(bars).toHaveLength(4000 * 3);
    for (let k = 0; k < bars.length; k++) {
      const b = bars[k]!;
      expect(b.ts).toBe(spec.start + Math.floor(k / 3) * 60_000);
      expect(b.symbol).toBe(['GLD', 'PPLT', 'SLV'][k % 3]);
    }
  });

  it('every bar then consistent OHLC, positive prices and volume, open at the previous close', () => {
    const last = new Map<string, number>();
    for (const b of bars) {
      expect(b.low).toBeGreaterThan(0);
      expect(b.low).toBeLessThanOrEqual(Math.min(b.open, b.close));
      expect(b.high).toBeGreaterThanOrEqual(Math.max(b.open, b.close));
      expect(b.volume).toBeGreaterThan(0);
      expect(Number.isInteger(b.volume)).toBe(true);
      if (last.has(b.symbol)) expect(b.open).toBe(last.get(b.symbol));
      last.set(b.symbol, b.close);
    }
  });

  it('returns of two symbols then positively correlated through the common factor', () => {
    const r = (sym: string): number[] => bars.filter((b) => b.symbol === sym).map((b) => Math.log(b.close / b.open));
    const [a, b] = [r('GLD'), r('SLV')];
    const mean = (x: number[]): number => x.reduce((s, v) => s + v, 0) / x.length;
    const [ma, mb] = [mean(a), mean(b)];
    let sab = 0, saa = 0, sbb = 0;
    for (let k = 0; k < a.length; k++) {
      sab += (a[k]! - ma) * (b[k]! - mb);
      saa += (a[k]! - ma) ** 2;
      sbb += (b[k]! - mb) ** 2;
    }
    expect(sab / Math.sqrt(saa * sbb)).toBeGreaterThan(0.05);
  });

  it('a range then exactly the bars closing in [from, to) of the full sequence', async () => {
    const from = spec.start + 100 * 60_000;
    const to = spec.start + 250 * 60_000;
    const cut = await all(syntheticStream(spec, { from, to }));
    expect(cut).toEqual(bars.filter((b) => b.ts + 60_000 >= from && b.ts + 60_000 < to));
    expect(cut).toHaveLength(150 * 3);
  });

  it('an invalid spec then a HistoryError naming each field', () => {
    let err: unknown;
    try {
      new SyntheticBars({ ...spec, symbols: [], bars: 0, intervalMs: -1 });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(HistoryError);
    expect((err as HistoryError).problems).toEqual(['history.symbols must list at least one symbol', 'history.bars must be a positive integer (got 0)', 'history.intervalMs must be a positive integer (got -1)']);
  });
});
