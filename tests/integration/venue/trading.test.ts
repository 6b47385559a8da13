/**
 * The real SDK's trading REST client and TradingStream against the venue:
 * an order's whole lifecycle over REST and trade_updates, resting limit
 * orders, cancels, Alpaca-style rejects, lookups and positions.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, AuthError, NotFoundError, PermissionError, ValidationError, type streaming } from '@alpacahq/alpaca-trade-api';
import { startVenue, type VenueHandle } from '../../../venue/index.js';
import type { AlpacaClients } from '../../../src/alpaca/index.js';
import { Collector, caught, clientsFor, listeningTradingStream } from './helpers.js';

describe('trading through the SDK', () => {
  let venue: VenueHandle;
  let api: AlpacaClients;
  let stream: streaming.TradingStream;
  const updates = new Collector<streaming.TradeUpdate>();

  beforeAll(async () => {
    venue = await startVenue({ clockMode: 'manual', stepMs: 1000, seed: 17, historyMinutes: 0, fillLatencyMs: 50 });
    venue.market.step(1);
    api = clientsFor(venue);
    stream = await listeningTradingStream(api, updates, { reconnect: true, initialReconnectMs: 20, reconnectJitter: 0 });
  });

  afterAll(async () => {
    stream.disconnect();
    expect(venue.stats.internalErrors).toBe(0);
    await venue.close();
  });

  const eventsOf = (orderId: string): string[] => updates.items.filter((u) => u.order.id === orderId).map((u) => u.event);
  // Stepping is synchronous while trade_updates arrive asynchronously, so loops read the venue's own state.
  const filled = (orderId: string): boolean => venue.engine.get(orderId).status === 'filled';

  it('trading stream with bad keys then reports auth failure and does not reconnect', async () => {
    const bad = clientsFor(venue, {}, { keyId: 'qgtm-local-key', secretKey: 'nope' }).tradingStream({ reconnect: true });
    bad.connect();
    expect(await bad.waitForAuthenticationResult(3000)).toMatchObject({ authenticated: false, status: 'server_rejected' });
    expect(bad.getState()).toBe('disconnected');
  });

  it('market order then new, partial fills and fill over trade_updates; position and account follow', async () => {
    const before = await api.account.getAccount();
    const order = await api.orders.market({ symbol: 'SLV', qty: 2500, side: 'buy', clientOrderId: 'life-1' });
    expect(order.status).toBe('accepted');
    expect(order.clientOrderId).toBe('life-1');
    for (let k = 0; k < 50 && !filled(order.id!); k++) venue.market.step(1);
    const fill = await updates.waitFor((u) => u.order.id === order.id && u.event === 'fill', 3000, 'fill');
    const events = eventsOf(order.id!);
    expect(events[0]).toBe('new');
    expect(events.filter((e) => e === 'partial_fill').length).toBeGreaterThanOrEqual(1);
    expect(events.at(-1)).toBe('fill');
    const fills = updates.items.filter((u) => u.order.id === order.id && (u.event === 'fill' || u.event === 'partial_fill'));
    expect(fills.reduce((a, u) => a + Number(u.qty), 0)).toBe(2500);
    expect(new Set(fills.map((u) => u.executionId)).size).toBe(fills.length);
    expect(fill.positionQty).toBe('2500');
    expect(fill.order.status).toBe('filled');
    expect(fill.timestamp).toBeInstanceOf(Date);

    const fetched = await api.orders.getOrderByOrderID({ orderId: order.id! });
    expect([fetched.status, fetched.filledQty]).toEqual(['filled', '2500']);
    const notional = fills.reduce((a, u) => a + Number(u.qty) * Number(u.price), 0);
    expect(Number(fetched.filledAvgPrice)).toBeCloseTo(notional / 2500, 3);

    const pos = await api.positions.getOpenPosition({ symbolOrAssetId: 'SLV' });
    expect([pos.qty, pos.side]).toEqual(['2500', 'long']);
    const after = await api.account.getAccount();
    expect(Number(after.cash)).toBeCloseTo(Number(before.cash) - notional, 1);
  });

  it('limit buy below the market then rests as new and fills at its limit once the market crosses', async () => {
    const bid = venue.market.quote('GDX')!.bid;
    const limit = Math.round((bid - 0.01) * 100) / 100;
    const order = await api.orders.limit({ symbol: 'GDX', qty: 10, side: 'buy', limitPrice: limit, timeInForce: 'gtc' });
    venue.market.step(1);
    await updates.waitFor((u) => u.order.id === order.id && u.event === 'new', 3000, 'new');
    expect((await api.orders.getOrderByOrderID({ orderId: order.id! })).status).toBe('new');
    let steps = 0;
    while (!filled(order.id!) && steps < 5000) {
      venue.market.step(5);
      steps += 5;
    }
    const fill = await updates.waitFor((u) => u.order.id === order.id && u.event === 'fill', 3000, 'limit fill');
    expect(steps).toBeGreaterThan(1);
    expect(steps).toBeLessThan(5000);
    expect(Number(fill.price)).toBe(limit);
  });

  it('cancel open order then canceled event, 204, and a second cancel is rejected 422', async () => {
    const order = await api.orders.limit({ symbol: 'GLD', qty: 1, side: 'buy', limitPrice: 100, timeInForce: 'gtc' });
    venue.market.step(1);
    await api.orders.deleteOrderByOrderID({ orderId: order.id! });
    await updates.waitFor((u) => u.order.id === order.id && u.event === 'canceled', 3000, 'canceled');
    const err = await caught(() => api.orders.deleteOrderByOrderID({ orderId: order.id! }));
    expect(err).toBeInstanceOf(ValidationError);
    expect(err.status).toBe(422);
    const open = await api.orders.getAllOrders({ status: 'open' });
    expect(open.map((o) => o.id)).not.toContain(order.id);
    const closed = await api.orders.getAllOrders({ status: 'closed', limit: 500 });
    expect(closed.find((o) => o.id === order.id)?.status).toBe('canceled');
  });

  it('reused client_order_id then 422 "client_order_id must be unique"', async () => {
    await api.orders.limit({ symbol: 'GLD', qty: 1, side: 'buy', limitPrice: 100, clientOrderId: 'same-id' });
    const err = await caught(() => api.orders.limit({ symbol: 'GLD', qty: 1, side: 'buy', limitPrice: 100, clientOrderId: 'same-id' }));
    expect(err).toBeInstanceOf(ValidationError);
    expect([err.status, err.message]).toEqual([422, 'client_order_id must be unique']);
  });

  it('get by client order id then finds the order; an unknown one is 404', async () => {
    const order = await api.orders.limit({ symbol: 'IAU', qty: 2, side: 'buy', limitPrice: 10, clientOrderId: 'lookup-me' });
    const found = await api.orders.getOrderByClientOrderId({ clientOrderId: 'lookup-me' });
    expect([found.id, found.symbol, found.qty, found.limitPrice]).toEqual([order.id, 'IAU', '2', '10']);
    expect(await caught(() => api.orders.getOrderByClientOrderId({ clientOrderId: 'never-sent' }))).toBeInstanceOf(NotFoundError);
  });

  it('unknown symbol, bad qty and insufficient buying power then Alpaca-style rejects', async () => {
    const unknown = await caught(() => api.orders.market({ symbol: 'ZZZZ', qty: 1, side: 'buy' }));
    expect([unknown.constructor, unknown.status, unknown.code, unknown.message]).toEqual([ValidationError, 422, 40010001, 'asset "ZZZZ" not found']);
    const badQty = await caught(() => api.orders.market({ symbol: 'GLD', qty: -4, side: 'buy' }));
    expect([badQty.status, badQty.message]).toEqual([422, 'invalid qty']);
    const zero = await caught(() => api.orders.postOrder({ postOrderRequest: { symbol: 'GLD', qty: '0', side: 'buy', type: 'market', timeInForce: 'day' } }));
    expect([zero.status, zero.message]).toEqual([422, 'invalid qty']);
    const bp = await caught(() => api.orders.market({ symbol: 'GLD', qty: 100_000, side: 'buy' }));
    expect(bp).toBeInstanceOf(PermissionError);
    expect([bp.status, bp.code, bp.message]).toEqual([403, 40310000, 'insufficient buying power']);
  });

  it('wrong API keys on REST then 401 AuthError', async () => {
    const err = await caught(() => clientsFor(venue, {}, { keyId: 'someone', secretKey: 'else' }).account.getAccount());
    expect(err).toBeInstanceOf(AuthError);
    expect(err.status).toBe(401);
  });

  it('close position then a liquidating order fills and the position is gone', async () => {
    const closing = await api.positions.deleteOpenPosition({ symbolOrAssetId: 'SLV' });
    expect([closing.side, closing.qty, closing.symbol]).toEqual(['sell', '2500', 'SLV']);
    for (let k = 0; k < 50 && !filled(closing.id!); k++) venue.market.step(1);
    await updates.waitFor((u) => u.order.id === closing.id && u.event === 'fill', 3000, 'liquidation fill');
    const err = await caught(() => api.positions.getOpenPosition({ symbolOrAssetId: 'SLV' }));
    expect(err).toBeInstanceOf(NotFoundError);
  });

  it('cancel all then every open order is canceled with a multi-status body', async () => {
    await api.orders.limit({ symbol: 'GLD', qty: 1, side: 'buy', limitPrice: 101, timeInForce: 'gtc' });
    venue.market.step(1);
    const open = await api.orders.getAllOrders({ status: 'open' });
    expect(open.length).toBeGreaterThanOrEqual(2);
    const result = await api.orders.deleteAllOrders();
    expect(result.map((r) => r.id).sort()).toEqual(open.map((o) => o.id).sort());
    expect(result.every((r) => r.status === 200)).toBe(true);
    expect(await api.orders.getAllOrders({ status: 'open' })).toEqual([]);
  });

  it('clock and assets then answer in Alpaca shapes', async () => {
    const clock = await api.clock.legacyClock();
    expect(clock.isOpen).toBe(true);
    expect(clock.timestamp.getTime()).toBe(venue.market.now);
    const assets = await api.assets.getV2Assets();
    expect(assets.map((a) => a.symbol)).toEqual(venue.options.instruments.map((i) => i.symbol));
    expect(assets.find((a) => a.symbol === 'GDX')).toMatchObject({ exchange: 'ARCA', tradable: true, _class: 'us_equity' });
    const err = await caught(() => api.assets.getV2AssetsSymbolOrAssetId({ symbolOrAssetId: 'NOPE' }));
    expect(err).toBeInstanceOf(ApiError);
    expect(err.status).toBe(404);
  });
});
