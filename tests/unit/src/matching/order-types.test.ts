/**
 * The engine's rules for the order types, classes and fill model beyond
 * market and limit: fill rules on trades, stops triggered by trades only,
 * trailing stops, notional orders, the auctions, legs, replace, activities,
 * equity history and the exchange calendar.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { MatchingEngine, type EngineOptions, type TradeUpdateData } from '../../../../src/matching/engine.js';
import { rejection } from './rejection.js';
import { linearFees } from '../../../../src/matching/fill-model.js';
import { EXCHANGE_HOURS, calendarRows } from '../../../../src/matching/session.js';
import { nyseDay } from '../../../../src/matching/calendar.js';
import { FakeMarket } from './fake-market.js';


describe('MatchingEngine order types and fill model', () => {
  let market: FakeMarket;
  let engine: MatchingEngine;
  let updates: TradeUpdateData[];

  const make = (opts: Partial<EngineOptions> = {}): void => {
    engine = new MatchingEngine({ market, seed: 7, now: market.now, cash: 100_000, accountMode: 'margin', fillModel: { limitFill: 'trade_through' }, ...opts });
    updates = [];
    engine.onUpdate((u) => updates.push(u));
  };
  const quote = (symbol: string, bid: number, ask: number, size = 500): void => engine.onQuotes([market.set(symbol, bid, ask, size)]);
  const trade = (symbol: string, price: number, size = 100): void => engine.onQuotes([market.print(symbol, price, size)]);
  const eventsOf = (id: unknown): string[] => updates.filter((u) => u.order.id === id).map((u) => u.event);
  const statusOf = (id: unknown): unknown => engine.get(String(id)).status;
  const buy = (body: Record<string, unknown>): Record<string, unknown> => engine.submit({ symbol: 'GLD', side: 'buy', time_in_force: 'gtc', ...body }, market.now);
  const sell = (body: Record<string, unknown>): Record<string, unknown> => engine.submit({ symbol: 'GLD', side: 'sell', time_in_force: 'gtc', ...body }, market.now);
  const own = (qty: number): void => {
    buy({ qty, type: 'market', time_in_force: 'day' });
    expect(engine.position('GLD').qty).toBe(String(qty));
    updates.length = 0;
  };

  beforeEach(() => {
    market = new FakeMarket();
    market.set('GLD', 239.9, 240.0);
    make();
  });

  describe('limit fill rules', () => {
    it('trade_through: a quote crossing the limit or a trade at it fills nothing; a trade through it fills at the limit up to its size', () => {
      const o = buy({ qty: 10, type: 'limit', limit_price: '239.50' });
      quote('GLD', 239.3, 239.4);
      trade('GLD', 239.5, 300);
      expect(eventsOf(o.id)).toEqual(['new']);
      trade('GLD', 239.49, 4);
      expect(updates.at(-1)).toMatchObject({ event: 'partial_fill', qty: '4', price: '239.5' });
      trade('GLD', 239.4, 100);
      expect(eventsOf(o.id)).toEqual(['new', 'partial_fill', 'fill']);
      expect(updates.at(-1)).toMatchObject({ qty: '6', price: '239.5' });
    });

    it('trade_at_queue: trades at the limit fill only once the size shown ahead has traded', () => {
      make({ fillModel: { limitFill: 'trade_at_queue' } });
      const o = buy({ qty: 100, type: 'limit', limit_price: '239.90' }); // joins the bid: 500 ahead
      trade('GLD', 239.9, 300);
      expect(eventsOf(o.id)).toEqual(['new']);
      trade('GLD', 239.9, 250); // 200 ahead left, then 50 for us
      expect(updates.at(-1)).toMatchObject({ event: 'partial_fill', qty: '50', price: '239.9' });
      trade('GLD', 239.9, 80);
      expect(eventsOf(o.id)).toEqual(['new', 'partial_fill', 'fill']);
    });

    it('quote_cross (the engine default): the opposite quote reaching the limit fills it', () => {
      make({ fillModel: {} });
      expect(engine.fillModel).toEqual({ limitFill: 'quote_cross', slippageBps: 0 });
      const o = buy({ qty: 10, type: 'limit', limit_price: '239.50' });
      quote('GLD', 239.3, 239.4);
      expect(eventsOf(o.id)).toEqual(['new', 'fill']);
    });

    it('slippage then takers pay bps beyond the touch, and a marketable limit never beyond its limit', () => {
      make({ fillModel: { slippageBps: 10 } });
      buy({ qty: 1, type: 'market', time_in_force: 'day' });
      expect(updates.at(-1)).toMatchObject({ event: 'fill', price: '240.24' });
      buy({ qty: 1, type: 'limit', limit_price: '240.10' });
      expect(updates.at(-1)).toMatchObject({ event: 'fill', price: '240.1' });
    });

    it('fees then charged to cash and listed as FEE activities beside the FILL', () => {
      make({ fees: linearFees(0.01, 1) });
      buy({ qty: 10, type: 'market', time_in_force: 'day' });
      expect(engine.totalFees).toBeCloseTo(10 * 0.01 + (10 * 240 * 1) / 1e4, 6);
      expect(Number(engine.accountWire(market.now).cash)).toBeCloseTo(100_000 - 2400 - engine.totalFees, 2);
      const [fee] = engine.activities({ activityTypes: ['FEE'] });
      expect(fee).toMatchObject({ activity_type: 'FEE', net_amount: '-0.34', symbol: 'GLD', qty: '10' });
    });
  });

  describe('stops', () => {
    it('stop sell then quotes below the stop do not trigger it; a trade at the stop does, and it takes the bid', () => {
      own(10);
      const o = sell({ qty: 10, type: 'stop', stop_price: '239' });
      quote('GLD', 238.5, 238.6);
      expect(eventsOf(o.id)).toEqual(['new']);
      trade('GLD', 239.0);
      expect(eventsOf(o.id)).toEqual(['new', 'fill']);
      expect(updates.at(-1)!.price).toBe('238.5');
      expect(engine.get(String(o.id))).toMatchObject({ type: 'stop', stop_price: '239', status: 'filled' });
    });

    it('stop_limit buy then triggered by a trade, rests at its limit and fills when a trade goes through it', () => {
      const o = buy({ qty: 5, type: 'stop_limit', stop_price: '241', limit_price: '241.50' });
      quote('GLD', 241.9, 242.0);
      trade('GLD', 241.2);
      expect(eventsOf(o.id)).toEqual(['new']); // triggered, but the ask is above its limit
      trade('GLD', 241.5);
      expect(eventsOf(o.id)).toEqual(['new']);
      trade('GLD', 241.45);
      expect(eventsOf(o.id)).toEqual(['new', 'fill']);
      expect(updates.at(-1)!.price).toBe('241.5');
    });

    it('trailing stop by price then the stop follows the high-water mark and triggers on a trade through it', () => {
      own(10);
      trade('GLD', 240);
      const o = sell({ qty: 10, type: 'trailing_stop', trail_price: '1' });
      expect(engine.get(String(o.id))).toMatchObject({ hwm: '240', stop_price: '239', trail_price: '1' });
      trade('GLD', 242);
      expect(engine.get(String(o.id))).toMatchObject({ hwm: '242', stop_price: '241' });
      trade('GLD', 241.5);
      trade('GLD', 241.8);
      expect(eventsOf(o.id)).toEqual(['new']);
      expect(engine.get(String(o.id)).hwm).toBe('242');
      quote('GLD', 240.8, 240.9);
      trade('GLD', 240.9);
      expect(eventsOf(o.id)).toEqual(['new', 'fill']);
      expect(updates.at(-1)!.price).toBe('240.8');
    });

    it('trailing stop buy by percent then the low-water mark sets the stop above it', () => {
      trade('GLD', 200);
      const o = buy({ qty: 1, type: 'trailing_stop', trail_percent: '1' });
      expect(engine.get(String(o.id))).toMatchObject({ hwm: '200', stop_price: '202', trail_percent: '1' });
      trade('GLD', 190);
      expect(engine.get(String(o.id))).toMatchObject({ hwm: '190', stop_price: '191.9' });
      trade('GLD', 191.9);
      expect(statusOf(o.id)).toBe('filled');
    });

    it('a bar reaching the stop then triggers it (research replays bars)', () => {
      own(10);
      const o = sell({ qty: 10, type: 'stop', stop_price: '235' });
      const q = market.set('GLD', 236, 236.1);
      engine.onBar('GLD', { low: 235.5, high: 238 }, q, market.now);
      expect(statusOf(o.id)).toBe('new');
      engine.onBar('GLD', { low: 234.9, high: 236.5 }, q, market.now);
      expect(statusOf(o.id)).toBe('filled');
    });
  });

  it('notional buy then sized by the touch when it goes live and filled fractionally', () => {
    const o = buy({ notional: '1000', type: 'market', time_in_force: 'day' });
    expect([o.notional, o.qty]).toEqual(['1000', null]);
    const done = engine.get(String(o.id));
    expect(done).toMatchObject({ status: 'filled', notional: '1000', qty: '4.166666666', filled_qty: '4.166666666' });
  });

  it('opg order before the open then waits for it and trades once; an unmarketable one is canceled', () => {
    market.now = Date.UTC(2025, 0, 6, 13, 0); // 08:00 in New York
    make({ session: EXCHANGE_HOURS, fillModel: { limitFill: 'trade_through' } });
    const a = buy({ qty: 1, type: 'market', time_in_force: 'opg' });
    const b = buy({ qty: 1, type: 'limit', limit_price: '200', time_in_force: 'opg' });
    const open = EXCHANGE_HOURS.nextOpen(market.now);
    expect(open).toBe(Date.UTC(2025, 0, 6, 14, 30));
    quote('GLD', 239.9, 240.0);
    expect([statusOf(a.id), statusOf(b.id)]).toEqual(['accepted', 'accepted']);
    market.now = open;
    quote('GLD', 239.9, 240.0);
    expect([statusOf(a.id), statusOf(b.id)]).toEqual(['filled', 'canceled']);
  });

  it('exchange session then opg refused from 09:28 and cls from 15:50 until 19:00 New York time', () => {
    make({ session: EXCHANGE_HOURS });
    market.now = Date.UTC(2025, 0, 6, 14, 28); // 09:28 EST
    expect(rejection(() => buy({ qty: 1, type: 'market', time_in_force: 'opg' })).message).toBe('opg orders are not accepted between 09:28 and 19:00 ET');
    const cls = buy({ qty: 1, type: 'market', time_in_force: 'cls' });
    expect(cls.status).toBe('accepted');
    market.now = Date.UTC(2025, 0, 6, 20, 50); // 15:50 EST
    expect(rejection(() => buy({ qty: 1, type: 'market', time_in_force: 'cls' })).message).toBe('cls orders are not accepted between 15:50 and 19:00 ET');
    market.now = Date.UTC(2025, 0, 7, 0, 0); // 19:00 EST: both accepted again, for the next session
    expect(buy({ qty: 1, type: 'market', time_in_force: 'opg' }).status).toBe('accepted');
    expect(buy({ qty: 1, type: 'market', time_in_force: 'cls' }).status).toBe('accepted');
  });

  describe('order classes', () => {
    const bracket = { qty: 10, type: 'market', time_in_force: 'day', order_class: 'bracket', take_profit: { limit_price: '245' }, stop_loss: { stop_price: '235' } };

    it('bracket then legs held until the entry fills, then working; the take profit filling cancels the stop', () => {
      const o = buy({ ...bracket, type: 'limit', limit_price: '239' });
      const [tp, sl] = o.legs as Record<string, unknown>[];
      expect([o.order_class, tp.type, tp.side, tp.status, sl.type, sl.status, sl.stop_price]).toEqual(['bracket', 'limit', 'sell', 'held', 'stop', 'held', '235']);
      expect(engine.list({ status: 'open', nested: true }).map((x) => x.id)).toEqual([o.id]);
      expect(engine.list({ status: 'open' }).length).toBe(3);
      trade('GLD', 238.9);
      expect(statusOf(o.id)).toBe('filled');
      expect([statusOf(tp.id), statusOf(sl.id)]).toEqual(['new', 'new']);
      expect(engine.get(String(tp.id)).qty).toBe('10');
      trade('GLD', 245.01);
      expect([statusOf(tp.id), statusOf(sl.id)]).toEqual(['filled', 'canceled']);
      expect(engine.positions()).toEqual([]);
      expect(updates.map((u) => [u.order.id === o.id ? 'entry' : u.order.id === tp.id ? 'tp' : 'sl', u.event])).toEqual([
        ['entry', 'new'], ['entry', 'fill'], ['tp', 'new'], ['sl', 'new'], ['tp', 'fill'], ['sl', 'canceled'],
      ]);
    });

    it('bracket entry canceled before a fill then its held legs are canceled with it', () => {
      const o = buy({ ...bracket, type: 'limit', limit_price: '230', take_profit: { limit_price: '245' }, stop_loss: { stop_price: '225' } });
      engine.cancel(String(o.id), market.now);
      const legs = (engine.get(String(o.id)).legs as Record<string, unknown>[]).map((l) => l.status);
      expect([statusOf(o.id), ...legs]).toEqual(['canceled', 'canceled', 'canceled']);
    });

    it('bracket stop leg canceled then only that leg goes; the take profit keeps working', () => {
      const o = buy(bracket);
      const [tp, sl] = engine.get(String(o.id)).legs as Record<string, unknown>[];
      engine.cancel(String(sl.id), market.now);
      expect([statusOf(tp.id), statusOf(sl.id)]).toEqual(['new', 'canceled']);
      // Only one of the pair held shares: with the stop gone the take profit still does.
      expect(engine.position('GLD').qty_available).toBe('0');
    });

    it('oco then both legs work at once; the stop triggering cancels the take profit', () => {
      own(10);
      const o = sell({ qty: 10, type: 'limit', order_class: 'oco', take_profit: { limit_price: '250' }, stop_loss: { stop_price: '230' } });
      const [sl] = o.legs as Record<string, unknown>[];
      expect([o.limit_price, statusOf(o.id), statusOf(sl.id)]).toEqual(['250', 'new', 'new']);
      expect(engine.position('GLD').qty_available).toBe('0');
      quote('GLD', 229.5, 229.6);
      trade('GLD', 229.6);
      expect([statusOf(o.id), statusOf(sl.id)]).toEqual(['canceled', 'filled']);
    });

    it('oco whose take profit fills as it goes live then its stop, still waiting to go live, is canceled', () => {
      make({ fillLatencyMs: 100, accountMode: 'cash', fillModel: { limitFill: 'trade_through' } });
      buy({ qty: 10, type: 'market', time_in_force: 'day' });
      quote('GLD', 239.9, 240.0);
      expect(engine.position('GLD').qty).toBe('10');
      const o = engine.submit({ symbol: 'GLD', side: 'sell', qty: 10, type: 'limit', time_in_force: 'gtc', order_class: 'oco', take_profit: { limit_price: '239' }, stop_loss: { stop_price: '230' } }, market.now);
      const [sl] = o.legs as Record<string, unknown>[];
      expect([statusOf(o.id), statusOf(sl.id)]).toEqual(['accepted', 'accepted']);
      quote('GLD', 239.9, 240.0);
      expect([statusOf(o.id), statusOf(sl.id)]).toEqual(['filled', 'canceled']);
      expect(eventsOf(sl.id)).toEqual(['canceled']);
    });

    it('oto then its one leg goes live when the entry fills', () => {
      const o = buy({ qty: 5, type: 'market', time_in_force: 'day', order_class: 'oto', stop_loss: { stop_price: '230', limit_price: '229' } });
      const [sl] = engine.get(String(o.id)).legs as Record<string, unknown>[];
      expect([statusOf(o.id), sl.type, sl.status, sl.limit_price]).toEqual(['filled', 'stop_limit', 'new', '229']);
    });
  });

  describe('replace', () => {
    it('replace a resting limit then pending_replace and replaced for the old, a new order that replaces it', () => {
      const o = buy({ qty: 10, type: 'limit', limit_price: '230', client_order_id: 'first' });
      const n = engine.replace(String(o.id), { qty: '4', limit_price: '231', client_order_id: 'second' }, market.now);
      expect([n.replaces, n.qty, n.limit_price, n.client_order_id, n.status]).toEqual([o.id, '4', '231', 'second', 'accepted']);
      expect(statusOf(n.id)).toBe('new');
      expect(engine.get(String(o.id))).toMatchObject({ status: 'replaced', replaced_by: n.id });
      expect(eventsOf(o.id)).toEqual(['new', 'pending_replace', 'replaced']);
      expect(eventsOf(n.id)).toEqual(['new']);
      expect(engine.list({ status: 'open' }).map((x) => x.id)).toEqual([n.id]);
    });

    it('replace of a filled, canceled or unknown order then refused; bad fields name themselves', () => {
      const f = buy({ qty: 1, type: 'market', time_in_force: 'day' });
      expect([rejection(() => engine.replace(String(f.id), { qty: '2' }, market.now)).status, rejection(() => engine.replace(String(f.id), { qty: '2' }, market.now)).message]).toEqual([422, 'order is not replaceable (status filled)']);
      const o = buy({ qty: 1, type: 'limit', limit_price: '230' });
      expect(rejection(() => engine.replace(String(o.id), { stop_price: '3' }, market.now)).message).toBe('stop_price is not allowed for limit orders');
      expect(rejection(() => engine.replace(String(o.id), { side: 'sell' }, market.now)).message).toMatch(/^side cannot be replaced/);
      expect(rejection(() => engine.replace(String(o.id), { trail: '1' }, market.now)).message).toBe('trail is only for trailing_stop orders (this is limit)');
      engine.cancel(String(o.id), market.now);
      expect(rejection(() => engine.replace(String(o.id), { qty: '2' }, market.now)).message).toBe('order is not replaceable (status canceled)');
      expect(rejection(() => engine.replace('nope', { qty: '2' }, market.now)).status).toBe(404);
    });

    it('replace a working bracket leg then the new leg takes its place and still cancels with its partner', () => {
      const o = buy({ qty: 10, type: 'market', time_in_force: 'day', order_class: 'bracket', take_profit: { limit_price: '245' }, stop_loss: { stop_price: '235' } });
      const [tp, sl] = engine.get(String(o.id)).legs as Record<string, unknown>[];
      const n = engine.replace(String(sl.id), { stop_price: '237' }, market.now);
      expect((engine.get(String(o.id)).legs as Record<string, unknown>[]).map((l) => l.id)).toEqual([tp.id, n.id]);
      quote('GLD', 236.5, 236.6);
      trade('GLD', 236.9);
      expect([statusOf(n.id), statusOf(tp.id)]).toEqual(['filled', 'canceled']);
    });

    it('replace a partially filled bracket entry then refused; cancelling it sends its legs out for what it filled', () => {
      const o = buy({ qty: 800, type: 'market', time_in_force: 'day', order_class: 'bracket', take_profit: { limit_price: '245' }, stop_loss: { stop_price: '235' } });
      expect(statusOf(o.id)).toBe('partially_filled');
      const r = rejection(() => engine.replace(String(o.id), { qty: '900' }, market.now));
      expect([r.status, r.message]).toEqual([422, 'a partially filled bracket entry cannot be replaced; cancel it (its legs then go live for what it filled)']);
      engine.cancel(String(o.id), market.now);
      const legs = engine.get(String(o.id)).legs as Record<string, unknown>[];
      expect(legs.map((l) => [l.status, l.qty])).toEqual([['new', '500'], ['new', '500']]);
    });

    it('replace a trailing stop trail then the stop moves from the same high-water mark', () => {
      own(1);
      trade('GLD', 240);
      const o = sell({ qty: 1, type: 'trailing_stop', trail_price: '1' });
      const n = engine.replace(String(o.id), { trail: '2' }, market.now);
      expect([n.hwm, n.trail_price]).toEqual(['240', '2']);
      expect(engine.get(String(n.id)).stop_price).toBe('238');
    });
  });

  it('state exported and restored then held legs, the trailing mark, activities and history carry over and keep working', () => {
    own(5);
    trade('GLD', 240);
    const trailing = sell({ qty: 5, type: 'trailing_stop', trail_price: '2' });
    trade('GLD', 243);
    const entry = buy({ qty: 3, type: 'limit', limit_price: '238', order_class: 'bracket', take_profit: { limit_price: '250' }, stop_loss: { stop_price: '230' } });
    engine.advance(market.now);
    const state = JSON.parse(JSON.stringify(engine.exportState()));
    const restored = new MatchingEngine({ market, seed: 7, now: market.now, restore: state, fillModel: { limitFill: 'trade_through' } });
    expect(restored.get(String(trailing.id))).toMatchObject({ hwm: '243', stop_price: '241' });
    expect(restored.activities({}).length).toBe(engine.activities({}).length);
    expect(restored.portfolioHistory({ period: '1D' }, market.now).equity).toEqual(engine.portfolioHistory({ period: '1D' }, market.now).equity);
    restored.onQuotes([market.print('GLD', 237.9)]);
    const legs = restored.get(String(entry.id)).legs as Record<string, unknown>[];
    expect([restored.get(String(entry.id)).status, ...legs.map((l) => l.status)]).toEqual(['filled', 'new', 'new']);
    expect(restored.get(String(trailing.id)).status).toBe('filled');
  });

  it('activities then FILLs newest first, filtered by type, paged by token', () => {
    for (let k = 0; k < 3; k++) buy({ qty: 1, type: 'market', time_in_force: 'day' });
    const all = engine.activities({});
    expect(all.map((a) => a.activity_type)).toEqual(['FILL', 'FILL', 'FILL']);
    expect(all[0]).toMatchObject({ type: 'fill', qty: '1', price: '240', side: 'buy', symbol: 'GLD', cum_qty: '1', leaves_qty: '0', order_status: 'filled' });
    expect(String(all[0].id)).toMatch(/^\d{17}::/);
    const first = engine.activities({ pageSize: 2 });
    const second = engine.activities({ pageSize: 2, pageToken: String(first[1].id) });
    expect([...first, ...second].map((a) => a.id)).toEqual(all.map((a) => a.id));
    expect(engine.activities({ activityTypes: ['FEE'] })).toEqual([]);
    expect(rejection(() => engine.activities({ activityTypes: ['NOPE'] })).message).toBe('invalid activity_types: NOPE');
  });

  it('portfolio history then equity per bucket with profit and loss against the base value', () => {
    const t0 = market.now;
    engine.advance(t0);
    buy({ qty: 10, type: 'market', time_in_force: 'day' });
    market.now = t0 + 120_000;
    trade('GLD', 250);
    engine.advance(market.now);
    const h = engine.portfolioHistory({ period: '1D', timeframe: '1Min' }, market.now);
    expect(h.timeframe).toBe('1Min');
    expect((h.equity as number[]).at(-1)).toBeCloseTo(100_000 - 2400 + 2500, 2);
    expect((h.profit_loss as number[]).at(-1)).toBeCloseTo(100, 2);
    expect(h.base_value).toBe(100_000);
    expect(rejection(() => engine.portfolioHistory({ period: '3Q' }, market.now)).message).toMatch(/^invalid period/);
    expect(rejection(() => engine.portfolioHistory({ period: '2M', timeframe: '1Min' }, market.now)).message).toBe('timeframe 1Min is only for periods up to 30 days');
  });
});

describe('exchange calendar', () => {
  it('NYSE 2025 then its holidays are closed and its early closes end at 13:00', () => {
    const closed = ['2025-01-01', '2025-01-20', '2025-02-17', '2025-04-18', '2025-05-26', '2025-06-19', '2025-07-04', '2025-09-01', '2025-11-27', '2025-12-25'];
    for (const d of closed) expect([d, nyseDay(Date.parse(d)).trading]).toEqual([d, false]);
    expect(EXCHANGE_HOURS.isOpen(Date.parse('2025-12-25T15:00:00Z'))).toBe(false);
    expect(EXCHANGE_HOURS.isOpen(Date.parse('2025-12-24T15:00:00Z'))).toBe(true);
    expect(EXCHANGE_HOURS.isOpen(Date.parse('2025-12-24T18:30:00Z'))).toBe(false);
    const rows = calendarRows(EXCHANGE_HOURS, Date.parse('2025-07-01'), Date.parse('2025-07-08'));
    expect(rows.map((r) => [r.date, r.open, r.close, r.settlement_date])).toEqual([
      ['2025-07-01', '09:30', '16:00', '2025-07-02'],
      ['2025-07-02', '09:30', '16:00', '2025-07-03'],
      ['2025-07-03', '09:30', '13:00', '2025-07-07'],
      ['2025-07-07', '09:30', '16:00', '2025-07-08'],
      ['2025-07-08', '09:30', '16:00', '2025-07-09'],
    ]);
    // A Saturday holiday is observed the Friday before (July 4th, 2026), New Year's Day on a Saturday is not (2022).
    expect(nyseDay(Date.parse('2026-07-03')).trading).toBe(false);
    expect(nyseDay(Date.parse('2021-12-31')).trading).toBe(true);
  });
});
