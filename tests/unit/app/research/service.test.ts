import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../../../app/config/schema.js';
import { ResearchPool } from '../../../../app/research/pool.js';
import { RunStore } from '../../../../app/research/record.js';
import { createResearchService } from '../../../../app/research/service.js';
import type { ResearchEvent, RunRecord } from '../../../../app/research/types.js';
import { BASE, synthetic } from './pool-fixtures.js';

const dirs: string[] = [];
const tmp = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'qgtm-research-'));
  dirs.push(d);
  return d;
};

function until(svc: { onEvent(l: (e: ResearchEvent) => void): () => void }, id: string, statuses: string[]): Promise<void> {
  return new Promise((res) => {
    const off = svc.onEvent((e) => {
      if (e.type === 'research.status' && e.run.id === id && statuses.includes(e.run.status)) {
        off();
        res();
      }
    });
  });
}

describe('research service', () => {
  const pool = new ResearchPool({ workers: 1 });
  afterAll(async () => {
    await pool.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('a back-test then queued, running and done, each saved, with its summary and data', async () => {
    const dir = tmp();
    const svc = createResearchService({ dir, config: DEFAULT_CONFIG, pool, maxQueued: 4 });
    const statuses: string[] = [];
    svc.onEvent((e) => e.type === 'research.status' && statuses.push(e.run.status));
    const head = svc.startBacktest({ history: synthetic(200), seed: 3 });
    await until(svc, head.id, ['done', 'failed']);
    expect(statuses).toEqual(['queued', 'running', 'done']);
    const rec = new RunStore(dir).read(head.id)!;
    expect(rec.status).toBe('done');
    expect(rec.summary).toEqual(rec.result!.summary);
    expect(rec.data).toMatchObject({ kind: 'synthetic', bars: 400 });
    expect(svc.list()[0]).toMatchObject({ id: head.id, status: 'done', progress: 1 });
    await svc.close();
  });

  it('a bad --set path then a request error naming it, nothing queued', () => {
    const svc = createResearchService({ dir: tmp(), config: DEFAULT_CONFIG, pool, maxQueued: 4 });
    let err: unknown;
    try {
      svc.startBacktest({ history: synthetic(10), set: { 'allocator.sizing.targetVoll': 0.1 } });
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code: 'QGTM_ERR_RESEARCH_REQUEST' });
    expect((err as Error).message).toContain('unknown option allocator.sizing.targetVoll (did you mean allocator.sizing.targetVol?)');
    expect(svc.list()).toEqual([]);
    return svc.close();
  });

  it('a full queue then QGTM_ERR_RESEARCH_QUEUE_FULL, and a queued run cancelled then never runs', async () => {
    const svc = createResearchService({ dir: tmp(), config: DEFAULT_CONFIG, pool, maxQueued: 1 });
    const a = svc.startBacktest({ history: synthetic(300) });
    const b = svc.startBacktest({ history: synthetic(300) });
    expect(() => svc.startBacktest({ history: synthetic(300) })).toThrow(expect.objectContaining({ code: 'QGTM_ERR_RESEARCH_QUEUE_FULL' }));
    expect(svc.cancel(b.id)).toBe(true);
    expect(svc.get(b.id)!.status).toBe('cancelled');
    expect(svc.cancel(b.id)).toBe(false);
    await until(svc, a.id, ['done']);
    expect(svc.get(b.id)!.result).toBeNull();
    await svc.close();
  });

  it('a running sweep cancelled then its record is cancelled with the rows done', async () => {
    const svc = createResearchService({ dir: tmp(), config: DEFAULT_CONFIG, pool, maxQueued: 4, progressEveryMs: 0 });
    const head = svc.startSweep({ history: synthetic(200), params: [{ path: 'allocator.sizing.targetVol', values: [0.05, 0.08, 0.1, 0.12, 0.15] }], objective: 'total_return' });
    const off = svc.onEvent((e) => {
      if (e.type === 'research.progress' && e.id === head.id && e.progress >= 0.2) {
        off();
        svc.cancel(head.id);
      }
    });
    await until(svc, head.id, ['cancelled', 'done']);
    const rec = svc.get(head.id)!;
    expect(rec.status).toBe('cancelled');
    expect(rec.sweep!.cancelled).toBe(true);
    expect(rec.sweep!.rows.length).toBeLessThan(5);
    await svc.close();
  });

  it('a run saved as running then after a restart it is listed as failed, interrupted by restart', async () => {
    const dir = tmp();
    const store = new RunStore(dir);
    const rec: RunRecord = { id: '20250106T000000000Z-00000000', kind: 'backtest', name: 'old', status: 'running', createdAt: 1, finishedAt: null, progress: 0.4, summary: null, data: null, error: null, codeVersion: 'x', spec: BASE, history: synthetic(10), result: null, sweep: null };
    store.save(rec);
    const svc = createResearchService({ dir, config: DEFAULT_CONFIG, pool, now: () => 5 });
    expect(svc.list()).toEqual([expect.objectContaining({ id: rec.id, status: 'failed', error: 'interrupted by restart', finishedAt: 5 })]);
    expect(new RunStore(dir).read(rec.id)!.status).toBe('failed');
    await svc.close();
  });
});
