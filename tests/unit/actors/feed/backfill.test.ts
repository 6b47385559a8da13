import { describe, expect, it } from 'vitest';
import { selectBackfill, validBackfillBar } from '../../../../actors/feed/backfill.js';
import { feedConfig } from '../../../../actors/feed/config.js';
import { FeedCore } from '../../../../actors/feed/feed.js';
import type { BarLike } from '../../../../actors/feed/features.js';
import type { FeedBarMsg } from '../../../../actors/feed/messages.js';
import { T0, bar, trade } from './helpers.js';

const M = 60_000;

/** n bars of a seeded zig-zag walk, one a minute, starting at `start`. */
function history(n: number, start: number, p0 = 200): BarLike[] {
  const out: BarLike[] = [];
  let p = p0;
  for (let i = 0; i < n; i++) {
    const next = Math.round(p * (1 + 0.001 * Math.sin(i * 1.7) + 0.0004 * ((i * 7919) % 5 - 2)) * 100) / 100;
    out.push({ ts: start + i * M, open: p, high: Math.max(p, next) + 0.02, low: Math.min(p, next) - 0.02, close: next, volume: 1000 + i });
    p = next;
  }
  return out;
}

function core(over: Parameters<typeof feedConfig>[1] = {}): FeedCore {
  return new FeedCore(feedConfig('GLD', { staleAfterMs: 10 * M, minVolBars: 5, ...over }));
}

describe('selectBackfill', () => {
  const bounds = { intervalMs: M, cutoff: T0 + 10 * M, now: T0 + 10 * M + 5_000, free: 100 };

  it('bars in any order then the closed ones older than the cutoff come back sorted', () => {
    const bars = history(10, T0);
    const shuffled = [bars[3], bars[0], bars[9], bars[5], bars[1], bars[2], bars[8], bars[4], bars[6], bars[7]];
    const r = selectBackfill(shuffled, bounds);
    expect(r.accepted.map((b) => b.ts)).toEqual(bars.map((b) => b.ts));
    expect(Object.values(r.dropped).every((n) => n === 0)).toBe(true);
  });

  it('overlapping, open, invalid, duplicate and surplus bars then each dropped and counted by reason', () => {
    const bars = history(14, T0); // T0 .. T0+13M
    const bad: BarLike[] = [
      { ...bars[0], ts: T0 + 30_000 }, // not aligned
      { ...bars[1], high: bars[1].low - 1 }, // high below low
      { ...bars[2], close: Number.NaN },
      { ...bars[3], volume: -1 },
    ];
    const r = selectBackfill([...bars, bars[4], ...bad], { ...bounds, cutoff: T0 + 11 * M, now: T0 + 11 * M, free: 6 });
    // ts < cutoff (T0+11M) and closed: T0..T0+10M = 11 bars, the newest 6 fit.
    expect(r.accepted.map((b) => (b.ts - T0) / M)).toEqual([5, 6, 7, 8, 9, 10]);
    expect(r.dropped).toEqual({ overlap: 3, open: 0, invalid: 4, duplicate: 1, no_room: 5 });
  });

  it('no live data then the bar still open at now is dropped as open', () => {
    const bars = history(3, T0);
    const r = selectBackfill(bars, { intervalMs: M, cutoff: Infinity, now: T0 + 2 * M + 59_000, free: 10 });
    expect(r.accepted.map((b) => b.ts)).toEqual([T0, T0 + M]);
    expect(r.dropped.open).toBe(1);
  });

  it('a bar with consistent OHLC on a 5-minute boundary then valid for a 5-minute interval only there', () => {
    const b: BarLike = { ts: T0 + 5 * M, open: 10, high: 11, low: 9, close: 10.5, volume: 0 };
    expect(validBackfillBar(b, 5 * M)).toBe(true);
    expect(validBackfillBar({ ...b, ts: T0 + 6 * M }, 5 * M)).toBe(false);
    expect(validBackfillBar({ ...b, open: 0 }, 5 * M)).toBe(false);
  });
});

describe('FeedCore.backfill', () => {
  it('a cold feed then the history holds the bars and the volatility equals the all-live one', () => {
    const bars = history(40, T0);
    const cold = core();
    const out = cold.backfill(bars, T0 + 41 * M);
    expect(out.inserted).toBe(40);
    expect(out.history).toMatchObject({ type: 'feed.history', symbol: 'GLD', intervalMs: M });
    expect(out.history!.close).toEqual(bars.map((b) => b.close));
    expect(out.history!.ts).toEqual(bars.map((b) => b.ts));
    expect(out.features).toBeNull(); // no live data yet: no price to publish
    expect(cold.counters().backfilled).toBe(40);

    // The same bars arriving live (venue bar mode) give the same volatility and last return.
    const live = core({ barSource: 'venue' });
    let last: FeedBarMsg | null = null;
    for (const b of bars) last = live.onMarketData(bar(b.ts, b.close, { open: b.open, high: b.high, low: b.low, volume: b.volume }), b.ts + M).bar ?? last;
    const t = T0 + 41 * M;
    const f = cold.onMarketData(trade(bars[39].close, t), t).features!;
    expect(f.vol).toBeCloseTo(last!.vol!, 12);
    expect(f.barRet).toBeCloseTo(last!.ret!, 15);
    expect(f.bars).toBe(40);
  });

  it('live bars already built then only older bars go in, before them, and the overlap is counted', () => {
    const bars = history(30, T0); // T0 .. T0+29M
    const feed = core();
    // Live trades from T0+25M: bars 25..27 close live, 28 is in progress.
    for (let k = 25; k <= 28; k++) feed.onMarketData(trade(bars[k].close, T0 + k * M + 1_000), T0 + k * M + 1_000);
    const before = feed.history();
    expect(before.ts.map((x) => (x - T0) / M)).toEqual([25, 26, 27]);
    const out = feed.backfill(bars, T0 + 28 * M + 2_000);
    expect(out.inserted).toBe(25);
    // 25-27 closed live, 28 is being built, 29 lies after it: all at or after the oldest live bar.
    expect(out.dropped).toMatchObject({ overlap: 5, open: 0 });
    expect(out.history!.ts.map((x) => (x - T0) / M)).toEqual([...Array(28).keys()]);
    // The live closes stay as built from trades, not replaced by the venue's.
    expect(out.history!.close.slice(25)).toEqual(before.close);
    expect(out.features).toMatchObject({ type: 'feed.features', seq: 5 });
    expect(out.features!.vol).toBeGreaterThan(0);
  });

  it('a trade for a backfilled minute after the backfill then it is late and builds no bar', () => {
    const bars = history(10, T0);
    const feed = core();
    feed.backfill(bars, T0 + 10 * M + 500);
    const late = feed.onMarketData(trade(200, T0 + 9 * M + 30_000), T0 + 10 * M + 600);
    expect(late.rejected).toBeNull();
    expect(feed.counters().lateTrades).toBe(1);
    feed.onMarketData(trade(201, T0 + 10 * M + 700), T0 + 10 * M + 700);
    const next = feed.onMarketData(trade(202, T0 + 11 * M + 100), T0 + 11 * M + 100);
    expect(next.bar).toMatchObject({ ts: T0 + 10 * M, close: 201 });
    expect(feed.history().ts.length).toBe(11);
  });

  it('more bars than the history holds then the newest that fit are kept and the rest counted', () => {
    const feed = core({ historyCapacity: 16 });
    const out = feed.backfill(history(20, T0), T0 + 20 * M);
    expect(out.inserted).toBe(16);
    expect(out.dropped.no_room).toBe(4);
    expect(out.history!.ts[0]).toBe(T0 + 4 * M);
    expect(feed.counters().backfillDropped.no_room).toBe(4);
  });

  it('nothing usable then nothing to publish and the history unchanged', () => {
    const feed = core();
    const out = feed.backfill([{ ts: T0, open: 1, high: 0.5, low: 2, close: 1, volume: 1 }], T0 + 5 * M);
    expect(out).toMatchObject({ inserted: 0, history: null, features: null });
    expect(out.dropped.invalid).toBe(1);
    expect(feed.history().ts).toEqual([]);
  });

  it('a backfilled feed then its snapshot restores warm with the same history', () => {
    const feed = core();
    feed.backfill(history(12, T0), T0 + 12 * M);
    const { core: b, warm } = FeedCore.fromSnapshot(JSON.parse(JSON.stringify(feed.snapshot())), feed.config);
    expect(warm).toBe(true);
    expect(b.history()).toEqual(feed.history());
  });
});
