/**
 * ## Conflict rule (how the allocator combines disagreeing strategies)
 *
 * For each instrument, take the **latest non-expired signal of each strategy**
 * (a signal expires once `now - ts > horizonMs`; a newer signal from the same
 * strategy replaces the older one). Each surviving signal `i` votes:
 *
 * | term | meaning |
 * |---|---|
 * | `d_i` | direction, -1 / 0 / +1 |
 * | `s_i` | strength, 0..1 |
 * | `c_i` | confidence, 0..1 |
 * | `w_i` | strategy weight from the meta model, >= 0 (1 when unknown) |
 *
 * ```
 * score = sum_i(w_i * c_i * s_i * d_i) / (sum_i(w_i * c_i) + flatPrior)
 * ```
 *
 * - A confident **flat** vote (`d = 0`) is a real vote: it adds to the
 *   denominator and pulls the score toward zero. Long and short votes cancel.
 * - `flatPrior` is an implicit flat vote of that mass. It shrinks thin evidence:
 *   one strategy at confidence 0.1 cannot command a full position, while ten
 *   confident strategies that agree barely notice it. Default 0.5.
 * - The score is in [-1, 1]: the direction and conviction for the instrument,
 *   before volatility targeting (see sizing.ts).
 * - A strategy with weight 0 (disabled by the meta model) contributes nothing.
 */

import type { Signal } from '../strategy/signal.js';

export interface CombineConfig {
  /** Mass of the implicit flat vote that shrinks thin evidence toward zero. */
  readonly flatPrior: number;
}

export const DEFAULT_COMBINE_CONFIG: CombineConfig = Object.freeze({ flatPrior: 0.5 });

/** One strategy's part in an instrument's score. */
export interface Contribution {
  readonly strategyId: string;
  readonly direction: -1 | 0 | 1;
  readonly strength: number;
  readonly confidence: number;
  /** Meta-model weight applied. */
  readonly weight: number;
  /** `w * c * s * d` divided by the score's denominator: the share of the score this strategy is responsible for. */
  readonly contribution: number;
  /** Market time of the signal, epoch ms. */
  readonly ts: number;
}

export interface CombinedScore {
  readonly symbol: string;
  /** In [-1, 1]. */
  readonly score: number;
  /** `sum(w * c)`: how much evidence stands behind the score. */
  readonly evidence: number;
  /** Sorted by strategy id, for deterministic output. */
  readonly contributors: readonly Contribution[];
}

/** Whether a signal has outlived its horizon at `now`. */
export function isExpired(signal: Signal, now: number): boolean {
  return now - signal.ts > signal.horizonMs;
}

/**
 * Combine signals into one score per instrument using the conflict rule above.
 * Signals may arrive in any order; only the latest unexpired one per
 * (strategy, symbol) counts. Instruments whose signals all expired are absent.
 *
 * @param weights meta-model weight per strategy id; missing ids weigh 1.
 */
export function combineSignals(
  signals: Iterable<Signal>,
  now: number,
  weights: Readonly<Record<string, number>> = {},
  config: CombineConfig = DEFAULT_COMBINE_CONFIG,
): Map<string, CombinedScore> {
  const latest = new Map<string, Signal>();
  for (const sig of signals) {
    if (isExpired(sig, now)) continue;
    const key = `${sig.symbol}\u0000${sig.strategyId}`;
    const prev = latest.get(key);
    if (!prev || sig.ts > prev.ts) latest.set(key, sig);
  }

  const bySymbol = new Map<string, Signal[]>();
  for (const sig of latest.values()) {
    const list = bySymbol.get(sig.symbol);
    if (list) list.push(sig);
    else bySymbol.set(sig.symbol, [sig]);
  }

  const out = new Map<string, CombinedScore>();
  for (const symbol of [...bySymbol.keys()].sort()) {
    const list = bySymbol.get(symbol)!.sort((a, b) => (a.strategyId < b.strategyId ? -1 : a.strategyId > b.strategyId ? 1 : 0));
    let num = 0;
    let evidence = 0;
    for (const sig of list) {
      const w = strategyWeight(weights, sig.strategyId);
      num += w * sig.confidence * sig.strength * sig.direction;
      evidence += w * sig.confidence;
    }
    const denom = evidence + config.flatPrior;
    const score = denom > 0 ? clamp(num / denom, -1, 1) : 0;
    const contributors = list.map((sig): Contribution => {
      const w = strategyWeight(weights, sig.strategyId);
      return {
        strategyId: sig.strategyId,
        direction: sig.direction,
        strength: sig.strength,
        confidence: sig.confidence,
        weight: w,
        contribution: denom > 0 ? (w * sig.confidence * sig.strength * sig.direction) / denom : 0,
        ts: sig.ts,
      };
    });
    out.set(symbol, { symbol, score, evidence, contributors });
  }
  return out;
}

function strategyWeight(weights: Readonly<Record<string, number>>, id: string): number {
  const w = weights[id];
  if (w === undefined) return 1;
  // A broken meta-model weight silences the strategy rather than inflating it.
  return Number.isFinite(w) && w > 0 ? w : 0;
}

function clamp(x: number, lo: number, hi: number): number {
  return x < lo ? lo : x > hi ? hi : x;
}

/** Why a signal is malformed, or null when it is fit to combine. */
export function validateSignal(sig: Signal): string | null {
  if (typeof sig.strategyId !== 'string' || sig.strategyId === '') return 'missing strategyId';
  if (typeof sig.symbol !== 'string' || sig.symbol === '') return 'missing symbol';
  if (sig.direction !== -1 && sig.direction !== 0 && sig.direction !== 1) return `direction ${String(sig.direction)} not in {-1,0,1}`;
  if (!(sig.strength >= 0 && sig.strength <= 1)) return `strength ${sig.strength} not in [0,1]`;
  if (!(sig.confidence >= 0 && sig.confidence <= 1)) return `confidence ${sig.confidence} not in [0,1]`;
  if (!(sig.horizonMs > 0) || !Number.isFinite(sig.horizonMs)) return `horizonMs ${sig.horizonMs} must be a positive finite number`;
  if (!Number.isFinite(sig.ts)) return `ts ${sig.ts} is not a finite epoch ms`;
  return null;
}
