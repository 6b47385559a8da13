/**
 * The matching engine's public types: what it needs from the market, its
 * options, the trade updates it publishes and the state it keeps.
 */
import type { QuoteEvent } from './events.js';
import type { AccountMode, AccountState, PriceSource } from './account.js';
import type { Activity } from './activities.js';
import type { FeeSchedule, FillModel } from './fill-model.js';
export type { FeeSchedule } from './fill-model.js';
import type { EquityHistoryState } from './history.js';
import type { VenueOrder } from './orders.js';
import type { SessionCalendar } from './session.js';

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
