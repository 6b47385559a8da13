/**
 * What the simulated market produces. Plain data with epoch-ms times; the
 * venue's stream layer turns these into Alpaca's `{T: ...}` wire objects.
 */

export interface TradeEvent {
  readonly kind: 'trade';
  readonly symbol: string;
  /** Per-symbol increasing trade id. */
  readonly id: number;
  readonly price: number;
  readonly size: number;
  readonly ts: number;
  /** Exchange code (IEX is 'V'). */
  readonly exchange: string;
  readonly tape: string;
}

export interface QuoteEvent {
  readonly kind: 'quote';
  readonly symbol: string;
  readonly bid: number;
  readonly ask: number;
  readonly bidSize: number;
  readonly askSize: number;
  readonly ts: number;
  readonly exchange: string;
  readonly tape: string;
}

/** A completed one-minute bar; `ts` is the minute's start. */
export interface BarEvent {
  readonly kind: 'bar';
  readonly symbol: string;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
  readonly ts: number;
  readonly trades: number;
  readonly vwap: number;
}

export type MarketEvent = TradeEvent | QuoteEvent | BarEvent;
