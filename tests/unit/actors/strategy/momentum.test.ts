import { describe, expect, it } from 'vitest';
import { tsmom12_1, tsmomShort } from '../../../../actors/strategy/catalog/momentum.js';
import type { Signal } from '../../../../actors/strategy/signal.js';
import { extend, viewWith, walk } from './helpers.js';

const one = (signals: Signal[], symbol: string) => signals.find((s) => s.symbol === symbol);

describe('tsmom_12_1', () => {
  it('a rising formation window then long, a falling one then short', () => {
    const up = viewWith({ GLD: walk(300, 100, 0.01, 0.002, 11) });
    const down = viewWith({ GLD: walk(300, 100, 0.01, -0.002, 12) });
    expect(one(tsmom12_1.evaluate(up, tsmom12_1.params, 0), 'GLD')!.direction).toBe(1);
    expect(one(tsmom12_1.evaluate(down, tsmom12_1.params, 0), 'GLD')!.direction).toBe(-1);
  });

  it('t-statistic then computed from the skip-adjusted return and bar volatility', () => {
    const closes = walk(300, 100, 0.01, 0.002, 13);
    const s = one(tsmom12_1.evaluate(viewWith({ SLV: closes }), tsmom12_1.params, 0), 'SLV')!;
    const n = closes.length;
    const r = Math.log(closes[n - 1 - 21] / closes[n - 1 - 252]);
    const rets = [];
    for (let i = n - 252; i < n; i++) rets.push(Math.log(closes[i] / closes[i - 1]));
    const m = rets.reduce((a, b) => a + b, 0) / rets.length;
    const sd = Math.sqrt(rets.reduce((a, b) => a + (b - m) ** 2, 0) / (rets.length - 1));
    const t = r / (sd * Math.sqrt(231));
    expect(s.reason).toContain(`t=${t.toFixed(2)}`);
    expect(s.strength).toBeCloseTo(Math.tanh(Math.abs(t) / 1.5), 12);
  });

  it('a sharp fall inside the skipped stretch then still long (the -1 of 12-1)', () => {
    const rising = walk(280, 100, 0.005, 0.003, 14);
    const closes = extend(rising, Array(15).fill(-0.01));
    expect(one(tsmom12_1.evaluate(viewWith({ GDX: closes }), tsmom12_1.params, 0), 'GDX')!.direction).toBe(1);
  });

  it('fewer than lookback + 1 bars then no signal', () => {
    expect(tsmom12_1.evaluate(viewWith({ GLD: walk(252, 100, 0.01, 0.002, 15) }), tsmom12_1.params, 0)).toEqual([]);
  });
});

describe('tsmom_3_0', () => {
  it('a quarter of rising bars then long, and it turns short when the quarter falls', () => {
    const up = walk(100, 30, 0.01, 0.004, 16);
    expect(one(tsmomShort.evaluate(viewWith({ GDXJ: up }), tsmomShort.params, 0), 'GDXJ')!.direction).toBe(1);
    const turned = extend(up, walk(64, 1, 0.01, -0.006, 17).map((x, i, a) => (i === 0 ? 0 : Math.log(x / a[i - 1]))).slice(1));
    expect(one(tsmomShort.evaluate(viewWith({ GDXJ: turned }), tsmomShort.params, 0), 'GDXJ')!.direction).toBe(-1);
  });
});
