/**
 * Messages a feed actor publishes. All are flat, plain data (they cross
 * threads as msgpack) and immutable once created. `null` marks a value the
 * feed cannot compute yet (no quote seen, not enough bars for a volatility),
 * never a fake zero.
 */

/** Data status of one instrument's feed. */
export type FeedStatus = 'fresh' | 'stale' | 'gap';

/** Why a feed status changed. */
export type FeedStatusReason =
  /** First valid update after start (the feed starts `stale`: no data is not fresh data). */
  | 'first_data'
  /** A valid update arrived after a stale period. */
  | 'resumed'
  /** No valid update for `staleAfterMs` of caller time. */
  | 'no_update'
  /** Consecutive closed bars skipped more than `maxMissedBars` intervals. */
  | 'bar_gap'
  /** The exchange timestamp jumped by more than `gapAfterMs` between valid updates. */
  | 'ts_jump'
  /** Data has flowed for `gapHoldMs` since the gap was detected. */
  | 'recovered';

/** Which kind of market-data message produced a features update. */
export type FeatureSource = 'trade' | 'quote' | 'bar';

/**
 * The per-tick feature update: one per accepted trade or quote (and per
 * venue bar when bars come from the venue). Strategies keep the latest.
 */
export interface FeedFeaturesMsg {
  readonly type: 'feed.features';
  readonly symbol: string;
  /** Exchange time (epoch ms) of the update that produced these features. */
  readonly ts: number;
  /** Monotonic count of features published by this feed (gaps reveal conflation). */
  readonly seq: number;
  readonly source: FeatureSource;
  /** Last trade price, or the mid before the first trade. */
  readonly price: number | null;
  readonly bid: number | null;
  readonly ask: number | null;
  readonly mid: number | null;
  /** (ask - bid) / mid in basis points. */
  readonly spreadBps: number | null;
  /** 1-tick log return of the trade price (previous trade to this one). */
  readonly ret: number | null;
  /** Log return of the last closed bar (previous bar close to its close). */
  readonly barRet: number | null;
  /** Annualised EWMA realised volatility of bar log returns. */
  readonly vol: number | null;
  /** Intraday (session day) high and low of traded prices. */
  readonly dayHigh: number | null;
  readonly dayLow: number | null;
  /** (dayHigh - dayLow) / dayLow in basis points. */
  readonly rangeBps: number | null;
  /** Closed bars held in the feed's history ring. */
  readonly bars: number;
  readonly status: FeedStatus;
}

/** A closed time bar. */
export interface FeedBarMsg {
  readonly type: 'feed.bar';
  readonly symbol: string;
  /** Bar start, epoch ms, aligned to `intervalMs`. */
  readonly ts: number;
  readonly intervalMs: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
  /** Volume-weighted average price; equals close when volume is zero. */
  readonly vwap: number;
  readonly trades: number;
  /** Log return from the previous closed bar's close; null for the first bar. */
  readonly ret: number | null;
  /** Annualised EWMA volatility after this bar; null until enough bars. */
  readonly vol: number | null;
}

/** A status transition; emitted exactly once per transition. */
export interface FeedStatusMsg {
  readonly type: 'feed.status';
  readonly symbol: string;
  readonly status: FeedStatus;
  readonly previous: FeedStatus;
  readonly reason: FeedStatusReason;
  /** Caller time (epoch ms) at which the transition was detected. */
  readonly ts: number;
  /** Caller time of the last valid update, null if none yet. */
  readonly lastUpdateAt: number | null;
  /** A short human-readable detail for the terminal. */
  readonly detail: string;
}

/**
 * A feed's bar history in columns (compact under msgpack), oldest first: what
 * a restarted strategy shard asks for to start warm.
 */
export interface FeedHistoryMsg {
  readonly type: 'feed.history';
  readonly symbol: string;
  readonly intervalMs: number;
  readonly ts: readonly number[];
  readonly open: readonly number[];
  readonly high: readonly number[];
  readonly low: readonly number[];
  readonly close: readonly number[];
  readonly volume: readonly number[];
}

export type FeedMsg = FeedFeaturesMsg | FeedBarMsg | FeedStatusMsg | FeedHistoryMsg;

/**
 * A conflated view of a feed for displays (topic `feed_samples`): the latest
 * features and how many features updates it stands for, at most one per
 * `sampleMs`. The main thread's operator views read these instead of every
 * `feed.features` (strategy shards, risk and the allocator still get every
 * one). Not part of `FeedMsg`: trading actors never subscribe to it.
 */
export interface FeedSampleMsg {
  readonly type: 'feed.sample';
  readonly symbol: string;
  /** Features updates published since the previous sample (this one's included). */
  readonly count: number;
  /** The newest of them. */
  readonly features: FeedFeaturesMsg;
}

/** The feed actor's own timer message: publish the trailing sample. */
export interface FeedSampleDueMsg {
  readonly type: 'feed.sample_due';
}

/** The feed actor's own timer message: run `onTime` (bar closing, stale detection). */
export interface FeedTickMsg {
  readonly type: 'feed.tick';
}

/** Ask a feed actor for its bar history; the reply is a `feed.history`. */
export interface FeedGetHistoryMsg {
  readonly type: 'feed.get_history';
}

/**
 * The feed actor's own message: the outcome of one backfill fetch (started
 * in `init` without blocking the mailbox). `token` ties it to the fetch this
 * incarnation started, so a late result of an older one is ignored.
 */
export interface FeedBackfillResultMsg {
  readonly type: 'feed.backfill_result';
  readonly token: number;
  readonly attempt: number;
  readonly ok: boolean;
  /** Bars oldest first (empty on failure). */
  readonly bars: readonly { readonly ts: number; readonly open: number; readonly high: number; readonly low: number; readonly close: number; readonly volume: number }[];
  readonly pages: number;
  /** Wall time the fetch took, ms. */
  readonly elapsedMs: number;
  readonly error: string | null;
  /** True when retrying cannot help (a 4xx other than 408/429, no timeframe for the interval). */
  readonly permanent: boolean;
}

/** The feed actor's own timer message: try the backfill fetch again. */
export interface FeedBackfillRetryMsg {
  readonly type: 'feed.backfill_retry';
  readonly attempt: number;
}
