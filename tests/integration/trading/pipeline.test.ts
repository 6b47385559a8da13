/**
 * End to end on the venue with real worker threads: ticks (from the tick
 * source, in place of the market-data session) to signals to posture to
 * approved intents to orders to fills, with the broker's positions matching
 * the venue's at the end.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { eventually, mid, startHarness, trendItems, venuePositions, type Harness } from './harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('trading pipeline on the venue', () => {
  // The larger account's SLV order (about 1,300 shares, within risk's 50,000 per-order notional) is
  // larger than the venue's usual displayed size: it mostly fills in parts across quotes, the case
  // that made this test flaky when it read the broker's state as a snapshot (with that read, this
  // case fails `expected 1 to be 0` most runs).
  it.each([
    ['default account', 100_000],
    ['larger account (orders fill in parts)', 300_000],
  ])('uptrend bars on two symbols, %s, then long orders fill and broker positions match the venue', async (_name, cash) => {
    h = await startHarness({ venue: { cash } });
    await h.brokerReady();
    const now = Date.now();
    await h.publish([...trendItems('GLD', mid(h.venue, 'GLD'), 1, now), ...trendItems('SLV', mid(h.venue, 'SLV'), 1, now)]);

    const sig = await h.seen.signals.waitFor((m) => m.symbol === 'SLV' && m.direction === 1, 15_000, 'SLV long signal');
    expect(sig).toMatchObject({ type: 'strategy.signal', strategyId: 'trend_ma_cross', shard: 0 });
    expect(sig.originNs).toBeGreaterThan(0);
    const posture = await h.seen.posture.waitFor((m) => (m.weights.GLD ?? 0) > 0 && (m.weights.SLV ?? 0) > 0, 15_000, 'long posture');
    expect(posture.weights.GLD).toBeLessThanOrEqual(0.2);

    // Both orders fill and nothing is left working.
    await eventually(() => {
      const p = h!.brokerPositions();
      return (p.GLD ?? 0) > 0 && (p.SLV ?? 0) > 0;
    }, 30_000, 'broker positions in GLD and SLV', () => h!.explain());
    const fills = h.seen.fills.items;
    expect(fills.length).toBeGreaterThanOrEqual(2);
    expect(new Set(fills.map((f) => f.executionId)).size).toBe(fills.length);

    // Nothing is left working, and then the broker's positions equal the venue's. Waited for as one
    // settled state, not read as a snapshot once the positions first agree: the venue fills a market
    // order larger than the displayed size (about 800 shares, lognormal per quote) in parts, one
    // quote (100 ms) apart, and between two parts the positions agree while the remainder still
    // works. Reading openOrders then (a loaded machine widens that window) gave the flake
    // `expected 1 to be 0`; a broker that never closed an order would still fail here, on time-out.
    const settled = await eventually(async () => {
      const status = await h!.ask('broker', { type: 'broker.query' });
      // The venue is asked only once the broker is settled: its REST budget (200 a minute) is the broker's too.
      if (status.openOrders !== 0) return null;
      const [venueOpen, venue] = await Promise.all([h!.api.orders.getAllOrders({ status: 'open', limit: 100 }), venuePositions(h!.api)]);
      const broker = h!.brokerPositions();
      return venueOpen.length === 0 && JSON.stringify(venue) === JSON.stringify(broker) ? status : null;
    }, 30_000, 'no order working at the broker or the venue and broker positions equal to the venue positions', () => h!.explain());
    expect(settled!.ready).toBe(true);
    expect(settled!.openOrders).toBe(0);
    const all = h.seen.fills.items;
    expect(new Set(all.map((f) => f.executionId)).size).toBe(all.length);
    // Whether an order filled in parts depends on the displayed sizes of the quotes it met (random per quote).
    console.log(`${_name}: ${all.length} fills for ${new Set(all.map((f) => f.clientOrderId)).size} orders`);
    // Every order the broker placed carries a client order id derived from its intent.
    const orders = await h.api.orders.getAllOrders({ status: 'all', limit: 100 });
    expect(orders.length).toBeGreaterThanOrEqual(2);
    for (const o of orders) expect(o.clientOrderId).toMatch(/^q-p\d+_[A-Z]+-[0-9a-f]{24}$/);
  });
});
