/**
 * A limit order's time limit (OrderIntent.marketAfterMs) with the real worker
 * threads, the real SDK and the venue on a manual clock, stepped in the
 * background so market orders fill: a passive limit that does not fill is
 * cancelled at its time limit and what it leaves goes out at market and
 * fills; one that filled in part leaves only the rest.
 */
import { describe, expect, it, onTestFinished } from 'vitest';
import type { trading } from '@alpacahq/alpaca-trade-api';
import { roundPrice } from '../../../actors/allocator/intent.js';
import type { TradeEvent } from '../../../src/matching/events.js';
import { eventually, intent, intentsMsg, publishPrices, riskAt, startHarness, venuePositions, type Any, type Harness } from './harness.js';

/** A harness whose venue runs on a manual clock, stepped in the background (so market orders fill); both end with the test. */
async function start(): Promise<Harness> {
  const x = await startHarness({ venue: { clockMode: 'manual', startTime: Date.now(), stepMs: 100 } });
  x.venue.market.step(1);
  const stepper = setInterval(() => x.venue.market.step(1), 20);
  onTestFinished(async () => {
    clearInterval(stepper);
    await x.close();
  });
  await x.brokerReady();
  return x;
}

/** Sends a passive limit buy (2 % under the market, so it rests) with a time limit through the risk governor; returns its limit price. */
async function passiveBuy(x: Harness, intentId: string, qty: number, marketAfterMs: number): Promise<number> {
  const px = (await publishPrices(x, ['GLD'])).GLD!;
  await riskAt(x, 'NORMAL');
  const limitPrice = roundPrice(px * 0.98);
  x.sys.tell('risk', intentsMsg([intent(intentId, 'GLD', 'buy', qty, px, { type: 'limit', limitPrice, marketAfterMs })]));
  return limitPrice;
}

const update = (x: Harness, intentId: string, status: string): Promise<Any> =>
  x.seen.orders.waitFor((m) => m.type === 'broker.order_update' && m.intentId === intentId && m.status === status, 15_000, `${intentId} ${status}`);

const venueOrder = async (x: Harness, cid: string): Promise<trading.Order> => x.api.orders.getOrderByClientOrderId({ clientOrderId: cid });

describe('limit order time limit on the venue', () => {
  it('passive limit with a time limit that does not fill then cancelled at the limit, the whole order sent at market and filled', async () => {
    const x = await start();
    const limitPrice = await passiveBuy(x, 'lt1:GLD', 10, 1500);
    const working = await update(x, 'lt1:GLD', 'new');
    const mkt = await update(x, 'lt1:GLD:mkt', 'filled');

    const limit = await venueOrder(x, working.clientOrderId);
    expect([limit.type, limit.status, Number(limit.filledQty), Number(limit.limitPrice)]).toEqual(['limit', 'canceled', 0, limitPrice]);
    const market = await venueOrder(x, mkt.clientOrderId);
    expect([market.type, market.side, market.timeInForce, Number(market.qty), market.status, Number(market.filledQty)]).toEqual(['market', 'buy', 'day', 10, 'filled', 10]);
    // Not before its time limit: the cancel was asked 1.5 s or more after the order was registered.
    const submitted = x.seen.orders.items.find((m) => m.intentId === 'lt1:GLD' && m.event === 'submitted')!;
    const cancelAsked = x.seen.orders.items.find((m) => m.intentId === 'lt1:GLD' && m.event === 'cancel_requested')!;
    expect(cancelAsked.ts - submitted.ts).toBeGreaterThanOrEqual(1500);
    // The market order came after the venue confirmed the cancel, and only one.
    const canceledAt = x.seen.orders.items.findIndex((m) => m.intentId === 'lt1:GLD' && m.status === 'canceled');
    const mktAt = x.seen.orders.items.findIndex((m) => m.intentId === 'lt1:GLD:mkt' && m.event === 'submitted');
    expect(canceledAt).toBeGreaterThanOrEqual(0);
    expect(mktAt).toBeGreaterThan(canceledAt);
    const all = await x.api.orders.getAllOrders({ status: 'all', limit: 500 });
    expect(all.map((o) => [o.clientOrderId, o.type, o.status]).sort()).toEqual([[working.clientOrderId, 'limit', 'canceled'], [mkt.clientOrderId, 'market', 'filled']].sort());
    expect(await venuePositions(x.api)).toEqual({ GLD: 10 });
    await eventually(() => x.brokerPositions().GLD === 10, 10_000, 'broker book long 10 GLD');
  });

  it('passive limit filled in part then at its time limit only what is left goes at market', async () => {
    const x = await start();
    const limitPrice = await passiveBuy(x, 'lt2:GLD', 10, 3000);
    const working = await update(x, 'lt2:GLD', 'new');
    // A trade through the resting limit, 4 shares: the venue fills 4 of the 10 at the limit.
    const trade: TradeEvent = { kind: 'trade', symbol: 'GLD', id: 1e9, price: roundPrice(limitPrice - 0.05), size: 4, ts: x.venue.market.now, exchange: 'V', tape: 'B' };
    x.venue.engine.onQuotes([trade]);
    await update(x, 'lt2:GLD', 'partially_filled');
    const mkt = await update(x, 'lt2:GLD:mkt', 'filled');

    const limit = await venueOrder(x, working.clientOrderId);
    expect([limit.status, Number(limit.filledQty), Number(limit.filledAvgPrice)]).toEqual(['canceled', 4, limitPrice]);
    const market = await venueOrder(x, mkt.clientOrderId);
    expect([market.type, Number(market.qty), market.status, Number(market.filledQty)]).toEqual(['market', 6, 'filled', 6]);
    const fills = x.seen.fills.items.filter((m) => m.type === 'broker.fill');
    expect(fills.map((f) => [f.intentId, f.qty])).toEqual([['lt2:GLD', 4], ['lt2:GLD:mkt', 6]]);
    expect(await venuePositions(x.api)).toEqual({ GLD: 10 });
    await eventually(() => x.brokerPositions().GLD === 10, 10_000, 'broker book long 10 GLD');
  });
});
