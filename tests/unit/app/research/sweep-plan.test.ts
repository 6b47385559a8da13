import { describe, expect, it } from 'vitest';
import { gridPoints, randomPoints, rankRows, ResearchPlanError, scoreOf, walkForwardWindows } from '../../../../app/research/sweep-plan.js';
import type { Summary, SweepRow } from '../../../../app/research/types.js';
import { thrownBy } from '../../../helpers/errors.js';

const A = 'strategies.params.trend_ma_cross.fast';
const B = 'allocator.sizing.targetVol';
const C = 'allocator.sizing.allowShort';

function planError(f: () => unknown): string {
  const err = thrownBy(f, ResearchPlanError);
  expect(err.code).toBe('QGTM_ERR_RESEARCH_PLAN');
  return err.message;
}

function summary(over: Partial<Summary>): Summary {
  return {
    startEquity: 100, endEquity: 110, totalReturn: 0.1, annualReturn: 0.2, volatility: 0.1, sharpe: 1, sortino: 1.5, calmar: 2, maxDrawdown: 0.1,
    maxDrawdownDurationMs: 0, turnover: 1, fees: 0, slippage: 0, avgGross: 0.5, hitRate: 0.5, avgWin: 1, avgLoss: -1, trades: 2, orders: 2, fills: 2,
    ...over,
  };
}

const row = (index: number, score: number | null, error: string | null = null): SweepRow => ({ index, params: { [A]: index }, summary: null, score, error });

describe('gridPoints', () => {
  it('three parameters then every combination, the first varying slowest', () => {
    const pts = gridPoints([{ path: A, values: [5, 10] }, { path: B, values: [0.1, 0.2, 0.3] }, { path: C, values: [true, false] }]);
    expect(pts).toHaveLength(12);
    expect(pts[0]).toEqual({ [A]: 5, [B]: 0.1, [C]: true });
    expect(pts[1]).toEqual({ [A]: 5, [B]: 0.1, [C]: false });
    expect(pts[11]).toEqual({ [A]: 10, [B]: 0.3, [C]: false });
    expect(new Set(pts.map((p) => JSON.stringify(p))).size).toBe(12);
  });

  it('a grid above the limit then refused with its size and shape before it is built', () => {
    const big = Array.from({ length: 101 }, (_, i) => i + 1);
    expect(planError(() => gridPoints([{ path: A, values: big }, { path: B, values: big }]))).toBe(
      `a grid of 10,201 points (${A}: 101 x ${B}: 101) exceeds the limit of 10,000; use fewer values or a random sweep`,
    );
    expect(gridPoints([{ path: A, values: big }, { path: B, values: big.slice(0, 99) }])).toHaveLength(9999);
    expect(planError(() => gridPoints([{ path: A, values: [1, 2, 3] }], { maxPoints: 2 }))).toMatch(/3 points .* limit of 2/);
    // 30 parameters of 10 values each: refused without building 10^30 points.
    expect(planError(() => gridPoints(Array.from({ length: 30 }, (_, i) => ({ path: `p${i}`, values: big.slice(0, 10) }))))).toMatch(/exceeds the limit/);
  });

  it('bad parameters then each refusal names the parameter', () => {
    expect(planError(() => gridPoints([]))).toBe('a sweep needs at least one parameter');
    expect(planError(() => gridPoints([{ path: A, values: [] }]))).toBe(`sweep parameter ${A} needs a non-empty list of values`);
    expect(planError(() => gridPoints([{ path: A, min: 1, max: 3 }]))).toBe(`sweep parameter ${A} needs a non-empty list of values (min and max are for random sweeps)`);
    expect(planError(() => gridPoints([{ path: A, values: [1] }, { path: A, values: [2] }]))).toBe(`sweep parameter ${A} is given twice`);
    expect(planError(() => gridPoints([{ path: A, values: [1, NaN] }]))).toBe(`sweep parameter ${A}: value null is not a finite number, a string or a boolean`);
    expect(planError(() => gridPoints([{ path: A, values: [1, 1] }]))).toBe(`sweep parameter ${A}: value 1 is listed twice`);
  });
});

describe('randomPoints', () => {
  const params = [{ path: A, min: 2, max: 9, int: true }, { path: B, min: 0.05, max: 0.3 }, { path: C, values: [true, false] }];

  it('the same seed then the same points; another seed then other points', () => {
    const a = randomPoints(params, 50, 42);
    expect(randomPoints(params, 50, 42)).toEqual(a);
    expect(randomPoints(params, 50, 43)).not.toEqual(a);
    expect(a).toHaveLength(50);
  });

  it('int ranges then whole numbers covering both ends; float ranges within bounds; values from the list', () => {
    const pts = randomPoints(params, 2000, 7);
    const ints = pts.map((p) => p[A] as number);
    expect(ints.every((x) => Number.isInteger(x) && x >= 2 && x <= 9)).toBe(true);
    expect(new Set(ints)).toEqual(new Set([2, 3, 4, 5, 6, 7, 8, 9]));
    expect(pts.every((p) => (p[B] as number) >= 0.05 && (p[B] as number) <= 0.3)).toBe(true);
    expect(new Set(pts.map((p) => p[C]))).toEqual(new Set([true, false]));
    expect(randomPoints([{ path: A, min: 1.2, max: 1.8, int: false }], 3, 1).every((p) => !Number.isInteger(p[A]))).toBe(true);
    expect(randomPoints([{ path: A, min: 4, max: 4, int: true }], 3, 1)).toEqual([{ [A]: 4 }, { [A]: 4 }, { [A]: 4 }]);
  });

  it('bad ranges, samples or seed then refused naming what was wrong', () => {
    expect(planError(() => randomPoints([{ path: A }], 5, 1))).toBe(`sweep parameter ${A} needs finite min and max (or a list of values) for a random sweep; got min undefined, max undefined`);
    expect(planError(() => randomPoints([{ path: A, min: 3, max: 1 }], 5, 1))).toBe(`sweep parameter ${A}: min 3 is above max 1`);
    expect(planError(() => randomPoints([{ path: A, min: 1.2, max: 1.8, int: true }], 5, 1))).toBe(`sweep parameter ${A}: no integer between min 1.2 and max 1.8`);
    expect(planError(() => randomPoints(params, 0, 1))).toMatch(/positive whole number of samples; got 0/);
    expect(planError(() => randomPoints(params, 10_001, 1))).toBe('10,001 samples exceed the limit of 10,000');
    expect(planError(() => randomPoints(params, 5, 1.5))).toMatch(/integer seed; got 1.5/);
  });
});

describe('scoreOf and rankRows', () => {
  it('each objective then its figure; an undefined figure or no summary then null', () => {
    const s = summary({});
    expect([scoreOf(s, 'sharpe'), scoreOf(s, 'sortino'), scoreOf(s, 'calmar'), scoreOf(s, 'total_return'), scoreOf(s, 'annual_return'), scoreOf(s, 'max_drawdown')]).toEqual([1, 1.5, 2, 0.1, 0.2, 0.1]);
    expect(scoreOf(summary({ sharpe: null }), 'sharpe')).toBeNull();
    expect(scoreOf(summary({ calmar: Infinity }), 'calmar')).toBeNull();
    expect(scoreOf(null, 'sharpe')).toBeNull();
  });

  it('rows with scores, nulls and failures then best first, nulls then failures last, ties by index', () => {
    const rows = [row(0, 1), row(1, null), row(2, 3, null), row(3, null, 'boom'), row(4, 3), row(5, -2), row(6, null)];
    expect(rankRows(rows, 'sharpe').map((r) => r.index)).toEqual([2, 4, 0, 5, 1, 6, 3]);
    expect(rows.map((r) => r.index)).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it('max_drawdown then the smallest drawdown first', () => {
    const rows = [row(0, 0.3), row(1, 0.05), row(2, null, 'x'), row(3, 0.1)];
    expect(rankRows(rows, 'max_drawdown').map((r) => r.index)).toEqual([1, 3, 0, 2]);
  });
});

describe('walkForwardWindows', () => {
  it('a history then train and test windows rolling by the test length, tiling without overlap', () => {
    expect(walkForwardWindows(100, 40, 20)).toEqual([
      { trainFrom: 0, trainTo: 40, testFrom: 40, testTo: 60 },
      { trainFrom: 20, trainTo: 60, testFrom: 60, testTo: 80 },
      { trainFrom: 40, trainTo: 80, testFrom: 80, testTo: 100 },
    ]);
    // 15 bars past the last whole test window are left out.
    const w = walkForwardWindows(115, 40, 20);
    expect(w).toHaveLength(3);
    expect(w[2].testTo).toBe(100);
    expect(walkForwardWindows(60, 40, 20)).toHaveLength(1);
  });

  it('windows of every size then inside the history, each test after its training, none overlapping', () => {
    for (let total = 2; total <= 30; total++) {
      for (let train = 1; train < total; train++) {
        for (let test = 1; train + test <= total; test++) {
          const w = walkForwardWindows(total, train, test);
          expect(w.length).toBe(Math.floor((total - train) / test));
          w.forEach((x, i) => {
            expect(x.trainTo - x.trainFrom).toBe(train);
            expect(x.testFrom).toBe(x.trainTo);
            expect(x.testTo - x.testFrom).toBe(test);
            expect(x.testTo).toBeLessThanOrEqual(total);
            if (i > 0) expect(x.testFrom).toBe(w[i - 1].testTo);
          });
        }
      }
    }
  });

  it('impossible sizes then clear errors', () => {
    expect(planError(() => walkForwardWindows(50, 40, 20))).toBe('walk-forward needs at least trainBars + testBars = 60 bars; the history has 50');
    expect(planError(() => walkForwardWindows(100, 0, 20))).toBe('walk-forward trainBars must be a positive whole number of bars; got 0');
    expect(planError(() => walkForwardWindows(100, 10, 2.5))).toBe('walk-forward testBars must be a positive whole number of bars; got 2.5');
    expect(planError(() => walkForwardWindows(20_000_000, 1000, 1))).toMatch(/makes 19999000 windows, above the limit of 1000/);
  });
});
