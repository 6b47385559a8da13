import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunRecord } from '../../../app/research/types.js';
import { startVenue } from '../../../venue/index.js';
import { LOCAL_KEY_PAIR } from '../../../src/alpaca/index.js';

const BIN = fileURLToPath(new URL('../../../../bin/qgtm.js', import.meta.url));

describe('qgtm backtest and qgtm sweep', () => {
  let dir: string;
  let csv: string;
  const qgtm = (args: string[]) =>
    spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', cwd: dir, env: { PATH: process.env.PATH ?? '', QGTM_RESEARCH_DIR: join(dir, 'runs'), QGTM_RESEARCH_WORKERS: '1' } });

  /** The CLI in a child process without blocking this thread (a venue in it must keep answering). */
  const qgtmAsync = (args: string[], env: Record<string, string>): Promise<{ status: number | null; stdout: string; stderr: string }> =>
    new Promise((done) => {
      const p = spawn(process.execPath, [BIN, ...args], { cwd: dir, env: { PATH: process.env.PATH ?? '', QGTM_RESEARCH_DIR: join(dir, 'runs'), QGTM_RESEARCH_WORKERS: '1', ...env } });
      let stdout = '';
      let stderr = '';
      p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      p.on('close', (status) => done({ status, stdout, stderr }));
    });

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'qgtm-research-cli-'));
    csv = join(dir, 'bars.csv');
    // Two symbols, 240 one-minute bars each, a seeded walk: small and the same every run.
    let x = 12345;
    const rnd = (): number => ((x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const lines = ['timestamp,symbol,open,high,low,close,volume'];
    const px: Record<string, number> = { GLD: 240, SLV: 27 };
    for (let i = 0; i < 240; i++) {
      const ts = new Date(Date.UTC(2025, 0, 6, 14, 30) + i * 60_000).toISOString();
      for (const s of ['GLD', 'SLV']) {
        const open = px[s]!;
        const close = open * (1 + (rnd() - 0.5) * 0.004 + Math.sin(i / 20) * 0.0008);
        px[s] = close;
        lines.push(`${ts},${s},${open.toFixed(4)},${(Math.max(open, close) * 1.0005).toFixed(4)},${(Math.min(open, close) * 0.9995).toFixed(4)},${close.toFixed(4)},${1000 + Math.floor(rnd() * 5000)}`);
      }
    }
    writeFileSync(csv, lines.join('\n') + '\n');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('backtest on a CSV with --json then the run record with its figures, saved', () => {
    const r = qgtm(['backtest', '--csv', csv, '--json', '--fee-bps', '1', '--seed', '5', '--cash', '50000']);
    expect(r.stderr).not.toMatch(/Error|at .*\.js/);
    expect(r.status).toBe(0);
    const rec = JSON.parse(r.stdout) as RunRecord;
    expect(rec).toMatchObject({ kind: 'backtest', status: 'done', data: { kind: 'csv', bars: 480, symbols: ['GLD', 'SLV'] } });
    expect(rec.result!.cost.feeBps).toBe(1);
    expect(rec.summary!.startEquity).toBe(50_000);
    for (const k of ['totalReturn', 'maxDrawdown', 'turnover', 'fees', 'trades'] as const) expect(typeof rec.summary![k]).toBe('number');
    expect(rec.result!.equity.length).toBeGreaterThan(10);
    expect(existsSync(join(dir, 'runs', `${rec.id}.json`))).toBe(true);
  });

  it('backtest on the local venue twice then the second reads its bars from the disk cache and gives the same figures', () => {
    const args = ['backtest', '--days', '0.1', '--symbols', 'GLD,SLV', '--json', '--seed', '9'];
    const first = qgtm(args);
    expect(first.status, first.stderr).toBe(0);
    const second = qgtm(args);
    expect(second.status, second.stderr).toBe(0);
    const a = JSON.parse(first.stdout) as RunRecord;
    const b = JSON.parse(second.stdout) as RunRecord;
    expect(a.data).toMatchObject({ kind: 'venue', cached: false, bars: 2 * 144 });
    expect(b.data).toMatchObject({ kind: 'venue', cached: true, bars: 2 * 144 });
    expect(JSON.stringify(b.result)).toBe(JSON.stringify(a.result));
  });

  it('backtest with Alpaca configured then the bars come from its data API through the SDK (a local venue stands in for it)', async () => {
    const end = Date.UTC(2025, 0, 7, 15, 0);
    const venue = await startVenue({ seed: 4, clockMode: 'manual', startTime: end, historyMinutes: 200, symbols: ['GLD', 'SLV'] });
    try {
      // No network here: the venue serves CFTC's Socrata API too (FRED without a key is left out, as with Alpaca).
      const env = { QGTM_VENUE_MODE: 'alpaca', APCA_API_KEY_ID: LOCAL_KEY_PAIR.keyId, APCA_API_SECRET_KEY: LOCAL_KEY_PAIR.secretKey, APCA_API_DATA_URL: venue.url, QGTM_CFTC_URL: venue.url };
      const r = await qgtmAsync(['backtest', '--days', '0.1', '--end', new Date(end).toISOString(), '--symbols', 'GLD,SLV', '--json'], env);
      expect(r.status, r.stderr).toBe(0);
      const rec = JSON.parse(r.stdout) as RunRecord;
      expect(rec.data).toMatchObject({ kind: 'alpaca', source: venue.url, symbols: ['GLD', 'SLV'], bars: 2 * 144, cached: false, macro: ['cot:gold', 'cot:silver'] });
      expect(rec.data!.end).toBe(end);
      expect(rec.summary!.startEquity).toBe(100_000);
    } finally {
      await venue.close();
    }
  });

  it('sweep over a 2x2 grid then 4 ranked rows', () => {
    const r = qgtm(['sweep', '--csv', csv, '--json', '--param', 'allocator.sizing.targetVol=0.05,0.15', '--param', 'allocator.sizing.maxWeight=0.2,0.4', '--objective', 'total_return']);
    expect(r.status).toBe(0);
    const rec = JSON.parse(r.stdout) as RunRecord;
    const rows = rec.sweep!.rows;
    expect(rows).toHaveLength(4);
    expect(rows.every((x) => x.error === null)).toBe(true);
    for (let i = 1; i < rows.length; i++) expect(rows[i - 1]!.score!).toBeGreaterThanOrEqual(rows[i]!.score!);
    expect(new Set(rows.map((x) => JSON.stringify(x.params))).size).toBe(4);
  });

  it('a bad --set then a clear error naming it and exit 2', () => {
    const r = qgtm(['backtest', '--csv', csv, '--set', 'allocator.sizing.targetVoll=0.1']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('unknown option allocator.sizing.targetVoll (did you mean allocator.sizing.targetVol?)');
    expect(r.stderr).not.toMatch(/at .*\.js:\d+/);
  });

  it('bad flags then exit 2 naming them', () => {
    const r = qgtm(['sweep', '--csv', csv, '--param', 'nonsense', '--objective', 'luck']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--param nonsense: expected PATH=/);
  });

  it('not on a terminal then plain progress lines, a summary table with units and where the record was saved', () => {
    const r = qgtm(['backtest', '--csv', csv]);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/^progress 100% /m);
    expect(r.stderr).not.toContain('\r');
    expect(r.stdout).toMatch(/total return +-?\d+\.\d\d %/);
    expect(r.stdout).toMatch(/fees +-?\$[\d,]+\.\d\d/);
    expect(r.stdout).toMatch(/run record: .*\.json/);
  });
});
