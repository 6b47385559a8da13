import { describe, expect, it } from 'vitest';
import { FeedCore } from '../../../../actors/feed/feed.js';
import { feedConfig } from '../../../../actors/feed/config.js';
import { ConfigError } from '../../../../src/errors.js';
import { pack, unpack } from 'msgpackr';
import type { FeedBarMsg, FeedStatusMsg } from '../../../../actors/feed/messages.js';
import { T0, bar, quote, trade } from './helpers.js';

const M = 60_000;

function core(over: Parameters<typeof feedConfig>[1] = {}): FeedCore {
  return new FeedCore(feedConfig('GLD', { staleAfterMs: 30_000, minVolBars: 2, ...over }));
}

/** Drives trades at (exchange time = caller time) and collects outputs. */
function drive(feed: FeedCore, prices: number[], start: number, stepMs: number) {
  const bars: FeedBarMsg[] = [];
  const statuses: FeedStatusMsg[] = [];
  prices.forEach((p, i) => {
    const t = start + i * stepMs;
    const out = feed.onMarketData(trade(p, t), t);
    if (out.bar) bars.push(out.bar);
    if (out.status) statuses.push(out.status);
  });
  return { bars, statuses };
}

describe('FeedCore', () => {
  it('a valid trade then features published with the fresh status', () => {
    const feed = core();
    const out = feed.onMarketData(trade(200, T0), T0);
    expect(out.rejected).toBeNull();
    expect(out.features).toMatchObject({ type: 'feed.features', symbol: 'GLD', price: 200, seq: 1, source: 'trade', status: 'fresh' });
    expect(out.status).toMatchObject({ status: 'fresh', reason: 'first_data' });
  });

  it('a bad message then a rejection reason and nothing to publish', () => {
    const feed = core();
    const out = feed.onMarketData(trade(-1, T0), T0);
    expect(out.rejected).toBe('non_positive_price');
    expect(out.features).toBeNull();
    expect(out.status).toBeNull();
    expect(feed.counters().rejected.non_positive_price).toBe(1);
  });

  it('trades across minutes then closed bars carry returns and a volatility', () => {
    const feed = core();
    const { bars } = drive(feed, [100, 101, 102, 101.5, 103], T0, M);
    expect(bars.map((b) => b.close)).toEqual([100, 101, 102, 101.5]);
    expect(bars[0].ret).toBeNull();
    expect(bars[1].ret).toBeCloseTo(Math.log(101 / 100), 15);
    expect(bars[1].vol).toBeNull();
    expect(bars[2].vol).toBeGreaterThan(0);
    expect(feed.counters().barsClosed).toBe(4);
  });

  it('quotes only then mid and spread, no bars', () => {
    const feed = core();
    const out = feed.onMarketData(quote(199.9, 200.1, T0), T0);
    expect(out.features).toMatchObject({ source: 'quote', bid: 199.9, ask: 200.1, price: 200 });
    expect(out.features!.spreadBps).toBeCloseTo((0.2 / 200) * 1e4, 9);
    expect(out.bar).toBeNull();
  });

  it('silence on the virtual clock then onTime closes the bar and later reports stale once', () => {
    const feed = core({ barCloseGraceMs: 1_000, staleAfterMs: 120_000 });
    feed.onMarketData(trade(100, T0 + 5_000), T0 + 5_000);
    let out = feed.onTime(T0 + 20_000);
    expect(out.bar).toBeNull();
    expect(out.status).toBeNull();
    out = feed.onTime(T0 + M + 1_000);
    expect(out.bar).toMatchObject({ ts: T0, close: 100 });
    expect(out.status).toBeNull();
    expect(feed.onTime(T0 + 125_000).status).toBeNull();
    out = feed.onTime(T0 + 125_001);
    expect(out.status).toMatchObject({ status: 'stale', reason: 'no_update' });
    expect(feed.onTime(T0 + 200_000).status).toBeNull();
    expect(feed.status).toBe('stale');
  });

  it('bad data only then goes stale even though messages arrive', () => {
    const feed = core();
    feed.onMarketData(trade(100, T0), T0);
    for (let t = 1_000; t <= 40_000; t += 1_000) feed.onMarketData(trade(NaN, T0 + t), T0 + t);
    expect(feed.onTime(T0 + 40_000).status).toMatchObject({ status: 'stale' });
    expect(feed.counters().rejected.nan_price).toBe(40);
  });

  it('a minute with no trades then the next closed bar reports a gap', () => {
    const feed = core({ staleAfterMs: 10 * M });
    const { statuses } = drive(feed, [100, 101], T0, M);
    feed.onMarketData(trade(102, T0 + 3 * M), T0 + 3 * M); // closes bar T0+M, no skip
    const out = feed.onMarketData(trade(103, T0 + 4 * M), T0 + 4 * M); // closes bar T0+3M: skipped T0+2M
    expect(statuses.map((s) => s.reason)).toEqual(['first_data']);
    expect(out.status).toMatchObject({ status: 'gap', reason: 'bar_gap' });
    expect(out.features!.status).toBe('gap');
  });

  it('venue bar source then md.bar messages become the bars', () => {
    const feed = core({ barSource: 'venue' });
    // The output object is reused by the next call: read it first.
    const a = feed.onMarketData(bar(T0, 100), T0 + M).bar;
    expect(a).toMatchObject({ type: 'feed.bar', ts: T0, close: 100, ret: null });
    const b = feed.onMarketData(bar(T0 + M, 102), T0 + 2 * M);
    expect(a!.close).toBe(100); // the messages themselves are not reused
    expect(b.bar!.ret).toBeCloseTo(Math.log(102 / 100), 15);
    expect(b.features).toMatchObject({ source: 'bar', bars: 2 });
    // Trades do not build bars in this mode.
    expect(feed.onMarketData(trade(103, T0 + 3 * M), T0 + 3 * M).bar).toBeNull();
  });

  it('trade bar source then md.bar only keeps the feed alive', () => {
    const feed = core();
    const out = feed.onMarketData(bar(T0, 100), T0);
    expect(out.rejected).toBeNull();
    expect(out.bar).toBeNull();
    expect(out.features).toBeNull();
    expect(out.status).toMatchObject({ status: 'fresh' });
  });

  it('snapshot through JSON and restore then the restarted feed resumes warm', () => {
    const a = core();
    drive(a, [100, 101, 102, 103], T0, M);
    a.onMarketData(trade(104, T0 + 4 * M + 10), T0 + 4 * M + 10);
    const { core: b, warm, problem } = FeedCore.fromSnapshot(JSON.parse(JSON.stringify(a.snapshot())), a.config);
    expect(warm).toBe(true);
    expect(problem).toBeNull();
    const t = T0 + 5 * M;
    const outA = a.onMarketData(trade(105, t), t);
    const outB = b.onMarketData(trade(105, t), t);
    expect(outB.bar).toEqual(outA.bar);
    expect(outB.features).toEqual(outA.features);
    expect(b.history()).toEqual(a.history());
    // Duplicate detection survived the restart.
    expect(b.onMarketData(trade(105, t, { id: 42_000 }), t).rejected).toBeNull();
    expect(b.onMarketData(trade(105, t, { id: 42_000 }), t).rejected).toBe('duplicate');
  });

  it('snapshot for another symbol or interval then starts cold with the problem named', () => {
    const a = core();
    drive(a, [100, 101], T0, M);
    const snap = a.snapshot();
    const other = FeedCore.fromSnapshot(snap, feedConfig('SLV'));
    expect(other.warm).toBe(false);
    expect(other.problem).toContain('GLD');
    const interval = FeedCore.fromSnapshot(snap, feedConfig('GLD', { barIntervalMs: 5 * M }));
    expect(interval.warm).toBe(false);
    expect(FeedCore.fromSnapshot(null, a.config).warm).toBe(false);
    expect(FeedCore.fromSnapshot({ version: 1, symbol: 'GLD', barIntervalMs: M }, a.config).problem).toContain('missing');
  });

  it('invalid config then every violation reported together', () => {
    try {
      feedConfig('GLD', { barIntervalMs: 0, staleAfterMs: -1, historyCapacity: 1 });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const v = (err as ConfigError).violations;
      expect(v).toHaveLength(3);
      expect(v.join('\n')).toContain('feed[GLD].barIntervalMs');
      expect(v.join('\n')).toContain('feed[GLD].staleAfterMs');
    }
  });

  it('latest before and after data then null, then the last features', () => {
    const feed = core();
    expect(feed.latest()).toBeNull();
    feed.onMarketData(quote(99, 101, T0), T0);
    expect(feed.latest()).toMatchObject({ price: 100, source: 'quote', seq: 1 });
  });

  it('messages and snapshot through msgpack then arrive unchanged', () => {
    const feed = core();
    drive(feed, [100, 101, 102, 103], T0, M);
    const out = feed.onMarketData(quote(102.9, 103.1, T0 + 4 * M), T0 + 4 * M);
    expect(unpack(pack(out.features))).toEqual(out.features);
    expect(unpack(pack(feed.history()))).toEqual(feed.history());
    const snap = feed.snapshot();
    const back = FeedCore.fromSnapshot(unpack(pack(snap)), feed.config);
    expect(back.warm).toBe(true);
    expect(back.core.snapshot()).toEqual(snap);
  });
});
