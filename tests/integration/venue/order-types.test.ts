/**
 * Every order type, class and the replace call driven end to end by the real
 * SDK against the venue, with the trade_updates each produces; the fill
 * model's rules seen from outside (a resting limit fills only on a trade
 * through it, a stop triggers on a trade, never on a quote alone); account
 * activities, portfolio history and the calendar through the SDK's own APIs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, PermissionError, ValidationError, type streaming, type trading } from '@alpacahq/alpaca-trade-api';
import { startVenue, type VenueHandle } from '../../../venue/index.js';
import type { AlpacaClients } from '../../../src/alpaca/index.js';
import { Collector, MarketTape, accountApisFor, caught, clientsFor, listeningTradingStream, stepUntil, type AccountApis } from './helpers.js';

const cents = (x: number): number => Math.round(x * 100) / 100;

/** A venue on a manual clock with the SDK's REST clients and a trade_updates collector. */
async function openVenue(options: Parameters<typeof startVenue>[0]): Promise<{ venue: VenueHandle; api: AlpacaClients; apis: AccountApis; stream: streaming.TradingStream; updates: Collector<streaming.TradeUpdate> }> {
  const venue = await startVenue({ clockMode: 'manual', stepMs: 1000, historyMinutes: 0, fillLatencyMs: 50, cash: 1_000_000, accountMode: 'margin', ...options });
  venue.market.step(1);
  const api = clientsFor(venue);
  const updates = new Collector<streaming.TradeUpdate>();
  const stream = await listeningTradingStream(api, updates, { reconnect: false });
  return { venue, api, apis: accountApisFor(venue), stream, updates };
}

describe('order types through the SDK (fill model trade_through, the venue default)', () => {
  let venue: VenueHandle;
  let api: AlpacaClients;
  let apis: AccountApis;
  let stream: streaming.TradingStream;
  let updates: Collector<streaming.TradeUpdate>;
  let tape: MarketTape;

  beforeAll(async () => {
    ({ venue, api, apis, stream, updates } = await openVenue({ seed: 23, volScale: 3 }));
    tape = new MarketTape(venue);
    expect(venue.engine.fillModel).toEqual({ limitFill: 'trade_through', slippageBps: 0 });
  });

  afterAll(async () => {
    tape.stop();
    stream.disconnect();
    expect(venue.stats.internalErrors).toBe(0);
    await venue.close();
  });

  const statusOf = (id: string | undefined): unknown => venue.engine.get(String(id)).status;
  const eventsOf = (id: string | undefined): string[] => updates.items.filter((u) => u.order.id === id).map((u) => u.event);
  const waitEvent = (id: string | undefined, event: string): Promise<streaming.TradeUpdate> => updates.waitFor((u) => u.order.id === id && u.event === event, 3000, `${event} of ${id}`);
  const quote = (symbol: string): { bid: number; ask: number } => venue.market.quote(symbol)!;
  const buyPosition = async (symbol: string, qty: number): Promise<void> => {
    const o = await api.orders.market({ symbol, qty, side: 'buy' });
    stepUntil(venue, () => statusOf(o.id) === 'filled', 200, `entry ${symbol}`);
    await waitEvent(o.id, 'fill');
  };

  it('resting limit buy then fills only in a step whose trades went through its limit, at the limit', async () => {
    const limit = cents(quote('SLV').bid - 0.02);
    const order = await api.orders.limit({ symbol: 'SLV', qty: 5, side: 'buy', limitPrice: limit, timeInForce: 'gtc' });
    let filledBefore = '0';
    stepUntil(venue, () => statusOf(order.id) === 'filled', 20_000, 'limit fill', () => {
      const filledNow = String(venue.engine.get(String(order.id)).filled_qty);
      // The rule, seen from outside: a step that filled any of it printed a trade through the limit.
      if (filledNow !== filledBefore) expect(tape.lastTrades('SLV').map((t) => t.price).filter((p) => p < limit).length).toBeGreaterThan(0);
      filledBefore = filledNow;
    });
    const fill = await waitEvent(order.id, 'fill');
    expect(Number(fill.price)).toBe(limit);
  });

  it('stop sell then new, and fills only in a step where a trade reached the stop', async () => {
    await buyPosition('GLD', 20);
    const stop = cents(quote('GLD').bid - 0.05);
    const order = await api.orders.stop({ symbol: 'GLD', qty: 20, side: 'sell', stopPrice: stop, timeInForce: 'gtc' });
    expect([order.type, order.stopPrice, order.status]).toEqual(['stop', String(stop), 'accepted']);
    let untouched = true;
    stepUntil(venue, () => statusOf(order.id) === 'filled', 20_000, 'stop fill', () => {
      // The step of the first fill printed a trade at or under the stop.
      if (untouched && venue.engine.get(String(order.id)).filled_qty !== '0') expect(tape.lastTrades('GLD').some((t) => t.price <= stop)).toBe(true);
      untouched = venue.engine.get(String(order.id)).filled_qty === '0';
    });
    await waitEvent(order.id, 'fill');
    expect(eventsOf(order.id)[0]).toBe('new');
    expect(eventsOf(order.id).at(-1)).toBe('fill');
  });

  it('stop_limit buy then triggered by a trade at its stop and filled no worse than its limit', async () => {
    const stop = cents(quote('GDX').ask + 0.03);
    const limit = cents(stop + 0.1);
    const order = await api.orders.stopLimit({ symbol: 'GDX', qty: 3, side: 'buy', stopPrice: stop, limitPrice: limit, timeInForce: 'gtc' });
    let triggeredAt = -1;
    stepUntil(venue, () => statusOf(order.id) === 'filled', 20_000, 'stop_limit fill', () => {
      if (triggeredAt < 0 && tape.lastTrades('GDX').some((t) => t.price >= stop)) triggeredAt = tape.batches.length;
    });
    await waitEvent(order.id, 'fill');
    expect(triggeredAt).toBeGreaterThan(0);
    const fills = updates.items.filter((u) => u.order.id === order.id && u.price !== undefined);
    expect(fills.length).toBeGreaterThan(0);
    for (const f of fills) expect(Number(f.price)).toBeLessThanOrEqual(limit);
  });

  it('trailing stop by percent then its high-water mark and stop follow the trades, and it fills once a trade crosses the stop', async () => {
    await buyPosition('IAU', 30);
    const order = await api.orders.trailingStop({ symbol: 'IAU', qty: 30, side: 'sell', trailPercent: 0.2, timeInForce: 'gtc' });
    venue.market.step(1);
    const first = await api.orders.getOrderByOrderID({ orderId: order.id! });
    expect([first.type, first.trailPercent, first.status]).toEqual(['trailing_stop', '0.2', 'new']);
    const hwm0 = Number(first.hwm);
    expect(Number(first.stopPrice)).toBeCloseTo(cents(hwm0 * 0.998), 2);
    let hwm = hwm0;
    let stop = Number(first.stopPrice);
    stepUntil(venue, () => statusOf(order.id) === 'filled', 20_000, 'trailing stop fill', () => {
      const o = venue.engine.get(String(order.id));
      const highest = Math.max(hwm, ...tape.lastTrades('IAU').map((t) => t.price));
      if (o.filled_qty === '0') {
        // While working: the mark is the highest trade so far and the stop sits 0.2 % under it.
        expect(Number(o.hwm)).toBeCloseTo(highest, 6);
        expect(Number(o.stop_price)).toBeCloseTo(cents(highest * 0.998), 6);
      } else {
        // The step that filled it printed a trade at or under the stop.
        expect(Math.min(...tape.lastTrades('IAU').map((t) => t.price))).toBeLessThanOrEqual(stop);
      }
      hwm = highest;
      stop = Number(o.stop_price);
    });
    await waitEvent(order.id, 'fill');
    const done = await api.orders.getOrderByOrderID({ orderId: order.id! });
    expect(Number(done.hwm)).toBeGreaterThanOrEqual(hwm0);
  });

  it('notional market buy then a fractional fill worth the notional', async () => {
    const order = await api.orders.market({ symbol: 'SIVR', notional: 1000, side: 'buy' });
    expect([order.notional, order.qty, order.timeInForce]).toEqual(['1000', undefined, 'day']);
    stepUntil(venue, () => statusOf(order.id) === 'filled', 200, 'notional fill');
    const fill = await waitEvent(order.id, 'fill');
    const filled = await api.orders.getOrderByOrderID({ orderId: order.id! });
    expect(Number.isInteger(Number(filled.filledQty))).toBe(false);
    expect(Number(filled.filledQty) * Number(fill.price)).toBeLessThanOrEqual(1000);
    expect(Number(filled.filledQty) * Number(fill.price)).toBeGreaterThan(999.99);
  });

  it('ioc limit below the market then canceled at once; fok bigger than the touch then canceled without a fill', async () => {
    const ioc = await api.orders.limit({ symbol: 'PPLT', qty: 1, side: 'buy', limitPrice: cents(quote('PPLT').bid - 1), timeInForce: 'ioc' });
    const fok = await api.orders.market({ symbol: 'PPLT', qty: 5000, side: 'buy', timeInForce: 'fok' });
    venue.market.step(1);
    await waitEvent(ioc.id, 'canceled');
    await waitEvent(fok.id, 'canceled');
    expect(eventsOf(fok.id)).toEqual(['new', 'canceled']);
  });

  it('bracket with a market entry then held legs go live on the fill; replace the take profit, cancel the stop, and the new take profit fills', async () => {
    const ask = quote('GLD').ask;
    const order = await api.orders.bracket({ symbol: 'GLD', qty: 10, side: 'buy', takeProfit: { limitPrice: cents(ask + 5) }, stopLoss: { stopPrice: cents(ask - 5) }, timeInForce: 'gtc' });
    expect([order.orderClass, order.legs?.length, order.legs?.map((l) => l.status)]).toEqual(['bracket', 2, ['held', 'held']]);
    const [tp, sl] = order.legs!;
    const nested = await api.orders.getAllOrders({ status: 'open', nested: true, symbols: ['GLD'] });
    expect(nested.find((o) => o.id === order.id)?.legs?.map((l) => l.id)).toEqual([tp.id, sl.id]);
    expect(nested.map((o) => o.id)).not.toContain(tp.id);
    stepUntil(venue, () => statusOf(order.id) === 'filled', 200, 'bracket entry');
    await waitEvent(tp.id, 'new');
    await waitEvent(sl.id, 'new');
    // Replace the take profit just above the market: the old leg goes pending_replace then replaced.
    const newTp = await api.orders.patchOrderByOrderId({ orderId: tp.id!, patchOrderRequest: { limitPrice: String(cents(quote('GLD').bid + 0.03)) } });
    expect([newTp.replaces, newTp.side, newTp.type]).toEqual([tp.id, 'sell', 'limit']);
    await waitEvent(tp.id, 'replaced');
    expect(eventsOf(tp.id)).toEqual(['new', 'pending_replace', 'replaced']);
    const old = await api.orders.getOrderByOrderID({ orderId: tp.id! });
    expect([old.status, old.replacedBy]).toEqual(['replaced', newTp.id]);
    const parent = await api.orders.getOrderByOrderID({ orderId: order.id! });
    expect(parent.legs?.map((l) => l.id)).toEqual([newTp.id, sl.id]);
    // Cancel the stop leg alone: the take profit keeps working and fills.
    await api.orders.deleteOrderByOrderID({ orderId: sl.id! });
    await waitEvent(sl.id, 'canceled');
    expect(statusOf(newTp.id)).not.toBe('canceled');
    stepUntil(venue, () => statusOf(newTp.id) === 'filled', 20_000, 'new take profit');
    await waitEvent(newTp.id, 'fill');
  });

  it('bracket with a limit entry canceled before it fills then both held legs are canceled too', async () => {
    const bid = quote('SLV').bid;
    const order = await api.orders.bracket({ symbol: 'SLV', qty: 5, side: 'buy', limitPrice: cents(bid - 3), takeProfit: { limitPrice: cents(bid) }, stopLoss: { stopPrice: cents(bid - 4) }, timeInForce: 'gtc' });
    venue.market.step(1);
    await api.orders.deleteOrderByOrderID({ orderId: order.id! });
    for (const leg of order.legs!) await waitEvent(leg.id, 'canceled');
    const after = await api.orders.getOrderByOrderID({ orderId: order.id! });
    expect([after.status, ...after.legs!.map((l) => l.status)]).toEqual(['canceled', 'canceled', 'canceled']);
  });

  it('bracket legs priced on the wrong side of the entry then 422 naming the leg', async () => {
    const ask = quote('GLD').ask;
    const err = await caught(() => api.orders.bracket({ symbol: 'GLD', qty: 1, side: 'buy', takeProfit: { limitPrice: cents(ask - 1) }, stopLoss: { stopPrice: cents(ask - 5) } }));
    expect(err).toBeInstanceOf(ValidationError);
    expect([err.status, err.message]).toEqual([422, 'take_profit.limit_price must be >= base_price + 0.01']);
    const tif = await caught(() => api.orders.trailingStop({ symbol: 'GLD', qty: 1, side: 'sell', trailPrice: 1, timeInForce: 'fok' }));
    expect([tif.status, tif.message]).toEqual([422, 'time_in_force fok is only for market and limit orders']);
  });

  it('oco on a held position then both legs work; when one fills the other is canceled', async () => {
    await buyPosition('PALL', 10);
    const bid = quote('PALL').bid;
    const order = await api.orders.oco({ symbol: 'PALL', qty: 10, side: 'sell', takeProfit: { limitPrice: cents(bid + 0.05) }, stopLoss: { stopPrice: cents(bid - 0.05) }, timeInForce: 'gtc' });
    expect([order.orderClass, order.type, order.limitPrice, order.legs?.[0]?.type]).toEqual(['oco', 'limit', String(cents(bid + 0.05)), 'stop']);
    const sl = order.legs![0];
    stepUntil(venue, () => statusOf(order.id) === 'filled' || statusOf(sl.id) === 'filled', 20_000, 'an oco leg');
    const [won, lost] = statusOf(order.id) === 'filled' ? [order.id, sl.id] : [sl.id, order.id];
    await waitEvent(won, 'fill');
    await waitEvent(lost, 'canceled');
  });

  it('margin account, a stop holding the long position then a sell of its shares is 403 insufficient qty available; resizing the stop itself is not; with nothing held a sell beyond the position goes short', async () => {
    await buyPosition('GDXJ', 10);
    const stop = await api.orders.stop({ symbol: 'GDXJ', qty: 10, side: 'sell', stopPrice: cents(quote('GDXJ').bid - 5), timeInForce: 'gtc' });
    const err = await caught(() => api.orders.market({ symbol: 'GDXJ', qty: 5, side: 'sell' }));
    expect(err).toBeInstanceOf(PermissionError);
    expect(err).toBeInstanceOf(ApiError);
    expect([err.status, err.code, err.message]).toEqual([403, 40310000, 'insufficient qty available for order (requested: 5, available: 0)']);
    const position = await api.positions.getOpenPosition({ symbolOrAssetId: 'GDXJ' });
    expect([position.qty, position.qtyAvailable]).toEqual(['10', '0']);
    // The order being replaced holds nothing against itself.
    const smaller = await api.orders.patchOrderByOrderId({ orderId: stop.id!, patchOrderRequest: { qty: '6' } });
    expect([smaller.replaces, smaller.qty]).toEqual([stop.id, '6']);
    venue.market.step(1);
    await waitEvent(smaller.id, 'new');
    await api.orders.deleteOrderByOrderID({ orderId: smaller.id! });
    await waitEvent(smaller.id, 'canceled');
    // Nothing held: a margin account sells through the position into a short.
    const through = await api.orders.market({ symbol: 'GDXJ', qty: 15, side: 'sell' });
    stepUntil(venue, () => statusOf(through.id) === 'filled', 200, 'sell through the position');
    await waitEvent(through.id, 'fill');
    expect((await api.positions.getOpenPosition({ symbolOrAssetId: 'GDXJ' })).qty).toBe('-5');
  });

  it('oto with a stop loss then the stop goes live when the entry fills', async () => {
    const bid = quote('GLDM').bid;
    const order = await api.orders.oto({ symbol: 'GLDM', qty: 4, side: 'buy', stopLoss: { stopPrice: cents(bid - 2) }, timeInForce: 'gtc' });
    expect([order.orderClass, order.legs?.[0]?.status]).toEqual(['oto', 'held']);
    stepUntil(venue, () => statusOf(order.id) === 'filled', 200, 'oto entry');
    await waitEvent(order.legs![0].id, 'new');
    await api.orders.deleteOrderByOrderID({ orderId: order.legs![0].id! });
  });

  it('replace a resting limit then pending_replace, replaced, and a new order; replacing a canceled order is 422', async () => {
    const order = await api.orders.limit({ symbol: 'GLD', qty: 2, side: 'buy', limitPrice: cents(quote('GLD').bid - 20), timeInForce: 'gtc', clientOrderId: 'to-replace' });
    venue.market.step(1);
    await waitEvent(order.id, 'new');
    const next = await api.orders.patchOrderByOrderId({ orderId: order.id!, patchOrderRequest: { qty: '3', limitPrice: String(cents(quote('GLD').bid - 19)), timeInForce: 'day', clientOrderId: 'replaced-1' } });
    expect([next.replaces, next.qty, next.timeInForce, next.clientOrderId]).toEqual([order.id, '3', 'day', 'replaced-1']);
    const replaced = await waitEvent(order.id, 'replaced');
    expect(replaced.order.replacedBy).toBe(next.id);
    venue.market.step(1);
    await waitEvent(next.id, 'new');
    await api.orders.deleteOrderByOrderID({ orderId: next.id! });
    const err = await caught(() => api.orders.patchOrderByOrderId({ orderId: next.id!, patchOrderRequest: { qty: '1' } }));
    expect(err).toBeInstanceOf(ValidationError);
    expect([err.status, err.message]).toEqual([422, 'order is not replaceable (status canceled)']);
  });

  it('account activities then every fill as a FILL, filtered by type and paged by token', async () => {
    const all = await apis.activities.getAccountActivities({ activityTypes: ['FILL'], pageSize: 100 });
    expect(all.length).toBe(venue.engine.fills);
    expect(all[0]).toMatchObject({ activityType: 'FILL', side: expect.any(String), symbol: expect.any(String) });
    const page1 = await apis.activities.getAccountActivities({ pageSize: 3 });
    const page2 = await apis.activities.getAccountActivities({ pageSize: 3, pageToken: String(page1.at(-1)!.id) });
    expect([...page1, ...page2].map((a) => a.id)).toEqual(all.slice(0, 6).map((a) => a.id));
    const byType = await apis.activities.getAccountActivitiesByActivityType({ activityType: 'FILL', direction: 'asc', pageSize: 2 });
    expect(byType.map((a) => a.id)).toEqual(all.slice(-2).reverse().map((a) => a.id));
    const trades = await apis.activities.getAccountActivities({ category: 'trade_activity', pageSize: 100 });
    expect(trades.map((a) => a.id)).toEqual(all.map((a) => a.id));
    expect(await apis.activities.getAccountActivities({ category: 'non_trade_activity' })).toEqual([]);
    const bad = await caught(() => apis.activities.getAccountActivities({ pageSize: 500 }));
    expect([bad.status, bad.message]).toEqual([422, 'page_size must be between 1 and 100']);
  });

  it('portfolio history then equity and profit and loss per minute of this run', async () => {
    const h: trading.PortfolioHistory = await apis.portfolio.getAccountPortfolioHistory({ period: '1D', timeframe: '1Min' });
    expect(h.timeframe).toBe('1Min');
    expect(h.equity!.length).toBeGreaterThan(1);
    expect(h.timestamp!.length).toBe(h.equity!.length);
    const account = await api.account.getAccount();
    expect(h.equity!.at(-1)).toBeCloseTo(Number(account.equity), 0);
    expect(h.profitLoss!.at(-1)).toBeCloseTo(h.equity!.at(-1)! - Number(h.baseValue), 1);
    const bad = await caught(() => apis.portfolio.getAccountPortfolioHistory({ period: '1Y' }));
    expect([bad.status, bad.message]).toEqual([422, 'invalid period: 1Y (use <n>D, <n>W, <n>M or <n>A)']);
  });

  it('calendar in always-open mode then every day listed, 00:00 to 23:59', async () => {
    const days = await apis.calendar.legacyCalendar({ start: new Date('2025-01-04'), end: new Date('2025-01-06') });
    expect(days.map((d) => [d.date.toISOString().slice(0, 10), d.open, d.close])).toEqual([
      ['2025-01-04', '00:00', '23:59'],
      ['2025-01-05', '00:00', '23:59'],
      ['2025-01-06', '00:00', '23:59'],
    ]);
  });
});

describe('the fill model seen from a market that only quotes', () => {
  it('no trades then a resting limit crossed by the quotes and a stop passed by them stay unfilled; quote_cross then fills the limit', async () => {
    for (const limitFill of ['trade_through', 'quote_cross'] as const) {
      const { venue, api, stream } = await openVenue({ seed: 5, volScale: 3, tradeProbability: 0, limitFill });
      try {
        await api.orders.market({ symbol: 'GLD', qty: 10, side: 'buy' });
        stepUntil(venue, () => venue.engine.position('GLD').qty === '10', 200, 'entry');
        const { bid } = venue.market.quote('GLD')!;
        const limit = cents(bid - 0.05);
        const stop = cents(bid - 0.05);
        const lim = await api.orders.limit({ symbol: 'GLD', qty: 1, side: 'buy', limitPrice: limit, timeInForce: 'gtc' });
        const stp = await api.orders.stop({ symbol: 'GLD', qty: 10, side: 'sell', stopPrice: stop, timeInForce: 'gtc' });
        // Step until the quotes have gone well through both prices.
        stepUntil(venue, () => venue.market.quote('GLD')!.ask < limit - 0.05, 20_000, 'quotes through the limit');
        expect(venue.engine.get(String(stp.id)).status).toBe('new');
        expect(venue.engine.get(String(lim.id)).status).toBe(limitFill === 'quote_cross' ? 'filled' : 'new');
      } finally {
        stream.disconnect();
        await venue.close();
      }
    }
  });
});

describe('slippage and fees set on the venue', () => {
  it('slippageBps, feePerShare and feeBps then a market buy pays the touch plus slippage, cash pays the fee, and a FEE activity lists it', async () => {
    const { venue, api, apis, stream, updates } = await openVenue({ seed: 12, slippageBps: 10, feePerShare: 0.01, feeBps: 2 });
    try {
      const before = Number((await api.account.getAccount()).cash);
      const order = await api.orders.market({ symbol: 'GLD', qty: 10, side: 'buy' });
      // It goes live and fills in the next step, against that step's quote.
      expect(stepUntil(venue, () => venue.engine.get(String(order.id)).status === 'filled', 200, 'fill')).toBe(1);
      const fill = await updates.waitFor((u) => u.order.id === order.id && u.event === 'fill', 3000, 'fill');
      const price = Number(fill.price);
      expect(price).toBe(Math.round(venue.market.quote('GLD')!.ask * 1.001 * 1e4) / 1e4);
      const fee = 10 * 0.01 + (10 * price * 2) / 1e4;
      const after = Number((await api.account.getAccount()).cash);
      expect(after).toBeCloseTo(before - 10 * price - fee, 1);
      const [feeActivity] = await apis.activities.getAccountActivities({ activityTypes: ['FEE'] });
      expect(Number(feeActivity.netAmount)).toBeCloseTo(-fee, 4);
    } finally {
      stream.disconnect();
      await venue.close();
    }
  });
});

describe('auctions and the exchange calendar', () => {
  it('opg and cls orders in always-open mode then the cls trades a second before the UTC close and the opg at the open', async () => {
    const { venue, api, stream, updates } = await openVenue({ seed: 9, startTime: Date.UTC(2025, 0, 6, 23, 59, 0) });
    try {
      const opg = await api.orders.market({ symbol: 'GLD', qty: 1, side: 'buy', timeInForce: 'opg' });
      const cls = await api.orders.market({ symbol: 'GLD', qty: 1, side: 'buy', timeInForce: 'cls' });
      stepUntil(venue, () => venue.engine.get(String(opg.id)).status === 'filled', 120, 'opg fill');
      const clsFill = await updates.waitFor((u) => u.order.id === cls.id && u.event === 'fill', 3000, 'cls fill');
      const opgFill = await updates.waitFor((u) => u.order.id === opg.id && u.event === 'fill', 3000, 'opg fill');
      expect(clsFill.timestamp!.getTime()).toBe(Date.UTC(2025, 0, 6, 23, 59, 59));
      expect(opgFill.timestamp!.getTime()).toBe(Date.UTC(2025, 0, 7));
    } finally {
      stream.disconnect();
      await venue.close();
    }
  });

  it('exchange mode then both calendars (v2 and v3) leave out NYSE holidays and show the early close', async () => {
    const venue = await startVenue({ clockMode: 'manual', historyMinutes: 0, session: 'exchange' });
    try {
      const days = await accountApisFor(venue).calendar.legacyCalendar({ start: new Date('2025-12-22'), end: new Date('2025-12-29') });
      expect(days.map((d) => [d.date.toISOString().slice(0, 10), d.open, d.close, d.settlementDate.toISOString().slice(0, 10)])).toEqual([
        ['2025-12-22', '09:30', '16:00', '2025-12-23'],
        ['2025-12-23', '09:30', '16:00', '2025-12-24'],
        ['2025-12-24', '09:30', '13:00', '2025-12-26'],
        ['2025-12-26', '09:30', '16:00', '2025-12-29'],
        ['2025-12-29', '09:30', '16:00', '2025-12-30'],
      ]);
      const v3 = await accountApisFor(venue).calendar.calendar({ market: 'XNYS', start: new Date('2025-12-24'), end: new Date('2025-12-26') });
      expect(v3.market.acronym).toBe('XNYS');
      expect(v3.calendar.map((d) => [d.date.toISOString().slice(0, 10), d.coreStart.toISOString(), d.coreEnd.toISOString(), d.preStart?.toISOString(), d.postEnd?.toISOString()])).toEqual([
        ['2025-12-24', '2025-12-24T14:30:00.000Z', '2025-12-24T18:00:00.000Z', '2025-12-24T09:00:00.000Z', '2025-12-25T01:00:00.000Z'],
        ['2025-12-26', '2025-12-26T14:30:00.000Z', '2025-12-26T21:00:00.000Z', '2025-12-26T09:00:00.000Z', '2025-12-27T01:00:00.000Z'],
      ]);
      const bad = await caught(() => accountApisFor(venue).calendar.calendar({ market: 'LSE' }));
      expect([bad.status, bad.message]).toEqual([422, 'market LSE is not served by the local venue (use NYSE, XNYS, NASDAQ, XNAS, ARCA)']);
    } finally {
      await venue.close();
    }
  });
});
