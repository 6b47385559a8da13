import { describe, expect, it } from 'vitest';
import { correlation, correlationMatrix, figuresTable, returnsOf, type CatalogEntryResult } from '../../../../app/research/catalog-report.js';

const series = (pairs: [number, number][]): Map<number, number> => new Map(pairs);
const entry = (id: string, trades: number, returns: Map<number, number>): CatalogEntryResult => ({
  id, family: 'trend', instruments: ['GLD'], totalReturn: 0.0123, sharpe: 1.234, maxDrawdown: 0.05, turnover: 3.5, hitRate: 0.55, trades, returns,
});

describe('catalog report builder', () => {
  it('correlates over the shared bar times only', () => {
    const a = series([[1, 0.01], [2, -0.02], [3, 0.03], [4, 0.5]]);
    const b = series([[1, 0.02], [2, -0.04], [3, 0.06], [9, -1]]);
    expect(correlation(a, b)).toBeCloseTo(1, 12);
    const c = series([[1, -0.01], [2, 0.02], [3, -0.03]]);
    expect(correlation(a, c)).toBeCloseTo(-1, 12);
  });

  it('is n/a (null) when a series is flat or shares fewer than two bars', () => {
    expect(correlation(series([[1, 0], [2, 0]]), series([[1, 0.1], [2, 0.2]]))).toBeNull();
    expect(correlation(series([[1, 0.1]]), series([[1, 0.2]]))).toBeNull();
  });

  it('builds a symmetric matrix; an entry without trades has no self-correlation', () => {
    const m = correlationMatrix([entry('a', 3, series([[1, 1], [2, 2], [3, 4]])), entry('b', 2, series([[1, 4], [2, 2], [3, 1]])), entry('c', 0, series([[1, 0], [2, 0], [3, 0]]))]);
    expect(m[0]![0]).toBe(1);
    expect(m[0]![1]).toBeCloseTo(m[1]![0]!, 12);
    expect(m[0]![1]!).toBeLessThan(0);
    expect(m[2]![2]).toBeNull();
    expect(m[0]![2]).toBeNull();
  });

  it('formats figures and marks an entry that made no trades', () => {
    const t = figuresTable([entry('trend-1', 4, new Map()), entry('macro-1', 0, new Map())]);
    expect(t).toContain('| trend-1 | trend | GLD | 1.23% | 1.23 | 5.00% | 3.50 | 55.00% | 4 |');
    expect(t).toContain('| macro-1 | trend | GLD | no trades on this history |');
    expect(t).not.toMatch(/macro-1[^\n]*0\.00%/);
  });

  it('prints n/a for an undefined Sharpe or hit rate', () => {
    const t = figuresTable([{ ...entry('x', 1, new Map()), sharpe: null, hitRate: null }]);
    expect(t).toContain('| x | trend | GLD | 1.23% | n/a | 5.00% | 3.50 | n/a | 1 |');
  });

  it('turns an equity series into returns keyed by the later point', () => {
    const r = returnsOf([{ ts: 1, equity: 100 }, { ts: 2, equity: 110 }, { ts: 3, equity: 99 }]);
    expect([...r.keys()]).toEqual([2, 3]);
    expect(r.get(2)).toBeCloseTo(0.1, 12);
    expect(r.get(3)).toBeCloseTo(-0.1, 12);
  });
});
