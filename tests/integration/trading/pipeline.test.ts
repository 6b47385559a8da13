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
  it('uptrend bars on two symbols then long orders fill and broker positions match the venue', async () => {
    h = await startHarness();
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

    await eventually(async () => {
      const venue = await venuePositions(h!.api);
      const broker = h!.brokerPositions();
      return JSON.stringify(venue) === JSON.stringify(broker) ? venue : null;
    }, 30_000, 'broker positions equal to the venue positions');

    const status = await h.ask('broker', { type: 'broker.query' });
    expect(status.ready).toBe(true);
    expect(status.openOrders).toBe(0);
    // Every order the broker placed carries a client order id derived from its intent.
    const orders = await h.api.orders.getAllOrders({ status: 'all', limit: 100 });
    expect(orders.length).toBeGreaterThanOrEqual(2);
    for (const o of orders) expect(o.clientOrderId).toMatch(/^q-p\d+_[A-Z]+-[0-9a-f]{24}$/);
  });
});
