import { describe, expect, it } from 'vitest';
import { MacroModel } from '../../../../venue/market/macro.js';

const START = Date.UTC(2025, 0, 6, 14, 30);

function diffs(xs: readonly (number | null)[]): number[] {
  const out: number[] = [];
  for (let k = 1; k < xs.length; k++) if (xs[k] !== null && xs[k - 1] !== null) out.push(xs[k]! - xs[k - 1]!);
  return out;
}

function correlation(a: readonly number[], b: readonly number[]): number {
  const n = Math.min(a.length, b.length);
  const ma = a.slice(0, n).reduce((x, y) => x + y, 0) / n;
  const mb = b.slice(0, n).reduce((x, y) => x + y, 0) / n;
  let c = 0, va = 0, vb = 0;
  for (let k = 0; k < n; k++) {
    c += (a[k] - ma) * (b[k] - mb);
    va += (a[k] - ma) ** 2;
    vb += (b[k] - mb) ** 2;
  }
  return c / Math.sqrt(va * vb);
}

describe('MacroModel', () => {
  const m = new MacroModel({ seed: 21, start: START, historyDays: 780 });

  it('history then holds weekdays only, oldest first, ending before the start', () => {
    const s = m.series('DFII10')!;
    expect(s.length).toBe(780);
    for (const o of s) expect([0, 6]).not.toContain(new Date(o.date + 'T00:00:00Z').getUTCDay());
    expect(s[s.length - 1].date).toBe('2025-01-03');
    expect([...s].sort((a, b) => (a.date < b.date ? -1 : 1))).toEqual(s);
  });

  it('series then contain some missing days (FRED ".") on the same holiday across series', () => {
    const missing = m.series('DFII10')!.filter((o) => o.value === null).length;
    expect(missing).toBeGreaterThan(5);
    expect(missing).toBeLessThan(80);
    const holidays = m.series('DFII10')!.filter((o, k) => o.value === null && m.series('T10YIE')![k].value === null);
    expect(holidays.length).toBeGreaterThan(0);
  });

  it('real yields and the dollar then move against gold; breakevens with it', () => {
    // Drive a model with a known gold path and compare each day's macro changes with gold's return.
    const g: number[] = [];
    const y: (number | null)[] = [];
    const usd: (number | null)[] = [];
    const be: (number | null)[] = [];
    const live = new MacroModel({ seed: 4, start: START, historyDays: 10 });
    let gold = live.goldSpot;
    let price = gold;
    const rng = (k: number): number => Math.sin(k * 12.9898) * 0.012; // a deterministic gold path for the test
    for (let d = 0; d < 600; d++) {
      price = gold * Math.exp(rng(d));
      const day = START + (d + 1) * 86_400_000;
      if (live.recordClose(day, price, 25)) {
        g.push(Math.log(price / gold));
        gold = price;
        y.push(live.series('DFII10')!.at(-1)!.value);
        usd.push(live.series('DTWEXBGS')!.at(-1)!.value);
        be.push(live.series('T10YIE')!.at(-1)!.value);
      }
    }
    const ok = (k: number): boolean => k > 0 && y[k] !== null && y[k - 1] !== null && usd[k] !== null && usd[k - 1] !== null && be[k] !== null && be[k - 1] !== null;
    const idx = g.map((_, k) => k).filter(ok);
    const dy = idx.map((k) => y[k]! - y[k - 1]!);
    const dd = idx.map((k) => Math.log(usd[k]! / usd[k - 1]!));
    const db = idx.map((k) => be[k]! - be[k - 1]!);
    const rg = idx.map((k) => g[k]);
    expect(correlation(rg, dy)).toBeLessThan(-0.3);
    expect(correlation(rg, dd)).toBeLessThan(-0.3);
    expect(correlation(rg, db)).toBeGreaterThan(0.2);
    expect(diffs(y).length).toBeGreaterThan(0);
  });

  it('COT rows then fall on Tuesdays and managed-money net length follows the gold trend', () => {
    const rows = m.cot('gold');
    expect(rows.length).toBeGreaterThan(150);
    for (const r of rows) expect(new Date(r.reportDate + 'T00:00:00Z').getUTCDay()).toBe(2);
    const net = rows.map((r) => r.managedMoneyLong - r.managedMoneyShort);
    expect(new Set(net).size).toBeGreaterThan(rows.length / 2);
    for (const r of rows) {
      expect(r.managedMoneyLong).toBeGreaterThan(0);
      expect(r.managedMoneyShort).toBeGreaterThan(0);
      expect(r.openInterest).toBeGreaterThan(r.managedMoneyLong);
    }
  });

  it('a rising gold path then pushes managed-money net length up', () => {
    const up = new MacroModel({ seed: 8, start: START, historyDays: 5 });
    const down = new MacroModel({ seed: 8, start: START, historyDays: 5 });
    let gu = up.goldSpot;
    let gd = down.goldSpot;
    for (let d = 1; d <= 140; d++) {
      gu *= 1.004;
      gd /= 1.004;
      up.recordClose(START + d * 86_400_000, gu, 25);
      down.recordClose(START + d * 86_400_000, gd, 25);
    }
    const lastNet = (mm: MacroModel): number => {
      const r = mm.cot('gold').at(-1)!;
      return r.managedMoneyLong - r.managedMoneyShort;
    };
    expect(lastNet(up)).toBeGreaterThan(lastNet(down) + 100_000);
  });

  it('recordClose on a weekend or an already recorded day then is ignored', () => {
    const mm = new MacroModel({ seed: 1, start: START, historyDays: 5 });
    const n = mm.series('DFII10')!.length;
    expect(mm.recordClose(Date.UTC(2025, 0, 4), 2000, 25)).toBe(false); // Saturday
    expect(mm.recordClose(Date.UTC(2025, 0, 3), 2000, 25)).toBe(false); // already in history
    expect(mm.series('DFII10')!.length).toBe(n);
  });
});
