/**
 * Market data as the market-data session hands it to feed actors: one flat,
 * immutable message per event, decoded from the venue's stream (Alpaca v2
 * shapes) into numbers. `ts` is the exchange timestamp in epoch milliseconds.
 */

export interface TradeMsg {
  readonly type: 'md.trade';
  readonly symbol: string;
  readonly price: number;
  readonly size: number;
  /** Exchange trade id (Alpaca `i`); with the symbol it identifies a trade, so duplicates can be dropped. */
  readonly id: number;
  readonly ts: number;
}

export interface QuoteMsg {
  readonly type: 'md.quote';
  readonly symbol: string;
  readonly bid: number;
  readonly ask: number;
  readonly bidSize: number;
  readonly askSize: number;
  readonly ts: number;
}

export interface BarMsg {
  readonly type: 'md.bar';
  readonly symbol: string;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
  /** Bar start time, epoch ms. */
  readonly ts: number;
  readonly trades: number;
  readonly vwap: number;
}

export type MarketDataMsg = TradeMsg | QuoteMsg | BarMsg;

/** Connection state of the market-data session, as published in `md.status`. */
export type MdState = 'connected' | 'disconnected' | 'reconnecting' | 'auth_failed';

/**
 * The market-data session's connection status, published on topic
 * `md_status` at every transition (not on `feed_status`: that topic carries
 * per-instrument `feed.status`, and its consumers would dead-letter a type
 * they do not handle). Counts are totals since the session's incarnation began.
 */
export interface MdStatusMsg {
  readonly type: 'md.status';
  readonly state: MdState;
  /** 'local' or 'alpaca'. */
  readonly venue: string;
  /** Caller (actor clock) time of the transition, epoch ms. */
  readonly ts: number;
  /** Reconnect attempt number: 0 when connected, 1 for the first retry after a drop. */
  readonly attempt: number;
  /** When `reconnecting` (or `auth_failed` with a retry configured): ms until the next try; else null. */
  readonly retryInMs: number | null;
  /** Why: the server's or the socket's last error, or what was confirmed. */
  readonly detail: string;
  /** Symbols the server confirmed (union of trades, quotes and bars) at the last subscription. */
  readonly subscribed: number;
  /** Successful connections (authenticated and subscribed) so far. */
  readonly connects: number;
  readonly disconnects: number;
  /** Items forwarded to feed actors so far. */
  readonly forwarded: number;
  /** Items dropped so far (unknown symbol or not convertible). */
  readonly dropped: number;
}

/** Messages the market-data session publishes. */
export type MdSessionMsg = MdStatusMsg;
