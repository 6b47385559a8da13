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

/** Per-strategy attribution and learning, as the allocator publishes it. */
export interface LearningStrategyState {
  /** Cumulative attributed P&L, dollars. */
  readonly pnl: number;
  /** Share of settled learning periods with P&L > 0 among those with P&L != 0; null before any. */
  readonly hitRate: number | null;
  /** Settled periods with non-zero P&L. */
  readonly periods: number;
  /** Learned weight applied to the strategy's votes (1 neutral; 1 when learning is disabled). */
  readonly learnedWeight: number;
}

/**
 * The allocator's attribution and self-learning state (topic `learning`):
 * at each learning period, on a freeze or unfreeze, and at start.
 * Bounded: `history` is the newest `LEARNING_HISTORY_TAIL` points.
 */
export interface AllocatorLearningMsg {
  readonly type: 'allocator.learning';
  readonly ts: number;
  readonly enabled: boolean;
  readonly frozen: boolean;
  readonly settings: { readonly rate: number; readonly share: number; readonly floor: number; readonly cap: number; readonly periodMs: number; readonly historyPoints: number };
  /** Learning periods settled (weights updated). */
  readonly updates: number;
  readonly strategies: Readonly<Record<string, LearningStrategyState>>;
  /** P&L no strategy stood behind, dollars. */
  readonly unattributed: number;
  readonly history: readonly { readonly ts: number; readonly weights: Readonly<Record<string, number>> }[];
}

/** History points carried by `allocator.learning` (the learner keeps more). */
export const LEARNING_HISTORY_TAIL = 100;

/** Operator: freeze or unfreeze learning (ask; reply `allocator.learning_result`). Persisted before the reply. */
export interface AllocatorLearningCommandMsg {
  readonly type: 'allocator.learning_command';
  readonly frozen: boolean;
  readonly reason: string;
  readonly by: string;
}

export interface AllocatorLearningResultMsg {
  readonly type: 'allocator.learning_result';
  readonly ok: boolean;
  readonly error?: string;
  readonly state: AllocatorLearningMsg;
}

export type AllocatorMsg = AllocatorPostureMsg | AllocatorIntentsMsg | AllocatorLearningMsg;
