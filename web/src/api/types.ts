/**
 * The view models the terminal renders. The daemon and gateway JSON is
 * turned into these by normalise.ts and nowhere else, so a change of wire
 * shape is a fix in that one file. `null` always means "not known": the
 * page shows "—" or "no data yet" for it and never a made-up number.
 */

import type { Tier } from '../../../app/tiers.js';
export { TIERS, tierRank, type Tier } from '../../../app/tiers.js';

/** The telemetry topics of the gateway's /ws stream. */
export type Topic = 'health' | 'ticks' | 'signals' | 'risk' | 'orders' | 'fills' | 'supervisor' | 'research';
export const TOPICS: readonly Topic[] = ['health', 'ticks', 'signals', 'risk', 'orders', 'fills', 'supervisor', 'research'];

/** REST snapshot sections (GET /api/v1/<section>). */
export type Section = 'health' | 'risk' | 'strategies' | 'forecasts' | 'universe' | 'positions' | 'orders' | 'fills' | 'watchdog' | 'dead-letters' | 'audit' | 'performance';
export const SECTIONS: readonly Section[] = ['health', 'risk', 'strategies', 'forecasts', 'universe', 'positions', 'orders', 'fills', 'watchdog', 'dead-letters', 'audit', 'performance'];

/** A REST answer with the envelope removed. */
export interface Unwrapped {
  readonly value: unknown;
  /** Daemon time the snapshot was put, when the gateway says. */
  readonly updatedAt: number | null;
  /** The gateway marked it stale (daemon down, cached). */
  readonly stale: boolean;
}

export interface LinkVM {
  readonly name: string;
  /** null: the daemon does not report it. */
  readonly up: boolean | null;
  readonly detail: string | null;
}

export interface WorkerVM {
  readonly id: string;
  readonly placement: string | null;
  readonly heartbeatAgeMs: number | null;
  readonly eventLoopDelayMs: number | null;
  readonly heapUsedBytes: number | null;
  readonly actors: readonly string[];
}

export interface ActorLoadVM {
  readonly id: string;
  readonly worker: string | null;
  readonly mailboxDepth: number | null;
  readonly mailboxCapacity: number | null;
  readonly state: string | null;
}

/** Monotonic totals (the page differentiates them into rates). */
export interface CountersVM {
  readonly ticks: number | null;
  readonly signals: number | null;
  readonly orders: number | null;
  readonly fills: number | null;
}

export interface HealthVM {
  readonly api: { readonly up: boolean; readonly version: string | null; readonly uptimeMs: number | null };
  readonly daemon: {
    /** null: the answer did not say. */
    readonly up: boolean | null;
    readonly reason: string | null;
    readonly heartbeatAgeMs: number | null;
    readonly pid: number | null;
    readonly version: string | null;
    readonly startedAt: number | null;
    readonly degraded: readonly string[];
    readonly status: string | null;
  };
  readonly bus: { readonly kind: string | null; readonly connected: boolean | null; readonly outages: number | null; readonly telemetryDropped: number | null };
  readonly links: readonly LinkVM[];
  readonly workers: readonly WorkerVM[];
  readonly actors: readonly ActorLoadVM[];
  readonly counters: CountersVM;
  /** Rates the daemon computed itself, per second, when it sends them. */
  readonly rates: CountersVM;
  /** Daemon time of the health sample. */
  readonly at: number | null;
  /** Real money or not, and where: every surface says PAPER or LIVE (null until the daemon said). */
  readonly trading: { readonly mode: 'PAPER' | 'LIVE' | null; readonly venue: string | null };
}

export interface ReportVM {
  readonly supervisor: string;
  readonly context: string;
  readonly reason: string;
  readonly offenderId: string;
  readonly offenderType: string | null;
  readonly incarnation: number | null;
  readonly at: number | null;
}

export interface TreeNodeVM {
  readonly id: string;
  readonly kind: 'supervisor' | 'worker';
  readonly state: string;
  /** Supervisor strategy (one_for_one, ...). */
  readonly strategy: string | null;
  readonly restart: string | null;
  readonly incarnation: number | null;
  readonly restarts: number | null;
  readonly worker: string | null;
  readonly intensity: { readonly max: number; readonly periodMs: number; readonly recent: number } | null;
  readonly lastReport: { readonly context: string; readonly reason: string; readonly at: number | null } | null;
  readonly children: readonly TreeNodeVM[];
}

export interface WatchdogVM {
  readonly root: TreeNodeVM | null;
  readonly heartbeats: readonly WorkerVM[];
  readonly reports: readonly ReportVM[];
  /** Cluster mode (`qgtm daemon --cluster`): the nodes and slots; null when the daemon runs alone. */
  readonly cluster: ClusterVM | null;
}

/** One strategy slot of the cluster: who owns it, under which fencing token, and its streams' backlogs. */
export interface ClusterSlotVM {
  readonly slot: number;
  /** The owning node's id; null: no node owns the slot now. */
  readonly owner: string | null;
  readonly token: number | null;
  /** Time left on the owner's lease, ms (null without an owner). */
  readonly leaseLeftMs: number | null;
  /** Inputs to the owner, entries: delivered not acknowledged (pending), never delivered (lag); null while the stream does not exist. */
  readonly inPending: number | null;
  readonly inLag: number | null;
  /** The owner's messages to the coordinator, entries. */
  readonly outPending: number | null;
  readonly outLag: number | null;
}

export interface ClusterNodeVM {
  readonly id: string;
  /** The slots it owns, ascending (empty: live but owns none). */
  readonly slots: readonly number[];
}

/** The coordinator's last read of the cluster (app/cluster/view.ts). */
export interface ClusterVM {
  readonly prefix: string | null;
  /** Ascending by slot. */
  readonly slots: readonly ClusterSlotVM[];
  readonly nodes: readonly ClusterNodeVM[];
  /** Slots no node owns, ascending. */
  readonly unowned: readonly number[];
  /** Daemon time of the last good read; null before the first. */
  readonly readAt: number | null;
  /** Why the last read failed (the picture is then the previous one); null when it succeeded. */
  readonly error: string | null;
}

/** A message the runtime could not deliver (GET /api/v1/dead-letters). */
export interface DeadLetterVM {
  readonly actor: string;
  readonly reason: string;
  readonly type: string;
  readonly from: string | null;
  readonly detail: string | null;
  readonly at: number | null;
}

export interface DeadLettersVM {
  readonly total: number | null;
  readonly counts: readonly { readonly actor: string; readonly reason: string; readonly count: number }[];
  /** Newest first. */
  readonly recent: readonly DeadLetterVM[];
}

/** One line of the daemon's audit trail (GET /api/v1/audit). */
export interface AuditEntryVM {
  readonly at: number | null;
  readonly kind: string;
  readonly level: 'info' | 'warn' | 'error';
  readonly message: string;
  readonly by: string | null;
  readonly subject: string | null;
}

export type DataStatus = 'fresh' | 'stale' | 'gap';

export interface InstrumentVM {
  readonly symbol: string;
  readonly name: string | null;
  readonly assetClass: string | null;
  readonly metal: string | null;
  readonly price: number | null;
  /** Fractional change (0.01 = +1%) since the session reference the daemon uses. */
  readonly change: number | null;
  /** Annualised volatility, fraction. */
  readonly vol: number | null;
  readonly spreadBps: number | null;
  readonly status: DataStatus | null;
  /** Exchange or caller time of the last update. */
  readonly lastUpdateAt: number | null;
}

export interface UniverseVM {
  readonly focus: string | null;
  readonly instruments: readonly InstrumentVM[];
}

/** The per-instrument update carried by the `ticks` topic (feed.features). */
export interface TickVM {
  readonly symbol: string;
  readonly price: number | null;
  readonly vol: number | null;
  readonly spreadBps: number | null;
  readonly status: DataStatus | null;
  readonly ts: number | null;
  readonly change: number | null;
}

export interface SignalVM {
  readonly strategyId: string;
  readonly symbol: string;
  readonly direction: -1 | 0 | 1;
  readonly strength: number | null;
  readonly confidence: number | null;
  readonly reason: string | null;
  readonly ts: number | null;
}

export interface StrategyVM {
  readonly id: string;
  readonly family: string | null;
  readonly thesis: string | null;
  /** enabled | disabled | error, or null for a catalog entry not on the live surface. */
  readonly state: string | null;
  readonly instruments: readonly string[];
  /** Symbols it reads but does not trade (the catalog's `inputs`). */
  readonly inputs: readonly string[];
  readonly shard: number | null;
  readonly evaluations: number | null;
  readonly signals: number | null;
  readonly errors: number | null;
  readonly lastError: string | null;
  readonly lastSignalAt: number | null;
  readonly disabledReason: string | null;
  readonly weight: number | null;
  readonly lastSignal: SignalVM | null;
  /** P&L the allocator attributes to it, dollars. */
  readonly pnl: number | null;
  /** Share of learning periods with positive attributed P&L, 0..1. */
  readonly hitRate: number | null;
  /** Self-learned weight on its votes in the allocator (1 neutral). */
  readonly learnedWeight: number | null;
  /** A runtime entry's provenance; null for a catalog entry. */
  readonly origin: RuntimeOriginVM | null;
  /** The parameters it runs with, as the shard reports them; null when not reported. */
  readonly params: Readonly<Record<string, unknown>> | null;
}

/** Where a runtime entry came from: the entry it varies, who added it, how. */
export interface RuntimeOriginVM {
  readonly base: string;
  readonly source: string;
  readonly by: string | null;
  readonly at: number | null;
  readonly note: string | null;
}

/** One support model (regime, meta, learning): what it does and its state. */
export interface SupportModelVM {
  readonly id: string;
  readonly description: string;
  readonly state: Readonly<Record<string, unknown>> | null;
}

export interface StrategiesVM {
  readonly regime: string | null;
  readonly strategies: readonly StrategyVM[];
  readonly supportModels: readonly SupportModelVM[];
}

export interface ForecastEntryVM {
  readonly symbol: string;
  readonly score: number | null;
  readonly evidence: number | null;
  readonly vol: number | null;
  readonly weight: number | null;
  readonly limitedBy: readonly string[];
  readonly contributors: readonly { readonly strategyId: string; readonly direction: number; readonly contribution: number | null }[];
}

export interface ForecastsVM {
  readonly seq: number | null;
  readonly ts: number | null;
  readonly equity: number | null;
  readonly gross: number | null;
  readonly net: number | null;
  readonly entries: readonly ForecastEntryVM[];
}

export interface TriggerVM {
  readonly trigger: string;
  readonly tier: Tier;
  readonly metric: number | null;
  /** Threshold of the tier the trigger demands now (null at NORMAL). */
  readonly threshold: number | null;
  /** Every rung of the trigger's ladder, mildest tier first (empty when the daemon sends none). */
  readonly ladder: readonly { readonly tier: Tier; readonly value: number }[];
  /**
   * Unit of metric, threshold and ladder: pct (a fraction shown as %), ratio
   * (a multiple of equity, shown ×), count, ms, flag (0/1); null = unknown,
   * the view then guesses from the trigger's name.
   */
  readonly unit: TriggerUnit | null;
  readonly reason: string;
}

export type TriggerUnit = 'pct' | 'ratio' | 'count' | 'ms' | 'flag';

export interface TierChangeVM {
  readonly from: Tier | null;
  readonly to: Tier;
  readonly cause: string | null;
  readonly reason: string;
  readonly at: number | null;
}

export interface RiskVM {
  readonly tier: Tier | null;
  readonly since: number | null;
  readonly floor: Tier | null;
  readonly floorReason: string | null;
  readonly latched: boolean;
  readonly coolDownRemainingMs: number | null;
  readonly triggers: readonly TriggerVM[];
  readonly history: readonly TierChangeVM[];
  readonly equity: number | null;
  /** Gross exposure, dollars. */
  readonly grossExposure: number | null;
  /** Gross exposure / equity, a multiple (the exposure's own ratio, else the gross_exposure trigger's metric). */
  readonly grossExposureRatio: number | null;
  /** Net exposure, dollars (signed). */
  readonly netExposure: number | null;
  /** Net exposure / equity, a signed multiple. */
  readonly netExposureRatio: number | null;
  /** The allocator's target gross and net, multiples of equity (posture weights). */
  readonly targetGrossRatio: number | null;
  readonly targetNetRatio: number | null;
  /** Drawdown from peak equity, fraction. */
  readonly drawdown: number | null;
  readonly dailyLoss: number | null;
  readonly at: number | null;
}

export interface OrderVM {
  readonly clientOrderId: string;
  readonly symbol: string;
  readonly side: string;
  readonly qty: number | null;
  /** market, limit, stop, stop_limit, trailing_stop (null from a daemon too old to say). */
  readonly orderType: string | null;
  /** bracket, oco, oto; null for a simple order or a leg. */
  readonly orderClass: string | null;
  readonly limitPrice: number | null;
  readonly stopPrice: number | null;
  /** A trailing stop's trail, percent. */
  readonly trailPercent: number | null;
  /** A leg's parent, and the order a replacement replaced (client order ids). */
  readonly parentClientOrderId: string | null;
  readonly replaces: string | null;
  readonly filledQty: number | null;
  readonly filledAvgPrice: number | null;
  readonly status: string | null;
  readonly submission: string | null;
  readonly event: string | null;
  readonly ts: number | null;
}

export interface FillVM {
  readonly executionId: string;
  readonly clientOrderId: string | null;
  readonly symbol: string;
  readonly side: string;
  readonly qty: number | null;
  readonly price: number | null;
  readonly synthetic: boolean;
  readonly ts: number | null;
}

export interface PositionVM {
  readonly symbol: string;
  readonly qty: number;
  readonly avgPrice: number | null;
  readonly realizedPnl: number | null;
  /** The daemon's mark, when it sends one (else the page uses the last tick). */
  readonly markPrice: number | null;
  readonly pendingQty: number | null;
}

export interface ReconciliationVM {
  readonly phase: string | null;
  readonly passed: boolean | null;
  readonly ready: boolean | null;
  readonly magnitude: number | null;
  readonly driftNotional: number | null;
  readonly items: number | null;
  readonly corrections: number | null;
  readonly ts: number | null;
}

export interface OrdersVM {
  readonly open: readonly OrderVM[];
  readonly recent: readonly OrderVM[];
  readonly fills: readonly FillVM[];
}

export interface PositionsVM {
  readonly positions: readonly PositionVM[];
  readonly reconciliation: ReconciliationVM | null;
  readonly ts: number | null;
}

/** The outcome of an operator command as the page shows it. */
export interface CommandOutcome {
  readonly ok: boolean;
  readonly status: number;
  readonly message: string;
  readonly result?: unknown;
}
