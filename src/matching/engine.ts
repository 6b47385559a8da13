/**
 * The matching engine: takes orders, activates them after a latency, fills
 * them against the simulated market's quotes and keeps the account. Market
 * orders take the touch (ask for buys, bid for sells) up to the displayed
 * size, so a large order fills in parts across several quotes. Limit orders
 * that cross on arrival take the touch too; otherwise they rest and fill at
 * their limit when the market trades through it. Day orders expire at the
 * session's end. Every change is published as an Alpaca trade update.
 *
 * Time always comes in as `now` (market time); the engine holds no timers.
 */
import type { QuoteEvent } from './events.js';
import { Account, type AccountMode, type AccountState, type PriceSource } from './account.js';
import { ALPACA_CODES, VenueRejection, forbidden, invalid, notFound } from './errors.js';
import { IdSource, assetId, dec, iso } from './format.js';
import { canTransition, isOpen, remaining, round9, toWire, type OrderStatus, type VenueOrder } from './orders.js';
import { ALWAYS_OPEN, type SessionCalendar } from './session.js';
import { parseOrderRequest } from './validate.js';

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
}

/** The fee of one fill. */
export type FeeSchedule = (fill: { readonly symbol: string; readonly side: 'buy' | 'sell'; readonly qty: number; readonly price: number }) => number;

/**
 * A bar's traded range, for matching resting limit orders against bars
 * instead of a continuous market: a resting buy fills at its limit when the
 * bar traded below it, a resting sell when it traded above (strictly through:
 * a limit the bar only touched does not fill).
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
}

export interface OrderListQuery {
  readonly status?: string;
  readonly limit?: number;
  readonly direction?: string;
  readonly after?: number;
  readonly until?: number;
  readonly symbols?: readonly string[];
  readonly side?: string;
}

interface Liquidity {
  quote: QuoteEvent;
  bidUsed: number;
  askUsed: number;
}

export class MatchingEngine {
  readonly account: Account;
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
    this.session = options.session ?? ALWAYS_OPEN;
    this.exchangeOf = options.exchangeOf ?? (() => 'ARCA');
    const r = options.restore;
    if (!r) {
      const seeded = this.ids.uuid();
      this.account = new Account({ id: options.accountId ?? seeded, cash: options.cash ?? 100_000, mode: options.accountMode ?? 'cash', now: options.now, ...(options.accountNumber ? { accountNumber: options.accountNumber } : {}) });
      return;
    }
    this.account = Account.fromState(r.account);
    this.ids.skip(r.idsDrawn);
    this.fillCount = r.fills;
    for (const o of r.orders) {
      const order: VenueOrder = { ...o };
      this.orders.set(order.id, order);
      if (isOpen(order)) this.open.add(order);
      this.byClientId.set(order.clientOrderId, order);
      if (order.status === 'accepted' || order.status === 'pending_new') this.pending.push(order);
      else if (isOpen(order)) {
        let list = this.openBySymbol.get(order.symbol);
        if (!list) this.openBySymbol.set(order.symbol, (list = []));
        list.push(order);
      }
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
   * (oldest first) are left out, so the state stays bounded; open ones always stay.
   */
  exportState(keepClosed = 1000): EngineState {
    const all = [...this.orders.values()];
    const closed = all.filter((o) => !isOpen(o));
    const dropClosed = new Set(closed.slice(0, Math.max(0, closed.length - keepClosed)));
    return {
      account: this.account.exportState(),
      orders: all.filter((o) => !dropClosed.has(o)).map((o) => ({ ...o })),
      idsDrawn: this.ids.drawn,
      fills: this.fillCount,
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

  /** Validates and accepts an order (`POST /v2/orders`); throws VenueRejection. */
  submit(body: unknown, now: number): Record<string, unknown> {
    const req = parseOrderRequest(body, (s) => this.market.has(s));
    if (req.clientOrderId !== undefined && this.byClientId.has(req.clientOrderId)) throw invalid('client_order_id must be unique');
    const quote = this.market.quote(req.symbol);
    const ref = this.market.price(req.symbol) ?? 0;
    const touch = req.side === 'buy' ? quote?.ask ?? ref : quote?.bid ?? ref;
    const price = req.limitPrice ?? touch;
    const pos = this.account.position(req.symbol)?.qty ?? 0;
    const reserved = this.reservedBuyingPower();
    const bp = Math.max(0, this.account.grossBuyingPower(this.market) - reserved);
    if (req.side === 'buy') {
      const cover = pos < 0 ? Math.min(-pos, req.qty) : 0;
      const cost = (req.qty - cover) * price;
      if (cost > bp + 1e-9) throw forbidden('insufficient buying power', { buying_power: dec(bp, 2), cost_basis: dec(cost, 2) });
    } else {
      const held = this.openQty(req.symbol, 'sell');
      const available = Math.max(0, round9(pos - held));
      if (req.qty > available + 1e-9) {
        if (this.account.mode === 'cash') {
          throw forbidden(`insufficient qty available for order (requested: ${dec(req.qty)}, available: ${dec(available)})`, {
            symbol: req.symbol, existing_qty: dec(pos), held_for_orders: dec(held), available: dec(available),
          });
        }
        const cost = (req.qty - available) * price;
        if (cost > bp + 1e-9) throw forbidden('insufficient buying power', { buying_power: dec(bp, 2), cost_basis: dec(cost, 2) });
      }
    }
    const activateAt = this.session.isOpen(now) ? now + this.latency : Math.max(now + this.latency, this.session.nextOpen(now));
    const intent = req.side === 'buy' ? (pos < 0 ? 'buy_to_close' : 'buy_to_open') : pos > 0 ? 'sell_to_close' : 'sell_to_open';
    const order: VenueOrder = {
      id: this.ids.uuid(),
      clientOrderId: req.clientOrderId ?? this.ids.uuid(),
      symbol: req.symbol,
      assetId: assetId(req.symbol),
      side: req.side,
      type: req.type,
      timeInForce: req.timeInForce,
      qty: req.qty,
      limitPrice: req.limitPrice,
      extendedHours: req.extendedHours,
      positionIntent: intent,
      createdAt: now,
      activateAt,
      expiresAt: req.timeInForce === 'day' ? this.session.nextClose(activateAt) : activateAt + 90 * 86_400_000,
      status: 'accepted',
      filledQty: 0,
      filledNotional: 0,
      updatedAt: now,
      rested: false,
      rejectReason: this.rejectQueue.shift(),
    };
    this.orders.set(order.id, order);
    this.byClientId.set(order.clientOrderId, order);
    this.open.add(order);
    this.pending.push(order);
    this.changeCount++;
    const wire = toWire(order);
    if (activateAt <= now) this.processDue(now);
    else this.nextDue = Math.min(this.nextDue, activateAt);
    return wire;
  }

  /** `GET /v2/orders/{id}`. */
  get(id: string): Record<string, unknown> {
    const order = this.orders.get(id);
    if (!order) throw notFound('order not found');
    return toWire(order);
  }

  /** `GET /v2/orders:by_client_order_id`. */
  getByClientOrderId(clientOrderId: string): Record<string, unknown> {
    const order = this.byClientId.get(clientOrderId);
    if (!order) throw notFound('order not found');
    return toWire(order);
  }

  /** `GET /v2/orders` with Alpaca's filters (default: open, newest first, 50). */
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
        (query.after === undefined || o.createdAt > query.after) &&
        (query.until === undefined || o.createdAt < query.until) &&
        (!symbols || symbols.has(o.symbol)) &&
        (query.side === undefined || o.side === query.side),
    );
    // Map order is submission order; ties in time keep it.
    if (direction === 'desc') list = list.reverse();
    return list.slice(0, limit).map(toWire);
  }

  /** `DELETE /v2/orders/{id}`: cancels an open order. */
  cancel(id: string, now: number): void {
    const order = this.orders.get(id);
    if (!order) throw notFound('order not found');
    if (!isOpen(order)) throw new VenueRejection(422, ALPACA_CODES.unprocessable, `order is not cancelable (status ${order.status})`);
    this.finish(order, 'canceled', now);
  }

  /** `DELETE /v2/orders`: cancels every open order; Alpaca's multi-status body. */
  cancelAll(now: number): Record<string, unknown>[] {
    const out: Record<string, unknown>[] = [];
    for (const order of [...this.open]) {
      this.finish(order, 'canceled', now);
      out.push({ id: order.id, status: 200, body: toWire(order) });
    }
    return out;
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
   * quote's time are processed first, then open orders in that symbol match.
   */
  onQuotes(events: readonly { kind: string; ts: number; symbol: string }[]): void {
    for (const ev of events) {
      if (ev.kind !== 'quote') continue;
      if (ev.ts >= this.nextDue) this.processDue(ev.ts);
      const open = this.openBySymbol.get(ev.symbol);
      if (open && open.length > 0 && this.session.isOpen(ev.ts)) this.matchSymbol(ev.symbol, ev as QuoteEvent, ev.ts);
    }
  }

  /**
   * Matches a symbol's open orders against one bar (research replays bars,
   * not quotes): activations and expiries due by `now` first; then resting
   * limit orders fill at their limit where the bar's range went through it,
   * and market orders and limits that cross `quote` take its touch, sharing
   * the quote's displayed size (so a large order fills in parts across bars).
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

  /** Processes activations and expiries due by `now` and rolls the account day. */
  advance(now: number): void {
    if (now >= this.nextDue) this.processDue(now);
    this.account.rollDay(now, this.market);
  }

  private processDue(now: number): void {
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
    this.nextDue = next;
  }

  private activate(order: VenueOrder, now: number): void {
    now = Math.max(now, order.createdAt);
    if (order.rejectReason !== undefined) {
      order.failedAt = now;
      this.transition(order, 'rejected', now);
      this.emit('rejected', order, now);
      return;
    }
    this.transition(order, 'new', now);
    this.emit('new', order, now);
    let list = this.openBySymbol.get(order.symbol);
    if (!list) this.openBySymbol.set(order.symbol, (list = []));
    list.push(order);
    if (order.timeInForce === 'day') this.nextDue = Math.min(this.nextDue, order.expiresAt);
    const quote = this.market.quote(order.symbol);
    if (quote && this.session.isOpen(now)) this.match(order, quote, now);
  }

  private matchSymbol(symbol: string, quote: QuoteEvent, now: number): void {
    for (const order of [...this.openBySymbol.get(symbol)!]) if (isOpen(order)) this.match(order, quote, now);
  }

  private match(order: VenueOrder, quote: QuoteEvent, now: number, range?: TradedRange): void {
    let liq = this.liquidity.get(order.symbol);
    if (!liq || liq.quote !== quote) this.liquidity.set(order.symbol, (liq = { quote, bidUsed: 0, askUsed: 0 }));
    const buy = order.side === 'buy';
    const touch = buy ? quote.ask : quote.bid;
    const taker = !order.rested;
    const limit = order.limitPrice!;
    const through = range !== undefined && order.type === 'limit' && !taker && (buy ? range.low < limit : range.high > limit);
    const crosses = order.type === 'market' || through || (buy ? touch <= limit : touch >= limit);
    const available = buy ? quote.askSize - liq.askUsed : quote.bidSize - liq.bidUsed;
    const want = remaining(order);
    order.rested = true;
    if (crosses && available > 0) {
      if (taker && order.timeInForce === 'fok' && available < want) {
        this.finish(order, 'canceled', now);
        return;
      }
      const qty = Math.min(want, available);
      const price = taker || order.type === 'market' ? touch : order.limitPrice!;
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
    if (fee > 0) {
      this.account.chargeFee(fee);
      this.feesPaid += fee;
    }
    this.fillCount++;
    this.emit(done ? 'fill' : 'partial_fill', order, now, fee, {
      execution_id: this.ids.uuid(),
      price: dec(price, 4),
      qty: dec(qty),
      position_qty: dec(positionQty),
    });
  }

  private finish(order: VenueOrder, status: 'canceled' | 'expired', now: number): void {
    now = Math.max(now, order.createdAt);
    if (status === 'canceled') order.canceledAt = now;
    else order.expiredAt = now;
    this.transition(order, status, now);
    this.removeOpen(order);
    const k = this.pending.indexOf(order);
    if (k >= 0) this.pending.splice(k, 1);
    this.emit(status, order, now);
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

  private removeOpen(order: VenueOrder): void {
    const list = this.openBySymbol.get(order.symbol);
    const k = list ? list.indexOf(order) : -1;
    if (k >= 0) list!.splice(k, 1);
  }

  private emit(event: string, order: VenueOrder, now: number, fee = 0, fill?: Omit<TradeUpdateData, 'event' | 'timestamp' | 'order'>): void {
    const update: TradeUpdateData = { event, timestamp: iso(Math.max(now, order.createdAt)), order: toWire(order), ...fill };
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

  /** Unfilled quantity of open orders on one side of a symbol. */
  private openQty(symbol: string, side: 'buy' | 'sell'): number {
    let total = 0;
    for (const o of this.open) if (o.symbol === symbol && o.side === side) total += remaining(o);
    return total;
  }

  /** Buying power held by open orders that add exposure. */
  private reservedBuyingPower(): number {
    let total = 0;
    const sellLeft = new Map<string, number>();
    for (const o of this.open) {
      const price = o.limitPrice ?? this.market.price(o.symbol) ?? 0;
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

  private positionWire(symbol: string): Record<string, unknown> {
    const p = this.account.position(symbol)!;
    const held = this.openQty(symbol, p.qty > 0 ? 'sell' : 'buy');
    return this.account.positionWire(p, this.market, held, this.exchangeOf(symbol));
  }
}
