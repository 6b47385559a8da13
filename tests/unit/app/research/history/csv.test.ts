import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fastDecimal, HistoryError, parseTimestamp, readCsvBars, scanCsv } from '../../../../../app/research/history/index.js';
import { Prng } from '../../../../../src/prng.js';
import { all, failure } from './helpers.js';

let dir: string;
let n = 0;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'qgtm-csv-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function file(text: string): Promise<string> {
  const path = join(dir, `f${n++}.csv`);
  await writeFile(path, text);
  return path;
}

const T0 = Date.UTC(2024, 0, 2, 14, 30);

describe('parseTimestamp', () => {
  it('ISO with Z, offset, no zone and date only then UTC epoch ms', () => {
    expect(parseTimestamp('2024-01-02T14:30:00Z')).toBe(T0);
    expect(parseTimestamp('2024-01-02T09:30:00-05:00')).toBe(T0);
    expect(parseTimestamp('2024-01-02 20:00:00+0530')).toBe(T0);
    expect(parseTimestamp('2024-01-02T14:30')).toBe(T0);
    expect(parseTimestamp('2024-01-02T14:30:00.250Z')).toBe(T0 + 250);
    expect(parseTimestamp('2024-01-02')).toBe(Date.UTC(2024, 0, 2));
  });

  it('epoch below 1e11 then seconds, else milliseconds', () => {
    expect(parseTimestamp(String(T0 / 1000))).toBe(T0);
    expect(parseTimestamp(String(T0))).toBe(T0);
  });

  it('impossible date or garbage then a reason string', () => {
    expect(typeof parseTimestamp('2024-02-30T00:00:00Z')).toBe('string');
    expect(typeof parseTimestamp('yesterday')).toBe('string');
    expect(typeof parseTimestamp('2024-01-02T25:00:00Z')).toBe('string');
  });
});

describe('fastDecimal', () => {
  it('random plain decimals then exactly what Number gives; anything else then NaN', () => {
    const rng = new Prng(3);
    for (let k = 0; k < 20_000; k++) {
      const digits = rng.int(1, 15);
      let s = String(rng.int(1, 9));
      for (let d = 1; d < digits; d++) s += String(rng.int(0, 9));
      const dot = rng.int(0, digits);
      const text = (rng.chance(0.3) ? '-' : '') + (dot === digits ? s : `${s.slice(0, dot)}.${s.slice(dot)}`);
      expect(fastDecimal(text)).toBe(Number(text));
    }
    for (const bad of ['', '-', '.', '1e5', '1.2.3', '+1', '1234567890123456', 'abc']) expect(fastDecimal(bad)).toBeNaN();
  });
});

describe('readCsvBars', () => {
  it('mixed-case header in any order with optional columns then bars in (ts, symbol) order', async () => {
    const path = await file(
      '\uFEFFSymbol,Timestamp,Close,Open,High,Low,Volume,VWAP,trades\r\n' +
        `SLV,${T0 / 1000},22.1,22,22.2,21.9,100,22.05,7\r\n` +
        `GLD,2024-01-02T14:30:00Z,190.5,190,191,189.5,50,,\r\n` +
        `GLD,${T0 + 60_000},191,190.5,191.5,190,60,190.8,3\r\n` +
        '\r\n',
    );
    const bars = await all(readCsvBars(path));
    expect(bars.map((b) => [b.ts, b.symbol])).toEqual([[T0, 'GLD'], [T0, 'SLV'], [T0 + 60_000, 'GLD']]);
    expect(bars[0]).toEqual({ symbol: 'GLD', ts: T0, open: 190, high: 191, low: 189.5, close: 190.5, volume: 50 });
    expect(bars[1]).toEqual({ symbol: 'SLV', ts: T0, open: 22, high: 22.2, low: 21.9, close: 22.1, volume: 100, vwap: 22.05, trades: 7 });
  });

  it('every kind of bad row then one HistoryError naming each file:line and what is wrong', async () => {
    const path = await file(
      [
        'timestamp,symbol,open,high,low,close,volume',
        `${T0},GLD,190,191,189,190.5,10`, // 2 ok
        `${T0},GLD,190,191,189,190.5,10`, // 3 duplicate
        `${T0},SLV,abc,23,22,22.5,10`, // 4 open not a number
        `${T0},PPLT,90,89,91,90,10`, // 5 high < low
        `${T0},PALL,90,91,89,95,10`, // 6 close outside
        `${T0},CPER,20,21,19,20,-5`, // 7 negative volume
        `${T0 + 60_000},GLD,190,191,189,190.5,10`, // 8 ok
        `${T0},SLV,22,23,22,22.5,10`, // 9 out of time order
        `${T0 + 60_000},SLV,22,23,22`, // 10 short row
      ].join('\n'),
    );
    const err = await failure(all(readCsvBars(path)));
    expect(err.code).toBe('QGTM_ERR_HISTORY');
    expect(err.problems).toEqual([
      `${path}:3: duplicate bar for GLD at 2024-01-02T14:30:00.000Z`,
      `${path}:4: open "abc" is not a number`,
      `${path}:5: high 89 < low 91`,
      `${path}:6: close 95 outside [low 89, high 91]`,
      `${path}:7: volume -5 is negative`,
      `${path}:9: out of time order: 2024-01-02T14:30:00.000Z after 2024-01-02T14:31:00.000Z`,
      `${path}:10: has 5 fields, the header 7`,
    ]);
    expect(err.message).toContain(`${path}:5: high 89 < low 91`);
  });

  it('unknown and missing columns then a header error naming both', async () => {
    const path = await file('timestamp,symbol,open,high,low,close,size\n');
    const err = await failure(all(readCsvBars(path)));
    expect(err.problems).toEqual([`${path}:1: unknown column "size" (expected timestamp, symbol, open, high, low, close, volume, vwap, trades)`, `${path}:1: missing column volume`]);
  });

  it('more bad rows than the limit then reading stops at the limit', async () => {
    const rows = ['timestamp,symbol,open,high,low,close,volume'];
    for (let k = 0; k < 50; k++) rows.push(`${T0 + k * 60_000},GLD,x,1,1,1,1`);
    const err = await failure(all(readCsvBars(await file(rows.join('\n')))));
    expect(err.problems).toHaveLength(20);
    expect(err.message).toContain('stopped after 20');
  });

  it('a bad row near the end of a large file then most bars delivered before it (read as it streams)', async () => {
    const rows = ['timestamp,symbol,open,high,low,close,volume'];
    for (let k = 0; k < 100_000; k++) rows.push(`${T0 + k * 60_000},GLD,1,1,1,1,1`);
    rows.push(`${T0 + 100_000 * 60_000},GLD,1,1,1,1,-1`);
    const path = await file(rows.join('\n'));
    let seen = 0;
    const err = await failure(
      (async () => {
        for await (const _ of readCsvBars(path)) seen++;
      })(),
    );
    expect(err.problems[0]).toContain('volume -1 is negative');
    expect(seen).toBeGreaterThan(50_000);
  });

  it('a range then only bars closing in [from, to), and reading stops at to', async () => {
    const rows = ['timestamp,symbol,open,high,low,close,volume'];
    for (let k = 0; k < 100; k++) rows.push(`${T0 + k * 60_000},GLD,1,1,1,1,1`, `${T0 + k * 60_000},AAA,1,1,1,1,1`);
    rows.push('garbage after the range is never read');
    const path = await file(rows.join('\n'));
    const bars = await all(readCsvBars(path, { intervalMs: 60_000, range: { from: T0 + 60_000, to: T0 + 3 * 60_000 } }));
    expect(bars.map((b) => [(b.ts - T0) / 60_000, b.symbol])).toEqual([[0, 'AAA'], [0, 'GLD'], [1, 'AAA'], [1, 'GLD']]);
  });

  it('a consumer that stops early then the file is closed and no error follows', async () => {
    const rows = ['timestamp,symbol,open,high,low,close,volume'];
    for (let k = 0; k < 50_000; k++) rows.push(`${T0 + k * 60_000},GLD,1,1,1,1,1`);
    let n = 0;
    for await (const _ of readCsvBars(await file(rows.join('\n')))) if (++n === 10) break;
    expect(n).toBe(10);
  });

  it('missing file then a HistoryError saying it cannot be read', async () => {
    const err = await failure(all(readCsvBars(join(dir, 'nope.csv'))));
    expect(err.message).toMatch(/nope\.csv: cannot read: .*ENOENT/);
  });

  it('empty file then an error asking for the header', async () => {
    const err = await failure(all(readCsvBars(await file(''))));
    expect(err.message).toContain('empty file');
  });

  it('bars closer than the given interval then an error naming the line', async () => {
    const path = await file(`timestamp,symbol,open,high,low,close,volume\n${T0},GLD,1,1,1,1,1\n${T0 + 30_000},GLD,1,1,1,1,1\n`);
    const err = await failure(all(readCsvBars(path, { intervalMs: 60_000 })));
    expect(err.problems).toEqual([`${path}:3: GLD bars 30000 ms apart, less than the interval 60000 ms`]);
  });
});

describe('scanCsv', () => {
  const text = [
    'timestamp,symbol,open,high,low,close,volume',
    `${T0},SLV,1,1,1,1,1`,
    `${T0},GLD,1,1,1,1,1`,
    `${T0 + 300_000},GLD,1,1,1,1,1`,
    `${T0 + 600_000},SLV,1,1,1,1,1`,
    `${T0 + 900_000},GLD,1,1,1,1,1`,
  ].join('\n');

  it('no interval given then the smallest gap of one symbol, with counts and range', async () => {
    const scan = await scanCsv(await file(text));
    expect(scan).toEqual({ symbols: ['GLD', 'SLV'], intervalMs: 300_000, start: T0, end: T0 + 1_200_000, bars: 5 });
  });

  it('a symbol filter then only its bars counted', async () => {
    const scan = await scanCsv(await file(text), { symbols: ['SLV'] });
    expect(scan).toEqual({ symbols: ['SLV'], intervalMs: 600_000, start: T0, end: T0 + 1_200_000, bars: 2 });
  });

  it('a filtered symbol absent from the file then an error naming it', async () => {
    const err = await failure(scanCsv(await file(text), { symbols: ['GLD', 'PALL'] }));
    expect(err.problems).toEqual(['symbol PALL has no bars in the file']);
  });

  it('one bar per symbol and no interval then an error asking for intervalMs', async () => {
    const err = await failure(scanCsv(await file(`timestamp,symbol,open,high,low,close,volume\n${T0},GLD,1,1,1,1,1\n`)));
    expect(err.problems[0]).toContain('give intervalMs');
  });
});
