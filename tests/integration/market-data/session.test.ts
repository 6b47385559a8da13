/**
 * The `md` session in a worker, through the real SDK, against the local
 * venue: auth and subscription, every venue event reaching its own feed
 * actor, bad keys, dropped streams, the one-connection limit and a crashed
 * session's socket.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createAlpacaClients } from '../../../src/alpaca/index.js';
import type { Message } from '../../../src/runtime/index.js';
import { useSystem } from '../../helpers/system.js';
import { eventually } from '../../helpers/fixtures.js';
import { Collector } from '../venue/helpers.js';
import { addCounts, countEvents, feedInfo, mdInfo, startStack, type Stack } from './helpers.js';

const startSystem = useSystem();
const SYMBOLS = ['GLD', 'SLV', 'GDX'];

describe('market-data session against the venue', () => {
  let stack: Stack | undefined;
  afterEach(async () => {
    if (stack) {
      expect(stack.venue.stats.internalErrors).toBe(0);
      await stack.system.shutdown();
      await stack.venue.close();
    }
    stack = undefined;
  });

  it('valid keys then connects, subscribes, and every trade, quote and bar reaches its own feed', async () => {
    stack = await startStack(startSystem, SYMBOLS);
    const { venue, system, statuses } = stack;
    const connected = await statuses.waitFor((s) => s.state === 'connected', 5000, 'connected');
    expect(connected).toMatchObject({ venue: 'local', subscribed: 3, connects: 1, attempt: 0 });
    const features = new Collector<Message & { symbol: string }>();
    const bars = new Collector<Message & { symbol: string }>();
    await system.subscribe('features', (m) => features.push(m as Message & { symbol: string }));
    await system.subscribe('bars', (m) => bars.push(m as Message & { symbol: string }));

    // A little over two minutes of market time: trades, quotes and at least one venue bar per symbol.
    const sent = countEvents(venue.market.step(130), SYMBOLS);
    for (const s of SYMBOLS) expect(sent[s].bar).toBeGreaterThan(0);
    await eventually(async () => {
      for (const s of SYMBOLS) {
        const r = (await feedInfo(system, s)).received;
        if (r.trade + r.quote + r.bar < sent[s].trade + sent[s].quote + sent[s].bar) return false;
      }
      return true;
    }, 5000, 'all events at the feeds');

    for (const s of SYMBOLS) {
      const info = await feedInfo(system, s);
      expect(info.received).toEqual(sent[s]);
      // Nothing for another symbol arrived here, and the venue's data is clean.
      expect(info.rejected.unknown_symbol).toBe(0);
      expect(Object.values(info.rejected).reduce((a, b) => a + b, 0)).toBe(0);
      expect(info.accepted).toBe(sent[s].trade + sent[s].quote + sent[s].bar);
      expect(info.status).toBe('fresh');
    }
    const md = await mdInfo(system);
    expect(md.forwarded).toBe(SYMBOLS.reduce((a, s) => a + sent[s].trade + sent[s].quote + sent[s].bar, 0));
    expect(md.dropped).toEqual({ unknown_symbol: 0, malformed: 0 });
    await eventually(() => features.items.length >= 10, 3000, 'features on the topic');
    expect(new Set(features.items.map((f) => f.symbol))).toEqual(new Set(SYMBOLS));
    // Bars are built from trades by default; at least one minute has closed by trades.
    await eventually(() => bars.items.some((b) => b.symbol === 'GLD'), 3000, 'a GLD bar');
    const dead = await system.deadLetters();
    expect(dead.counts).toEqual([]);
  });

  it('bad keys then auth_failed once, no reconnect loop, and the session keeps running', async () => {
    stack = await startStack(startSystem, SYMBOLS, { keys: { keyId: 'qgtm-local-key', secretKey: 'wrong' } });
    const { venue, system, statuses } = stack;
    const failed = await statuses.waitFor((s) => s.state === 'auth_failed', 5000, 'auth_failed');
    expect(failed.retryInMs).toBeNull();
    expect(failed.detail).toContain('auth failed');
    // Observation window: with a 20 ms initial backoff a retry loop would have shown by now.
    await new Promise((r) => setTimeout(r, 300));
    expect(venue.stats.wsConnections).toBe(1);
    expect(statuses.items.map((s) => s.state)).toEqual(['auth_failed']);
    expect(system.status('md')).toBe('running');
    expect(system.incarnation('md')).toBe(1);
    const md = await mdInfo(system);
    expect(md.state).toBe('auth_failed');
    expect(md.lastError).toBe('auth failed');
  });

  it('venue drops the stream then disconnected, reconnecting, resubscribed, and data flows again', async () => {
    stack = await startStack(startSystem, SYMBOLS);
    const { venue, system, statuses } = stack;
    await statuses.waitFor((s) => s.state === 'connected', 5000, 'connected');
    const total: Record<string, { trade: number; quote: number; bar: number }> = {};
    addCounts(total, countEvents(venue.market.step(5), SYMBOLS));
    await eventually(async () => (await feedInfo(system, 'GLD')).received.quote === total.GLD.quote, 3000, 'first data');

    expect(venue.faults.dropStreams('data')).toBe(1);
    const again = await statuses.waitFor((s) => s.state === 'connected' && s.connects === 2, 5000, 'reconnected');
    const states = statuses.items.map((s) => s.state);
    expect(states).toEqual(['connected', 'disconnected', 'reconnecting', 'connected']);
    expect(statuses.items[2]).toMatchObject({ attempt: 1, retryInMs: 20 });
    expect(again).toMatchObject({ subscribed: 3, disconnects: 1, attempt: 0 });

    addCounts(total, countEvents(venue.market.step(70), SYMBOLS));
    await eventually(async () => {
      for (const s of SYMBOLS) {
        const r = (await feedInfo(system, s)).received;
        if (r.trade !== total[s].trade || r.quote !== total[s].quote || r.bar !== total[s].bar) return false;
      }
      return true;
    }, 5000, 'data after the reconnect');
    expect(venue.stats.wsOpen).toBe(1);
  });

  it('venue refuses auth (fault) with a slow auth retry then auth_failed, and connected once the fault clears', async () => {
    stack = await startStack(startSystem, SYMBOLS, { specs: { md: { reconnect: { initialMs: 20, jitter: 0, authRetryMs: 150 } } } });
    const { venue, statuses } = stack;
    await statuses.waitFor((s) => s.state === 'connected', 5000, 'connected');
    venue.faults.refuseDataAuth = true;
    venue.faults.dropStreams('data');
    const failed = await statuses.waitFor((s) => s.state === 'auth_failed', 5000, 'auth_failed');
    expect(failed.retryInMs).toBe(150);
    const connectionsAtFailure = venue.stats.wsConnections;
    venue.faults.refuseDataAuth = false;
    await statuses.waitFor((s) => s.state === 'connected' && s.connects === 2, 5000, 'connected after the fault');
    // One retry after the failure was enough: no burst of attempts.
    expect(venue.stats.wsConnections - connectionsAtFailure).toBeLessThanOrEqual(2);
    expect(statuses.items.filter((s) => s.state === 'auth_failed')).toHaveLength(1);
  });

  it('venue stalls the data (fault) then feeds report stale, and fresh again when it flows', async () => {
    stack = await startStack(startSystem, ['GLD', 'SLV'], { specs: { feed: { tickMs: 50, config: { staleAfterMs: 250 } } } });
    const { venue, system, statuses } = stack;
    const feedStatus = new Collector<Message & { symbol: string; status: string; reason: string }>();
    await system.subscribe('feed_status', (m) => feedStatus.push(m as Message & { symbol: string; status: string; reason: string }));
    await statuses.waitFor((s) => s.state === 'connected', 5000, 'connected');
    venue.market.step(1);
    await feedStatus.waitFor((_, all) => all.filter((s) => s.status === 'fresh').length === 2, 3000, 'both fresh');
    venue.faults.stallData = true;
    venue.market.step(1);
    await feedStatus.waitFor((_, all) => all.filter((s) => s.status === 'stale').length === 2, 3000, 'both stale');
    expect(feedStatus.items.filter((s) => s.status === 'stale').every((s) => s.reason === 'no_update')).toBe(true);
    // The session itself stays connected: silence is the feeds' call (a quiet market is not a dead socket).
    expect(statuses.items.map((s) => s.state)).toEqual(['connected']);
    venue.faults.stallData = false;
    venue.market.step(1);
    await feedStatus.waitFor((_, all) => all.filter((s) => s.reason === 'resumed').length === 2, 3000, 'both resumed');
  });

  it('another connection holds the account then 406, backoff, and connects once it is released', async () => {
    const venueOpts = { port: 0 };
    stack = await startStack(startSystem, SYMBOLS, { venue: venueOpts, specs: { md: { reconnect: { initialMs: 30, maxMs: 60, jitter: 0 } } } });
    const { system, statuses, conn, venue } = stack;
    await statuses.waitFor((s) => s.state === 'connected', 5000, 'connected');
    // Take the slot: stop md, connect a plain SDK stream, start md again.
    await system.stop('md');
    const holder = createAlpacaClients(conn).dataStream({ reconnect: false });
    holder.connect();
    expect((await holder.waitForAuthenticationResult(3000)).authenticated).toBe(true);
    const before = statuses.items.length;
    const { mdSessionSpec } = await import('../../../app/daemon/market-data-specs.js');
    await system.spawn(mdSessionSpec({ conn, symbols: SYMBOLS, reconnect: { initialMs: 30, maxMs: 60, jitter: 0 } }));
    const refused = await statuses.waitFor((s, all) => all.indexOf(s) >= before && s.state === 'disconnected', 5000, '406 disconnect');
    expect(refused.detail).toBe('connection limit exceeded');
    await statuses.waitFor((s, all) => all.indexOf(s) >= before && s.state === 'reconnecting' && s.attempt >= 2, 5000, 'backing off');
    holder.disconnect();
    await statuses.waitFor((s, all) => all.indexOf(s) >= before && s.state === 'connected', 5000, 'connected after release');
    await eventually(() => venue.stats.wsOpen === 1, 3000, 'one open connection');
  });

  it('session crashes then the next incarnation closes the old socket and connects without a 406', async () => {
    stack = await startStack(startSystem, SYMBOLS, { faults: true });
    const { system, statuses, venue } = stack;
    await statuses.waitFor((s) => s.state === 'connected', 5000, 'connected');
    await system.fault('md', 'crash');
    await eventually(() => system.incarnation('md') === 2 && system.status('md') === 'running', 5000, 'restart');
    const reconnected = await statuses.waitFor((s, all) => all.indexOf(s) > 0 && s.state === 'connected', 5000, 'connected again');
    expect(reconnected.connects).toBe(1);
    expect(statuses.items.some((s) => s.detail === 'connection limit exceeded')).toBe(false);
    await eventually(() => venue.stats.wsOpen === 1, 3000, 'one open connection');
    const sent = countEvents(venue.market.step(3), ['GLD']);
    await eventually(async () => (await feedInfo(system, 'GLD')).received.quote >= sent.GLD.quote, 3000, 'data after the restart');
  });
});
