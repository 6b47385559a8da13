/**
 * The research vocabulary: what history looks like, what a back-test is
 * asked to do, and what it gives back. Plain data throughout: specs and
 * results cross into piscina workers (structured clone) and are saved as
 * JSON run records.
 */
import type { AllocatorLearningMsg } from '../../actors/allocator/messages.js';
import type { MacroMsg } from '../../actors/macro/messages.js';
import type { AllocatorSettings, RiskSettings, StrategiesSettings } from '../config/trading.js';

/** One closed bar of history. `ts` is the bar's start (epoch ms); it closes at `ts + intervalMs`. */
export interface HistBar {
  readonly symbol: string;
  readonly ts: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
  readonly vwap?: number;
  readonly trades?: number;
}

/**
 * Bars in replay order: ascending `ts`, then symbol; every bar of one
 * stream has the same interval. Streamed: a consumer never needs the whole
 * history in memory.
 */
export type BarStream = AsyncIterable<HistBar>;

/** A macro value as a strategy may see it: `msg` becomes visible at `at` (its publication), never before. */
export interface MacroEvent {
  /** Release instant, epoch ms. */
  readonly at: number;
  readonly msg: MacroMsg;
}

/** Where a run's history came from, recorded with its results. */
export interface HistoryDescription {
  readonly kind: 'venue' | 'alpaca' | 'csv' | 'synthetic';
  /** Data URL (venue / Alpaca) or file path (csv). */
  readonly source: string;
  readonly symbols: readonly string[];
  readonly intervalMs: number;
  /** First bar's start and last bar's close, epoch ms (null before the data was read). */
  readonly start: number | null;
  readonly end: number | null;
  /** Bars read; null before the data was read. */
  readonly bars: number | null;
  /** True when the bars came from the disk cache (no network). */
  readonly cached: boolean;
  /** Macro series included, by id (e.g. 'DFII10', 'cot:gold'). */
  readonly macro: readonly string[];
}

/** A source of history for one run: opened once, its bars streamed once per pass. */
export interface HistorySource {
  readonly intervalMs: number;
  readonly symbols: readonly string[];
  /** Streams the bars (may be called again for another pass, e.g. a walk-forward window). */
  bars(range?: { readonly from?: number; readonly to?: number }): BarStream;
  /** Macro releases in `at` order (small: daily and weekly series). */
  macro(): readonly MacroEvent[];
  describe(): HistoryDescription;
}

/**
 * How fills are priced. Bars carry no quotes, so the fill model builds the
 * quote the matching engine fills against from each bar's close: bid/ask at
 * close -/+ half of `spreadBps`, each side `participation` x the bar's volume
 * deep. Slippage moves the fill further against the order; fees are charged
 * per fill.
 */
export interface CostModel {
  /** Quoted spread around the bar's close, basis points. */
  readonly spreadBps: number;
  /** Extra price concession per fill, against the order, basis points. */
  readonly slippageBps: number;
  /** Fee as basis points of fill notional. */
  readonly feeBps: number;
  /** Fee per share filled. */
  readonly feePerShare: number;
  /** Smallest fee per fill (0: none). */
  readonly minFee: number;
  /** Fraction of a bar's volume that can fill (per side) before the next bar: partial fills beyond it. */
  readonly participation: number;
}

/** The trading sections of the configuration a run uses (the same shapes the daemon takes). */
export interface TradingSettings {
  readonly risk: RiskSettings;
  readonly allocator: AllocatorSettings;
  readonly strategies: StrategiesSettings;
}

export interface BacktestSpec {
  readonly name?: string;
  readonly settings: TradingSettings;
  readonly cost: CostModel;
  readonly startingCash: number;
  /** 'cash' (no shorting, buying power = cash) or 'margin' (2x, shorting), as the venue's account. */
  readonly accountMode: 'cash' | 'margin';
  /** Seeds every random choice of the run (ids); the same data, spec and seed give byte-identical results. */
  readonly seed: number;
  /** Bars before this instant only warm the strategies up: no orders (walk-forward test windows). */
  readonly tradeFrom?: number;
  /** Points kept in the equity series (downsampled evenly beyond it). Default 2000. */
  readonly maxSeriesPoints?: number;
}

export interface Progress {
  readonly barsDone: number;
  /** Expected bars when known, else null. */
  readonly barsTotal: number | null;
  /** Virtual time reached, epoch ms. */
  readonly at: number;
  readonly equity: number;
}

export interface BacktestOptions {
  readonly onProgress?: (p: Progress) => void;
  /** Bars between progress reports. Default 10,000. */
  readonly progressEvery?: number;
  readonly signal?: AbortSignal;
}

export interface EquityPoint {
  readonly ts: number;
  readonly equity: number;
  /** Fraction below the running peak (0 at a peak, 0.1 = 10 % down). */
  readonly drawdown: number;
  /** Gross and net exposure as fractions of equity. */
  readonly gross: number;
  readonly net: number;
}

export interface Fill {
  readonly ts: number;
  readonly symbol: string;
  readonly side: 'buy' | 'sell';
  readonly qty: number;
  readonly price: number;
  readonly fee: number;
  /** Cost against the bar's close: (price - close) x qty for a buy, the reverse for a sell; spread and slippage. */
  readonly slippage: number;
  readonly orderId: string;
  readonly intentId: string;
}

export interface OrderRecord {
  readonly intentId: string;
  readonly ts: number;
  readonly symbol: string;
  readonly side: 'buy' | 'sell';
  readonly qty: number;
  readonly type: string;
  readonly limitPrice: number | null;
  readonly status: string;
  readonly filledQty: number;
  readonly avgPrice: number | null;
  readonly reason: string;
}

/** Headline figures. Returns are fractions (0.1 = 10 %); null where undefined (no trades, no variance). */
export interface Summary {
  readonly startEquity: number;
  readonly endEquity: number;
  readonly totalReturn: number;
  readonly annualReturn: number | null;
  readonly volatility: number | null;
  readonly sharpe: number | null;
  readonly sortino: number | null;
  readonly calmar: number | null;
  readonly maxDrawdown: number;
  /** Longest time below a previous peak, ms. */
  readonly maxDrawdownDurationMs: number;
  /** Traded notional / average equity. */
  readonly turnover: number;
  readonly fees: number;
  readonly slippage: number;
  /** Average gross exposure (fraction of equity). */
  readonly avgGross: number;
  readonly hitRate: number | null;
  readonly avgWin: number | null;
  readonly avgLoss: number | null;
  /** Round trips closed (a position taken back to flat or reversed). */
  readonly trades: number;
  readonly orders: number;
  readonly fills: number;
}

export interface Attribution {
  /** P&L per strategy id (its share of each instrument's P&L by its contribution to the target), plus 'unattributed'. */
  readonly byStrategy: Readonly<Record<string, number>>;
  /** P&L per instrument, after fees. */
  readonly byInstrument: Readonly<Record<string, number>>;
}

export interface BacktestCounts {
  readonly bars: number;
  readonly signals: number;
  readonly postures: number;
  readonly intents: number;
  readonly approved: number;
  readonly denied: number;
  readonly fills: number;
}

export interface BacktestResult {
  readonly summary: Summary;
  readonly equity: readonly EquityPoint[];
  readonly attribution: Attribution;
  /**
   * What self-learning did over the run (`allocator.learning`): final learned
   * weights, per-strategy P&L and hit rate, frozen, settings, and the weight
   * history (at most `settings.historyPoints` points). Null when no bar ran.
   */
  readonly learning?: AllocatorLearningMsg | null;
  readonly orders: readonly OrderRecord[];
  readonly fills: readonly Fill[];
  readonly counts: BacktestCounts;
  readonly cost: CostModel;
  /** Virtual time of the first and last bar replayed. */
  readonly from: number | null;
  readonly to: number | null;
  /** True when cancelled before the end of the data (the figures cover what ran). */
  readonly cancelled: boolean;
}

/**
 * Where a run's history comes from, as plain data: a piscina task reopens
 * it in its own thread (`openHistory` in history/). Network sources are
 * fetched once into the disk cache by the main thread (`prepareHistory`);
 * tasks then read the cache only.
 */
export type HistorySpec =
  | {
      readonly kind: 'venue' | 'alpaca';
      /** Market-data REST base URL (the local venue's, or Alpaca's data API). */
      readonly dataUrl: string;
      readonly keyId: string;
      readonly secretKey: string;
      readonly symbols: readonly string[];
      readonly start: number;
      readonly end: number;
      readonly intervalMs: number;
      /** Alpaca feed ('iex' on a free plan); omitted for the local venue. */
      readonly feed?: 'iex' | 'sip';
      /** FRED and CFTC base URLs for macro series (null: no macro). */
      readonly fredUrl?: string | null;
      readonly cftcUrl?: string | null;
      readonly cacheDir: string;
      /**
       * What identifies this data in the cache instead of the URL: a local
       * venue on manual time names its seed and universe, so a second run
       * finds the bars whatever port that venue had.
       */
      readonly cacheAs?: string;
    }
  | { readonly kind: 'csv'; readonly file: string; readonly intervalMs?: number; readonly symbols?: readonly string[] }
  | {
      readonly kind: 'synthetic';
      readonly symbols: readonly string[];
      readonly start: number;
      readonly bars: number;
      readonly intervalMs: number;
      readonly seed: number;
    };

/** A parameter a sweep varies: a configuration path (as `--set` takes it, e.g. `strategies.params.trend_ma_cross.fast`). */
export interface SweepParam {
  readonly path: string;
  /** Grid: these values. */
  readonly values?: readonly (number | string | boolean)[];
  /** Random: uniform in [min, max] (integers when `int`). */
  readonly min?: number;
  readonly max?: number;
  readonly int?: boolean;
}

/** Objectives a sweep can rank by (higher is better; max_drawdown ranks lower-is-better by its sign). */
export type Objective = 'sharpe' | 'sortino' | 'calmar' | 'total_return' | 'annual_return' | 'max_drawdown';

export interface SweepSpec {
  readonly name?: string;
  readonly base: BacktestSpec;
  readonly params: readonly SweepParam[];
  readonly mode: 'grid' | 'random';
  /** Random mode: points drawn (seeded by base.seed). */
  readonly samples?: number;
  readonly objective: Objective;
  /** Walk-forward: optimise on `trainBars`, test on the next `testBars`, roll by `testBars`. */
  readonly walkForward?: { readonly trainBars: number; readonly testBars: number } | null;
}

export interface SweepRow {
  readonly index: number;
  readonly params: Readonly<Record<string, number | string | boolean>>;
  readonly summary: Summary | null;
  /** The objective's value (null when the task failed or the figure is undefined). */
  readonly score: number | null;
  readonly error: string | null;
}

export interface WalkForwardWindow {
  readonly trainFrom: number;
  readonly trainTo: number;
  readonly testFrom: number;
  readonly testTo: number;
  readonly best: Readonly<Record<string, number | string | boolean>> | null;
  readonly inSample: Summary | null;
  readonly outOfSample: Summary | null;
}

export interface SweepResult {
  readonly objective: Objective;
  readonly paths: readonly string[];
  /** Ranked, best first; failed tasks last. */
  readonly rows: readonly SweepRow[];
  readonly walkForward: {
    readonly windows: readonly WalkForwardWindow[];
    /** Out-of-sample figures over the test windows chained, reported apart from the in-sample ones. */
    readonly outOfSample: Summary | null;
    readonly inSample: Summary | null;
  } | null;
  readonly cancelled: boolean;
}

export type RunKind = 'backtest' | 'sweep';
export type RunStatus = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';

/** What a list of runs shows per run. */
export interface RunHeadline {
  readonly id: string;
  readonly kind: RunKind;
  readonly name: string;
  readonly status: RunStatus;
  readonly createdAt: number;
  readonly finishedAt: number | null;
  /** 0..1. */
  readonly progress: number;
  /** Back-test: its summary; sweep: the best row's. */
  readonly summary: Summary | null;
  readonly data: HistoryDescription | null;
  readonly error: string | null;
}

/** A saved run (JSON under the research directory): what produced it and what it produced. */
export interface RunRecord extends RunHeadline {
  readonly codeVersion: string;
  readonly spec: BacktestSpec | SweepSpec;
  readonly history: HistorySpec;
  readonly result: BacktestResult | null;
  readonly sweep: SweepResult | null;
}

export type ResearchEvent =
  | { readonly type: 'research.progress'; readonly id: string; readonly progress: number; readonly detail: string }
  | { readonly type: 'research.status'; readonly run: RunHeadline };

/** A request to start a back-test: the history and the overrides over the configured settings. */
export interface BacktestRequest {
  readonly name?: string;
  readonly history: HistorySpec;
  /** `--set`-style overrides of trading settings by path (e.g. `allocator.sizing.targetVol`). */
  readonly set?: Readonly<Record<string, number | string | boolean>>;
  readonly cost?: Partial<CostModel>;
  readonly startingCash?: number;
  readonly seed?: number;
}

export interface SweepRequest extends BacktestRequest {
  readonly params: readonly SweepParam[];
  readonly mode?: 'grid' | 'random';
  readonly samples?: number;
  readonly objective?: Objective;
  readonly walkForward?: { readonly trainBars: number; readonly testBars: number } | null;
}

/**
 * What the surfaces (CLI, REST, WebSocket, terminal) use: a bounded queue of
 * research runs executed off the actor threads on a capped piscina pool,
 * saved as run records.
 */
export interface ResearchService {
  list(): readonly RunHeadline[];
  get(id: string): RunRecord | null;
  /** Queues a back-test; throws a QgtmError (code QGTM_ERR_RESEARCH_*) on a bad request or a full queue. */
  startBacktest(req: BacktestRequest): RunHeadline;
  startSweep(req: SweepRequest): RunHeadline;
  /** Cancels a queued or running run; false when it is unknown or already finished. */
  cancel(id: string): boolean;
  /** Progress and status changes; returns the unsubscribe function. */
  onEvent(listener: (e: ResearchEvent) => void): () => void;
  close(): Promise<void>;
}
