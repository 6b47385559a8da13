/**
 * The terminal's research wire layer (web/src/api/research.ts) in Node,
 * fed the JSON of records typed by app/research/types.ts (the stand-in
 * service's): a change of the record shape that the page would misread
 * shows here before it shows as a dash on screen.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { build } from 'esbuild';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ATTRIBUTION, FakeResearch, P_FAST, P_SLOW } from '../helpers/research.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- the bundle is untyped JS */
let api: any;
const svc = new FakeResearch();
const wire = (x: unknown): unknown => JSON.parse(JSON.stringify(x));

beforeAll(async () => {
  const out = await build({ stdin: { contents: "export * from './web/src/api/research.ts';", resolveDir: resolve('.'), loader: 'ts' }, bundle: true, format: 'esm', platform: 'neutral', write: false, logLevel: 'silent' });
  const dir = mkdtempSync(join(tmpdir(), 'qgtm-web-research-'));
  const file = join(dir, 'research.mjs');
  writeFileSync(file, out.outputFiles[0]!.text);
  api = await import(pathToFileURL(file).href);
  rmSync(dir, { recursive: true, force: true });
});

describe('research normalisers', () => {
  it('the runs answer then one view model per run with the summary in the API units', () => {
    const runs = api.normaliseRuns(wire({ count: 3, runs: svc.list() }));
    expect(runs.map((r: any) => r.id)).toEqual(['bt-running', 'bt-done', 'sw-done']);
    const done = runs[1];
    expect(done).toMatchObject({ kind: 'backtest', status: 'done', progress: 1, name: 'gold trend', data: 'synthetic · GLD, SLV · 1 min · 400 bars' });
    expect(done.summary).toMatchObject({ totalReturn: 0.1234, sharpe: 1.52, maxDrawdown: 0.0567, trades: 42 });
    expect(runs[0].summary).toBeNull();
  });

  it('a back-test record then its series in seconds, attribution biggest first, orders and fills', () => {
    const d = api.normaliseRunDetail(wire({ run: svc.get('bt-done') }));
    expect(d.t).toHaveLength(200);
    expect(d.t[1] - d.t[0]).toBe(60);
    expect(d.equity.at(-1)).toBe(112_340);
    expect(Math.max(...d.drawdown)).toBeGreaterThan(0);
    expect(d.byStrategy).toEqual(Object.entries(ATTRIBUTION.byStrategy).sort((a, b) => b[1] - a[1]));
    expect(d.byInstrument).toEqual([['GLD', 10_000.5], ['SLV', -3047.75]]);
    expect(d.orders).toBe(130);
    expect(d.fills).toBe(171);
    expect(d.cost).toContain('spread 2 bp');
    expect(d.sweep).toBeNull();
  });

  it('a sweep record then its rows with parameters and scores, ranked as sent', () => {
    const d = api.normaliseRunDetail(wire({ run: svc.get('sw-done') }));
    expect(d.sweep.paths).toEqual([P_FAST, P_SLOW]);
    expect(d.sweep.rows).toHaveLength(9);
    expect(d.sweep.rows[0]).toMatchObject({ params: { [P_FAST]: 10, [P_SLOW]: 100 }, score: 1.48 });
    expect(d.t).toEqual([]);
  });

  it('research topic messages then progress and status events; anything else null', () => {
    expect(api.normaliseResearchEvent({ type: 'research.progress', id: 'a', progress: 1.5, detail: 'x' })).toEqual({ type: 'progress', id: 'a', progress: 1, detail: 'x' });
    expect(api.normaliseResearchEvent(wire({ type: 'research.status', run: svc.list()[0] })).run).toMatchObject({ id: 'bt-running', status: 'running' });
    expect(api.normaliseResearchEvent({ type: 'research.progress', id: 'a' })).toBeNull();
    expect(api.normaliseResearchEvent({ type: 'risk.state' })).toBeNull();
    expect(api.normaliseResearchEvent(null)).toBeNull();
  });

  it('malformed runs then skipped or defaulted, never a thrown error', () => {
    expect(api.normaliseRuns({ runs: [null, 5, { name: 'no id' }, { id: 'x', status: 'weird', progress: 'half' }] })).toEqual([
      { id: 'x', kind: 'backtest', name: 'x', status: 'queued', createdAt: null, finishedAt: null, progress: 0, summary: null, error: null, data: null },
    ]);
    expect(api.normaliseRunDetail({ run: { id: 'y', result: { equity: [{ ts: 'x' }, null], attribution: 'no' } } })).toMatchObject({ id: 'y', t: [], byStrategy: [], byInstrument: [] });
  });
});
