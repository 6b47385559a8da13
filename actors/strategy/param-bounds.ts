/**
 * What a strategy parameter may be set to, for checking an override before
 * a shard starts rather than finding out when the strategy throws on its
 * first evaluation (and sits in `error` until an operator notices).
 *
 * The catalog states a default per parameter and the code reads each with
 * `num` / `count`; the bounds follow from those conventions, so they are
 * derived here once rather than written beside every strategy:
 * - an integer default is a count (bars, observations, days): an integer,
 *   at least 1, or at least 0 when the default itself is 0 (`skip: 0`);
 * - any other number is a threshold, scale or fraction: finite and > 0
 *   (every one in the catalog is positive; a 0 z-score or scale is a strategy
 *   that never or always trades);
 * - a list keeps its length (a 12-month table stays 12 long), of finite numbers;
 * - booleans and strings keep their type.
 * `EXPLICIT` narrows the few whose meaning bounds them further.
 */
import type { ParamValue, StrategyDef } from './strategy.js';

export type ParamBound =
  | { readonly kind: 'integer'; readonly min: number; readonly max?: number }
  | { readonly kind: 'number'; readonly exclusiveMin: number; readonly max?: number }
  | { readonly kind: 'list'; readonly length: number }
  | { readonly kind: 'boolean' }
  | { readonly kind: 'string' };

/** Parameters bounded by their meaning: percentiles and fractions stay within 0..1. */
const EXPLICIT: Readonly<Record<string, Readonly<Record<string, ParamBound>>>> = {
  cot_extremes: { upper: { kind: 'number', exclusiveMin: 0, max: 1 }, lower: { kind: 'number', exclusiveMin: 0, max: 1 } },
  cot_momentum: { crowdedPct: { kind: 'number', exclusiveMin: 0.5, max: 1 } },
  vol_squeeze_breakout: { squeezePct: { kind: 'number', exclusiveMin: 0, max: 1 } },
  seasonality_gold: { maxConfidence: { kind: 'number', exclusiveMin: 0, max: 1 } },
  // Weekdays on either side of the boundary; 0 on one side is a one-sided window.
  turn_of_month: { daysBefore: { kind: 'integer', min: 0, max: 10 }, daysAfter: { kind: 'integer', min: 0, max: 10 }, strength: { kind: 'number', exclusiveMin: 0, max: 1 }, maxConfidence: { kind: 'number', exclusiveMin: 0, max: 1 } },
  // RSI levels live on 0..100.
  rsi_reversal: { oversold: { kind: 'number', exclusiveMin: 0, max: 100 }, overbought: { kind: 'number', exclusiveMin: 0, max: 100 } },
  // Top k and bottom k of 17 instruments must not overlap.
  xsec_momentum: { k: { kind: 'integer', min: 1, max: 8 } },
  // An annual rate: 0 (Antonacci's "vs zero" variant) and negative rates are meaningful.
  dual_momentum: { riskFree: { kind: 'number', exclusiveMin: -1, max: 1 } },
  royalty_vs_miners: { lowPct: { kind: 'number', exclusiveMin: 0, max: 1 }, highPct: { kind: 'number', exclusiveMin: 0, max: 1 }, maxDrawdown: { kind: 'number', exclusiveMin: 0, max: 1 } },
  gold_oil_ratio: { goldShare: { kind: 'number', exclusiveMin: 0, max: 1 } },
  vol_regime_switch: { lowPct: { kind: 'number', exclusiveMin: 0, max: 1 }, highPct: { kind: 'number', exclusiveMin: 0, max: 1 } },
};

function inferred(d: ParamValue): ParamBound {
  if (Array.isArray(d)) return { kind: 'list', length: d.length };
  if (typeof d === 'boolean') return { kind: 'boolean' };
  if (typeof d === 'string') return { kind: 'string' };
  return Number.isInteger(d) ? { kind: 'integer', min: d === 0 ? 0 : 1 } : { kind: 'number', exclusiveMin: 0 };
}

/** Every parameter of `def` with its bound. */
export function paramBounds(def: StrategyDef): Record<string, ParamBound> {
  const out: Record<string, ParamBound> = {};
  for (const [k, d] of Object.entries(def.params)) out[k] = EXPLICIT[def.id]?.[k] ?? inferred(d);
  return out;
}

/** Why `v` is not a valid value under `b`, or null. */
export function boundViolation(b: ParamBound, v: unknown): string | null {
  switch (b.kind) {
    case 'integer':
      return typeof v === 'number' && Number.isInteger(v) && v >= b.min && (b.max === undefined || v <= b.max) ? null : `an integer >= ${b.min}${b.max !== undefined ? ` and <= ${b.max}` : ''}`;
    case 'number':
      return typeof v === 'number' && Number.isFinite(v) && v > b.exclusiveMin && (b.max === undefined || v <= b.max) ? null : `a number > ${b.exclusiveMin}${b.max !== undefined ? ` and <= ${b.max}` : ''}`;
    case 'list':
      return Array.isArray(v) && v.length === b.length && v.every((x) => typeof x === 'number' && Number.isFinite(x)) ? null : `a list of ${b.length} finite numbers`;
    case 'boolean':
      return typeof v === 'boolean' ? null : 'true or false';
    case 'string':
      return typeof v === 'string' ? null : 'a string';
  }
}
