/**
 * The `feed:<SYMBOL>` actor's backfill in a worker against the venue: a cold
 * feed fetches the venue's recent bars through the SDK without blocking its
 * mailbox and publishes them as `feed.history`; a failing fetch is retried
 * with backoff, then given up (the feed runs cold); bad keys are not
 * retried; a warm restart does not backfill again.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { resolveAlpacaConnection, type AlpacaConnection } from '../../../src/alpaca/index.js';
import type { ActorSystem, Message } from '../../../src/runtime/index.js';
import { startVenue, type VenueHandle } from '../../../venue/index.js';
import { MARKET_DATA_STRUCTURES } from '../../../actors/market-data/index.js';
import { feedSpec } from '../../../app/daemon/market-data-specs.js';
import type { FeedBackfillArgs } from '../../../actors/feed/actor.js';
import type { FeedFeaturesMsg, FeedHistoryMsg } from '../../../actors/feed/messages.js';
import type { TradeMsg } from '../../../actors/market-data/messages.js';
import { useSystem } from '../../helpers/system.js';
import { eventually } from '../../helpers/fixtures.js';
import { Collector } from '../venue/helpers.js';

const startSystem = useSystem();
let venue: VenueHandle | undefined;

afterEach(async () => {
  await venue?.close();
  venue = undefined;
});

interface Stack {
  system: ActorSystem;
  conn: AlpacaConnection;
  history: Collector<FeedHistoryMsg>;
  features: Collector<FeedFeaturesMsg>;
}

/** A manual-clock venue whose history ends now (the feed runs on the real clock), and a system watching `bars` and `features`. */
async function stack(options: { faults?: boolean } = {}): Promise<Stack> {
  venue = await startVenue({ clockMode: 'manual', startTime: Date.now(), historyMinutes: 40, symbols: ['GLD', 'SLV'], seed: 21 });
  const system = await startSystem({ structures: MARKET_DATA_STRUCTURES, faults: options.faults ?? false });
  const history = new Collector<FeedHistoryMsg>();
  const features = new Collector<FeedFeaturesMsg>();
  await system.subscribe('bars', (m: Message) => {
    if (m.type === 'feed.history') history.push(m as FeedHistoryMsg);
  });
  await system.subscribe('features', (m: Message) => features.push(m as FeedFeaturesMsg));
  return { system, conn: resolveAlpacaConnection({ local: venue }), history, features };
}

async function backfillInfo(system: ActorSystem): Promise<Record<string, any>> {
  const [info] = await system.inspect('feed:GLD');
  return (info.state_detail as Record<string, any>).backfill;
}

async function metric(system: ActorSystem, name: string, labels: Record<string, string>): Promise<number> {
  const family = (await system.metricsJson()).flat().find((m) => m.name === name);
  const v = family?.values.find((x) => Object.entries(labels).every(([k, l]) => String(x.labels[k]) === l));
  return v?.value ?? 0;
}

function spawnFeed(system: ActorSystem, backfill: FeedBackfillArgs, snapshot?: { everyMessages: number }): Promise<unknown> {
  const spec = feedSpec('GLD', { backfill });
  return system.spawn({ ...spec, ...(snapshot ? { snapshot } : {}) });
}

describe('feed backfill', () => {
  it('a cold feed with backfill then feed.history carries the venue bars and the fetch is counted', async () => {
    const { system, conn, history } = await stack();
    await spawnFeed(system, { conn, bars: 30 });
    const h = await history.waitFor(() => true, 10_000, 'feed.history');
    const truth = venue!.market.minuteBars('GLD').slice(-30);
    expect(h.symbol).toBe('GLD');
    expect(h.ts).toEqual(truth.map((b) => b.ts));
    expect(h.close).toEqual(truth.map((b) => b.close));
    const info = await backfillInfo(system);
    expect(info).toMatchObject({ state: 'done', wanted: 30, attempts: 1, inserted: 30, lastError: null });
    expect(await metric(system, 'qgtm_feed_backfill_bars_total', { symbol: 'GLD', outcome: 'inserted' })).toBe(30);
    expect(await metric(system, 'qgtm_feed_backfill_fetches_total', { symbol: 'GLD', result: 'ok' })).toBe(1);
  });

  it('the first two fetches fail with 503 then the third succeeds after backoff', async () => {
    const { system, conn, history } = await stack();
    venue!.faults.failNext(2, 503, 'data');
    await spawnFeed(system, { conn, bars: 20, retryMinMs: 20, retryMaxMs: 100 });
    const h = await history.waitFor(() => true, 10_000, 'feed.history');
    expect(h.ts).toHaveLength(20);
    expect(await backfillInfo(system)).toMatchObject({ state: 'done', attempts: 3, inserted: 20 });
    expect(await metric(system, 'qgtm_feed_backfill_fetches_total', { symbol: 'GLD', result: 'error' })).toBe(2);
  });

  it('every fetch fails then the feed gives up after maxAttempts and still works cold', async () => {
    const { system, conn, history, features } = await stack();
    venue!.faults.failNext(10, 503, 'data');
    await spawnFeed(system, { conn, bars: 20, maxAttempts: 2, retryMinMs: 10, retryMaxMs: 20 });
    const info = (await eventually<Record<string, any> | null>(async () => {
      const b = await backfillInfo(system);
      return b.state === 'failed' ? b : null;
    }, 10_000, 'backfill failed'))!;
    expect(info.attempts).toBe(2);
    expect(info.lastError).toBeTruthy();
    const trade: TradeMsg = { type: 'md.trade', symbol: 'GLD', price: 200, size: 100, id: 1, ts: Date.now() };
    system.tell('feed:GLD', trade);
    const f = await features.waitFor(() => true, 5000, 'features');
    expect(f).toMatchObject({ symbol: 'GLD', price: 200, bars: 0 });
    expect(history.items).toEqual([]);
  });

  it('keys the venue refuses then the feed gives up at once without retrying', async () => {
    const { system, conn } = await stack();
    await spawnFeed(system, { conn: { ...conn, secretKey: 'wrong' }, bars: 20, maxAttempts: 4, retryMinMs: 10 });
    const info = (await eventually<Record<string, any> | null>(async () => {
      const b = await backfillInfo(system);
      return b.state === 'failed' ? b : null;
    }, 10_000, 'backfill failed'))!;
    expect(info.attempts).toBe(1);
  });

  it('a backfilled feed crashes then it restarts warm and does not backfill again', async () => {
    const { system, conn, history } = await stack({ faults: true });
    await spawnFeed(system, { conn, bars: 25 }, { everyMessages: 1 });
    await history.waitFor(() => true, 10_000, 'feed.history');
    // A message after the backfill makes sure a snapshot including it was taken.
    const tradeTs = Date.now();
    system.tell('feed:GLD', { type: 'md.trade', symbol: 'GLD', price: 200, size: 100, id: 1, ts: tradeTs } as TradeMsg);
    await system.settle();
    await system.fault('feed:GLD', 'crash');
    await eventually(() => system.incarnation('feed:GLD') === 2 && system.status('feed:GLD') === 'running', 5000, 'restart');
    const [info] = await system.inspect('feed:GLD');
    const detail = info.state_detail as Record<string, any>;
    expect(detail.warm).toBe(true);
    expect(detail.backfill.state).toBe('skipped_warm');
    const h = (await system.ask('feed:GLD', { type: 'feed.get_history' }, { timeoutMs: 2000 })) as FeedHistoryMsg;
    expectBackfilledThenOwn(h, 25, tradeTs);
    expect(history.items).toHaveLength(1);
  });

  it('the feed crashes while its fetch is pending then the restarted feed backfills and the old result is ignored', async () => {
    const { system, conn, history } = await stack({ faults: true });
    venue!.faults.slowNext(1, 3000);
    await spawnFeed(system, { conn, bars: 25 }, { everyMessages: 1 });
    // A snapshot (with no bars yet) exists before the crash.
    const tradeTs = Date.now();
    system.tell('feed:GLD', { type: 'md.trade', symbol: 'GLD', price: 200, size: 100, id: 1, ts: tradeTs } as TradeMsg);
    await system.settle();
    expect((await backfillInfo(system)).state).toBe('fetching');
    await system.fault('feed:GLD', 'crash');
    await eventually(() => system.incarnation('feed:GLD') === 2 && system.status('feed:GLD') === 'running', 5000, 'restart');
    const h = await history.waitFor(() => true, 10_000, 'feed.history');
    expectBackfilledThenOwn(h, 25, tradeTs);
    const [info] = await system.inspect('feed:GLD');
    expect((info.state_detail as Record<string, any>).warm).toBe(true);
    expect((await backfillInfo(system)).state).toBe('done');
    // The first incarnation's slow fetch lands after the restart's: ignored, nothing published.
    await eventually(async () => (await backfillInfo(system)).staleResults === 1, 10_000, 'the stale result ignored');
    expect(history.items).toHaveLength(1);
    expect(await metric(system, 'qgtm_feed_backfill_fetches_total', { symbol: 'GLD', result: 'ok' })).toBe(1);
  });
});

/**
 * The history a restarted feed holds: the `n` backfilled bars, all before the
 * minute of the feed's own trade, then at most the bar that trade built (the
 * feed closes it itself when the wall clock crosses a minute during the test,
 * which is right, not a duplicate).
 */
function expectBackfilledThenOwn(h: FeedHistoryMsg, n: number, tradeTs: number): void {
  const minute = Math.floor(tradeTs / 60_000) * 60_000;
  const ts = Array.from(h.ts as ArrayLike<number>);
  expect(ts.filter((t) => t < minute), 'backfilled bars').toHaveLength(n);
  expect(ts.filter((t) => t >= minute), "the feed's own closed bars").toEqual(ts.length > n ? [minute] : []);
  expect(new Set(ts).size, 'no minute twice').toBe(ts.length);
}
