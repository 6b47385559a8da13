/**
 * `FeedCore`: the whole per-instrument feed logic behind one small API, for a
 * thin actor shell to drive.
 *
 *   const feed = new FeedCore(feedConfig('GLD'));
 *   const out = feed.onMarketData(msg, clock.now());   // each md.* message
 *   const tick = feed.onTime(clock.now());             // on a timer, e.g. every second
 *
 * Both return a `FeedOutput` saying what to publish: a rejection reason, or
 * any of a features update, a closed bar and a status event. The output
 * object is owned by the core and reused by the next call (the features
 * message inside it is fresh each time and safe to keep): read it, publish
 * what is non-null, move on. That keeps the tick path at one allocation.
 */
import { BarBuilder, type BarBuilderSnapshot, type BuiltBar } from './bar-builder.js';
import { feedConfigViolations, type FeedConfig } from './config.js';
import { ConfigError } from '../../src/errors.js';
import { FeatureEngine, type BarLike, type FeatureSnapshot } from './features.js';
import { emptyBackfillDrops, selectBackfill, type BackfillDrops } from './backfill.js';
import type { FeatureSource, FeedBarMsg, FeedFeaturesMsg, FeedHistoryMsg, FeedStatus, FeedStatusMsg } from './messages.js';
import { StatusTracker, type StatusSnapshot } from './status.js';
import { FeedValidator, type RejectCounts, type RejectReason, type ValidatorSnapshot } from './validate.js';
import type { MarketDataMsg } from '../market-data/messages.js';

/** What one call asks the shell to publish. Reused between calls: read before the next call. */
export interface FeedOutput {
  /** Set when the message was rejected; everything else is then null. */
  rejected: RejectReason | null;
  features: FeedFeaturesMsg | null;
  bar: FeedBarMsg | null;
  status: FeedStatusMsg | null;
}

/** What one `backfill` call did and what to publish. */
export interface BackfillOutcome {
  /** Bars inserted into the history. */
  readonly inserted: number;
  /** Bars not inserted, by reason. */
  readonly dropped: Readonly<BackfillDrops>;
  /** The whole history after the insert, for the strategy shards (`bars` topic); null when nothing was inserted. */
  readonly history: FeedHistoryMsg | null;
  /** Features with the volatility the backfill made available; null before any live data or when nothing was inserted. */
  readonly features: FeedFeaturesMsg | null;
}

/** Counters for metrics and the terminal. */
export interface FeedCounters {
  readonly backfilled: number;
  readonly backfillDropped: Readonly<BackfillDrops>;
  readonly accepted: number;
  readonly rejected: Readonly<RejectCounts>;
  readonly barsClosed: number;
  readonly lateTrades: number;
  readonly featuresPublished: number;
  readonly statusTransitions: number;
}

export const FEED_SNAPSHOT_VERSION = 1;

/** Plain-data state for a warm restart. */
export interface FeedSnapshot {
  readonly version: typeof FEED_SNAPSHOT_VERSION;
  readonly symbol: string;
  readonly barIntervalMs: number;
  readonly seq: number;
  readonly barsClosed: number;
  /** Exchange time and source of the last features update (null before any). */
  readonly lastTs: number | null;
  readonly lastSource: FeatureSource;
  readonly validator: ValidatorSnapshot;
  readonly bars: BarBuilderSnapshot;
  readonly features: FeatureSnapshot;
  readonly status: StatusSnapshot;
}

export interface FeedRestore {
  readonly core: FeedCore;
  /** True when the snapshot was used; false means the core starts cold (see `problem`). */
  readonly warm: boolean;
  readonly problem: string | null;
}

export class FeedCore {
  readonly config: FeedConfig;
  readonly symbol: string;
  private readonly validator: FeedValidator;
  private readonly builder: BarBuilder;
  private readonly engine: FeatureEngine;
  private readonly tracker: StatusTracker;
  private readonly out: FeedOutput = { rejected: null, features: null, bar: null, status: null };
  private seq = 0;
  private barsClosed = 0;
  private backfilled = 0;
  private readonly backfillDropped = emptyBackfillDrops();
  private lastSource: FeatureSource = 'trade';
  private lastTs = NaN;

  constructor(config: FeedConfig) {
    const violations = feedConfigViolations(config);
    if (violations.length > 0) throw new ConfigError(violations);
    this.config = config;
    this.symbol = config.symbol;
    this.validator = new FeedValidator(config);
    this.builder = new BarBuilder(config.barIntervalMs, config.barCloseGraceMs);
    this.engine = new FeatureEngine(config);
    this.tracker = new StatusTracker(config);
  }

  get status(): FeedStatus {
    return this.tracker.status;
  }

  /** Closed bars held in the history. */
  get barsHeld(): number {
    return this.engine.history.length;
  }

  /** Validates and folds in one market-data message received at caller time `now`. */
  onMarketData(msg: MarketDataMsg, now: number): FeedOutput {
    const out = this.reset();
    const reason = this.validator.validate(msg, now);
    if (reason !== null) {
      out.rejected = reason;
      return out;
    }
    let closed: BuiltBar | null = null;
    switch (msg.type) {
      case 'md.trade':
        if (this.config.barSource === 'trades') closed = this.builder.onTrade(msg.price, msg.size, msg.ts);
        if (closed) out.bar = this.closeBar(closed);
        this.engine.onTrade(msg.price, msg.ts);
        break;
      case 'md.quote':
        this.engine.onQuote(msg.bid, msg.ask);
        break;
      case 'md.bar':
        // Venue bars are the bars in 'venue' mode; in 'trades' mode they only prove the feed is alive.
        if (this.config.barSource === 'venue') {
          closed = msg;
          out.bar = this.closeBar(msg);
        }
        break;
    }
    out.status = this.tracker.onUpdate(now, msg.ts, closed ? closed.ts : NaN);
    if (msg.type !== 'md.bar' || closed) {
      const source: FeatureSource = msg.type === 'md.trade' ? 'trade' : msg.type === 'md.quote' ? 'quote' : 'bar';
      this.lastSource = source;
      this.lastTs = msg.ts;
      out.features = this.engine.features(this.symbol, msg.ts, ++this.seq, source, this.tracker.status);
    }
    return out;
  }

  /** Caller time passed: closes a due bar and detects staleness. */
  onTime(now: number): FeedOutput {
    const out = this.reset();
    const closed = this.config.barSource === 'trades' ? this.builder.onTime(now) : null;
    if (closed) out.bar = this.closeBar(closed);
    out.status = this.tracker.onTime(now, closed ? closed.ts : NaN);
    return out;
  }

  /**
   * Seeds the history with closed bars from the venue's past (fetched when
   * the feed started cold): bars strictly older than anything held or being
   * built are inserted (the newest that fit), the EWMA volatility and last
   * bar return are refolded over the whole history, and intervals up to the
   * newest inserted bar count as closed (a trade for one of them is late).
   * Bars that overlap live ones, are still open at `now`, are invalid or
   * duplicated, or do not fit are dropped and counted. Returns what to
   * publish: the history for the shards and, once live data has been seen,
   * features carrying the new volatility.
   */
  backfill(bars: readonly BarLike[], now: number): BackfillOutcome {
    const ring = this.engine.history;
    const pending = this.builder.current();
    const cutoff = ring.length > 0 ? ring.ts(0) : pending ? pending.ts : Infinity;
    const { accepted, dropped } = selectBackfill(bars, {
      intervalMs: this.config.barIntervalMs,
      cutoff,
      now,
      free: ring.capacity - ring.length,
    });
    for (const r of Object.keys(dropped) as (keyof BackfillDrops)[]) this.backfillDropped[r] += dropped[r];
    if (accepted.length === 0) return { inserted: 0, dropped, history: null, features: null };
    this.engine.prepend(accepted);
    this.builder.markClosedThrough(accepted[accepted.length - 1].ts);
    this.backfilled += accepted.length;
    const features = this.seq > 0 && Number.isFinite(this.lastTs)
      ? this.engine.features(this.symbol, this.lastTs, ++this.seq, this.lastSource, this.tracker.status)
      : null;
    return { inserted: accepted.length, dropped, history: this.history(), features };
  }

  /** The bar history (oldest first) for a shard that starts warm. */
  history(): FeedHistoryMsg {
    const c = this.engine.history.toColumns();
    return { type: 'feed.history', symbol: this.symbol, intervalMs: this.config.barIntervalMs, ...c };
  }

  /** Features as of now without a new tick (e.g. for a new subscriber); null before any data. */
  latest(): FeedFeaturesMsg | null {
    if (this.seq === 0 || Number.isNaN(this.lastTs)) return null;
    return this.engine.features(this.symbol, this.lastTs, this.seq, this.lastSource, this.tracker.status);
  }

  counters(): FeedCounters {
    return {
      backfilled: this.backfilled,
      backfillDropped: { ...this.backfillDropped },
      accepted: this.validator.accepted,
      rejected: { ...this.validator.rejected },
      barsClosed: this.barsClosed,
      lateTrades: this.builder.lateTrades,
      featuresPublished: this.seq,
      statusTransitions: this.tracker.transitionCount,
    };
  }

  snapshot(): FeedSnapshot {
    return {
      version: FEED_SNAPSHOT_VERSION,
      symbol: this.symbol,
      barIntervalMs: this.config.barIntervalMs,
      seq: this.seq,
      barsClosed: this.barsClosed,
      lastTs: Number.isFinite(this.lastTs) ? this.lastTs : null,
      lastSource: this.lastSource,
      validator: this.validator.snapshot(),
      bars: this.builder.snapshot(),
      features: this.engine.snapshot(),
      status: this.tracker.snapshot(),
    };
  }

  /**
   * A core for `config`, warm from `snapshot` when it fits (same version,
   * symbol and bar interval), otherwise cold with the reason in `problem`.
   * Never throws on a bad snapshot: a restart must not fail on old state.
   */
  static fromSnapshot(snapshot: unknown, config: FeedConfig): FeedRestore {
    const core = new FeedCore(config);
    const problem = snapshotProblem(snapshot, config);
    if (problem !== null) return { core, warm: false, problem };
    const s = snapshot as FeedSnapshot;
    try {
      core.validator.restore(s.validator);
      core.builder.restore(s.bars);
      core.engine.restore(s.features);
      core.tracker.restore(s.status);
      core.seq = Number.isInteger(s.seq) && s.seq >= 0 ? s.seq : 0;
      core.barsClosed = Number.isInteger(s.barsClosed) && s.barsClosed >= 0 ? s.barsClosed : 0;
      core.lastTs = typeof s.lastTs === 'number' && Number.isFinite(s.lastTs) ? s.lastTs : NaN;
      core.lastSource = s.lastSource === 'quote' || s.lastSource === 'bar' ? s.lastSource : 'trade';
      return { core, warm: true, problem: null };
    } catch (err) {
      return { core: new FeedCore(config), warm: false, problem: `snapshot unreadable: ${(err as Error).message}` };
    }
  }

  private closeBar(b: BuiltBar): FeedBarMsg {
    this.engine.onBar(b);
    this.barsClosed++;
    const ret = this.engine.volBars > 0 ? this.engine.lastBarRet() : NaN;
    const vol = this.engine.vol();
    return {
      type: 'feed.bar',
      symbol: this.symbol,
      ts: b.ts,
      intervalMs: this.config.barIntervalMs,
      open: b.open,
      high: b.high,
      low: b.low,
      close: b.close,
      volume: b.volume,
      vwap: b.vwap,
      trades: b.trades,
      ret: Number.isFinite(ret) ? ret : null,
      vol: Number.isFinite(vol) ? vol : null,
    };
  }

  private reset(): FeedOutput {
    const out = this.out;
    out.rejected = null;
    out.features = null;
    out.bar = null;
    out.status = null;
    return out;
  }
}

function snapshotProblem(s: unknown, config: FeedConfig): string | null {
  if (s === null || typeof s !== 'object') return 'no snapshot';
  const snap = s as Partial<FeedSnapshot>;
  if (snap.version !== FEED_SNAPSHOT_VERSION) return `snapshot version ${String(snap.version)} is not ${FEED_SNAPSHOT_VERSION}`;
  if (snap.symbol !== config.symbol) return `snapshot is for ${String(snap.symbol)}, not ${config.symbol}`;
  if (snap.barIntervalMs !== config.barIntervalMs) return `snapshot bar interval ${String(snap.barIntervalMs)} ms differs from ${config.barIntervalMs} ms`;
  if (!snap.validator || !snap.bars || !snap.features || !snap.status) return 'snapshot is missing sections';
  return null;
}
