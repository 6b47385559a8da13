/**
 * The shape of a catalog entry. A strategy is a pure function of the market
 * view (and its parameters and the time) to signals: no state of its own, no
 * clock, no I/O, so a shard can evaluate it anywhere and a research run can
 * replay it exactly.
 *
 * Conventions every strategy follows:
 * - Insufficient data for an instrument means no signal for it, never a fake one.
 * - With enough data and no edge it emits direction 0 (flat), which retracts
 *   an earlier directional signal at the allocator.
 * - confidence grows with data sufficiency and signal magnitude; strength is
 *   how far to lean.
 * - Parameters counted in bars are bars of whatever interval the feed builds;
 *   horizons convert bars to milliseconds with the series' interval.
 */
import type { MarketViewReader } from './market-view.js';
import type { Signal } from './signal.js';
import { clamp } from './math.js';

export type Family =
  | 'ratio'
  | 'trend'
  | 'momentum'
  | 'volatility'
  | 'real_yield'
  | 'dollar'
  | 'positioning'
  | 'spread'
  | 'seasonality'
  | 'reversal'
  | 'relative_value'
  | 'control';

export type ParamValue = number | boolean | string | readonly number[];
export type Params = Readonly<Record<string, ParamValue>>;

/**
 * When a shard re-evaluates a strategy: `bar` on a closed bar of one of its
 * instruments (most strategies: their inputs only change then), `features`
 * on every features update. Any strategy with `macro` inputs is also
 * re-evaluated when one of them updates.
 */
export type Trigger = 'bar' | 'features';

export interface StrategyDef<P extends Params = Params> {
  readonly id: string;
  readonly family: Family;
  /** One line: why this should make money. */
  readonly thesis: string;
  /** Default parameters. */
  readonly params: P;
  readonly instruments: readonly string[];
  /** Macro inputs: FRED series ids, and `cot:gold` / `cot:silver`. */
  readonly macro: readonly string[];
  /**
   * Symbols whose bars the strategy reads but never trades (the other leg
   * of a cross-asset ratio, the metal a miner is measured against). A bar
   * of one re-evaluates the strategy in full, as a bar of an instrument
   * does; no signal is ever emitted for them. They may come from the broad
   * universe: an input the configured universe does not feed leaves the
   * strategy without data (no signal), which the daemon warns about at start.
   */
  readonly inputs?: readonly string[];
  readonly trigger: Trigger;
  /**
   * Each instrument's signal depends on that instrument's own data only, so
   * a shard may evaluate the strategy for just the instruments whose data
   * changed (`only`); without it every evaluation covers all instruments.
   */
  readonly perInstrument?: boolean;
  /**
   * Pure: signals from the view. Declared as a method so catalogs of
   * different P share one list type. `only`, given to `perInstrument`
   * strategies, lists the instruments to evaluate (a subset of
   * `instruments`); absent, all of them.
   */
  evaluate(view: MarketViewReader, params: P, now: number, only?: readonly string[]): Signal[];
}

/** Builds a Signal, clamping strength and confidence into 0..1 and zeroing both strength and direction together. */
export function makeSignal(
  strategyId: string,
  symbol: string,
  direction: -1 | 0 | 1,
  strength: number,
  confidence: number,
  horizonMs: number,
  ts: number,
  reason: string,
): Signal {
  const s = direction === 0 ? 0 : clamp(strength);
  return { strategyId, symbol, direction: s === 0 ? 0 : direction, strength: s, confidence: clamp(confidence), horizonMs, ts, reason };
}

/**
 * Confidence from data sufficiency (0..1, how much of the wanted history is
 * there) and magnitude (0..1, how strong the evidence is): even a flat call on
 * full data carries some confidence, a strong call on thin data little.
 */
export function confidenceOf(sufficiency: number, magnitude: number): number {
  return clamp(sufficiency) * (0.3 + 0.7 * clamp(magnitude));
}

/** Reads a numeric parameter, failing loudly (the shard marks the strategy `error`) when it is not a finite number. */
export function num(params: Params, key: string): number {
  const v = params[key];
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new TypeError(`parameter ${key} must be a finite number, got ${String(v)}`);
  return v;
}

/** Reads a positive integer parameter (a bar or observation count). */
export function count(params: Params, key: string, min = 1): number {
  const v = num(params, key);
  if (!Number.isInteger(v) || v < min) throw new TypeError(`parameter ${key} must be an integer >= ${min}, got ${v}`);
  return v;
}
