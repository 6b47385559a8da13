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
import { Account, type AccountMode, type AccountState, type PriceSource } from './account.js';
import { ActivityLog, type Activity, type ActivityQuery } from './activities.js';
import { ALPACA_CODES, VenueRejection, forbidden, invalid, notFound } from './errors.js';
import { ENGINE_FILL_MODEL, takerPrice, type FillModel } from './fill-model.js';
import { IdSource, assetId, dec, iso } from './format.js';
import { EquityHistory, type EquityHistoryState, type PortfolioQuery } from './history.js';
import {
  awaitingTrigger, canTransition, isOpen, remaining, round9, toWire, workingType,
  type OrderSide, type OrderStatus, type OrderType, type TimeInForce, type VenueOrder,
} from './orders.js';
import { ALWAYS_OPEN, type SessionCalendar } from './session.js';
import { checkLegPrices, parseOrderRequest, parseReplaceRequest } from './validate.js';

/** What the engine needs from the market. */
export interface QuoteSource extends PriceSource {
  has(symbol: string): boolean;
  quote(symbol: string): QuoteEvent | undefined;
}

/** The `data` of a `trade_updates` message, in wire form. */
export interface TradeUpdateData {
  readonly event: string;
  readonly timestamp: string;
  readonly order: Record<string, unknown>;
  readonly execution_id?: string;
  readonly price?: string;
  readonly qty?: string;
  readonly position_qty?: string;
}

/** `fee` is what the engine's fee schedule charged for a fill update (0 otherwise); it is not on the wire. */
export type TradeUpdateListener = (update: TradeUpdateData, fee: number) => void;

export interface EngineOptions {
  readonly market: QuoteSource;
  readonly seed: number;
  /** Market time at creation (account created_at). */
  readonly now: number;
  /** Starting cash. Default 100,000. */
  readonly cash?: number;
  /** Default 'cash' (buying power = cash, no shorting); 'margin' is 2x with shorting. */
  readonly accountMode?: AccountMode;
  /** The account number the venue reports; default a paper one (PA...). */
  readonly accountNumber?: string;
  /** Market-time ms from submission until an order is live. Default 0. */
  readonly fillLatencyMs?: number;
  readonly session?: SessionCalendar;
  /** Listing exchange reported on positions. */
  readonly exchangeOf?: (symbol: string) => string;
  /** The new account's id. Default: the first id of the seeded id source (the same for the same seed). */
  readonly accountId?: string;
  /** A kept account to continue (see persist.ts); `cash` and `accountMode` are then the kept ones. */
  readonly restore?: EngineState;
  /**
   * Fee charged per fill, in account currency (commissions, exchange fees);
   * taken from cash as the fill settles. Default none (Alpaca charges no
   * commission on US equities); research states its own.
   */
  readonly fees?: FeeSchedule;
  /** The fill rules (fill-model.ts). Default ENGINE_FILL_MODEL: quote_cross limits, no slippage. */
  readonly fillModel?: Partial<FillModel>;
}

/** The fee of one fill. */
export type FeeSchedule = (fill: { readonly symbol: string; readonly side: 'buy' | 'sell'; readonly qty: number; readonly price: number }) => number;

/**
 * A bar's traded range, for matching orders against bars instead of a
 * continuous market: the range stands for the bar's trades (resting limits
 * fill where it went through them, stops trigger where it reached them).
 */
export interface TradedRange {
  readonly low: number;
  readonly high: number;
}

/** What the engine keeps across restarts: the account, every order, and how many ids it has handed out. */
export interface EngineState {
  readonly account: AccountState;
  readonly orders: readonly VenueOrder[];
  readonly idsDrawn: number;
  readonly fills: number;
  /** Absent in records written before activities were kept. */
  readonly activities?: readonly Activity[];
  readonly history?: EquityHistoryState;
}

export interface OrderListQuery {
  readonly status?: string;
  readonly limit?: number;
  readonly direction?: string;
  readonly after?: number;
  readonly until?: number;
  readonly symbols?: readonly string[];
  readonly side?: string;
  /** Roll legs up under their parent's `legs` (Alpaca's `nested=true`). */
  readonly nested?: boolean;
}

interface Liquidity {
  quote: QuoteEvent;
  bidUsed: number;
  askUsed: number;
}

/** opg orders trade at the open; cls orders this long before the close (the closing auction). */
const CLOSE_AUCTION_LEAD_MS = 1000;
const GTC_LIFETIME_MS = 90 * 86_400_000;

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
  private readonly orders = new Map<string, VenueOrder>();
  private readonly byClientId = new Map<string, VenueOrder>();
  private readonly pending: VenueOrder[] = [];
  private readonly openBySymbol = new Map<string, VenueOrder[]>();
  private readonly liquidity = new Map<string, Liquidity>();
  private readonly listeners = new Set<TradeUpdateListener>();
  private readonly activityLog: ActivityLog;
  private readonly history: EquityHistory;
  private nextDue = Infinity;
  private rejectQueue: string[] = [];
  private fillCount = 0;
  private changeCount = 0;
  private held: [TradeUpdateData, number][] | null = null;
  /**
   * Open orders in creation order (what `orders` filtered by isOpen gives):
   * buying power and held quantities are read on every order and account
   * request, and a long-running venue or a back-test keeps thousands of
   * closed orders beside a handful of open ones.
   */
  private readonly open = new Set<VenueOrder>();

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
      return;
    }
    this.account = Account.fromState(r.account);
    this.ids.skip(r.idsDrawn);
    this.fillCount = r.fills;
    for (const o of r.orders) {
      // Records written before order classes were kept have no orderClass.
      const order: VenueOrder = { ...o, orderClass: o.orderClass ?? 'simple', legIds: o.legIds ? [...o.legIds] : undefined };
      this.orders.set(order.id, order);
      if (isOpen(order)) this.open.add(order);
      this.byClientId.set(order.clientOrderId, order);
      if (order.status === 'accepted' || order.status === 'pending_new') this.pending.push(order);
      else if (isOpen(order) && order.status !== 'held') this.addOpen(order);
    }
    // Activations and expiries that fell due while the venue was down run on the first advance.
    this.nextDue = this.pending.length > 0 || this.openBySymbol.size > 0 ? 0 : Infinity;
  }

  /** Grows with every change to orders or the account: a saver compares it. */
  get changes(): number {
    return this.changeCount;
  }

  /**
   * Everything needed to continue this account. Closed orders past `keepClosed`
   * (oldest first) are left out, so the state stays bounded; open ones always
   * stay, and so do the closed legs and parents of open orders.
   */
  exportState(keepClosed = 1000): EngineState {
    const all = [...this.orders.values()];
    const closed = all.filter((o) => !isOpen(o));
    const dropClosed = new Set(closed.slice(0, Math.max(0, closed.length - keepClosed)));
    for (const o of this.open) for (const id of [o.parentId, ...(o.legIds ?? [])]) if (id) dropClosed.delete(this.orders.get(id)!);
    return {
      account: this.account.exportState(),
      orders: all.filter((o) => !dropClosed.has(o)).map((o) => ({ ...o, ...(o.legIds ? { legIds: [...o.legIds] } : {}) })),
      idsDrawn: this.ids.drawn,
      fills: this.fillCount,
      activities: this.activityLog.all,
      history: this.history.exportState(),
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
    if (req.clientOrderId !== undefined && this.byClientId.has(req.clientOrderId)) throw invalid('client_order_id must be unique');
    const touch = this.touch(req.symbol, req.side);
    checkLegPrices(req, req.limitPrice ?? touch);
    let qty = req.qty;
    if (qty === undefined) {
      if (!(touch > 0)) throw invalid(`no price for ${req.symbol} to size a notional order`);
      qty = floor9(req.notional! / touch);
    }
    this.checkBuyingPower(req.symbol, req.side, qty, req.limitPrice ?? req.stopPrice ?? touch);
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
    const wire = this.wire(order);
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
    const old = this.orders.get(id);
    if (!old) throw notFound('order not found');
    if (!isOpen(old) || old.status === 'pending_replace' || old.status === 'pending_cancel') {
      throw new VenueRejection(422, ALPACA_CODES.unprocessable, `order is not replaceable (status ${old.status})`);
    }
    const req = parseReplaceRequest(body, old);
    if (req.clientOrderId !== undefined && this.byClientId.has(req.clientOrderId)) throw invalid('client_order_id must be unique');
    const qty = req.qty ?? remaining(old);
    const limitPrice = req.limitPrice ?? old.limitPrice;
    const stopPrice = req.stopPrice ?? old.stopPrice;
    if (old.status !== 'held') this.checkBuyingPower(old.symbol, old.side, qty, limitPrice ?? stopPrice ?? this.touch(old.symbol, old.side), old);
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
    if (next.type === 'trailing_stop' && next.hwm !== undefined) this.trail(next, next.hwm, next.hwm);
    this.transition(old, 'pending_replace', now);
    this.emit('pending_replace', old, now);
    old.replacedBy = next.id;
    old.replacedAt = Math.max(now, old.createdAt);
    this.transition(old, 'replaced', now);
    this.removeOpen(old);
    this.unpend(old);
    // The new order takes the old one's place among its relations.
    const parent = old.parentId ? this.orders.get(old.parentId) : undefined;
    if (parent?.legIds) parent.legIds = parent.legIds.map((l) => (l === old.id ? next.id : l));
    for (const l of next.legIds ?? []) this.orders.get(l)!.parentId = next.id;
    if (old.ocoPeer) this.pair(next, this.orders.get(old.ocoPeer)!);
    this.emit('replaced', old, now);
    const wire = this.wire(next);
    this.runDue(now);
    return wire;
  }

  /** `GET /v2/orders/{id}`. */
  get(id: string): Record<string, unknown> {
    const order = this.orders.get(id);
    if (!order) throw notFound('order not found');
    return this.wire(order);
  }

  /** `GET /v2/orders:by_client_order_id`. */
  getByClientOrderId(clientOrderId: string): Record<string, unknown> {
    const order = this.byClientId.get(clientOrderId);
    if (!order) throw notFound('order not found');
    return this.wire(order);
  }

  /** `GET /v2/orders` with Alpaca's filters (default: open, newest first, 50; legs as rows unless nested). */
  list(query: OrderListQuery): Record<string, unknown>[] {
    const status = query.status ?? 'open';
    if (status !== 'open' && status !== 'closed' && status !== 'all') throw invalid('invalid status');
    const limit = query.limit ?? 50;
    if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw invalid('limit must be between 1 and 500');
    const direction = query.direction ?? 'desc';
    if (direction !== 'asc' && direction !== 'desc') throw invalid('invalid direction');
    const symbols = query.symbols && query.symbols.length > 0 ? new Set(query.symbols) : undefined;
    // Open orders come from their own index: a venue that has run for days holds thousands of closed ones.
    let list = [...(status === 'open' ? this.open : this.orders.values())].filter(
      (o) =>
        (status === 'all' || (status === 'open') === isOpen(o)) &&
        !(query.nested && o.parentId !== undefined) &&
        (query.after === undefined || o.createdAt > query.after) &&
        (query.until === undefined || o.createdAt < query.until) &&
        (!symbols || symbols.has(o.symbol)) &&
        (query.side === undefined || o.side === query.side),
    );
    // Map order is submission order; ties in time keep it.
    if (direction === 'desc') list = list.reverse();
    return list.slice(0, limit).map((o) => (query.nested ? this.wire(o) : toWire(o)));
  }

  /** `DELETE /v2/orders/{id}`: cancels an open order (a parent's open legs with it; a leg alone). */
  cancel(id: string, now: number): void {
    const order = this.orders.get(id);
    if (!order) throw notFound('order not found');
    if (!isOpen(order) || order.status === 'pending_replace') throw new VenueRejection(422, ALPACA_CODES.unprocessable, `order is not cancelable (status ${order.status})`);
    this.finish(order, 'canceled', now);
  }

  /** `DELETE /v2/orders`: cancels every open order; Alpaca's multi-status body. */
  cancelAll(now: number): Record<string, unknown>[] {
    const out: Record<string, unknown>[] = [];
    for (const order of [...this.open]) {
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
    return this.account.toWire(this.market, this.reservedBuyingPower(), now);
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
      const open = this.openBySymbol.get(ev.symbol);
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
    const open = this.openBySymbol.get(symbol);
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
    for (let k = 0; k < this.pending.length; ) {
      const order = this.pending[k];
      if (order.activateAt <= now) {
        this.pending.splice(k, 1);
        if (order.status === 'accepted') this.activate(order, now);
      } else {
        next = Math.min(next, order.activateAt);
        k++;
      }
    }
    for (const list of this.openBySymbol.values()) {
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
      this.trail(order, last, last);
    }
    this.transition(order, 'new', now);
    this.emit('new', order, now);
    this.addOpen(order);
    if (order.timeInForce === 'day') this.nextDue = Math.min(this.nextDue, order.expiresAt);
    if (quote && this.session.isOpen(now)) this.match(order, quote, now);
    // The auctions: an opg or cls order trades once, when it goes live; what is left is canceled.
    if (isOpen(order) && (order.timeInForce === 'opg' || order.timeInForce === 'cls')) this.finish(order, 'canceled', now);
  }

  private matchSymbol(symbol: string, quote: QuoteEvent, now: number): void {
    for (const order of [...this.openBySymbol.get(symbol)!]) if (isOpen(order)) this.match(order, quote, now);
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
    for (const order of [...this.openBySymbol.get(trade.symbol)!]) {
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
    if (order.type === 'trailing_stop') this.trail(order, low, high);
    const stop = order.stopPrice!;
    const hit = order.side === 'buy' ? high >= stop - 1e-9 : low <= stop + 1e-9;
    if (!hit) return false;
    // Triggered: from here the order works as a market (stop, trailing) or limit (stop_limit) order, first as a taker.
    order.triggered = true;
    order.rested = false;
    order.updatedAt = Math.max(now, order.updatedAt);
    this.changeCount++;
    return true;
  }

  /** A trailing stop's high-water mark (low-water for a buy) and the stop price it sets. */
  private trail(order: VenueOrder, low: number, high: number): void {
    const sell = order.side === 'sell';
    const hwm = order.hwm === undefined ? (sell ? high : low) : sell ? Math.max(order.hwm, high) : Math.min(order.hwm, low);
    const offset = order.trailPrice ?? (hwm * order.trailPercent!) / 100;
    const stop = Math.round((sell ? hwm - offset : hwm + offset) * 100) / 100;
    if (hwm !== order.hwm || stop !== order.stopPrice) {
      order.hwm = hwm;
      order.stopPrice = stop;
      this.changeCount++;
    }
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
    if (done) this.removeOpen(order);
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
    const peer = order.ocoPeer ? this.orders.get(order.ocoPeer) : undefined;
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
    this.removeOpen(order);
    this.unpend(order);
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
      const leg = this.orders.get(id)!;
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
    if (!isOpen(order)) this.open.delete(order);
    // Stamps never go back past the order's creation or last change, whatever `now` a caller holds.
    order.updatedAt = Math.max(now, order.updatedAt);
    this.changeCount++;
  }

  private addOpen(order: VenueOrder): void {
    let list = this.openBySymbol.get(order.symbol);
    if (!list) this.openBySymbol.set(order.symbol, (list = []));
    list.push(order);
  }

  private removeOpen(order: VenueOrder): void {
    const list = this.openBySymbol.get(order.symbol);
    const k = list ? list.indexOf(order) : -1;
    if (k >= 0) list!.splice(k, 1);
  }

  private unpend(order: VenueOrder): void {
    const k = this.pending.indexOf(order);
    if (k >= 0) this.pending.splice(k, 1);
  }

  private emit(event: string, order: VenueOrder, now: number, fee = 0, fill?: Omit<TradeUpdateData, 'event' | 'timestamp' | 'order'>): void {
    const update: TradeUpdateData = { event, timestamp: iso(Math.max(now, order.createdAt)), order: this.wire(order), ...fill };
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

  /** Delivers the held updates, in order, and keeps holding the next ones. */
  releaseUpdates(): void {
    const held = this.held;
    if (!held || held.length === 0) return;
    this.held = [];
    for (const [update, fee] of held) for (const listener of this.listeners) listener(update, fee);
  }

  /**
   * Whether an open order holds shares or buying power: held legs do not
   * (their parent has not filled), nor does the stop of a one-cancels-other
   * pair whose partner is open (only one of the two can trade).
   */
  private holds(o: VenueOrder): boolean {
    if (o.status === 'held') return false;
    if (o.ocoPeer && (o.type === 'stop' || o.type === 'stop_limit')) return !isOpen(this.orders.get(o.ocoPeer)!);
    return true;
  }

  /** Unfilled quantity of open orders on one side of a symbol. */
  private openQty(symbol: string, side: 'buy' | 'sell', except?: VenueOrder): number {
    let total = 0;
    for (const o of this.open) if (o !== except && o.symbol === symbol && o.side === side && this.holds(o)) total += remaining(o);
    return total;
  }

  /** Buying power held by open orders that add exposure. */
  private reservedBuyingPower(except?: VenueOrder): number {
    let total = 0;
    const sellLeft = new Map<string, number>();
    for (const o of this.open) {
      if (o === except || !this.holds(o)) continue;
      const price = o.limitPrice ?? o.stopPrice ?? this.market.price(o.symbol) ?? 0;
      if (o.side === 'buy') {
        total += remaining(o) * price;
      } else if (this.account.mode === 'margin') {
        // Sells beyond the long position open a short and need buying power.
        const left = sellLeft.get(o.symbol) ?? Math.max(0, this.account.position(o.symbol)?.qty ?? 0);
        const covered = Math.min(left, remaining(o));
        sellLeft.set(o.symbol, left - covered);
        total += (remaining(o) - covered) * price;
      }
    }
    return total;
  }

  /** Alpaca's checks of an order against the account: buying power for buys, shares (cash) or margin for sells. */
  private checkBuyingPower(symbol: string, side: OrderSide, qty: number, price: number, except?: VenueOrder): void {
    const pos = this.account.position(symbol)?.qty ?? 0;
    const bp = Math.max(0, this.account.grossBuyingPower(this.market) - this.reservedBuyingPower(except));
    if (side === 'buy') {
      const cover = pos < 0 ? Math.min(-pos, qty) : 0;
      const cost = (qty - cover) * price;
      if (cost > bp + 1e-9) throw forbidden('insufficient buying power', { buying_power: dec(bp, 2), cost_basis: dec(cost, 2) });
      return;
    }
    const held = this.openQty(symbol, 'sell', except);
    const available = Math.max(0, round9(pos - held));
    if (qty <= available + 1e-9) return;
    if (this.account.mode === 'cash') {
      throw forbidden(`insufficient qty available for order (requested: ${dec(qty)}, available: ${dec(available)})`, {
        symbol, existing_qty: dec(pos), held_for_orders: dec(held), available: dec(available),
      });
    }
    const cost = (qty - available) * price;
    if (cost > bp + 1e-9) throw forbidden('insufficient buying power', { buying_power: dec(bp, 2), cost_basis: dec(cost, 2) });
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
    this.orders.set(order.id, order);
    this.byClientId.set(order.clientOrderId, order);
    this.open.add(order);
    if (order.status === 'accepted') {
      this.pending.push(order);
      this.nextDue = Math.min(this.nextDue, order.activateAt);
    }
    this.changeCount++;
    return order;
  }

  private pair(a: VenueOrder, b: VenueOrder): void {
    a.ocoPeer = b.id;
    b.ocoPeer = a.id;
  }

  /** An order's wire shape with its legs. */
  private wire(order: VenueOrder): Record<string, unknown> {
    return toWire(order, order.legIds ? order.legIds.map((id) => this.orders.get(id)!) : null);
  }

  private positionWire(symbol: string): Record<string, unknown> {
    const p = this.account.position(symbol)!;
    const held = this.openQty(symbol, p.qty > 0 ? 'sell' : 'buy');
    return this.account.positionWire(p, this.market, held, this.exchangeOf(symbol));
  }
}

/** Rounds a quantity down to 9 decimal places (a notional order never buys more than its dollars). */
function floor9(x: number): number {
  return Math.floor(x * 1e9 + 1e-6) / 1e9;
}
