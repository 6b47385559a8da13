/**
 * The order intent: what the allocator wants traded, before risk has looked at
 * it. It is the contract between allocator -> risk governor -> broker session,
 * so it lives with its producer and the other two import it from here.
 *
 * An intent is plain data (it crosses threads as msgpack) and immutable. Its
 * `intentId` is deterministic from the posture sequence and the symbol, so the
 * same inputs give the same intents, and the broker derives the client order id
 * from it (see actors/broker/client-order-id.ts): one intent can never become
 * two live orders.
 */

export type OrderSide = 'buy' | 'sell';
export type OrderType = 'market' | 'limit';
/**
 * What an intent may be: the allocator's types, and the stop types the
 * broker session places itself (protective stops) or accepts from a caller
 * of the session (never from the allocator).
 */
export type IntentOrderType = OrderType | 'stop' | 'stop_limit' | 'trailing_stop';
/** Alpaca's order classes beyond a simple order: an entry with legs (bracket, oto) or a take profit with a stop loss (oco). */
export type IntentOrderClass = 'bracket' | 'oco' | 'oto';
/** Alpaca's time-in-force values for equities. */
export type TimeInForce = 'day' | 'gtc' | 'opg' | 'cls' | 'ioc' | 'fok';

export interface OrderIntent {
  /** Deterministic id: `p<seq>:<SYMBOL>` (plus `:close` / `:open` when a flip is split in two legs; `flat:<seq>:<SYMBOL>` for liquidations). */
  readonly intentId: string;
  readonly symbol: string;
  readonly side: OrderSide;
  /** Whole shares, > 0. */
  readonly qty: number;
  readonly type: IntentOrderType;
  /** Present iff `type` is 'limit' or 'stop_limit'. */
  readonly limitPrice?: number;
  /** Present iff `type` is 'stop' or 'stop_limit': the trade price that turns it into a market (limit) order. */
  readonly stopPrice?: number;
  /** `trailing_stop` only: the stop trails the best price by this percent (or by `trailPrice` dollars); exactly one of the two. */
  readonly trailPercent?: number;
  readonly trailPrice?: number;
  /** Absent for a simple order. */
  readonly orderClass?: IntentOrderClass;
  /** bracket (required), oto (this or `stopLoss`), oco (required): the take-profit limit leg. */
  readonly takeProfit?: { readonly limitPrice: number };
  /** bracket (required), oto (this or `takeProfit`), oco (required): the stop-loss leg, a stop_limit when it has a limit price. */
  readonly stopLoss?: { readonly stopPrice: number; readonly limitPrice?: number };
  /**
   * Limit orders only: if the order is still working this long after it was
   * sent, the broker session cancels it and sends what is left as a market
   * order (`allocator.intents.limitTimeoutMs`). Absent: it works until it
   * fills or its time in force ends.
   */
  readonly marketAfterMs?: number;
  readonly timeInForce: TimeInForce;
  /** Last price the intent was sized at; the risk collar compares it with the last trade. */
  readonly refPrice: number;
  /** Epoch ms. */
  readonly createdAt: number;
  /** Short human-readable why. */
  readonly reason: string;
  /** Posture sequence the intent belongs to. */
  readonly postureSeq: number;
  /** Set only on liquidations produced by FLATTEN; the only intents FLATTEN admits. */
  readonly liquidation?: boolean;
}

/** Whether `x` is a usable `marketAfterMs` (a positive finite number of ms). */
export function isTimeLimit(x: unknown): x is number {
  return typeof x === 'number' && x > 0 && Number.isFinite(x);
}

/** Signed share delta of an intent: + for buys, - for sells. */
export function signedQty(intent: Pick<OrderIntent, 'side' | 'qty'>): number {
  return intent.side === 'buy' ? intent.qty : -intent.qty;
}

/**
 * Whether trading `delta` shares against a position of `position` shares only
 * reduces exposure: it moves toward zero and does not cross it.
 */
export function isReducing(position: number, delta: number): boolean {
  if (delta === 0 || position === 0) return false;
  if (Math.sign(delta) === Math.sign(position)) return false;
  return Math.abs(delta) <= Math.abs(position);
}

/** Round a price to Alpaca's tick: cents at or above $1, 1/100 of a cent below. */
export function roundPrice(price: number): number {
  const decimals = price >= 1 ? 2 : 4;
  const f = 10 ** decimals;
  return Math.round(price * f) / f;
}
