import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { barCacheKey, mergeByTime, openHistory, prepareHistory } from '../../../../../app/research/history/index.js';
import type { HistBar, HistorySpec } from '../../../../../app/research/types.js';
import { all, failure } from './helpers.js';

let dir: string;
const T0 = Date.UTC(2024, 0, 2, 14, 30);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'qgtm-hist-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('openHistory on a CSV file', () => {
  let path: string;

  beforeAll(async () => {
    const rows = ['timestamp,symbol,open,high,low,close,volume'];
    for (let k = 0; k < 10; k++) for (const s of ['SLV', 'GLD']) rows.push(`${T0 + k * 60_000},${s},10,11,9,10.5,${k + 1}`);
    path = join(dir, 'bars.csv');
    await writeFile(path, rows.join('\n'));
  });

  it('a file then its description and every bar, twice (a second pass)', async () => {
    const h = await openHistory({ kind: 'csv', file: path });
    expect(h.describe()).toEqual({ kind: 'csv', source: path, symbols: ['GLD', 'SLV'], intervalMs: 60_000, start: T0, end: T0 + 600_000, bars: 20, cached: false, macro: [] });
    expect(await all(h.bars())).toHaveLength(20);
    expect(await all(h.bars())).toHaveLength(20);
    expect(h.macro()).toEqual([]);
  });

  it('a range then the bars whose close lies in [from, to)', async () => {
    const h = await openHistory({ kind: 'csv', file: path, symbols: ['GLD'] });
    const bars = await all(h.bars({ from: T0 + 3 * 60_000, to: T0 + 6 * 60_000 }));
    expect(bars.map((b) => [b.symbol, (b.ts - T0) / 60_000])).toEqual([['GLD', 2], ['GLD', 3], ['GLD', 4]]);
  });

  it('a file rewritten after an open then the next open sees the new rows', async () => {
    const other = join(dir, 'grows.csv');
    const rows = ['timestamp,symbol,open,high,low,close,volume', `${T0},GLD,1,1,1,1,1`, `${T0 + 60_000},GLD,1,1,1,1,1`];
    await writeFile(other, rows.join('\n'));
    expect((await openHistory({ kind: 'csv', file: other })).describe().bars).toBe(2);
    await writeFile(other, [...rows, `${T0 + 120_000},GLD,1,1,1,1,1`].join('\n'));
    expect((await openHistory({ kind: 'csv', file: other })).describe().bars).toBe(3);
  });

  it('prepareHistory on a CSV then the same description (validated, nothing fetched)', async () => {
    const d = await prepareHistory({ kind: 'csv', file: path });
    expect(d.bars).toBe(20);
  });
});

describe('openHistory on network specs', () => {
  const spec: HistorySpec = { kind: 'venue', dataUrl: 'http://127.0.0.1:9', keyId: 'k', secretKey: 's', symbols: ['GLD'], start: T0, end: T0 + 3_600_000, intervalMs: 60_000, cacheDir: '' };

  it('a spec never prepared then an error naming the missing cache key', async () => {
    const s = { ...spec, cacheDir: join(dir, 'empty') };
    const err = await failure(openHistory(s));
    expect(err.message).toContain(barCacheKey(s));
    expect(err.message).toContain('run prepareHistory first');
  });

  it('an invalid spec then every violation named', async () => {
    const err = await failure(prepareHistory({ ...spec, dataUrl: 'nope', symbols: [], intervalMs: 7 }));
    expect(err.problems).toEqual([
      'history.dataUrl must be an http(s) URL (got "nope")',
      'history.symbols must list at least one symbol',
      'history.intervalMs 7 has no Alpaca timeframe (1-59 minutes, 1-23 hours or a day)',
      'history.cacheDir is required',
    ]);
  });

  it('the cache key then independent of symbol order and changed by the interval', () => {
    const a = barCacheKey({ ...spec, symbols: ['SLV', 'GLD'] });
    expect(barCacheKey({ ...spec, symbols: ['GLD', 'SLV'] })).toBe(a);
    expect(barCacheKey({ ...spec, symbols: ['GLD', 'SLV'], intervalMs: 300_000 })).not.toBe(a);
  });
});

describe('synthetic through openHistory', () => {
  it('a synthetic spec then a description counting bars x symbols', async () => {
    const h = await openHistory({ kind: 'synthetic', symbols: ['B', 'A'], start: T0, bars: 50, intervalMs: 60_000, seed: 1 });
    expect(h.describe()).toMatchObject({ kind: 'synthetic', symbols: ['A', 'B'], start: T0, end: T0 + 50 * 60_000, bars: 100, cached: false });
    expect(await all(h.bars({ to: T0 + 11 * 60_000 }))).toHaveLength(20);
  });
});

describe('mergeByTime', () => {
  it('streams each in time order then one stream in (ts, symbol) order', async () => {
    const mk = (symbol: string, ts: number[]): AsyncIterable<HistBar> => (async function* () {
      for (const t of ts) yield { symbol, ts: t, open: 1, high: 1, low: 1, close: 1, volume: 1 };
    })();
    const out = await all(mergeByTime([mk('C', [1, 2, 5]), mk('A', [2, 3]), mk('B', []), mk('B2', [1, 5, 6])]));
    expect(out.map((b) => `${b.ts}${b.symbol}`)).toEqual(['1B2', '1C', '2A', '2C', '3A', '5B2', '5C', '6B2']);
  });
});
