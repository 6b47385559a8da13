/**
 * Messages the broker session publishes. Plain data (msgpack across threads).
 *
 * - `broker.order_update`: an order changed (submitted, acked, rejected,
 *   ambiguous, a trade_update, a reconciliation correction).
 * - `broker.fill`: one fill, deduplicated, already journaled and applied.
 * - `broker.positions`: the positions derived from fills (after fills and reconciliations).
 * - `broker.reconciled`: the outcome of a reconciliation pass (the risk governor
 *   feeds `magnitude` into its reconciliation-drift trigger).
 */

import type { OrderSide } from '../allocator/intent.js';
import type { OrderStatus } from './order-state.js';
import type { SubmissionState } from './oms.js';
import type { DriftItem } from './reconcile.js';

export interface BrokerOrderUpdateMsg {
  readonly type: 'broker.order_update';
  readonly clientOrderId: string;
  readonly brokerOrderId: string | null;
  readonly intentId: string | null;
  readonly symbol: string;
  readonly side: OrderSide;
  readonly qty: number;
  /** market, limit, stop, stop_limit, trailing_stop. */
  readonly orderType: string;
  /** bracket, oco, oto; null for a simple order (or a leg, which names its parent). */
  readonly orderClass: string | null;
  /** Limit and stop prices, and a trailing stop's trail in percent; null when the order has none. */
  readonly limitPrice: number | null;
  readonly stopPrice: number | null;
  readonly trailPercent: number | null;
  /** A leg's parent (client order id). */
  readonly parentClientOrderId: string | null;
  /** The order this one replaced (client order id). */
  readonly replaces: string | null;
  readonly filledQty: number;
  readonly filledAvgPrice: number | null;
  readonly status: OrderStatus | null;
  readonly submission: SubmissionState;
  /** What happened: 'submitted', 'ack', 'submit_failed', 'lookup_not_found', 'cancel_requested', 'mark_lost', 'adopted', or the trade_update event name. */
  readonly event: string;
  readonly reason: string | null;
  readonly ts: number;
}

export interface BrokerFillMsg {
  readonly type: 'broker.fill';
  readonly executionId: string;
  readonly clientOrderId: string;
  readonly brokerOrderId: string | null;
  readonly intentId: string | null;
  readonly symbol: string;
  readonly side: OrderSide;
  readonly qty: number;
  readonly price: number;
  /** Position after this fill. */
  readonly positionQty: number;
  readonly positionAvgPrice: number;
  /** Reconstructed by reconciliation rather than received. */
  readonly synthetic: boolean;
  readonly ts: number;
}

export interface BookPosition {
  readonly symbol: string;
  readonly qty: number;
  readonly avgPrice: number;
  readonly realizedPnl: number;
}

export interface BrokerPositionsMsg {
  readonly type: 'broker.positions';
  readonly positions: readonly BookPosition[];
  /** Signed unfilled quantity of open orders per symbol that may yet trade (stops and held legs are contingent: not counted). */
  readonly pendingQty: Readonly<Record<string, number>>;
  readonly ts: number;
}

export interface BrokerReconciledMsg {
  readonly type: 'broker.reconciled';
  readonly phase: 'startup' | 'periodic';
  readonly passed: boolean;
  /** Position drift notional / equity, before corrections. */
  readonly magnitude: number;
  readonly driftNotional: number;
  readonly items: readonly DriftItem[];
  /** Corrections journaled and applied. */
  readonly corrections: number;
  /** Things skipped as in flight. */
  readonly deferred: number;
  /** Whether the session may trade (start-up reconciliation has passed). */
  readonly ready: boolean;
  readonly ts: number;
}

/** The broker account as last read (published on `positions` beside broker.positions). */
export interface BrokerAccountMsg {
  readonly type: 'broker.account';
  readonly equity: number;
  readonly lastEquity: number | null;
  readonly cash: number;
  readonly buyingPower: number;
  readonly status: string;
  readonly ts: number;
}

/**
 * The broker session's link to the venue (published on `broker_status` on
 * change and periodically). `connected` turns false only after the stream has
 * been down, or REST has kept failing, for the configured threshold, so a
 * blip does not move the risk tier; `ready` is start-up reconciliation passed.
 */
export interface BrokerConnectionMsg {
  readonly type: 'broker.connection';
  readonly connected: boolean;
  readonly ready: boolean;
  /** trade_updates stream: 'listening', 'connecting' or 'down'. */
  readonly stream: string;
  /** Consecutive failed REST calls. */
  readonly restFailures: number;
  /** Why not connected, or null. */
  readonly reason: string | null;
  /** When `connected` last changed, epoch ms. */
  readonly since: number;
  readonly ts: number;
}

/** An approved intent the session would not register (not ready, duplicate intent): published on `orders`. */
export interface BrokerIntentRefusedMsg {
  readonly type: 'broker.intent_refused';
  readonly intentId: string;
  readonly symbol: string;
  readonly reason: string;
  readonly ts: number;
}

export type BrokerMsg = BrokerOrderUpdateMsg | BrokerFillMsg | BrokerPositionsMsg | BrokerReconciledMsg | BrokerAccountMsg | BrokerConnectionMsg | BrokerIntentRefusedMsg;
