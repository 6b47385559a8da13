/**
 * The matching engine: takes orders, activates them after a latency, fills
 * them against the market's quotes and trades under a stated fill model
 * (fill-model.ts) and keeps the account. Takers (market orders, marketable
 * limits, triggered stops) take the touch up to the displayed size, so a
 * large order fills in parts across several quotes. Resting limits fill by
 * the model's limit rule; stops and trailing stops trigger on trades only.
 * Advanced classes (bracket, oco, oto) hold their legs until the entry
 * fills; a fill on one leg of a one-cancels-other pair shrinks or cancels
 * the other. Replacing an order makes a new one and marks the old
 * `replaced`. Day orders expire at the session's end; opg and cls orders
 * trade once at the session's open and close. Every change is published as
 * an Alpaca trade update; fills and fees are kept as account activities and
 * equity is sampled for the portfolio history.
 *
 * Time always comes in as `now` (market time); the engine holds no timers.
 */
import type { QuoteEvent, TradeEvent } from './events.js';
import type { EngineOptions, EngineState, FeeSchedule, QuoteSource, TradeUpdateData, TradeUpdateListener, TradedRange } from './engine-types.js';
import { Account } from './account.js';
import { ActivityLog, type ActivityQuery } from './activities.js';
import { ALPACA_CODES, VenueRejection, invalid, notFound } from './errors.js';
import { ENGINE_FILL_MODEL, takerPrice, type FillModel } from './fill-model.js';
import { IdSource, assetId, dec, iso } from './format.js';
import { EquityHistory, type PortfolioQuery } from './history.js';
import {
  awaitingTrigger, canTransition, isOpen, remaining, round9, toWire, workingType,
  type OrderSide, type OrderStatus, type OrderType, type TimeInForce, type VenueOrder,
} from './orders.js';
import { ALWAYS_OPEN, type SessionCalendar } from './session.js';
import { OrderBook, type OrderListQuery } from './book.js';
import { stopReached, trailStop } from './triggers.js';
import { checkAuctionWindow, checkLegPrices, parseOrderRequest, parseReplaceRequest } from './validate.js';

export type { EngineOptions, EngineState, FeeSchedule, QuoteSource, TradeUpdateData, TradeUpdateListener, TradedRange } from './engine-types.js';
export type { OrderListQuery } from './book.js';

interface Liquidity {
  quote: QuoteEvent;
  bidUsed: number;
  askUsed: number;
}

/** opg orders trade at the open; cls orders this long before the close (the closing auction). */
const CLOSE_AUCTION_LEAD_MS = 1000;
const GTC_LIFETIME_MS = 90 * 86_400_000;
/** Minutes of equity history a kept account carries across a restart (days are all kept). */
const KEPT_HISTORY_MINUTES = 1440;

export class MatchingEngine {
  readonly account: Account;
  /** The fill rules in force (stated by the venue and research results). */
  readonly fillModel: FillModel;
  private readonly market: QuoteSource;
  private readonly ids: IdSource;
  private readonly latency: number;
  private readonly fees: FeeSchedule | null;
  private feesPaid = 0;
  private readonly session: SessionCalendar;
  private readonly exchangeOf: (symbol: string) => string;
  private readonly book: OrderBook;
  private readonly liquidity = new Map<string, Liquidity>();
  private readonly listeners = new Set<TradeUpdateListener>();
  private readonly activityLog: ActivityLog;
  private readonly history: EquityHistory;
  private nextDue = Infinity;
  private rejectQueue: string[] = [];
  private fillCount = 0;
  private changeCount = 0;
  private held: [TradeUpdateData, number][] | null = null;

  constructor(options: EngineOptions) {
    this.market = options.market;
    this.ids = new IdSource(options.seed ^ 0x1d5);
    this.latency = Math.max(0, options.fillLatencyMs ?? 0);
    this.fees = options.fees ?? null;
    this.fillModel = { ...ENGINE_FILL_MODEL, ...options.fillModel };
    this.session = options.session ?? ALWAYS_OPEN;
    this.exchangeOf = options.exchangeOf ?? (() => 'ARCA');
    const r = options.restore;
    this.activityLog = new ActivityLog(10_000, r?.activities ?? []);
    this.history = new EquityHistory(r?.history);
    if (!r) {
      const seeded = this.ids.uuid();
      this.account = new Account({ id: options.accountId ?? seeded, cash: options.cash ?? 100_000, mode: options.accountMode ?? 'cash', now: options.now, ...(options.accountNumber ? { accountNumber: options.accountNumber } : {}) });
      this.book = new OrderBook(this.account, this.market);
      return;
    }
    this.account = Account.fromState(r.account);
    this.book = new OrderBook(this.account, this.market);
    this.ids.skip(r.idsDrawn);
    this.fillCount = r.fills;
    for (const o of r.orders) {
      // Records written before order classes were kept have no orderClass.
      const order: VenueOrder = { ...o, orderClass: o.orderClass ?? 'simple', legIds: o.legIds ? [...o.legIds] : undefined };
      this.book.add(order);
      if (order.status === 'accepted' || order.status === 'pending_new') this.book.pending.push(order);
      else if (isOpen(order) && order.status !== 'held') this.book.startWorking(order);
    }
    // Activations and expiries that fell due while the venue was down run on the first advance.
    this.nextDue = this.book.pending.length > 0 || this.book.working.size > 0 ? 0 : Infinity;
  }

  /** Grows with every change to orders or the account: a saver compares it. */
  get changes(): number {
    return this.changeCount;
  }

  /**
   * Everything needed to continue this account. Closed orders and activities
   * past `keepClosed` (oldest first) and minute equity samples past a day are
   * left out, so the state stays bounded; open orders always stay, and so do
   * the closed legs and parents of open orders.
   */
  exportState(keepClosed = 1000): EngineState {
    const all = [...this.book.byId.values()];
    const closed = all.filter((o) => !isOpen(o));
    const dropClosed = new Set(closed.slice(0, Math.max(0, closed.length - keepClosed)));
    for (const o of this.book.open) for (const id of [o.parentId, ...(o.legIds ?? [])]) if (id) dropClosed.delete(this.book.get(id)!);
    return {
      account: this.account.exportState(),
      orders: all.filter((o) => !dropClosed.has(o)).map((o) => ({ ...o, ...(o.legIds ? { legIds: [...o.legIds] } : {}) })),
      idsDrawn: this.ids.drawn,
      fills: this.fillCount,
      // Bounded like the closed orders: the record is rewritten after every batch that fills.
      activities: this.activityLog.all.slice(-keepClosed),
      history: this.history.exportState(KEPT_HISTORY_MINUTES),
    };
  }

  /** Fills executed so far. */
  get fills(): number {
    return this.fillCount;
  }

  onUpdate(listener: TradeUpdateListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Fault injection: the next n accepted orders are rejected when they would go live. */
  rejectNextOrders(n: number, reason = 'rejected by fault injection'): void {
    for (let k = 0; k < n; k++) this.rejectQueue.push(reason);
  }

  /** Validates and accepts an order (`POST /v2/orders`), with its legs; throws VenueRejection. */
  submit(body: unknown, now: number): Record<string, unknown> {
    const req = parseOrderRequest(body, (s) => this.market.has(s));
    if (req.clientOrderId !== undefined && this.book.byClientId.has(req.clientOrderId)) throw invalid('client_order_id must be unique');
    if (this.session.mode === 'exchange') checkAuctionWindow(req.timeInForce, now);
    const touch = this.touch(req.symbol, req.side);
    checkLegPrices(req, req.limitPrice ?? touch);
    let qty = req.qty;
    if (qty === undefined) {
      if (!(touch > 0)) throw invalid(`no price for ${req.symbol} to size a notional order`);
      qty = floor9(req.notional! / touch);
    }
    this.book.checkBuyingPower(req.symbol, req.side, qty, req.limitPrice ?? req.stopPrice ?? touch);
    const activateAt = this.activationTime(req.timeInForce, now);
    const order = this.register({
      clientOrderId: req.clientOrderId ?? this.ids.uuid(),
      symbol: req.symbol,
      side: req.side,
      type: req.type,
      timeInForce: req.timeInForce,
      qty,
      ...(req.notional !== undefined ? { notional: req.notional } : {}),
      ...(req.limitPrice !== undefined ? { limitPrice: req.limitPrice } : {}),
      ...(req.stopPrice !== undefined ? { stopPrice: req.stopPrice } : {}),
      ...(req.trailPrice !== undefined ? { trailPrice: req.trailPrice } : {}),
      ...(req.trailPercent !== undefined ? { trailPercent: req.trailPercent } : {}),
      orderClass: req.orderClass,
      extendedHours: req.extendedHours,
      createdAt: now,
      activateAt,
      status: 'accepted',
      rejectReason: this.rejectQueue.shift(),
    });
    // Legs close what the entry opens: the other side, the same quantity and time in force.
    const legSide: OrderSide = req.side === 'buy' ? 'sell' : 'buy';
    const leg = (type: OrderType, prices: { limitPrice?: number; stopPrice?: number }, held: boolean): VenueOrder =>
      this.register({
        clientOrderId: this.ids.uuid(),
        symbol: req.symbol,
        side: held ? legSide : req.side,
        type,
        timeInForce: req.timeInForce,
        qty: qty!,
        ...prices,
        orderClass: req.orderClass,
        extendedHours: false,
        createdAt: now,
        activateAt,
        status: held ? 'held' : 'accepted',
        parentId: order.id,
      });
    const { takeProfit: tp, stopLoss: sl } = req;
    const stopLeg = (held: boolean): VenueOrder =>
      leg(sl!.limitPrice !== undefined ? 'stop_limit' : 'stop', { stopPrice: sl!.stopPrice, ...(sl!.limitPrice !== undefined ? { limitPrice: sl!.limitPrice } : {}) }, held);
    if (req.orderClass === 'bracket') {
      const a = leg('limit', { limitPrice: tp!.limitPrice }, true);
      const b = stopLeg(true);
      this.pair(a, b);
      order.legIds = [a.id, b.id];
    } else if (req.orderClass === 'oto') {
      order.legIds = [(tp ? leg('limit', { limitPrice: tp.limitPrice }, true) : stopLeg(true)).id];
    } else if (req.orderClass === 'oco') {
      // The order itself is the take-profit limit; its one leg is the stop loss, working alongside it.
      const b = stopLeg(false);
      this.pair(order, b);
      order.legIds = [b.id];
    }
    const wire = this.book.wire(order);
    this.runDue(now);
    return wire;
  }

  /**
   * `PATCH /v2/orders/{id}`: a new order takes the old one's place (its legs,
   * its parent, its one-cancels-other partner) with the fields given; the old
   * one goes `pending_replace`, then `replaced` with `replaced_by`. The new
   * order's qty is the given one, else what the old one had left.
   */
  replace(id: string, body: unknown, now: number): Record<string, unknown> {
    const old = this.book.get(id);
    if (!old) throw notFound('order not found');
    if (!isOpen(old) || old.status === 'pending_replace' || old.status === 'pending_cancel') {
      throw new VenueRejection(422, ALPACA_CODES.unprocessable, `order is not replaceable (status ${old.status})`);
    }
    // Its legs would go live for the new order's fills alone, leaving what the old one bought unprotected.
    if (old.filledQty > 0 && old.legIds?.some((l) => this.book.get(l)!.status === 'held')) {
      throw new VenueRejection(422, ALPACA_CODES.unprocessable, `a partially filled ${old.orderClass} entry cannot be replaced; cancel it (its legs then go live for what it filled)`);
    }
    const req = parseReplaceRequest(body, old);
    if (req.clientOrderId !== undefined && this.book.byClientId.has(req.clientOrderId)) throw invalid('client_order_id must be unique');
    const qty = req.qty ?? remaining(old);
    const limitPrice = req.limitPrice ?? old.limitPrice;
    const stopPrice = req.stopPrice ?? old.stopPrice;
    if (old.status !== 'held') this.book.checkBuyingPower(old.symbol, old.side, qty, limitPrice ?? stopPrice ?? this.touch(old.symbol, old.side), old);
    const held = old.status === 'held';
    const next = this.register({
      clientOrderId: req.clientOrderId ?? this.ids.uuid(),
      symbol: old.symbol,
      side: old.side,
      type: old.type,
      timeInForce: req.timeInForce ?? old.timeInForce,
      qty,
      ...(old.notional !== undefined ? { notional: old.notional } : {}),
      ...(limitPrice !== undefined ? { limitPrice } : {}),
      ...(stopPrice !== undefined ? { stopPrice } : {}),
      ...(old.trailPrice !== undefined ? { trailPrice: req.trail ?? old.trailPrice } : {}),
      ...(old.trailPercent !== undefined ? { trailPercent: req.trail ?? old.trailPercent } : {}),
      ...(old.hwm !== undefined ? { hwm: old.hwm } : {}),
      ...(old.triggered ? { triggered: true } : {}),
      orderClass: old.orderClass,
      extendedHours: old.extendedHours,
      createdAt: now,
      activateAt: held ? now : this.activationTime(req.timeInForce ?? old.timeInForce, now),
      status: held ? 'held' : 'accepted',
      replaces: old.id,
      ...(old.parentId ? { parentId: old.parentId } : {}),
      ...(old.legIds ? { legIds: [...old.legIds] } : {}),
    });
    if (next.type === 'trailing_stop' && next.hwm !== undefined) trailStop(next, next.hwm, next.hwm);
    this.transition(old, 'pending_replace', now);
    this.emit('pending_replace', old, now);
    old.replacedBy = next.id;
    old.replacedAt = Math.max(now, old.createdAt);
    this.transition(old, 'replaced', now);
    this.book.stopWorking(old);
    this.book.unpend(old);
    // The new order takes the old one's place among its relations.
    const parent = old.parentId ? this.book.get(old.parentId) : undefined;
    if (parent?.legIds) parent.legIds = parent.legIds.map((l) => (l === old.id ? next.id : l));
    for (const l of next.legIds ?? []) this.book.get(l)!.parentId = next.id;
    if (old.ocoPeer) this.pair(next, this.book.get(old.ocoPeer)!);
    this.emit('replaced', old, now);
    const wire = this.book.wire(next);
    this.runDue(now);
    return wire;
  }

  /** `GET /v2/orders/{id}`. */
  get(id: string): Record<string, unknown> {
    const order = this.book.get(id);
    if (!order) throw notFound('order not found');
    return this.book.wire(order);
  }

  /** `GET /v2/orders:by_client_order_id`. */
  getByClientOrderId(clientOrderId: string): Record<string, unknown> {
    const order = this.book.byClientId.get(clientOrderId);
    if (!order) throw notFound('order not found');
    return this.book.wire(order);
  }

  /** `GET /v2/orders` with Alpaca's filters (default: open, newest first, 50; legs as rows unless nested). */
  list(query: OrderListQuery): Record<string, unknown>[] {
    return this.book.list(query);
  }

  /** `DELETE /v2/orders/{id}`: cancels an open order (a parent's open legs with it; a leg alone). */
  cancel(id: string, now: number): void {
    const order = this.book.get(id);
    if (!order) throw notFound('order not found');
    if (!isOpen(order) || order.status === 'pending_replace') throw new VenueRejection(422, ALPACA_CODES.unprocessable, `order is not cancelable (status ${order.status})`);
    this.finish(order, 'canceled', now);
  }

  /** `DELETE /v2/orders`: cancels every open order; Alpaca's multi-status body. */
  cancelAll(now: number): Record<string, unknown>[] {
    const out: Record<string, unknown>[] = [];
    for (const order of [...this.book.open]) {
      // A parent's cancel may already have taken its legs with it.
      if (isOpen(order)) this.finish(order, 'canceled', now);
      out.push({ id: order.id, status: 200, body: toWire(order) });
    }
    return out;
  }

  /** `GET /v2/account/activities[/{type}]`. */
  activities(query: ActivityQuery): Record<string, unknown>[] {
    return this.activityLog.query(query);
  }

  /** `GET /v2/account/portfolio/history`. */
  portfolioHistory(query: PortfolioQuery, now: number): Record<string, unknown> {
    this.history.record(now, this.equity());
    return this.history.query(query, now);
  }

  /** `GET /v2/positions`. */
  positions(): Record<string, unknown>[] {
    return this.account.positions().map((p) => this.positionWire(p.symbol));
  }

  /** `GET /v2/positions/{symbol}`. */
  position(symbol: string): Record<string, unknown> {
    if (!this.account.position(symbol)) throw notFound('position does not exist');
    return this.positionWire(symbol);
  }

  /** `DELETE /v2/positions/{symbol}`: a market order closing all or part of the position. */
  closePosition(symbol: string, options: { qty?: number; percentage?: number }, now: number): Record<string, unknown> {
    const pos = this.account.position(symbol);
    if (!pos) throw notFound('position does not exist');
    let qty = Math.abs(pos.qty);
    if (options.qty !== undefined) {
      if (!(options.qty > 0) || options.qty > qty) throw invalid('invalid qty');
      qty = options.qty;
    } else if (options.percentage !== undefined) {
      if (!(options.percentage > 0 && options.percentage <= 100)) throw invalid('invalid percentage');
      qty = round9((qty * options.percentage) / 100);
    }
    const tif = Number.isInteger(qty) ? 'gtc' : 'day';
    return this.submit({ symbol, qty: dec(qty), side: pos.qty > 0 ? 'sell' : 'buy', type: 'market', time_in_force: tif }, now);
  }

  /** `DELETE /v2/positions`: closes everything, optionally canceling open orders first. */
  closeAll(cancelOrders: boolean, now: number): Record<string, unknown>[] {
    if (cancelOrders) this.cancelAll(now);
    return this.account.positions().map((p) => {
      try {
        return { symbol: p.symbol, status: 200, body: this.closePosition(p.symbol, {}, now) };
      } catch (err) {
        const r = err instanceof VenueRejection ? err : new VenueRejection(500, ALPACA_CODES.internal, String(err));
        return { symbol: p.symbol, status: r.status, body: r.body() };
      }
    });
  }

  /** `GET /v2/account`. */
  accountWire(now: number): Record<string, unknown> {
    return this.account.toWire(this.market, this.book.reservedBuyingPower(), now);
  }

  /**
   * Feeds market events in time order: activations and expiries due by each
   * event's time are processed first; then a quote lets takers match (and,
   * under `quote_cross`, resting limits), and a trade triggers stops, moves
   * trailing stops and fills resting limits under the trade rules.
   */
  onQuotes(events: readonly { kind: string; ts: number; symbol: string }[]): void {
    for (const ev of events) {
      if (ev.kind !== 'quote' && ev.kind !== 'trade') continue;
      if (ev.ts >= this.nextDue) this.processDue(ev.ts);
      const open = this.book.working.get(ev.symbol);
      if (!open || open.length === 0 || !this.session.isOpen(ev.ts)) continue;
      if (ev.kind === 'quote') this.matchSymbol(ev.symbol, ev as QuoteEvent, ev.ts);
      else this.onTrade(ev as TradeEvent, ev.ts);
    }
  }

  /**
   * Matches a symbol's open orders against one bar (research replays bars,
   * not quotes): activations and expiries due by `now` first; then the bar's
   * range stands for its trades (resting limits fill where it went through
   * them, stops trigger where it reached them), and takers take `quote`'s
   * touch, sharing its displayed size (so a large order fills in parts
   * across bars).
   */
  onBar(symbol: string, range: TradedRange, quote: QuoteEvent, now: number): void {
    if (now >= this.nextDue) this.processDue(now);
    const open = this.book.working.get(symbol);
    if (!open || open.length === 0 || !this.session.isOpen(now)) return;
    for (const order of [...open]) if (isOpen(order)) this.match(order, quote, now, range);
  }

  /** The account's equity at the market's current prices. */
  equity(): number {
    return this.account.equity(this.market);
  }

  /** Long and short market value (short negative) at the market's current prices. */
  exposure(): { long: number; short: number } {
    return this.account.marketValues(this.market);
  }

  /** Fees charged so far by the fee schedule. */
  get totalFees(): number {
    return this.feesPaid;
  }

  /** Processes activations and expiries due by `now`, rolls the account day and samples equity. */
  advance(now: number): void {
    if (now >= this.nextDue) this.processDue(now);
    this.account.rollDay(now, this.market);
    this.history.record(now, this.equity());
  }

  private runDue(now: number): void {
    if (this.nextDue <= now) this.processDue(now);
  }

  private processDue(now: number): void {
    // Activations below may lower nextDue themselves (day expiries of legs going live); keep those.
    this.nextDue = Infinity;
    let next = Infinity;
    // Due orders are taken out first: activating one may cancel another still waiting (its oco partner).
    const due = this.book.pending.filter((o) => o.activateAt <= now);
    for (const order of due) {
      this.book.unpend(order);
      if (order.status === 'accepted') this.activate(order, now);
    }
    for (const order of this.book.pending) next = Math.min(next, order.activateAt);
    for (const list of this.book.working.values()) {
      for (const order of [...list]) {
        if (order.timeInForce === 'day' && order.expiresAt <= now) this.finish(order, 'expired', now);
        else if (order.timeInForce === 'day') next = Math.min(next, order.expiresAt);
      }
    }
    this.nextDue = Math.min(this.nextDue, next);
  }

  private activate(order: VenueOrder, now: number): void {
    now = Math.max(now, order.createdAt);
    if (order.rejectReason !== undefined) {
      order.failedAt = now;
      this.transition(order, 'rejected', now);
      this.emit('rejected', order, now);
      this.endLegs(order, now);
      return;
    }
    const quote = this.market.quote(order.symbol);
    if (order.notional !== undefined) {
      // The shares a notional order buys are fixed by the touch when it goes live.
      const touch = this.touch(order.symbol, order.side);
      order.qty = touch > 0 ? floor9(order.notional / takerPrice(touch, order.side === 'buy', this.fillModel.slippageBps)) : order.qty;
    }
    if (order.type === 'trailing_stop') {
      const last = this.market.price(order.symbol) ?? 0;
      order.hwm = order.hwm ?? last;
      trailStop(order, last, last);
    }
    this.transition(order, 'new', now);
    this.emit('new', order, now);
    this.book.startWorking(order);
    if (order.timeInForce === 'day') this.nextDue = Math.min(this.nextDue, order.expiresAt);
    if (quote && this.session.isOpen(now)) this.match(order, quote, now);
    // The auctions: an opg or cls order trades once, when it goes live; what is left is canceled.
    if (isOpen(order) && (order.timeInForce === 'opg' || order.timeInForce === 'cls')) this.finish(order, 'canceled', now);
  }

  private matchSymbol(symbol: string, quote: QuoteEvent, now: number): void {
    for (const order of [...this.book.working.get(symbol)!]) if (isOpen(order)) this.match(order, quote, now);
  }

  /**
   * A trade: moves trailing stops and triggers stops it reached (which then
   * take the quote as takers), and, under the trade rules, fills resting
   * limits it went through (or reached, behind their queue) at their limit,
   * in time priority, for no more than the trade's size in all.
   */
  private onTrade(trade: TradeEvent, now: number): void {
    let left = trade.size;
    const rule = this.fillModel.limitFill;
    for (const order of [...this.book.working.get(trade.symbol)!]) {
      if (!isOpen(order)) continue;
      if (awaitingTrigger(order)) {
        if (this.reachStop(order, trade.price, trade.price, now)) {
          const quote = this.market.quote(order.symbol);
          if (quote) this.match(order, quote, now);
        }
        continue;
      }
      if (rule === 'quote_cross' || workingType(order) !== 'limit' || !order.rested || left <= 0) continue;
      const limit = order.limitPrice!;
      const buy = order.side === 'buy';
      const through = buy ? trade.price < limit - 1e-9 : trade.price > limit + 1e-9;
      const at = Math.abs(trade.price - limit) < 1e-9;
      let available = 0;
      if (through) available = left;
      else if (at && rule === 'trade_at_queue') {
        const ahead = order.queueAhead ?? 0;
        const used = Math.min(ahead, left);
        order.queueAhead = round9(ahead - used);
        available = left - used;
      }
      if (available <= 0) continue;
      const qty = Math.min(remaining(order), available);
      left -= qty;
      this.fill(order, qty, limit, now);
    }
  }

  /** Moves a trailing stop with the prices seen, then triggers any stop those prices reached; true when triggered. */
  private reachStop(order: VenueOrder, low: number, high: number, now: number): boolean {
    if (order.type === 'trailing_stop' && trailStop(order, low, high)) this.changeCount++;
    if (!stopReached(order, low, high)) return false;
    // Triggered: from here the order works as a market (stop, trailing) or limit (stop_limit) order, first as a taker.
    order.triggered = true;
    order.rested = false;
    order.updatedAt = Math.max(now, order.updatedAt);
    this.changeCount++;
    return true;
  }

  private match(order: VenueOrder, quote: QuoteEvent, now: number, range?: TradedRange): void {
    if (awaitingTrigger(order) && !(range && this.reachStop(order, range.low, range.high, now))) return;
    let liq = this.liquidity.get(order.symbol);
    if (!liq || liq.quote !== quote) this.liquidity.set(order.symbol, (liq = { quote, bidUsed: 0, askUsed: 0 }));
    const buy = order.side === 'buy';
    const touch = buy ? quote.ask : quote.bid;
    const taker = !order.rested;
    const market = workingType(order) === 'market';
    const limit = order.limitPrice!;
    const touchCrosses = market || (buy ? touch <= limit : touch >= limit);
    const rule = this.fillModel.limitFill;
    let crosses = touchCrosses;
    if (!taker && !market) {
      // Resting limits: trades fill them (onTrade), or the bar's range standing for its trades; quotes only under quote_cross.
      const through = range !== undefined && (buy ? range.low < limit : range.high > limit);
      const reached = range !== undefined && rule === 'trade_at_queue' && (buy ? range.low <= limit : range.high >= limit);
      crosses = through || reached || (rule === 'quote_cross' && touchCrosses);
    }
    const available = buy ? quote.askSize - liq.askUsed : quote.bidSize - liq.bidUsed;
    const want = remaining(order);
    if (taker && !market && !touchCrosses) {
      // Coming to rest: the size shown at or ahead of the limit's price is its place in the queue.
      const sameTouch = buy ? quote.bid : quote.ask;
      const sameSize = buy ? quote.bidSize : quote.askSize;
      order.queueAhead = (buy ? limit <= sameTouch : limit >= sameTouch) ? sameSize : 0;
    }
    order.rested = true;
    if (crosses && available > 0) {
      if (taker && order.timeInForce === 'fok' && available < want) {
        this.finish(order, 'canceled', now);
        return;
      }
      const qty = Math.min(want, available);
      const price = taker || market ? takerPrice(touch, buy, this.fillModel.slippageBps, market ? undefined : limit) : limit;
      if (buy) liq.askUsed += qty;
      else liq.bidUsed += qty;
      this.fill(order, qty, price, now);
    }
    if (taker && isOpen(order) && (order.timeInForce === 'ioc' || order.timeInForce === 'fok')) this.finish(order, 'canceled', now);
  }

  private fill(order: VenueOrder, qty: number, price: number, now: number): void {
    now = Math.max(now, order.createdAt);
    order.filledQty = round9(order.filledQty + qty);
    order.filledNotional += qty * price;
    const done = remaining(order) <= 0;
    if (done) order.filledAt = now;
    this.transition(order, done ? 'filled' : 'partially_filled', now);
    if (done) this.book.stopWorking(order);
    const positionQty = this.account.applyFill(order.symbol, order.side, qty, price, this.market);
    const fee = this.fees ? Math.max(0, this.fees({ symbol: order.symbol, side: order.side, qty, price })) : 0;
    const executionId = this.ids.uuid();
    if (fee > 0) {
      this.account.chargeFee(fee);
      this.feesPaid += fee;
      this.activityLog.fee({ at: now, executionId, symbol: order.symbol, qty, amount: fee });
    }
    this.fillCount++;
    this.activityLog.fill({
      at: now, executionId, orderId: order.id, symbol: order.symbol, side: order.side, qty, price,
      cumQty: order.filledQty, leavesQty: remaining(order), orderStatus: order.status, partial: !done,
    });
    this.emit(done ? 'fill' : 'partial_fill', order, now, fee, {
      execution_id: executionId,
      price: dec(price, 4),
      qty: dec(qty),
      position_qty: dec(positionQty),
    });
    // One cancels the other: the partner may trade only what this order has left.
    const peer = order.ocoPeer ? this.book.get(order.ocoPeer) : undefined;
    if (peer && isOpen(peer)) {
      peer.qty = Math.max(peer.filledQty, round9(peer.filledQty + remaining(order)));
      if (remaining(peer) <= 0) this.finish(peer, 'canceled', now);
    }
    if (done) this.endLegs(order, now);
  }

  private finish(order: VenueOrder, status: 'canceled' | 'expired', now: number): void {
    now = Math.max(now, order.createdAt);
    if (status === 'canceled') order.canceledAt = now;
    else order.expiredAt = now;
    this.transition(order, status, now);
    this.book.stopWorking(order);
    this.book.unpend(order);
    this.emit(status, order, now);
    this.endLegs(order, now);
  }

  /**
   * A parent is done: its held legs go live for what it filled, or are
   * canceled when it filled nothing; a parent canceled or expired takes its
   * working legs (an oco's stop) with it.
   */
  private endLegs(parent: VenueOrder, now: number): void {
    if (!parent.legIds || isOpen(parent)) return;
    for (const id of parent.legIds) {
      const leg = this.book.get(id)!;
      if (!isOpen(leg)) continue;
      if (leg.status === 'held' && parent.filledQty > 0) {
        leg.qty = parent.filledQty;
        leg.activateAt = now;
        this.activate(leg, now);
      } else if (leg.status === 'held' || parent.status !== 'filled') {
        this.finish(leg, 'canceled', now);
      }
    }
  }

  private transition(order: VenueOrder, to: OrderStatus, now: number): void {
    if (!canTransition(order.status, to)) {
      throw new VenueRejection(500, ALPACA_CODES.internal, `invalid order transition ${order.status} -> ${to} for ${order.id}`);
    }
    order.status = to;
    if (!isOpen(order)) this.book.open.delete(order);
    // Stamps never go back past the order's creation or last change, whatever `now` a caller holds.
    order.updatedAt = Math.max(now, order.updatedAt);
    this.changeCount++;
  }

  private emit(event: string, order: VenueOrder, now: number, fee = 0, fill?: Omit<TradeUpdateData, 'event' | 'timestamp' | 'order'>): void {
    const update: TradeUpdateData = { event, timestamp: iso(Math.max(now, order.createdAt)), order: this.book.wire(order), ...fill };
    if (this.held) {
      this.held.push([update, fee]);
      return;
    }
    for (const listener of this.listeners) listener(update, fee);
  }

  /**
   * Holds trade updates back until `releaseUpdates()`: a venue that keeps its
   * account saves first and then releases, so no fill is ever reported that
   * a crash could take back.
   */
  holdUpdates(): void {
    this.held ??= [];
  }

  /** Delivers the held updates, in order, and keeps holding the next ones (or, with `stop`, delivers them as they come from now on). */
  releaseUpdates(stop = false): void {
    const held = this.held;
    this.held = stop ? null : held === null ? null : [];
    if (!held || held.length === 0) return;
    for (const [update, fee] of held) for (const listener of this.listeners) listener(update, fee);
  }

  /** The price a taker on this side would see now: the touch, else the last price. */
  private touch(symbol: string, side: OrderSide): number {
    const quote = this.market.quote(symbol);
    const ref = this.market.price(symbol) ?? 0;
    return side === 'buy' ? quote?.ask ?? ref : quote?.bid ?? ref;
  }

  /** When an order with this time in force goes live. */
  private activationTime(tif: TimeInForce, now: number): number {
    const earliest = now + this.latency;
    if (tif === 'opg') return Math.max(earliest, this.session.nextOpen(now));
    if (tif === 'cls') {
      let close = this.session.nextClose(now);
      if (close - CLOSE_AUCTION_LEAD_MS < earliest) close = this.session.nextClose(close + 1);
      return close - CLOSE_AUCTION_LEAD_MS;
    }
    return this.session.isOpen(now) ? earliest : Math.max(earliest, this.session.nextOpen(now));
  }

  /** Creates and indexes an order; an `accepted` one waits for its activation time. */
  private register(spec: Omit<VenueOrder, 'id' | 'clientOrderId' | 'assetId' | 'positionIntent' | 'expiresAt' | 'filledQty' | 'filledNotional' | 'updatedAt' | 'rested'> & { clientOrderId?: string }): VenueOrder {
    // The id is drawn before a generated client order id, as it always was (seeded ids stay the same).
    const id = this.ids.uuid();
    const pos = this.account.position(spec.symbol)?.qty ?? 0;
    const closing = spec.parentId !== undefined && spec.status === 'held';
    const intent = spec.side === 'buy' ? (pos < 0 || closing ? 'buy_to_close' : 'buy_to_open') : pos > 0 || closing ? 'sell_to_close' : 'sell_to_open';
    const tif = spec.timeInForce;
    const order: VenueOrder = {
      ...spec,
      id,
      clientOrderId: spec.clientOrderId ?? this.ids.uuid(),
      assetId: assetId(spec.symbol),
      positionIntent: intent,
      expiresAt: tif === 'day' ? this.session.nextClose(spec.activateAt) : tif === 'opg' || tif === 'cls' ? spec.activateAt : spec.activateAt + GTC_LIFETIME_MS,
      filledQty: 0,
      filledNotional: 0,
      updatedAt: spec.createdAt,
      rested: false,
    };
    this.book.add(order);
    if (order.status === 'accepted') {
      this.book.pending.push(order);
      this.nextDue = Math.min(this.nextDue, order.activateAt);
    }
    this.changeCount++;
    return order;
  }

  private pair(a: VenueOrder, b: VenueOrder): void {
    a.ocoPeer = b.id;
    b.ocoPeer = a.id;
  }

  private positionWire(symbol: string): Record<string, unknown> {
    const p = this.account.position(symbol)!;
    const held = this.book.openQty(symbol, p.qty > 0 ? 'sell' : 'buy');
    return this.account.positionWire(p, this.market, held, this.exchangeOf(symbol));
  }
}

/** Rounds a quantity down to 9 decimal places (a notional order never buys more than its dollars). */
function floor9(x: number): number {
  return Math.floor(x * 1e9 + 1e-6) / 1e9;
}
