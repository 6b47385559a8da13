/**
 * Orders as the venue keeps them, Alpaca's order states, and the snake_case
 * wire shape the SDK parses (`OrderFromJSON`).
 */
import { dec, iso } from './format.js';

export type OrderSide = 'buy' | 'sell';
export type OrderType = 'market' | 'limit' | 'stop' | 'stop_limit' | 'trailing_stop';
export type TimeInForce = 'day' | 'gtc' | 'ioc' | 'fok' | 'opg' | 'cls';
/** Alpaca's order classes; `simple` is reported as '' on the wire, as Alpaca does. */
export type OrderClass = 'simple' | 'bracket' | 'oco' | 'oto';

/** Alpaca's order statuses (the subset the venue produces, plus the ones it may report). */
export type OrderStatus =
  | 'accepted'
  | 'pending_new'
  | 'new'
  | 'held'
  | 'partially_filled'
  | 'filled'
  | 'canceled'
  | 'expired'
  | 'rejected'
  | 'pending_cancel'
  | 'pending_replace'
  | 'done_for_day'
  | 'replaced';

/** Statuses in which an order can still trade or be canceled (`held` legs wait for their parent's fill). */
export const OPEN_STATUSES: ReadonlySet<OrderStatus> = new Set(['accepted', 'pending_new', 'new', 'held', 'partially_filled', 'pending_cancel', 'pending_replace']);

/** Allowed transitions; anything else is a bug in the engine, not a silent no-op. */
const TRANSITIONS: Readonly<Record<OrderStatus, readonly OrderStatus[]>> = {
  accepted: ['new', 'rejected', 'canceled', 'expired', 'pending_replace'],
  pending_new: ['new', 'rejected', 'canceled', 'expired'],
  new: ['partially_filled', 'filled', 'canceled', 'expired', 'pending_replace'],
  held: ['new', 'canceled', 'expired', 'pending_replace'],
  partially_filled: ['partially_filled', 'filled', 'canceled', 'expired', 'pending_replace'],
  pending_cancel: ['canceled', 'filled'],
  pending_replace: ['replaced'],
  filled: [],
  canceled: [],
  expired: [],
  rejected: [],
  done_for_day: [],
  replaced: [],
};

export function canTransition(from: OrderStatus, to: OrderStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

/** A take-profit or stop-loss leg as requested. */
export interface LegRequest {
  readonly limitPrice?: number;
  readonly stopPrice?: number;
}

export interface OrderRequest {
  readonly symbol: string;
  /** Shares; absent for a notional order until it goes live. */
  readonly qty?: number;
  /** Dollars to trade (market day orders only). */
  readonly notional?: number;
  readonly side: OrderSide;
  readonly type: OrderType;
  readonly timeInForce: TimeInForce;
  readonly limitPrice?: number;
  readonly stopPrice?: number;
  readonly trailPrice?: number;
  readonly trailPercent?: number;
  readonly clientOrderId?: string;
  readonly extendedHours: boolean;
  readonly orderClass: OrderClass;
  readonly takeProfit?: LegRequest;
  readonly stopLoss?: LegRequest;
}

/** The venue's mutable record of an order (never handed out; `toWire` copies it). */
export interface VenueOrder {
  readonly id: string;
  readonly clientOrderId: string;
  readonly symbol: string;
  readonly assetId: string;
  readonly side: OrderSide;
  readonly type: OrderType;
  readonly timeInForce: TimeInForce;
  /** Shares; a notional order's is fixed when it goes live (notional / the touch). */
  qty: number;
  readonly notional?: number;
  readonly limitPrice?: number;
  /** A trailing stop's moves with its high-water mark. */
  stopPrice?: number;
  readonly trailPrice?: number;
  readonly trailPercent?: number;
  /** Trailing stops: the best trade price since the order went live (highest for sells, lowest for buys). */
  hwm?: number;
  /** Stop types: the stop price has traded, so the order now works as a market (stop, trailing) or limit (stop_limit) order. */
  triggered?: boolean;
  readonly orderClass: OrderClass;
  /** A leg's parent (bracket, oto, and the stop leg of an oco). */
  parentId?: string;
  /** A parent's legs, in Alpaca's order (take profit, then stop loss). */
  legIds?: string[];
  /** One-cancels-other partner: a fill on either shrinks the other. */
  ocoPeer?: string;
  /** Quantity reported ahead of this resting limit at its price (the queue-position fill rule). */
  queueAhead?: number;
  readonly replaces?: string;
  replacedBy?: string;
  replacedAt?: number;
  readonly extendedHours: boolean;
  readonly positionIntent: string;
  readonly createdAt: number;
  /** When the order becomes `new` (submission plus latency). */
  activateAt: number;
  /** When a day order expires. */
  expiresAt: number;
  status: OrderStatus;
  filledQty: number;
  /** Sum of fill price x qty, for the average. */
  filledNotional: number;
  updatedAt: number;
  filledAt?: number;
  canceledAt?: number;
  expiredAt?: number;
  failedAt?: number;
  /** Whether the order has had its first (taker) match attempt and now rests. */
  rested: boolean;
  /** Fault injection: reject this order when it would become new. */
  rejectReason?: string;
}

export function remaining(order: VenueOrder): number {
  return round9(order.qty - order.filledQty);
}

export function isOpen(order: VenueOrder): boolean {
  return OPEN_STATUSES.has(order.status);
}

export function round9(x: number): number {
  return Math.round(x * 1e9) / 1e9;
}

/** Whether an order's stop has yet to trade (it may not fill before then). */
export function awaitingTrigger(order: VenueOrder): boolean {
  return (order.type === 'stop' || order.type === 'stop_limit' || order.type === 'trailing_stop') && order.triggered !== true;
}

/** The way an order matches now: a triggered stop works as a market order, a triggered stop-limit as a limit. */
export function workingType(order: VenueOrder): 'market' | 'limit' {
  return order.type === 'limit' || order.type === 'stop_limit' ? 'limit' : 'market';
}

/**
 * Alpaca's order JSON (snake_case, decimals as strings, times as RFC 3339).
 * `legs` gives a parent's legs (their wire shapes), or null.
 */
export function toWire(o: VenueOrder, legs: readonly VenueOrder[] | null = null): Record<string, unknown> {
  const at = (ms: number | undefined): string | null => (ms === undefined ? null : iso(ms));
  const price = (x: number | undefined): string | null => (x === undefined ? null : dec(x, 4));
  // A notional order's quantity is not known until it goes live: Alpaca reports qty null until then.
  const qtyKnown = o.notional === undefined || o.status !== 'accepted';
  return {
    id: o.id,
    client_order_id: o.clientOrderId,
    created_at: iso(o.createdAt),
    updated_at: iso(o.updatedAt),
    submitted_at: iso(o.createdAt),
    filled_at: at(o.filledAt),
    expired_at: at(o.expiredAt),
    canceled_at: at(o.canceledAt),
    failed_at: at(o.failedAt),
    replaced_at: at(o.replacedAt),
    replaced_by: o.replacedBy ?? null,
    replaces: o.replaces ?? null,
    asset_id: o.assetId,
    symbol: o.symbol,
    asset_class: 'us_equity',
    notional: o.notional === undefined ? null : dec(o.notional, 2),
    qty: qtyKnown ? dec(o.qty) : null,
    filled_qty: dec(o.filledQty),
    filled_avg_price: o.filledQty > 0 ? dec(o.filledNotional / o.filledQty, 4) : null,
    order_class: o.orderClass === 'simple' ? '' : o.orderClass,
    order_type: o.type,
    type: o.type,
    side: o.side,
    position_intent: o.positionIntent,
    time_in_force: o.timeInForce,
    limit_price: price(o.limitPrice),
    stop_price: price(o.stopPrice),
    status: o.status,
    extended_hours: o.extendedHours,
    legs: legs === null ? null : legs.map((l) => toWire(l)),
    trail_percent: o.trailPercent === undefined ? null : dec(o.trailPercent, 4),
    trail_price: price(o.trailPrice),
    hwm: price(o.hwm),
    subtag: null,
    source: null,
    expires_at: iso(o.expiresAt),
  };
}
