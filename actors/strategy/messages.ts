/**
 * Messages of the strategy shards: signals out, status out, operator
 * commands in. Flat plain data (msgpack across threads), immutable.
 */
import type { Signal } from './signal.js';
import type { Regime } from './support/regime.js';
import type { RuntimeEntry, RuntimeOriginInfo } from './runtime.js';

export type { RuntimeOriginInfo };

/** A signal as a shard publishes it: the Signal fields plus where it came from. */
export interface StrategySignalMsg extends Signal {
  readonly type: 'strategy.signal';
  readonly family: string;
  readonly shard: number;
  /** Confidence as the strategy computed it, before data-quality, meta-model and regime scaling. */
  readonly rawConfidence: number;
  /**
   * Latency trace: monotonic ns stamp (see `monoNs`) of the market-data
   * message that caused this signal, 0 when unknown. The shard shell sets it;
   * the allocator and risk shells carry it on, and the broker session measures
   * tick-to-intent latency from it.
   */
  readonly originNs?: number;
}

export type StrategyState = 'enabled' | 'disabled' | 'error';

/** One strategy's line on the live surface. */
export interface StrategyStatusEntry {
  readonly id: string;
  readonly family: string;
  readonly state: StrategyState;
  readonly instruments: readonly string[];
  readonly evaluations: number;
  readonly signals: number;
  readonly errors: number;
  /** Message of the last error (state `error` until re-enabled), else null. */
  readonly lastError: string | null;
  readonly lastErrorAt: number | null;
  readonly lastEvaluatedAt: number | null;
  readonly lastSignalAt: number | null;
  /** Why an operator disabled it, when disabled. */
  readonly disabledReason: string | null;
  /** Meta-model weight applied to its confidence (1 = neutral). */
  readonly weight: number;
  /** The parameters it runs with: the catalog's defaults under the profile and configured overrides. */
  readonly params?: Readonly<Record<string, unknown>>;
  /** Where a runtime entry came from; absent for a catalog entry. */
  readonly origin?: RuntimeOriginInfo;
}


/** A shard's periodic status report. */
export interface StrategyStatusMsg {
  readonly type: 'strategy.status';
  readonly shard: number;
  readonly ts: number;
  readonly regime: Regime | null;
  readonly strategies: readonly StrategyStatusEntry[];
}

/** Operator command: (re-)enable a strategy; also clears an `error` state. */
export interface StrategyEnableMsg {
  readonly type: 'strategy.enable';
  readonly strategyId: string;
  readonly requestedBy: string;
  readonly ts: number;
}

/** Operator command: stop evaluating a strategy. */
export interface StrategyDisableMsg {
  readonly type: 'strategy.disable';
  readonly strategyId: string;
  readonly requestedBy: string;
  readonly reason: string;
  readonly ts: number;
}

export type StrategyCommandMsg = StrategyEnableMsg | StrategyDisableMsg;

/**
 * Daemon command: run a runtime entry (a variant of a catalog entry, or a
 * control) on this shard. The daemon has validated it and written it to the
 * runtime record before asking, so a shard that misses this message loads
 * the entry at its next start.
 */
export interface StrategyAddRuntimeMsg {
  readonly type: 'strategy.add_runtime';
  readonly entry: RuntimeEntry;
  readonly requestedBy: string;
  readonly ts: number;
}

/** Daemon command: stop running a runtime entry; its signals are retracted at the allocator. */
export interface StrategyRemoveRuntimeMsg {
  readonly type: 'strategy.remove_runtime';
  readonly strategyId: string;
  readonly requestedBy: string;
  readonly reason: string;
  /** The entry moves (a change, a rebalance): keep the operator's enable or disable for its next shard. */
  readonly keepDecision?: boolean;
  readonly ts: number;
}

export type StrategyRuntimeCommandMsg = StrategyAddRuntimeMsg | StrategyRemoveRuntimeMsg;

/** A shard's answer to a command. */
export interface StrategyCommandResultMsg {
  readonly type: 'strategy.command_result';
  readonly command: 'enable' | 'disable' | 'add_runtime' | 'remove_runtime';
  readonly strategyId: string;
  readonly shard: number;
  readonly ok: boolean;
  /** Error code when not ok (e.g. QGTM_ERR_UNKNOWN_STRATEGY), else null. */
  readonly code: string | null;
  readonly message: string;
  readonly ts: number;
}

export type StrategyMsg = StrategySignalMsg | StrategyStatusMsg | StrategyCommandMsg | StrategyRuntimeCommandMsg | StrategyCommandResultMsg;
