/**
 * The engine's order book: every order by id and client order id, the ones
 * waiting to go live, the working ones per symbol and the open ones in
 * creation order; the Alpaca listing and wire shapes; and what open orders
 * hold of the account (shares, buying power), which every new order is
 * checked against.
 */
import type { Account, PriceSource } from './account.js';
import { forbidden, invalid } from './errors.js';
import { dec } from './format.js';
import { isOpen, remaining, round9, toWire, type OrderSide, type VenueOrder } from './orders.js';

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

export class OrderBook {
  readonly byId = new Map<string, VenueOrder>();
  readonly byClientId = new Map<string, VenueOrder>();
  /** Accepted orders waiting for their activation time. */
  readonly pending: VenueOrder[] = [];
  /** Live orders per symbol: neither waiting to go live nor held legs. */
  readonly working = new Map<string, VenueOrder[]>();
  /**
   * Open orders in creation order (what `byId` filtered by isOpen gives):
   * buying power and held quantities are read on every order and account
   * request, and a long-running venue or a back-test keeps thousands of
   * closed orders beside a handful of open ones.
   */
  readonly open = new Set<VenueOrder>();

  constructor(private readonly account: Account, private readonly market: PriceSource) {}

  add(order: VenueOrder): void {
    this.byId.set(order.id, order);
    this.byClientId.set(order.clientOrderId, order);
    if (isOpen(order)) this.open.add(order);
  }

  get(id: string): VenueOrder | undefined {
    return this.byId.get(id);
  }

  startWorking(order: VenueOrder): void {
    let list = this.working.get(order.symbol);
    if (!list) this.working.set(order.symbol, (list = []));
    list.push(order);
  }

  stopWorking(order: VenueOrder): void {
    const list = this.working.get(order.symbol);
    const k = list ? list.indexOf(order) : -1;
    if (k >= 0) list!.splice(k, 1);
  }

  unpend(order: VenueOrder): void {
    const k = this.pending.indexOf(order);
    if (k >= 0) this.pending.splice(k, 1);
  }

  /** An order's wire shape with its legs. */
  wire(order: VenueOrder): Record<string, unknown> {
    return toWire(order, order.legIds ? order.legIds.map((id) => this.byId.get(id)!) : null);
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
    let list = [...(status === 'open' ? this.open : this.byId.values())].filter(
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

  /**
   * Whether an open order holds shares or buying power: held legs do not
   * (their parent has not filled), nor does the stop of a one-cancels-other
   * pair whose partner is open (only one of the two can trade).
   */
  holds(o: VenueOrder): boolean {
    if (o.status === 'held') return false;
    if (o.ocoPeer && (o.type === 'stop' || o.type === 'stop_limit')) return !isOpen(this.byId.get(o.ocoPeer)!);
    return true;
  }

  /**
   * Unfilled quantity of open orders on one side of a symbol, but for
   * `except` (an order being replaced) and its one-cancels-other partner:
   * the pair holds its shares once, and the replacement takes its place.
   */
  openQty(symbol: string, side: OrderSide, except?: VenueOrder): number {
    let total = 0;
    for (const o of this.open) {
      if (o === except || (except?.ocoPeer !== undefined && o.id === except.ocoPeer)) continue;
      if (o.symbol === symbol && o.side === side && this.holds(o)) total += remaining(o);
    }
    return total;
  }

  /** Buying power held by open orders that add exposure. */
  reservedBuyingPower(except?: VenueOrder): number {
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

  /**
   * Alpaca's checks of an order against the account. An order that closes
   * (a sell of a long position, a buy covering a short) may take only the
   * shares no other working order on its side holds (`openQty`: held legs and
   * the stop of an open oco pair hold none); beyond that it is refused with
   * 403 "insufficient qty available for order", margin accounts included
   * (which is why a take profit and a stop on the same shares need oco). With
   * nothing held, a margin account's excess opens the other side and needs
   * buying power; a cash account never sells what it does not own.
   */
  checkBuyingPower(symbol: string, side: OrderSide, qty: number, price: number, except?: VenueOrder): void {
    const pos = this.account.position(symbol)?.qty ?? 0;
    // The shares this order can close: the long position for a sell, the short one for a buy.
    const owned = side === 'sell' ? pos : -pos;
    const held = this.openQty(symbol, side, except);
    const available = Math.max(0, round9(owned - held));
    if (qty <= available + 1e-9) return;
    if ((owned > 0 && held > 0) || (side === 'sell' && this.account.mode === 'cash')) {
      throw forbidden(`insufficient qty available for order (requested: ${dec(qty)}, available: ${dec(available)})`, {
        symbol, existing_qty: dec(pos), held_for_orders: dec(held), available: dec(available),
      });
    }
    const bp = Math.max(0, this.account.grossBuyingPower(this.market) - this.reservedBuyingPower(except));
    const cost = (qty - available) * price;
    if (cost > bp + 1e-9) throw forbidden('insufficient buying power', { buying_power: dec(bp, 2), cost_basis: dec(cost, 2) });
  }
}
