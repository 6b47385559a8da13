import { describe, expect, it } from 'vitest';
import { PM_UNIVERSE, BROAD_UNIVERSE } from '../../../../src/universe/index.js';
import { SimulatedMarket } from '../../../../venue/market/market.js';
import type { BarEvent, MarketEvent, TradeEvent } from '../../../../src/matching/events.js';
import { Prng } from '../../../../src/prng.js';

const START = Date.UTC(2025, 0, 6, 14, 30);

function market(seed: number, extra: Partial<ConstructorParameters<typeof SimulatedMarket>[0]> = {}): SimulatedMarket {
  return new SimulatedMarket({ seed, instruments: PM_UNIVERSE, start: START, stepMs: 1000, ...extra });
}

function correlation(a: readonly number[], b: readonly number[]): number {
  const n = a.length;
  const ma = a.reduce((x, y) => x + y, 0) / n;
  const mb = b.reduce((x, y) => x + y, 0) / n;
  let c = 0;
  let va = 0;
  let vb = 0;
  for (let k = 0; k < n; k++) {
    c += (a[k] - ma) * (b[k] - mb);
    va += (a[k] - ma) ** 2;
    vb += (b[k] - mb) ** 2;
  }
  return c / Math.sqrt(va * vb);
}

/** Log returns of each symbol's mid over `samples` intervals of `stepsPer` steps. */
function midReturns(m: SimulatedMarket, symbols: readonly string[], samples: number, stepsPer: number): Record<string, number[]> {
  const mid = (s: string): number => Math.log((m.quote(s)!.bid + m.quote(s)!.ask) / 2);
  m.step(1);
  const last = Object.fromEntries(symbols.map((s) => [s, mid(s)]));
  const out: Record<string, number[]> = Object.fromEntries(symbols.map((s) => [s, []]));
  for (let k = 0; k < samples; k++) {
    m.step(stepsPer);
    for (const s of symbols) {
      const x = mid(s);
      out[s].push(x - last[s]);
      last[s] = x;
    }
  }
  return out;
}

describe('Prng', () => {
  it('same seed then same sequence; different seed then a different one', () => {
    const draw = (seed: number): number[] => {
      const r = new Prng(seed);
      return Array.from({ length: 8 }, () => r.nextU32());
    };
    expect(draw(1)).toEqual(draw(1));
    expect(draw(1)).not.toEqual(draw(2));
  });

  it('normal draws then have mean near 0 and variance near 1', () => {
    const r = new Prng(99);
    const xs = Array.from({ length: 20_000 }, () => r.normal());
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length;
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(variance - 1)).toBeLessThan(0.05);
  });
});

describe('SimulatedMarket', () => {
  it('same seed then the same events; a different seed then different ones', () => {
    const a = market(5).step(200);
    const b = market(5).step(200);
    const c = market(6).step(200);
    expect(a.length).toBeGreaterThan(0);
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  });

  it('gold miners then correlate positively and substantially with GLD', () => {
    const r = midReturns(market(11, { volScale: 5 }), ['GLD', 'GDX', 'NEM', 'IAU', 'SLV'], 600, 10);
    expect(correlation(r.GLD, r.GDX)).toBeGreaterThan(0.5);
    expect(correlation(r.GLD, r.NEM)).toBeGreaterThan(0.4);
    expect(correlation(r.GLD, r.IAU)).toBeGreaterThan(0.9);
    expect(correlation(r.GLD, r.SLV)).toBeGreaterThan(0.5);
  });

  it('broad universe then energy moves less with gold than miners do', () => {
    const m = new SimulatedMarket({ seed: 3, instruments: BROAD_UNIVERSE, start: START, stepMs: 1000, volScale: 5 });
    const r = midReturns(m, ['GLD', 'GDX', 'XOM'], 600, 10);
    expect(correlation(r.GLD, r.GDX)).toBeGreaterThan(correlation(r.GLD, r.XOM) + 0.2);
  });

  it('every quote then has ask above bid; stressed regime then quotes wider', () => {
    const calm = market(2);
    calm.forceRegime('calm');
    const spreadOf = (evs: MarketEvent[]): number => {
      const qs = evs.filter((e) => e.kind === 'quote' && e.symbol === 'NEM');
      return qs.reduce((a, q) => a + (q.kind === 'quote' ? q.ask - q.bid : 0), 0) / qs.length;
    };
    const calmEvents = calm.step(300);
    for (const e of calmEvents) if (e.kind === 'quote') expect(e.ask).toBeGreaterThan(e.bid);
    const stressed = market(2);
    stressed.forceRegime('stressed');
    // Force again each step batch: the chain may leave stressed quickly.
    let wide = 0;
    for (let k = 0; k < 30; k++) {
      stressed.forceRegime('stressed');
      wide += spreadOf(stressed.step(10));
    }
    expect(wide / 30).toBeGreaterThan(spreadOf(calmEvents));
  });

  it('trades then build minute bars whose OHLCV matches the trades of that minute', () => {
    const m = market(8);
    const events = m.step(200);
    const bars = events.filter((e): e is BarEvent => e.kind === 'bar' && e.symbol === 'GLD');
    expect(bars.length).toBeGreaterThanOrEqual(2);
    const bar = bars[1];
    const trades = events.filter((e): e is TradeEvent => e.kind === 'trade' && e.symbol === 'GLD' && e.ts >= bar.ts && e.ts < bar.ts + 60_000);
    expect(bar.open).toBe(trades[0].price);
    expect(bar.close).toBe(trades[trades.length - 1].price);
    expect(bar.high).toBe(Math.max(...trades.map((t) => t.price)));
    expect(bar.low).toBe(Math.min(...trades.map((t) => t.price)));
    expect(bar.volume).toBe(trades.reduce((a, t) => a + t.size, 0));
    expect(bar.trades).toBe(trades.length);
    expect(m.minuteBars('GLD', bar.ts, bar.ts + 1)).toEqual([bar]);
  });

  it('history minutes then bars exist before the start and nothing is streamed for them', () => {
    const m = market(4, { historyMinutes: 30 });
    expect(m.now).toBe(START);
    const history = m.minuteBars('GLD', START - 30 * 60_000, START);
    expect(history.length).toBeGreaterThanOrEqual(28);
    expect(m.ticksGenerated).toBe(0);
  });

  it('advanceTo then steps exactly up to the target and reports the count', () => {
    const m = market(1, { stepMs: 100 });
    const seen: number[] = [];
    m.onEvents((evs) => seen.push(evs.length));
    expect(m.advanceTo(START + 1050)).toBe(10);
    expect(m.now).toBe(START + 1000);
    expect(m.advanceTo(START + 5000, 3)).toBe(3);
    expect(seen.length).toBe(2);
  });

  it('crossing UTC midnight on a weekday then appends a day to the macro series', () => {
    const m = new SimulatedMarket({ seed: 9, instruments: PM_UNIVERSE, start: Date.UTC(2025, 0, 7, 23, 0), stepMs: 60_000 });
    const before = m.macro.series('DFII10')!.length;
    const lastBefore = m.macro.lastDate;
    m.step(90);
    expect(m.macro.series('DFII10')!.length).toBe(before + 1);
    expect(lastBefore).toBe('2025-01-06');
    expect(m.macro.lastDate).toBe('2025-01-07');
  });
});
