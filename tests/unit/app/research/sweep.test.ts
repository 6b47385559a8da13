import { afterAll, describe, expect, it } from 'vitest';
import { ResearchPool } from '../../../../app/research/pool.js';
import { chainTests, runSweep, type SweepProgress } from '../../../../app/research/sweep.js';
import type { BacktestResult, Summary, SweepSpec } from '../../../../app/research/types.js';
import { BASE, START, synthetic } from './pool-fixtures.js';

const GRID: SweepSpec = {
  base: BASE,
  params: [
    { path: 'allocator.sizing.targetVol', values: [0.05, 0.15] },
    { path: 'risk.drawdown.ladder.WARN', values: [0.02, 0.06] },
  ],
  mode: 'grid',
  objective: 'total_return',
};

describe('sweeps on the pool', () => {
  const pool = new ResearchPool({ workers: 1 });
  afterAll(() => pool.close());

  it('a 2x2 grid with one impossible combination then 4 rows ranked, the failed ones last with their parameters and error', async () => {
    const progress: SweepProgress[] = [];
    const r = await runSweep({ pool, history: synthetic(200), spec: GRID, onProgress: (p) => progress.push(p) });
    expect(r.cancelled).toBe(false);
    expect(r.rows).toHaveLength(4);
    const ok = r.rows.filter((x) => x.error === null);
    const failed = r.rows.filter((x) => x.error !== null);
    // WARN 0.06 is above THROTTLE 0.05: the ladder must rise, so those points fail alone.
    expect(failed.map((x) => x.params['risk.drawdown.ladder.WARN'])).toEqual([0.06, 0.06]);
    expect(failed[0]!.error).toMatch(/drawdown/);
    expect(r.rows.slice(-2)).toEqual(failed);
    expect(ok[0]!.score).toBeGreaterThanOrEqual(ok[1]!.score!);
    expect(progress.at(-1)).toMatchObject({ fraction: 1, tasksDone: 4, tasksTotal: 4 });
  });

  it('cancel during a sweep then remaining points are not run and the result is marked cancelled with the rows done', async () => {
    const ac = new AbortController();
    const spec: SweepSpec = { ...GRID, params: [{ path: 'allocator.sizing.targetVol', values: [0.05, 0.08, 0.1, 0.12, 0.15, 0.2] }] };
    const r = await runSweep({
      pool,
      history: synthetic(200),
      spec,
      signal: ac.signal,
      onProgress: (p) => {
        if (p.tasksDone >= 1) ac.abort();
      },
    });
    expect(r.cancelled).toBe(true);
    expect(r.rows.length).toBeGreaterThanOrEqual(1);
    expect(r.rows.length).toBeLessThan(6);
    expect(r.rows.every((x) => x.error === null)).toBe(true);
  });

  it('walk-forward then per-window best, in-sample and out-of-sample figures, and the chained out-of-sample summary', async () => {
    const spec: SweepSpec = { ...GRID, params: [GRID.params[0]!], walkForward: { trainBars: 150, testBars: 50 } };
    const r = await runSweep({ pool, history: synthetic(300), spec });
    const wf = r.walkForward!;
    expect(wf.windows).toHaveLength(3);
    for (const [k, w] of wf.windows.entries()) {
      expect(w.trainFrom).toBe(START + k * 50 * 60_000);
      expect(w.testFrom).toBe(START + (150 + k * 50) * 60_000);
      expect(w.testTo).toBe(START + (200 + k * 50) * 60_000);
      expect(w.best).not.toBeNull();
      expect(w.inSample).not.toBeNull();
      expect(w.outOfSample!.startEquity).toBe(100_000);
    }
    expect(wf.outOfSample).not.toBeNull();
    expect(wf.inSample).not.toBeNull();
    const chained = wf.windows.reduce((e, w) => e * (1 + w.outOfSample!.totalReturn), 1) - 1;
    expect(wf.outOfSample!.totalReturn).toBeCloseTo(chained, 6);
    expect(wf.outOfSample!.trades).toBe(wf.windows.reduce((s, w) => s + w.outOfSample!.trades, 0));
    expect(r.rows).toHaveLength(2);
  });
});

describe('chained out-of-sample figures', () => {
  const summary = (start: number, end: number): Summary => ({ startEquity: start, endEquity: end, totalReturn: end / start - 1, annualReturn: null, volatility: null, sharpe: null, sortino: null, calmar: null, maxDrawdown: 0, maxDrawdownDurationMs: 0, turnover: 1, fees: 2, slippage: 3, avgGross: 0, hitRate: 0.5, avgWin: 10, avgLoss: -5, trades: 4, orders: 5, fills: 6 });
  const test = (t0: number, eqs: number[]): BacktestResult => ({
    summary: summary(100, eqs.at(-1)!),
    equity: eqs.map((e, i) => ({ ts: t0 + i * 60_000, equity: e, drawdown: 0, gross: 0, net: 0 })),
    attribution: { byStrategy: {}, byInstrument: {} },
    orders: [],
    fills: [],
    counts: { bars: 0, signals: 0, postures: 0, intents: 0, approved: 0, denied: 0, fills: 0 },
    cost: BASE.cost,
    from: null,
    to: null,
    cancelled: false,
  });

  it('two windows of +10 % and -10 % then compounded to -1 % and the counts summed', () => {
    const s = chainTests([test(0, [105, 110]), test(600_000, [95, 90])], 1000)!;
    expect(s.endEquity).toBeCloseTo(990, 9);
    expect(s.totalReturn).toBeCloseTo(-0.01, 12);
    expect(s.trades).toBe(8);
    expect(s.fees).toBe(4);
    expect(s.hitRate).toBe(0.5);
    expect(s.maxDrawdown).toBeCloseTo(0.1, 12);
  });

  it('no windows then null', () => {
    expect(chainTests([], 1000)).toBeNull();
  });
});
