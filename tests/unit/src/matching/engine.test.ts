import { beforeEach, describe, expect, it } from 'vitest';
import { MatchingEngine, type TradeUpdateData } from '../../../../src/matching/engine.js';
import { VenueRejection } from '../../../../src/matching/errors.js';
import { rejection } from './rejection.js';
import { EXCHANGE_HOURS } from '../../../../src/matching/session.js';
import { FakeMarket } from './fake-market.js';


describe('MatchingEngine', () => {
  let market: FakeMarket;
  let engine: MatchingEngine;
  let updates: TradeUpdateData[];

  const make = (opts: Partial<ConstructorParameters<typeof MatchingEngine>[0]> = {}): void => {
    engine = new MatchingEngine({ market, seed: 7, now: market.now, cash: 100_000, ...opts });
    updates = [];
    engine.onUpdate((u) => updates.push(u));
  };
  const quote = (symbol: string, bid: number, ask: number, size = 500): void => engine.onQuotes([market.set(symbol, bid, ask, size)]);

  beforeEach(() => {
    market = new FakeMarket();
    market.set('GLD', 239.9, 240.0);
    market.set('SLV', 27.9, 28.0);
    make();
  });

  it('market order larger than the touch then fills in parts across quotes at the ask', () => {
    const order = engine.submit({ symbol: 'SLV', qty: '1200', side: 'buy', type: 'market', time_in_force: 'day', client_order_id: 'c1' }, market.now);
    expect(order.status).toBe('accepted');
    expect(updates.map((u) => u.event)).toEqual(['new', 'partial_fill']);
    quote('SLV', 27.95, 28.05);
    quote('SLV', 27.91, 28.01);
    expect(updates.map((u) => u.event)).toEqual(['new', 'partial_fill', 'partial_fill', 'fill']);
    expect(updates.slice(1).map((u) => [u.qty, u.price, u.position_qty])).toEqual([
      ['500', '28', '500'],
      ['500', '28.05', '1000'],
      ['200', '28.01', '1200'],
    ]);
    const ids = new Set(updates.slice(1).map((u) => u.execution_id));
    expect(ids.size).toBe(3);
    const final = engine.getByClientOrderId('c1');
    expect(final.status).toBe('filled');
    expect(Number(final.filled_avg_price)).toBeCloseTo((500 * 28 + 500 * 28.05 + 200 * 28.01) / 1200, 4);
    const pos = engine.position('SLV');
    expect(pos.qty).toBe('1200');
    expect(Number(engine.accountWire(market.now).cash)).toBeCloseTo(100_000 - (500 * 28 + 500 * 28.05 + 200 * 28.01), 2);
  });

  it('order with latency then goes live only once the latency has passed', () => {
    make({ fillLatencyMs: 250 });
    engine.submit({ symbol: 'GLD', qty: 1, side: 'buy', type: 'market', time_in_force: 'day' }, market.now);
    quote('GLD', 239.9, 240.0); // +100 ms
    expect(updates).toEqual([]);
    quote('GLD', 239.9, 240.0); // +200 ms
    quote('GLD', 239.8, 239.9); // +300 ms
    expect(updates.map((u) => u.event)).toEqual(['new', 'fill']);
    expect(updates[1].price).toBe('239.9');
  });

  it('limit buy below the ask then rests and fills at its limit when the ask crosses', () => {
    const o = engine.submit({ symbol: 'GLD', qty: '10', side: 'buy', type: 'limit', limit_price: '239.50', time_in_force: 'gtc' }, market.now);
    expect(updates.map((u) => u.event)).toEqual(['new']);
    quote('GLD', 239.6, 239.7);
    expect(engine.get(o.id as string).status).toBe('new');
    quote('GLD', 239.3, 239.4);
    expect(updates.map((u) => u.event)).toEqual(['new', 'fill']);
    expect(updates[1].price).toBe('239.5');
  });

  it('marketable limit order then takes the touch price', () => {
    engine.submit({ symbol: 'GLD', qty: '10', side: 'buy', type: 'limit', limit_price: '241', time_in_force: 'day' }, market.now);
    expect(updates[1].event).toBe('fill');
    expect(updates[1].price).toBe('240');
  });

  it('ioc order larger than the touch then fills what is there and cancels the rest', () => {
    engine.submit({ symbol: 'SLV', qty: '800', side: 'buy', type: 'market', time_in_force: 'ioc' }, market.now);
    expect(updates.map((u) => [u.event, u.order.filled_qty])).toEqual([
      ['new', '0'],
      ['partial_fill', '500'],
      ['canceled', '500'],
    ]);
  });

  it('fok order larger than the touch then cancels without a fill', () => {
    engine.submit({ symbol: 'SLV', qty: '800', side: 'buy', type: 'market', time_in_force: 'fok' }, market.now);
    expect(updates.map((u) => u.event)).toEqual(['new', 'canceled']);
    expect(engine.positions()).toEqual([]);
  });

  it('reused client_order_id then rejects with 422', () => {
    engine.submit({ symbol: 'GLD', qty: 1, side: 'buy', type: 'market', time_in_force: 'day', client_order_id: 'dup' }, market.now);
    const r = rejection(() => engine.submit({ symbol: 'GLD', qty: 1, side: 'buy', type: 'market', time_in_force: 'day', client_order_id: 'dup' }, market.now));
    expect([r.status, r.message]).toEqual([422, 'client_order_id must be unique']);
  });

  it.each([
    [{ symbol: 'NOPE', qty: 1, side: 'buy', type: 'market', time_in_force: 'day' }, 422, 'asset "NOPE" not found'],
    [{ symbol: 'GLD', qty: '-3', side: 'buy', type: 'market', time_in_force: 'day' }, 422, 'invalid qty'],
    [{ symbol: 'GLD', qty: 'abc', side: 'buy', type: 'market', time_in_force: 'day' }, 422, 'invalid qty'],
    [{ symbol: 'GLD', qty: '1.5', side: 'buy', type: 'market', time_in_force: 'gtc' }, 422, 'fractional orders must be DAY orders'],
    [{ symbol: 'GLD', qty: 1, side: 'hold', type: 'market', time_in_force: 'day' }, 422, 'invalid order side'],
    [{ symbol: 'GLD', qty: 1, side: 'buy', type: 'limit', time_in_force: 'day' }, 422, 'limit_price is required for limit orders'],
    [{ symbol: 'GLD', qty: 1, side: 'buy', type: 'limit', limit_price: '240.001', time_in_force: 'day' }, 422, 'sub-penny increment does not fulfill minimum pricing criteria (limit_price)'],
    [{ symbol: 'GLD', qty: 1, side: 'buy', type: 'stop', time_in_force: 'day' }, 422, 'stop_price is required for stop orders'],
    [{ symbol: 'GLD', qty: 1, side: 'buy', type: 'stop_limit', stop_price: '241', time_in_force: 'day' }, 422, 'limit_price is required for stop_limit orders'],
    [{ symbol: 'GLD', qty: 1, side: 'buy', type: 'market', stop_price: '241', time_in_force: 'day' }, 422, 'stop_price is not allowed for market orders'],
    [{ symbol: 'GLD', qty: 1, side: 'sell', type: 'trailing_stop', time_in_force: 'day' }, 422, 'trail_price or trail_percent is required for trailing_stop orders'],
    [{ symbol: 'GLD', qty: 1, side: 'sell', type: 'trailing_stop', trail_price: '1', trail_percent: '1', time_in_force: 'day' }, 422, 'trail_price and trail_percent are mutually exclusive: give one'],
    [{ symbol: 'GLD', qty: 1, side: 'sell', type: 'trailing_stop', trail_percent: '120', time_in_force: 'day' }, 422, 'invalid trail_percent: must be a percentage above 0 and below 100'],
    [{ symbol: 'GLD', qty: 1, side: 'sell', type: 'trailing_stop', trail_price: '1', time_in_force: 'ioc' }, 422, 'time_in_force ioc is only for market and limit orders'],
    [{ symbol: 'GLD', qty: 1, side: 'sell', type: 'trailing_stop', trail_price: '1', time_in_force: 'opg' }, 422, 'time_in_force opg is only for market and limit orders'],
    [{ symbol: 'GLD', qty: 1, side: 'buy', type: 'stop', stop_price: '241', time_in_force: 'cls' }, 422, 'time_in_force cls is only for market and limit orders'],
    [{ symbol: 'GLD', notional: '100', side: 'buy', type: 'limit', limit_price: '240', time_in_force: 'day' }, 422, 'notional orders must be market orders'],
    [{ symbol: 'GLD', notional: '100', side: 'buy', type: 'market', time_in_force: 'gtc' }, 422, 'fractional orders must be DAY orders'],
    [{ symbol: 'GLD', notional: '100', qty: 1, side: 'buy', type: 'market', time_in_force: 'day' }, 422, 'qty and notional are mutually exclusive: give one'],
    [{ symbol: 'GLD', notional: '0.5', side: 'buy', type: 'market', time_in_force: 'day' }, 422, 'notional must be at least 1 (dollar)'],
    [{ symbol: 'GLD', qty: 1, side: 'buy', type: 'market', time_in_force: 'ioc', order_class: 'bracket', take_profit: { limit_price: '250' }, stop_loss: { stop_price: '230' } }, 422, 'bracket orders must be DAY or GTC'],
    [{ symbol: 'GLD', qty: 1, side: 'buy', type: 'market', time_in_force: 'day', order_class: 'bracket', take_profit: { limit_price: '250' } }, 422, 'stop_loss is required for bracket orders'],
    [{ symbol: 'GLD', qty: 1, side: 'buy', type: 'market', time_in_force: 'day', order_class: 'bracket', take_profit: { limit_price: '250' }, stop_loss: {} }, 422, 'stop_loss.stop_price is required'],
    [{ symbol: 'GLD', qty: 1, side: 'buy', type: 'market', time_in_force: 'day', order_class: 'bracket', take_profit: { limit_price: '239' }, stop_loss: { stop_price: '230' } }, 422, 'take_profit.limit_price must be >= base_price + 0.01'],
    [{ symbol: 'GLD', qty: 1, side: 'buy', type: 'limit', limit_price: '235', time_in_force: 'day', order_class: 'bracket', take_profit: { limit_price: '250' }, stop_loss: { stop_price: '235' } }, 422, 'stop_loss.stop_price must be <= base_price - 0.01'],
    [{ symbol: 'GLD', qty: 1, side: 'buy', type: 'stop', stop_price: '241', time_in_force: 'day', order_class: 'bracket', take_profit: { limit_price: '250' }, stop_loss: { stop_price: '230' } }, 422, 'bracket entry orders must be market or limit orders'],
    [{ symbol: 'GLD', qty: 1, side: 'sell', type: 'limit', time_in_force: 'gtc', order_class: 'oco', take_profit: { limit_price: '230' }, stop_loss: { stop_price: '235' } }, 422, 'take_profit.limit_price must be > stop_loss.stop_price for a sell oco order'],
    [{ symbol: 'GLD', qty: 1, side: 'sell', type: 'market', time_in_force: 'gtc', order_class: 'oco', take_profit: { limit_price: '250' }, stop_loss: { stop_price: '235' } }, 422, 'oco orders must be limit orders'],
    [{ symbol: 'GLD', qty: 1, side: 'buy', type: 'market', time_in_force: 'day', order_class: 'oto', take_profit: { limit_price: '250' }, stop_loss: { stop_price: '230' } }, 422, 'oto orders need exactly one of take_profit or stop_loss'],
    [{ symbol: 'GLD', qty: '0.5', side: 'buy', type: 'market', time_in_force: 'day', order_class: 'oto', stop_loss: { stop_price: '230' } }, 422, 'fractional orders are not supported for order_class oto'],
    [{ symbol: 'GLD', qty: 1, side: 'buy', type: 'market', time_in_force: 'day', take_profit: { limit_price: '250' } }, 422, 'take_profit and stop_loss are only for bracket, oco and oto orders'],
    [{ symbol: 'GLD', qty: 1, side: 'buy', type: 'market', time_in_force: 'day', order_class: 'mleg' }, 422, 'order_class mleg (options) is not supported by the local venue'],
    [{ symbol: 'GLD', qty: 1, side: 'buy', type: 'market', time_in_force: 'day', client_order_id: 'x'.repeat(129) }, 422, 'client_order_id must be no more than 128 characters'],
    ['not an object', 400, 'request body format is invalid'],
  ])('bad order %j then rejects with %i', (body, status, message) => {
    const r = rejection(() => engine.submit(body, market.now));
    expect([r.status, r.message]).toEqual([status, message]);
    expect(updates).toEqual([]);
  });

  it('buy costing more than cash then rejects with 403 insufficient buying power', () => {
    const r = rejection(() => engine.submit({ symbol: 'GLD', qty: 500, side: 'buy', type: 'market', time_in_force: 'day' }, market.now));
    expect(r.status).toBe(403);
    expect(r.body()).toMatchObject({ code: 40310000, message: 'insufficient buying power', buying_power: '100000', cost_basis: '120000' });
  });

  it('open buy orders then reserve buying power for the next order', () => {
    engine.submit({ symbol: 'GLD', qty: 300, side: 'buy', type: 'limit', limit_price: '200', time_in_force: 'gtc' }, market.now);
    expect(engine.accountWire(market.now).buying_power).toBe('40000');
    const r = rejection(() => engine.submit({ symbol: 'GLD', qty: 200, side: 'buy', type: 'limit', limit_price: '201', time_in_force: 'gtc' }, market.now));
    expect(r.status).toBe(403);
  });

  it('sell without a position in a cash account then rejects with 403', () => {
    const r = rejection(() => engine.submit({ symbol: 'GLD', qty: 5, side: 'sell', type: 'market', time_in_force: 'day' }, market.now));
    expect(r.status).toBe(403);
    expect(r.message).toBe('insufficient qty available for order (requested: 5, available: 0)');
  });

  it('sell short in a margin account then opens a short position', () => {
    make({ accountMode: 'margin' });
    engine.submit({ symbol: 'GLD', qty: 5, side: 'sell', type: 'market', time_in_force: 'day' }, market.now);
    const pos = engine.position('GLD');
    expect([pos.qty, pos.side, pos.avg_entry_price]).toEqual(['-5', 'short', '239.9']);
    expect(engine.accountWire(market.now).multiplier).toBe('2');
  });

  describe('shares held by working orders', () => {
    const order = (side: string, qty: number, body: Record<string, unknown> = { type: 'market', time_in_force: 'day' }): Record<string, unknown> =>
      engine.submit({ symbol: 'GLD', side, qty, ...body }, market.now);
    const stop = (side: string, qty: number, stopPrice: number): Record<string, unknown> => order(side, qty, { type: 'stop', stop_price: String(stopPrice), time_in_force: 'gtc' });
    const refused = (side: string, qty: number, body?: Record<string, unknown>) => rejection(() => order(side, qty, body));
    /** A market order for 5 on `side` refused as Alpaca refuses it: a working order holds all 10 it would close. */
    const expectNoneFree = (side: string, existingQty: string): void => {
      const r = refused(side, 5);
      expect(r.status).toBe(403);
      expect(r.body()).toEqual({
        code: 40310000, message: 'insufficient qty available for order (requested: 5, available: 0)',
        symbol: 'GLD', existing_qty: existingQty, held_for_orders: '10', available: '0',
      });
    };

    it.each(['cash', 'margin'] as const)('%s account, long 10 with a working sell stop for 10, then a sell of 5 is refused with 403 as Alpaca does', (accountMode) => {
      make({ accountMode });
      order('buy', 10);
      stop('sell', 10, 230);
      expectNoneFree('sell', '10');
      expect(engine.position('GLD')).toMatchObject({ qty: '10', qty_available: '0' });
    });

    it('margin account, long 10 with 4 held, then a sell of the free 6 goes and a sell beyond it is refused, not turned into a short', () => {
      make({ accountMode: 'margin' });
      order('buy', 10);
      order('sell', 4, { type: 'limit', limit_price: '250', time_in_force: 'gtc' });
      expect(refused('sell', 7).message).toBe('insufficient qty available for order (requested: 7, available: 6)');
      order('sell', 6);
      expect(engine.position('GLD')).toMatchObject({ qty: '4', qty_available: '0' });
    });

    it('margin account, short 10 with a working buy stop covering it, then a buy of 5 is refused with 403', () => {
      make({ accountMode: 'margin' });
      order('sell', 10);
      stop('buy', 10, 250);
      expectNoneFree('buy', '-10');
    });

    it('margin account, nothing held, then a sell beyond the long position opens a short against buying power (unchanged)', () => {
      make({ accountMode: 'margin' });
      order('buy', 10);
      order('sell', 15);
      expect(engine.position('GLD').qty).toBe('-5');
      const r = refused('sell', 1000);
      expect([r.status, r.message]).toEqual([403, 'insufficient buying power']);
    });

    it('margin account, held bracket legs and the stop of an open oco pair hold no shares of their own', () => {
      make({ accountMode: 'margin' });
      order('buy', 10);
      // An entry that has not filled: its sell legs are held and hold nothing.
      order('buy', 3, { type: 'limit', limit_price: '230', time_in_force: 'gtc', order_class: 'bracket', take_profit: { limit_price: '250' }, stop_loss: { stop_price: '220' } });
      expect(engine.position('GLD').qty_available).toBe('10');
      // An oco on 6: the take profit holds 6, its stop the same 6, not 6 more.
      order('sell', 6, { type: 'limit', time_in_force: 'gtc', order_class: 'oco', take_profit: { limit_price: '250' }, stop_loss: { stop_price: '230' } });
      expect(engine.position('GLD').qty_available).toBe('4');
      expect(refused('sell', 5).message).toBe('insufficient qty available for order (requested: 5, available: 4)');
      order('sell', 4);
      expect(engine.position('GLD').qty).toBe('6');
    });

    it.each(['cash', 'margin'] as const)('%s account, replace the stop of an oco pair then allowed: the pair holds its shares once', (accountMode) => {
      make({ accountMode });
      order('buy', 10);
      const o = order('sell', 10, { type: 'limit', time_in_force: 'gtc', order_class: 'oco', take_profit: { limit_price: '250' }, stop_loss: { stop_price: '230' } });
      const [sl] = o.legs as Record<string, unknown>[];
      const n = engine.replace(String(sl.id), { stop_price: '232' }, market.now);
      expect(engine.get(String(n.id))).toMatchObject({ qty: '10', stop_price: '232', status: 'new' });
      expect(engine.position('GLD').qty_available).toBe('0');
    });

    it('margin account, replace then the order being replaced holds nothing against its own resize; another order\'s shares still count', () => {
      make({ accountMode: 'margin' });
      order('buy', 10);
      const s = stop('sell', 10, 230);
      const smaller = engine.replace(String(s.id), { qty: '6' }, market.now);
      order('sell', 4, { type: 'limit', limit_price: '250', time_in_force: 'gtc' });
      const back = engine.replace(String(smaller.id), { qty: '6', stop_price: '231' }, market.now);
      expect(engine.get(String(back.id))).toMatchObject({ qty: '6', stop_price: '231', status: 'new' });
      const r = rejection(() => engine.replace(String(back.id), { qty: '7' }, market.now));
      expect([r.status, r.message]).toEqual([403, 'insufficient qty available for order (requested: 7, available: 6)']);
      expect(engine.get(String(back.id)).status).toBe('new');
    });
  });

  it('round trip then books realized P&L and removes the position', () => {
    engine.submit({ symbol: 'GLD', qty: 10, side: 'buy', type: 'market', time_in_force: 'day' }, market.now);
    quote('GLD', 242, 242.1);
    engine.submit({ symbol: 'GLD', qty: 10, side: 'sell', type: 'market', time_in_force: 'day' }, market.now);
    expect(engine.positions()).toEqual([]);
    expect(engine.account.realizedPl).toBeCloseTo(10 * (242 - 240), 6);
    expect(() => engine.position('GLD')).toThrow(VenueRejection);
  });

  it('cancel open order then emits canceled, and a second cancel is 422', () => {
    const o = engine.submit({ symbol: 'GLD', qty: 1, side: 'buy', type: 'limit', limit_price: '100', time_in_force: 'gtc' }, market.now);
    engine.cancel(o.id as string, market.now);
    expect(updates.map((u) => u.event)).toEqual(['new', 'canceled']);
    expect(rejection(() => engine.cancel(o.id as string, market.now)).status).toBe(422);
    expect(rejection(() => engine.cancel('no-such-id', market.now)).status).toBe(404);
  });

  it('day order still open at the session end then expires', () => {
    const o = engine.submit({ symbol: 'GLD', qty: 1, side: 'buy', type: 'limit', limit_price: '100', time_in_force: 'day' }, market.now);
    engine.advance(Date.UTC(2025, 0, 6, 23, 59));
    expect(engine.get(o.id as string).status).toBe('new');
    engine.advance(Date.UTC(2025, 0, 7, 0, 0));
    expect(engine.get(o.id as string).status).toBe('expired');
    expect(updates.map((u) => u.event)).toEqual(['new', 'expired']);
  });

  it('exchange session closed then the order waits for the open', () => {
    make({ session: EXCHANGE_HOURS });
    const saturday = Date.UTC(2025, 0, 4, 15, 0);
    const o = engine.submit({ symbol: 'GLD', qty: 1, side: 'buy', type: 'market', time_in_force: 'day' }, saturday);
    engine.advance(saturday + 3_600_000);
    expect(engine.get(o.id as string).status).toBe('accepted');
    engine.advance(Date.UTC(2025, 0, 6, 14, 30)); // Monday 09:30 New York
    expect(updates.map((u) => u.event)).toEqual(['new', 'fill']);
  });

  it('rejectNextOrders then the next order is rejected when it would go live', () => {
    engine.rejectNextOrders(1);
    engine.submit({ symbol: 'GLD', qty: 1, side: 'buy', type: 'market', time_in_force: 'day' }, market.now);
    engine.submit({ symbol: 'GLD', qty: 1, side: 'buy', type: 'market', time_in_force: 'day' }, market.now);
    expect(updates.map((u) => [u.event, u.order.status])).toEqual([
      ['rejected', 'rejected'],
      ['new', 'new'],
      ['fill', 'filled'],
    ]);
  });

  it('list with status filters then separates open and closed, newest first', () => {
    const a = engine.submit({ symbol: 'GLD', qty: 1, side: 'buy', type: 'market', time_in_force: 'day' }, market.now);
    const b = engine.submit({ symbol: 'GLD', qty: 1, side: 'buy', type: 'limit', limit_price: '100', time_in_force: 'gtc' }, market.now + 1);
    expect(engine.list({}).map((o) => o.id)).toEqual([b.id]);
    expect(engine.list({ status: 'closed' }).map((o) => o.id)).toEqual([a.id]);
    expect(engine.list({ status: 'all' }).map((o) => o.id)).toEqual([b.id, a.id]);
    expect(engine.list({ status: 'all', direction: 'asc', limit: 1 }).map((o) => o.id)).toEqual([a.id]);
    expect(rejection(() => engine.list({ status: 'bogus' })).status).toBe(422);
  });

  it('close position by percentage then sells that share of it', () => {
    engine.submit({ symbol: 'SLV', qty: 400, side: 'buy', type: 'market', time_in_force: 'day' }, market.now);
    const order = engine.closePosition('SLV', { percentage: 25 }, market.now);
    expect([order.side, order.qty]).toEqual(['sell', '100']);
    expect(engine.position('SLV').qty).toBe('300');
  });
});
