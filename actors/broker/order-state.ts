/**
 * Alpaca's order lifecycle as an explicit state machine. Statuses are the
 * wire strings. The table below is the set of moves Alpaca documents or can
 * produce through races (a fill landing while a cancel is pending, a cancel or
 * replace being rejected and the order going back to working); anything else
 * is an error, so an out-of-order or corrupt update is caught instead of
 * silently rewinding an order.
 *
 * Terminal: filled, canceled, expired, replaced, rejected. `held` is a
 * contingent leg (bracket, oto) waiting for its entry to fill.
 * The only self-transition is partially_filled -> partially_filled (another partial fill).
 */

import { InvalidOrderTransitionError } from './errors.js';

export const ORDER_STATUSES = [
  'new',
  'partially_filled',
  'filled',
  'done_for_day',
  'canceled',
  'expired',
  'replaced',
  'pending_cancel',
  'pending_replace',
  'pending_new',
  'accepted',
  'stopped',
  'rejected',
  'suspended',
  'calculated',
  'held',
] as const;

export type OrderStatus = (typeof ORDER_STATUSES)[number];

const TERMINAL: ReadonlySet<OrderStatus> = new Set<OrderStatus>(['filled', 'canceled', 'expired', 'replaced', 'rejected']);

const TRANSITIONS: Readonly<Record<OrderStatus, readonly OrderStatus[]>> = {
  pending_new: ['accepted', 'new', 'partially_filled', 'filled', 'canceled', 'expired', 'rejected', 'pending_cancel', 'suspended'],
  accepted: ['pending_new', 'new', 'partially_filled', 'filled', 'canceled', 'expired', 'rejected', 'pending_cancel', 'pending_replace', 'replaced', 'suspended', 'done_for_day'],
  new: ['partially_filled', 'filled', 'canceled', 'expired', 'rejected', 'pending_cancel', 'pending_replace', 'done_for_day', 'stopped', 'suspended', 'calculated', 'replaced'],
  partially_filled: ['partially_filled', 'filled', 'canceled', 'expired', 'pending_cancel', 'pending_replace', 'done_for_day', 'stopped', 'calculated', 'replaced'],
  // A cancel can lose the race to a fill, or be rejected (order_cancel_rejected) and leave the order working.
  pending_cancel: ['canceled', 'partially_filled', 'filled', 'expired', 'new', 'done_for_day'],
  // A replace can be rejected (order_replace_rejected) and leave the order working.
  pending_replace: ['replaced', 'new', 'partially_filled', 'filled', 'canceled', 'expired', 'pending_cancel'],
  done_for_day: ['new', 'accepted', 'partially_filled', 'filled', 'canceled', 'expired', 'pending_cancel', 'calculated'],
  stopped: ['partially_filled', 'filled', 'canceled', 'expired'],
  suspended: ['pending_new', 'accepted', 'new', 'canceled', 'expired', 'rejected', 'pending_cancel'],
  calculated: ['partially_filled', 'filled', 'done_for_day', 'canceled', 'expired'],
  // A bracket's or oto's leg waits held until its entry fills; an oco's stop-loss leg too until the take profit works.
  held: ['accepted', 'pending_new', 'new', 'partially_filled', 'filled', 'canceled', 'expired', 'pending_cancel', 'pending_replace', 'replaced'],
  filled: [],
  canceled: [],
  expired: [],
  replaced: [],
  rejected: [],
};

export function isOrderStatus(x: unknown): x is OrderStatus {
  return typeof x === 'string' && Object.prototype.hasOwnProperty.call(TRANSITIONS, x);
}

export function isTerminal(s: OrderStatus): boolean {
  return TERMINAL.has(s);
}

export function canTransition(from: OrderStatus, to: OrderStatus): boolean {
  return TRANSITIONS[from]?.includes(to) ?? false;
}

/** The statuses reachable from `from` in one move. */
export function nextStatuses(from: OrderStatus): readonly OrderStatus[] {
  return TRANSITIONS[from];
}

/** Validate a move; throws InvalidOrderTransitionError when it is not allowed. */
export function transition(clientOrderId: string, from: OrderStatus, to: OrderStatus): OrderStatus {
  if (!canTransition(from, to)) throw new InvalidOrderTransitionError(clientOrderId, from, to);
  return to;
}

/** The status a trade_update event implies, or null for events that carry no status of their own (order_cancel_rejected ...). */
export function statusForEvent(event: string): OrderStatus | null {
  switch (event) {
    case 'partial_fill':
      return 'partially_filled';
    case 'fill':
      return 'filled';
    default:
      return isOrderStatus(event) ? event : null;
  }
}
