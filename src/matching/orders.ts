/**
 * Orders as the venue keeps them, Alpaca's order states, and the snake_case
 * wire shape the SDK parses (`OrderFromJSON`).
 */
import { dec, iso } from './format.js';

export type OrderSide = 'buy' | 'sell';
export type OrderType = 'market' | 'limit';
export type TimeInForce = 'day' | 'gtc' | 'ioc' | 'fok';

/** Alpaca's order statuses (the subset the venue produces, plus the ones it may report). */
export type OrderStatus =
  | 'accepted'
  | 'pending_new'
  | 'new'
  | 'partially_filled'
  | 'filled'
  | 'canceled'
  | 'expired'
  | 'rejected'
  | 'pending_cancel'
  | 'done_for_day'
  | 'replaced';

/** Statuses in which an order can still trade or be canceled. */
export const OPEN_STATUSES: ReadonlySet<OrderStatus> = new Set(['accepted', 'pending_new', 'new', 'partially_filled', 'pending_cancel']);

/** Allowed transitions; anything else is a bug in the engine, not a silent no-op. */
const TRANSITIONS: Readonly<Record<OrderStatus, readonly OrderStatus[]>> = {
  accepted: ['new', 'rejected', 'canceled', 'expired'],
  pending_new: ['new', 'rejected', 'canceled', 'expired'],
  new: ['partially_filled', 'filled', 'canceled', 'expired'],
  partially_filled: ['partially_filled', 'filled', 'canceled', 'expired'],
  pending_cancel: ['canceled', 'filled'],
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

export interface OrderRequest {
  readonly symbol: string;
  readonly qty: number;
  readonly side: OrderSide;
  readonly type: OrderType;
  readonly timeInForce: TimeInForce;
  readonly limitPrice?: number;
  readonly clientOrderId?: string;
  readonly extendedHours: boolean;
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
  readonly qty: number;
  readonly limitPrice?: number;
  readonly extendedHours: boolean;
  readonly positionIntent: string;
  readonly createdAt: number;
  /** When the order becomes `new` (submission plus latency). */
  readonly activateAt: number;
  /** When a day order expires. */
  readonly expiresAt: number;
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

/** Alpaca's order JSON (snake_case, decimals as strings, times as RFC 3339). */
export function toWire(o: VenueOrder): Record<string, unknown> {
  const at = (ms: number | undefined): string | null => (ms === undefined ? null : iso(ms));
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
    replaced_at: null,
    replaced_by: null,
    replaces: null,
    asset_id: o.assetId,
    symbol: o.symbol,
    asset_class: 'us_equity',
    notional: null,
    qty: dec(o.qty),
    filled_qty: dec(o.filledQty),
    filled_avg_price: o.filledQty > 0 ? dec(o.filledNotional / o.filledQty, 4) : null,
    order_class: '',
    order_type: o.type,
    type: o.type,
    side: o.side,
    position_intent: o.positionIntent,
    time_in_force: o.timeInForce,
    limit_price: o.limitPrice === undefined ? null : dec(o.limitPrice, 4),
    stop_price: null,
    status: o.status,
    extended_hours: o.extendedHours,
    legs: null,
    trail_percent: null,
    trail_price: null,
    hwm: null,
    subtag: null,
    source: null,
    expires_at: iso(o.expiresAt),
  };
}
