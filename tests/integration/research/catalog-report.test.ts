/**
 * `qgtm catalog-report`: the command back-tests entries alone on the local
 * venue's history and writes the report; the committed report lists exactly
 * the catalog (an entry added without regenerating it fails here).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { run } from '../../../bin/catalog-report.js';
import { CATALOG } from '../../../actors/strategy/registry.js';

type Report = { about: Record<string, unknown>; entries: { id: string; totalReturn: number; maxDrawdown: number; turnover: number; trades: number; sharpe: number | null }[]; correlation: { ids: string[]; matrix: (number | null)[][] } };

describe('catalog report', () => {
  it('the command on a short history then every asked entry with finite figures, a square correlation matrix, and the markdown table', async () => {
    const out = mkdtempSync(join(tmpdir(), 'qgtm-catalog-report-'));
    try {
      const ids = ['trend_ma_cross', 'rsi_reversal', 'seasonality_gold'];
      expect(await run(['--days', '0.2', '--seed', '7', '--only', ids.join(','), '--out', out])).toBe(0);
      const r = JSON.parse(readFileSync(join(out, 'catalog-report.json'), 'utf8')) as Report;
      // In catalog order, whatever order they were asked in.
      const inOrder = CATALOG.map((d) => d.id).filter((id) => ids.includes(id));
      expect(r.entries.map((e) => e.id)).toEqual(inOrder);
      for (const e of r.entries) {
        for (const x of [e.totalReturn, e.maxDrawdown, e.turnover, e.trades]) expect(Number.isFinite(x), `${e.id}: ${JSON.stringify(e)}`).toBe(true);
      }
      expect(r.correlation.ids).toEqual(inOrder);
      expect(r.correlation.matrix.map((row) => row.length)).toEqual([3, 3, 3]);
      expect(r.about).toMatchObject({ venueSeed: 7, barIntervalMs: 60_000, command: 'npm run catalog:report -- --days 0.2 --seed 7 --only trend_ma_cross,rsi_reversal,seasonality_gold' });
      const md = readFileSync(join(out, 'catalog-report.md'), 'utf8');
      expect(md).toMatch(/do not edit/);
      for (const id of ids) expect(md).toContain(`| ${id} |`);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 180_000);

  it('bad flags then exit 2 and nothing run', async () => {
    expect(await run(['--only', 'no_such_entry'])).toBe(2);
    expect(await run(['--days', '-1'])).toBe(2);
  });

  it('the committed docs/catalog-report.json lists exactly the catalog, in catalog order (regenerate it with npm run catalog:report)', () => {
    const file = fileURLToPath(new URL('../../../../docs/catalog-report.json', import.meta.url));
    const r = JSON.parse(readFileSync(file, 'utf8')) as Report;
    expect(r.entries.map((e) => e.id)).toEqual(CATALOG.map((d) => d.id));
    expect(r.correlation.ids).toEqual(CATALOG.map((d) => d.id));
  });
});
