/**
 * Macro inputs published by the macro source actors (FRED and CFTC clients).
 */

/** One FRED observation; `value` is null where FRED reports "." (missing). */
export interface Observation {
  readonly date: string; // YYYY-MM-DD
  readonly value: number | null;
}

export interface MacroSeriesMsg {
  readonly type: 'macro.series';
  /** FRED series id: DFII10 (10y real yield), DTWEXBGS (broad dollar), T10YIE (10y breakeven). */
  readonly seriesId: string;
  /** Oldest first. */
  readonly observations: readonly Observation[];
  readonly fetchedAt: number;
}

/** Managed-money positioning from the CFTC disaggregated futures-only report. */
export interface CotRow {
  readonly reportDate: string; // YYYY-MM-DD
  readonly managedMoneyLong: number;
  readonly managedMoneyShort: number;
  readonly openInterest: number;
}

export interface MacroCotMsg {
  readonly type: 'macro.cot';
  readonly market: 'gold' | 'silver';
  /** CFTC contract market code: gold 088691, silver 084691. */
  readonly contractCode: string;
  /** Oldest first. */
  readonly rows: readonly CotRow[];
  readonly fetchedAt: number;
}

export type MacroMsg = MacroSeriesMsg | MacroCotMsg;

/** A source's health after each fetch (topic `macro_status`): degraded while its last fetch failed. */
export interface MacroStatusMsg {
  readonly type: 'macro.status';
  readonly source: 'fred' | 'cftc';
  readonly ok: boolean;
  readonly consecutiveFailures: number;
  readonly lastSuccessAt: number | null;
  /** `CODE: message` of the last failure, null when the last fetch succeeded. */
  readonly lastError: string | null;
  readonly ts: number;
}
