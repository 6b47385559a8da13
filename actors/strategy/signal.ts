/**
 * A strategy's output for one instrument: the contract between strategy shards
 * and the allocator. Immutable once created.
 */
export interface Signal {
  /** Catalog id of the strategy that produced it. */
  readonly strategyId: string;
  readonly symbol: string;
  /** -1 short, 0 flat, +1 long. */
  readonly direction: -1 | 0 | 1;
  /** How far to lean, 0..1. */
  readonly strength: number;
  /** How sure the strategy is, 0..1. */
  readonly confidence: number;
  /** Expected holding horizon in milliseconds of market time. */
  readonly horizonMs: number;
  /** Market time (epoch ms) of the data the signal was computed from. */
  readonly ts: number;
  /** A short human-readable why, shown in the terminal. */
  readonly reason: string;
}
