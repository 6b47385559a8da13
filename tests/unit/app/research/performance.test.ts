import { describe, expect, it } from 'vitest';
import { PerformanceTracker, YEAR_MS } from '../../../../app/research/performance.js';
import type { Fill } from '../../../../app/research/types.js';
import { mulberry32 } from '../../../../src/random.js';

const DAY = 86_400_000;

function fill(symbol: string, side: 'buy' | 'sell', qty: number, price: number, fee = 0, slippage = 0): Fill {
  return { ts: 0, symbol, side, qty, price, fee, slippage, orderId: `o-${symbol}-${side}-${qty}-${price}`, intentId: 'i' };
}

function tracked(equities: readonly number[], opts: { step?: number; max?: number; start?: number } = {}): PerformanceTracker {
  const t = new PerformanceTracker({ startEquity: opts.start ?? equities[0] ?? 100, maxSeriesPoints: opts.max ?? 1000 });
  equities.forEach((e, i) => t.mark(i * (opts.step ?? DAY), e, 0.5, 0.25));
  return t;
}

describe('PerformanceTracker figures', () => {
  it('a 4-point equity series then the hand-computed return, risk and drawdown figures', () => {
    // 100 -> 110 -> 99 -> 121, a quarter-year apart: returns +10 %, -10 %, +22.2 %; 4 marks a year.
    const Q = YEAR_MS / 4;
    const s = tracked([100, 110, 99, 121], { step: Q }).summary();
    const r = [0.1, -0.1, 121 / 99 - 1];
    const mean = (r[0] + r[1] + r[2]) / 3;
    const std = Math.sqrt(((r[0] - mean) ** 2 + (r[1] - mean) ** 2 + (r[2] - mean) ** 2) / 2);
    expect(mean).toBeCloseTo(0.0740741, 6);
    expect(std).toBeCloseTo(0.162668, 6);
    expect(s.startEquity).toBe(100);
    expect(s.endEquity).toBe(121);
    expect(s.totalReturn).toBeCloseTo(0.21, 12);
    expect(s.annualReturn).toBeCloseTo(1.21 ** (4 / 3) - 1, 12); // 0.289379
    expect(s.volatility).toBeCloseTo(std * 2, 12); // 0.325336
    expect(s.volatility).toBeCloseTo(0.325336, 5);
    expect(s.sharpe).toBeCloseTo((mean / std) * 2, 12); // 0.910739
    expect(s.sharpe).toBeCloseTo(0.910739, 5);
    // Downside deviation: sqrt((-0.1)^2 / 3).
    expect(s.sortino).toBeCloseTo((mean / Math.sqrt(0.01 / 3)) * 2, 12); // 2.566001
    expect(s.maxDrawdown).toBeCloseTo(0.1, 12);
    expect(s.maxDrawdownDurationMs).toBe(2 * Q);
    expect(s.calmar).toBeCloseTo((1.21 ** (4 / 3) - 1) / 0.1, 10);
    expect(s.avgGross).toBe(0.5);
  });

  it('a year of two marks then the annual return equals the total return', () => {
    const t = new PerformanceTracker({ startEquity: 1000, maxSeriesPoints: 10 });
    t.mark(0, 1000, 0, 0);
    t.mark(YEAR_MS, 1100, 0, 0);
    const s = t.summary();
    expect(s.annualReturn).toBeCloseTo(0.1, 12);
    // One return has no sample variance.
    expect(s.volatility).toBeNull();
    expect(s.sharpe).toBeNull();
  });

  it('fewer than 2 marks then every time-based figure null', () => {
    for (const t of [new PerformanceTracker({ startEquity: 100, maxSeriesPoints: 5 }), tracked([100])]) {
      const s = t.summary();
      expect(s.endEquity).toBe(100);
      expect(s.totalReturn).toBe(0);
      expect([s.annualReturn, s.volatility, s.sharpe, s.sortino, s.calmar, s.hitRate, s.avgWin, s.avgLoss]).toEqual([null, null, null, null, null, null, null, null]);
      expect(s.maxDrawdown).toBe(0);
      expect(s.trades).toBe(0);
    }
  });

  it('a drawdown never recovered then its duration runs to the last mark', () => {
    const s = tracked([100, 120, 90, 100, 110]).summary();
    expect(s.maxDrawdown).toBeCloseTo(0.25, 12);
    expect(s.maxDrawdownDurationMs).toBe(3 * DAY);
  });

  it('a first mark below the starting equity then a drawdown from the start', () => {
    const s = tracked([95, 96], { start: 100 }).summary();
    expect(s.maxDrawdown).toBeCloseTo(0.05, 12);
    expect(s.maxDrawdownDurationMs).toBe(DAY);
    expect(s.totalReturn).toBeCloseTo(-0.04, 12);
  });

  it('equity wiped out then annual return -1 and no division by zero', () => {
    const s = tracked([100, 50, 0, 0]).summary();
    expect(s.annualReturn).toBe(-1);
    expect(s.maxDrawdown).toBe(1);
    expect(Number.isFinite(s.volatility!)).toBe(true);
  });

  it('marks out of time order then refused with both times', () => {
    const t = tracked([100, 101]);
    expect(() => t.mark(DAY, 100, 0, 0)).toThrow(/increasing time order: 86400000 after 86400000/);
    expect(() => new PerformanceTracker({ startEquity: 0, maxSeriesPoints: 10 })).toThrow(/startEquity/);
    expect(() => new PerformanceTracker({ startEquity: 1, maxSeriesPoints: 2 })).toThrow(/maxSeriesPoints/);
  });
});

describe('PerformanceTracker properties', () => {
  it('flat equity then zero volatility, null Sharpe, Sortino and Calmar, no drawdown', () => {
    for (const n of [3, 10, 500]) {
      const s = tracked(new Array<number>(n).fill(250)).summary();
      expect(s.volatility).toBe(0);
      expect(s.sharpe).toBeNull();
      expect(s.sortino).toBeNull();
      expect(s.calmar).toBeNull();
      expect(s.maxDrawdown).toBe(0);
      expect(s.annualReturn).toBe(0);
    }
  });

  it('monotone rising equity then zero drawdown and duration, positive Sharpe, null Sortino', () => {
    const rnd = mulberry32(7);
    for (let k = 0; k < 20; k++) {
      const eq: number[] = [100];
      for (let i = 1; i < 50 + k * 10; i++) eq.push(eq[i - 1] * (1 + rnd() * 0.01) + 1e-6);
      const s = tracked(eq, { step: 60_000 }).summary();
      expect(s.maxDrawdown).toBe(0);
      expect(s.maxDrawdownDurationMs).toBe(0);
      expect(s.sharpe!).toBeGreaterThan(0);
      expect(s.sortino).toBeNull();
      expect(s.calmar).toBeNull();
    }
  });

  it('random walks then drawdown within [0, 1), Sortino and Sharpe of one sign with the mean', () => {
    const rnd = mulberry32(11);
    for (let k = 0; k < 30; k++) {
      const eq: number[] = [1000];
      for (let i = 1; i < 200; i++) eq.push(eq[i - 1] * (1 + (rnd() - 0.5) * 0.04));
      const s = tracked(eq, { step: 3_600_000 }).summary();
      expect(s.maxDrawdown).toBeGreaterThanOrEqual(0);
      expect(s.maxDrawdown).toBeLessThan(1);
      expect(Math.sign(s.sharpe!)).toBe(Math.sign(s.sortino!));
      expect(s.volatility!).toBeGreaterThan(0);
    }
  });
});

describe('PerformanceTracker fills and round trips', () => {
  it('fills over two symbols then notional, fees, slippage and round trips by average cost', () => {
    const t = new PerformanceTracker({ startEquity: 10_000, maxSeriesPoints: 10 });
    t.order();
    t.order();
    t.order();
    t.fill(fill('GLD', 'buy', 10, 100, 1, 0.5));
    t.fill(fill('SLV', 'sell', 5, 100, 0.5)); // SLV short opens
    t.fill(fill('GLD', 'buy', 10, 110, 1, 0.5)); // GLD avg 105
    t.fill(fill('GLD', 'sell', 20, 120, 2)); // GLD trip: 20 x 15 - 4 = +296
    t.fill(fill('SLV', 'buy', 10, 90, 1)); // SLV reverses: 5 x 10 - 0.5 - 0.5 = +49; long 5 at 90 opens
    t.fill(fill('SLV', 'sell', 5, 80, 0.5)); // SLV trip: 5 x -10 - 0.5 - 0.5 = -51
    t.fill(fill('PPLT', 'buy', 3, 50, 0.1)); // still open: no trip
    t.mark(0, 10_000, 0, 0);
    t.mark(DAY, 10_500, 0, 0);
    const s = t.summary();
    const notional = 1000 + 500 + 1100 + 2400 + 900 + 400 + 150;
    expect(s.fills).toBe(7);
    expect(s.orders).toBe(3);
    expect(s.fees).toBeCloseTo(6.1, 12);
    expect(s.slippage).toBeCloseTo(1, 12);
    expect(s.turnover).toBeCloseTo(notional / 10_250, 12);
    expect(s.trades).toBe(3);
    expect(s.hitRate).toBeCloseTo(2 / 3, 12);
    expect(s.avgWin).toBeCloseTo((296 + 49) / 2, 9);
    expect(s.avgLoss).toBeCloseTo(-51, 9);
  });

  it('a partial close then no trip until flat, fees of every fill in it', () => {
    const t = new PerformanceTracker({ startEquity: 1000, maxSeriesPoints: 10 });
    t.fill(fill('GLD', 'buy', 3, 10, 0.1));
    t.fill(fill('GLD', 'sell', 1, 12, 0.1));
    expect(t.summary().trades).toBe(0);
    t.fill(fill('GLD', 'sell', 2, 9, 0.1));
    const s = t.summary();
    expect(s.trades).toBe(1);
    // 1 x 2 + 2 x -1 - 0.3 = -0.3: a loss.
    expect(s.avgLoss).toBeCloseTo(-0.3, 12);
    expect(s.hitRate).toBe(0);
    expect(s.avgWin).toBeNull();
  });

  it('fractional quantities closing with float dust then the trip closes', () => {
    const t = new PerformanceTracker({ startEquity: 1000, maxSeriesPoints: 10 });
    t.fill(fill('GLD', 'buy', 0.1, 10));
    t.fill(fill('GLD', 'buy', 0.2, 10));
    t.fill(fill('GLD', 'sell', 0.3, 11));
    expect(t.summary().trades).toBe(1);
    expect(t.summary().avgWin).toBeCloseTo(0.3, 9);
  });

  it('a bad fill then refused naming its order', () => {
    const t = new PerformanceTracker({ startEquity: 1000, maxSeriesPoints: 10 });
    expect(() => t.fill(fill('GLD', 'buy', 0, 10))).toThrow(/o-GLD-buy-0-10.*positive quantity/);
  });
});

describe('PerformanceTracker series', () => {
  it('fewer marks than the cap then every mark in the series with its drawdown', () => {
    const pts = tracked([100, 110, 99, 121]).series();
    expect(pts.map((p) => p.equity)).toEqual([100, 110, 99, 121]);
    expect(pts.map((p) => p.drawdown)).toEqual([0, 0, 1 - 99 / 110, 0]);
    expect(pts[0]).toEqual({ ts: 0, equity: 100, drawdown: 0, gross: 0.5, net: 0.25 });
  });

  it('many marks then at most the cap, first and last kept, the deepest point kept with exact drawdowns', () => {
    const rnd = mulberry32(3);
    for (const [n, max] of [[1000, 10], [5000, 3], [777, 50], [20_000, 2000], [64, 8]] as const) {
      const eq: number[] = [1000];
      for (let i = 1; i < n; i++) eq.push(eq[i - 1] * (1 + (rnd() - 0.5) * 0.02));
      const small = tracked(eq, { max, step: 1000 });
      const full = tracked(eq, { max: n + 2, step: 1000 });
      const pts = small.series();
      const all = new Map(full.series().map((p) => [p.ts, p]));
      expect(all.size).toBe(n);
      expect(pts.length).toBeLessThanOrEqual(max);
      expect(pts.length).toBeGreaterThanOrEqual(Math.min(max, 3) - 1);
      expect(pts[0].ts).toBe(0);
      expect(pts[pts.length - 1].ts).toBe((n - 1) * 1000);
      for (let i = 1; i < pts.length; i++) expect(pts[i].ts).toBeGreaterThan(pts[i - 1].ts);
      for (const p of pts) expect(p).toEqual(all.get(p.ts));
      expect(Math.max(...pts.map((p) => p.drawdown))).toBe(small.summary().maxDrawdown);
    }
  });

  it('a long run then the series spread over the whole history, not bunched at the start', () => {
    const t = tracked(Array.from({ length: 10_000 }, (_, i) => 100 + i), { max: 100, step: 1 });
    const pts = t.series();
    expect(pts.length).toBeGreaterThan(50);
    const gaps = pts.slice(1).map((p, i) => p.ts - pts[i].ts);
    // Evenly strided apart from the last point.
    expect(new Set(gaps.slice(0, -1)).size).toBe(1);
  });
});
