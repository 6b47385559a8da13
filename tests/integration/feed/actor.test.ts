/**
 * The `feed:<SYMBOL>` actor in a worker: validation reasons counted (state
 * and metrics), stale detection on the virtual clock, conflation while the
 * feed lags, the default mailbox losing nothing, warm restart after a crash,
 * and the bar history ask.
 */
import { describe, expect, it } from 'vitest';
import type { ActorSystem, Message } from '../../../src/runtime/index.js';
import { MARKET_DATA_STRUCTURES } from '../../../actors/market-data/index.js';
import { CONFLATING_FEED_MAILBOX, feedSpec } from '../../../app/daemon/market-data-specs.js';
import type { BarMsg, QuoteMsg, TradeMsg } from '../../../actors/market-data/messages.js';
import type { FeedFeaturesMsg, FeedHistoryMsg, FeedStatusMsg } from '../../../actors/feed/messages.js';
import { useSystem } from '../../helpers/system.js';
import { eventually } from '../../helpers/fixtures.js';
import { Collector } from '../venue/helpers.js';
import { feedInfo } from '../market-data/helpers.js';

const T0 = Date.UTC(2025, 0, 6, 15, 0);
const startSystem = useSystem();

const trade = (ts: number, price: number, id: number, size = 100): TradeMsg => ({ type: 'md.trade', symbol: 'GLD', price, size, id, ts });
const quote = (ts: number, bid: number, ask: number): QuoteMsg => ({ type: 'md.quote', symbol: 'GLD', bid, ask, bidSize: 5, askSize: 7, ts });
const bar = (ts: number, o: number, h: number, l: number, c: number): BarMsg => ({ type: 'md.bar', symbol: 'GLD', open: o, high: h, low: l, close: c, volume: 1000, ts, trades: 10, vwap: (h + l) / 2 });

async function virtualFeed(options: { staleAfterMs?: number; faults?: boolean; mailbox?: typeof CONFLATING_FEED_MAILBOX; everyMessages?: number } = {}): Promise<{
  system: ActorSystem;
  statuses: Collector<FeedStatusMsg>;
  features: Collector<FeedFeaturesMsg>;
}> {
  const system = await startSystem({ clock: 'virtual', startTime: T0, structures: MARKET_DATA_STRUCTURES, faults: options.faults ?? false });
  const statuses = new Collector<FeedStatusMsg>();
  const features = new Collector<FeedFeaturesMsg>();
  await system.subscribe('feed_status', (m: Message) => statuses.push(m as FeedStatusMsg));
  await system.subscribe('features', (m: Message) => features.push(m as FeedFeaturesMsg));
  const spec = feedSpec('GLD', {
    args: { tickMs: 1000, config: { staleAfterMs: options.staleAfterMs ?? 5000, barIntervalMs: 60_000, barCloseGraceMs: 0 } },
    mailbox: options.mailbox,
  });
  await system.spawn({ ...spec, ...(options.everyMessages ? { snapshot: { everyMessages: options.everyMessages } } : {}) });
  return { system, statuses, features };
}

describe('feed actor', () => {
  it('bad data then each rejection is counted by reason, in state and in metrics, and good data flows', async () => {
    const { system, features } = await virtualFeed();
    const msgs: Message[] = [
      trade(T0 - 3000, 100, 1), // accepted
      trade(T0 - 2900, Number.NaN, 2), // nan_price
      trade(T0 - 2800, -1, 3), // non_positive_price
      trade(T0 - 2700, 0, 4), // non_positive_price
      trade(T0 - 2600, 100.1, 1), // duplicate (id 1)
      trade(T0 - 3500, 100.1, 5), // out_of_order
      trade(T0 - 2500, 100.2, 5, 0), // bad_size
      quote(T0 - 2400, 100.3, 100.1), // crossed_quote
      quote(T0 - 2300, 100.0, 100.2), // accepted
      quote(T0 - 2300, 100.0, 100.2), // duplicate (identical quote)
      { ...trade(T0 - 2200, 100, 6), symbol: 'SLV' }, // unknown_symbol
      trade(T0 + 60_000, 100, 7), // future_timestamp (default limit 5 s)
      bar(T0 - 120_000, 100, 99, 101, 100), // bad_bar (high < low)
      trade(T0 - 2000, 100.05, 8), // accepted
    ];
    for (const m of msgs) system.tell('feed:GLD', m);
    await system.settle();
    const info = await feedInfo(system, 'GLD');
    expect(info.received).toEqual({ trade: 10, quote: 3, bar: 1 });
    expect(info.accepted).toBe(3);
    const nonZero = Object.fromEntries(Object.entries(info.rejected).filter(([, n]) => n > 0));
    expect(nonZero).toEqual({ nan_price: 1, non_positive_price: 2, duplicate: 2, out_of_order: 1, bad_size: 1, crossed_quote: 1, unknown_symbol: 1, future_timestamp: 1, bad_bar: 1 });

    const metrics = (await system.metricsJson()).flat();
    const rejected = metrics.find((m) => m.name === 'qgtm_feed_rejected_total')!;
    const byReason = Object.fromEntries(rejected.values.filter((v) => v.value > 0).map((v) => [v.labels.reason, v.value]));
    expect(byReason).toEqual(nonZero);
    const ticks = metrics.find((m) => m.name === 'qgtm_feed_ticks_total')!;
    expect(ticks.values.reduce((a, v) => a + v.value, 0)).toBe(msgs.length);

    // Only accepted ticks produce features, in order, each with its own sequence number.
    expect(features.items.map((f) => [f.seq, f.source, f.price])).toEqual([
      [1, 'trade', 100],
      [2, 'quote', 100],
      [3, 'trade', 100.05],
    ]);
    expect(features.items[2]).toMatchObject({ symbol: 'GLD', bid: 100, ask: 100.2, status: 'fresh' });
  });

  it('no update for longer than staleAfterMs on the virtual clock then stale exactly once, fresh again on data', async () => {
    const { system, statuses } = await virtualFeed({ staleAfterMs: 5000 });
    system.tell('feed:GLD', trade(T0 - 100, 100, 1));
    await system.settle();
    expect(statuses.items.map((s) => [s.status, s.reason, s.ts])).toEqual([['fresh', 'first_data', T0]]);
    // Ticks run each second from spawn (T0); at T0+5000 the feed has been silent exactly 5000 ms: not yet stale.
    await system.advance(5000);
    expect(statuses.items).toHaveLength(1);
    await system.advance(1000);
    expect(statuses.items).toHaveLength(2);
    expect(statuses.items[1]).toMatchObject({ status: 'stale', previous: 'fresh', reason: 'no_update', ts: T0 + 6000, lastUpdateAt: T0 });
    await system.advance(10_000);
    expect(statuses.items).toHaveLength(2);
    expect((await feedInfo(system, 'GLD')).status).toBe('stale');

    system.tell('feed:GLD', trade(T0 + 16_000, 100.1, 2));
    await system.settle();
    expect(statuses.items[2]).toMatchObject({ status: 'fresh', previous: 'stale', reason: 'resumed', ts: T0 + 16_000 });
  });

  it('a bar interval passes on the virtual clock then the bar built from trades closes and is published', async () => {
    const { system } = await virtualFeed({ staleAfterMs: 600_000 });
    const bars = new Collector<Message & Record<string, number>>();
    await system.subscribe('bars', (m: Message) => bars.push(m as Message & Record<string, number>));
    const minute = Math.floor(T0 / 60_000) * 60_000;
    [100, 101, 99.5, 100.5].forEach((p, k) => system.tell('feed:GLD', trade(minute + 1000 * (k + 1), p, k + 1, 10 * (k + 1))));
    await system.settle();
    expect(bars.items).toHaveLength(0);
    await system.advance(61_000);
    expect(bars.items).toHaveLength(1);
    expect(bars.items[0]).toMatchObject({ type: 'feed.bar', ts: minute, open: 100, high: 101, low: 99.5, close: 100.5, volume: 100, trades: 4 });
    const history = await system.ask<FeedHistoryMsg>('feed:GLD', { type: 'feed.get_history' } as Message, { timeoutMs: 2000 });
    expect(history).toMatchObject({ type: 'feed.history', symbol: 'GLD', intervalMs: 60_000, ts: [minute], close: [100.5], volume: [100] });
  });

  it('conflating mailbox while the feed lags then only the newest message per type is handled', async () => {
    const { system, features } = await virtualFeed({ mailbox: CONFLATING_FEED_MAILBOX });
    await system.pause('feed:GLD');
    for (let k = 1; k <= 5; k++) system.tell('feed:GLD', trade(T0 - 1000 + k, 100 + k / 10, k));
    for (let k = 1; k <= 3; k++) system.tell('feed:GLD', quote(T0 - 1000 + k, 100 + k / 10, 100.5 + k / 10));
    await system.settle();
    const [queued] = await system.inspect('feed:GLD');
    expect(queued.mailboxDepth).toBe(2);
    await system.resume('feed:GLD');
    await system.settle();
    const info = await feedInfo(system, 'GLD');
    expect(info.received).toEqual({ trade: 1, quote: 1, bar: 0 });
    expect(features.items.at(-1)).toMatchObject({ price: 100.5, bid: 100.3, ask: 100.8 });
    const dead = await system.deadLetters();
    expect(dead.counts).toEqual([{ actor: 'feed:GLD', reason: 'conflated', count: 6 }]);
  });

  it('default mailbox while the feed lags then nothing is lost below its bound', async () => {
    const { system } = await virtualFeed();
    await system.pause('feed:GLD');
    for (let k = 1; k <= 50; k++) system.tell('feed:GLD', trade(T0 - 1000 + k, 100 + k / 100, k));
    await system.settle();
    await system.resume('feed:GLD');
    await system.settle();
    const info = await feedInfo(system, 'GLD');
    expect(info.received.trade).toBe(50);
    expect(info.accepted).toBe(50);
    expect((await system.deadLetters()).counts).toEqual([]);
  });

  it('feed crashes then it restarts warm from its snapshot and carries on', async () => {
    const { system, features } = await virtualFeed({ faults: true, everyMessages: 1 });
    const minute = Math.floor(T0 / 60_000) * 60_000 - 180_000;
    // Three minutes of trades: two closed bars, counters and features to carry over.
    for (let k = 0; k < 12; k++) system.tell('feed:GLD', trade(minute + k * 15_000, 100 + (k % 4) / 10, k + 1));
    await system.settle();
    const before = await feedInfo(system, 'GLD');
    expect(before.barsClosed).toBe(2);
    expect(before.accepted).toBe(12);

    await system.fault('feed:GLD', 'crash');
    await eventually(() => system.incarnation('feed:GLD') === 2 && system.status('feed:GLD') === 'running', 5000, 'restart');
    const after = await feedInfo(system, 'GLD');
    expect(after.warm).toBe(true);
    expect(after.accepted).toBe(12);
    expect(after.barsClosed).toBe(2);
    expect(after.status).toBe(before.status);

    // The restored dedupe window still knows trade 12; a new trade continues the feature sequence.
    system.tell('feed:GLD', trade(minute + 11 * 15_000, 100.3, 12));
    system.tell('feed:GLD', trade(minute + 12 * 15_000, 100.2, 13));
    await system.settle();
    const last = await feedInfo(system, 'GLD');
    expect(last.rejected.duplicate).toBe(1);
    expect(last.barsClosed).toBe(3);
    expect(features.items.at(-1)).toMatchObject({ seq: 13, price: 100.2, bars: 3 });
  });
});
