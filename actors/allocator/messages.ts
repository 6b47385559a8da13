/**
 * Messages the allocator publishes. Plain data: they cross threads as msgpack.
 *
 * - `allocator.posture` (to risk, gateway telemetry): the target weights and why.
 * - `allocator.intents` (to the risk governor): every order intent of one
 *   rebalance in one message, so risk sees a rebalance atomically and in the
 *   order it should be sent (reducing legs first).
 */

import type { Contribution } from './combine.js';
import type { OrderIntent } from './intent.js';
import type { SkippedSymbol } from './intents.js';

export interface PostureEntry {
  readonly symbol: string;
  /** Combined score in [-1, 1] (see combine.ts). */
  readonly score: number;
  /** sum(weight * confidence) behind the score. */
  readonly evidence: number;
  /** Annualised volatility used for sizing, null if unknown. */
  readonly vol: number | null;
  /** Final target weight (signed fraction of equity). */
  readonly weight: number;
  /** Limits that bit: 'max_weight', 'no_short', 'no_vol', 'net_cap', 'gross_cap'. */
  readonly limitedBy: readonly string[];
  /** Strategies behind the score, sorted by id. */
  readonly contributors: readonly Contribution[];
}

export interface AllocatorPostureMsg {
  readonly type: 'allocator.posture';
  /** Monotonic posture sequence; also the `postureSeq` of the intents. */
  readonly seq: number;
  readonly ts: number;
  readonly equity: number;
  /** Target weight per symbol (only symbols with a live score). */
  readonly weights: Readonly<Record<string, number>>;
  readonly entries: readonly PostureEntry[];
  readonly gross: number;
  readonly net: number;
  readonly netScale: number;
  readonly grossScale: number;
}

export interface AllocatorIntentsMsg {
  readonly type: 'allocator.intents';
  readonly seq: number;
  readonly ts: number;
  readonly intents: readonly OrderIntent[];
  readonly skipped: readonly SkippedSymbol[];
  /** Traded notional of the intents / equity. */
  readonly turnover: number;
  /** Latency trace: the `originNs` of the earliest signal change behind this rebalance (0 when unknown). */
  readonly originNs?: number;
}

export type AllocatorMsg = AllocatorPostureMsg | AllocatorIntentsMsg;
