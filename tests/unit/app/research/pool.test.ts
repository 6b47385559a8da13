import { afterAll, describe, expect, it } from 'vitest';
import { runBacktest } from '../../../../app/research/engine/index.js';
import { openHistory } from '../../../../app/research/history/index.js';
import { ResearchCancelledError, ResearchPool } from '../../../../app/research/pool.js';
import type { Progress } from '../../../../app/research/types.js';
import { BASE, synthetic } from './pool-fixtures.js';

describe('research pool', () => {
  const pool = new ResearchPool({ workers: 1, niceIncrement: 7 });
  afterAll(() => pool.close());

  it('niceIncrement then the pool thread runs at that nice value and the main thread keeps its own', async () => {
    const p = await pool.probe();
    expect(p.threadId).toBeGreaterThan(0);
    expect(p.mainPriority).toBe(0);
    expect(p.priority).toBe(7);
    // Linux: the kernel's own view of that very thread.
    if (process.platform === 'linux') expect(p.procNice).toBe(7);
  });

  it('a back-test on a pool thread then the same figures as in this thread, with progress over the port', async () => {
    const history = synthetic(300);
    const progress: Progress[] = [];
    const viaPool = await pool.runBacktest(history, BASE, { progressEvery: 100, onProgress: (p) => progress.push(p) });
    const here = await runBacktest(await openHistory(history), BASE);
    expect(viaPool.summary).toEqual(here.summary);
    expect(viaPool.fills.length).toBe(here.fills.length);
    expect(progress.length).toBeGreaterThanOrEqual(6);
    expect(progress.at(-1)!.barsDone).toBe(600);
  });

  it('summaryOnly then no orders, fills or series but the same summary', async () => {
    const history = synthetic(200);
    const full = await pool.runBacktest(history, BASE);
    const small = await pool.runBacktest(history, BASE, { summaryOnly: true });
    expect(small.summary).toEqual(full.summary);
    expect(small.orders).toEqual([]);
    expect(small.fills).toEqual([]);
    expect(small.equity).toEqual([]);
  });

  it('abort while queued then the task never runs and rejects as cancelled', async () => {
    const running = pool.runBacktest(synthetic(400), BASE);
    const ac = new AbortController();
    const queued = pool.runBacktest(synthetic(400), BASE, { signal: ac.signal });
    ac.abort();
    await expect(queued).rejects.toBeInstanceOf(ResearchCancelledError);
    await running;
  });

  it('abort while running then the task stops early and answers with what ran, marked cancelled', async () => {
    const ac = new AbortController();
    let aborted = false;
    const r = await pool.runBacktest(synthetic(12_000), BASE, {
      signal: ac.signal,
      progressEvery: 1000,
      onProgress: (p) => {
        if (!aborted && p.barsDone >= 1000) {
          aborted = true;
          ac.abort();
        }
      },
    });
    expect(r.cancelled).toBe(true);
    expect(r.counts.bars).toBeLessThan(24_000);
  });

  it('a range then only bars closing in it are replayed', async () => {
    const h = synthetic(300);
    const from = Date.UTC(2025, 0, 6, 14, 30) + 100 * 60_000;
    const r = await pool.runBacktest(h, BASE, { range: { from, to: from + 50 * 60_000 }, summaryOnly: true });
    expect(r.counts.bars).toBe(100);
  });
});
