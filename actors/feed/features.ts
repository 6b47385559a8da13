/**
 * Per-instrument features, updated in O(1) per tick with constant memory:
 * last price, quote mid and spread, 1-tick and 1-bar log returns, EWMA
 * realised volatility of bar returns, the intraday range and a bounded ring
 * of recent bars for strategies.
 *
 * Volatility is the RiskMetrics-style zero-mean EWMA of squared bar log
 * returns, var_t = lambda * var_{t-1} + (1 - lambda) * r_t^2 with
 * lambda = 0.5^(1 / halfLifeBars), seeded with the first squared return and
 * annualised as sqrt(var * barsPerYear).
 */
import { BarRing, type BarColumns } from './bar-ring.js';
import type { BuiltBar } from './bar-builder.js';
import type { FeatureSource, FeedFeaturesMsg, FeedStatus } from './messages.js';

export interface FeatureOptions {
  readonly barIntervalMs: number;
  readonly volHalfLifeBars: number;
  readonly minVolBars: number;
  readonly barsPerYear: number;
  readonly historyCapacity: number;
  readonly dayOffsetMs: number;
}

export interface FeatureSnapshot {
  readonly lastTrade: number | null;
  readonly tickRet: number | null;
  readonly bid: number | null;
  readonly ask: number | null;
  readonly lastBarClose: number | null;
  readonly barRet: number | null;
  readonly ewmaVar: number | null;
  readonly volCount: number;
  readonly dayKey: number | null;
  readonly dayHigh: number | null;
  readonly dayLow: number | null;
  readonly history: BarColumns;
}

/** The OHLCV of a closed bar, as a backfill supplies it. */
export interface BarLike {
  readonly ts: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
}

const DAY_MS = 86_400_000;
const orNull = (v: number): number | null => (Number.isFinite(v) ? v : null);
const orNaN = (v: number | null | undefined): number => (typeof v === 'number' && Number.isFinite(v) ? v : NaN);

export class FeatureEngine {
  readonly opts: FeatureOptions;
  /** Recent closed bars, oldest first. */
  readonly history: BarRing;
  private readonly lambda: number;
  private lastTrade = NaN;
  private tickRet = NaN;
  private bid = NaN;
  private ask = NaN;
  private lastBarClose = NaN;
  private barRet = NaN;
  private ewmaVar = NaN;
  private volCount = 0;
  private dayKey = NaN;
  private dayHigh = NaN;
  private dayLow = NaN;

  constructor(opts: FeatureOptions) {
    this.opts = opts;
    this.lambda = Math.pow(0.5, 1 / opts.volHalfLifeBars);
    this.history = new BarRing(opts.historyCapacity, opts.barIntervalMs);
  }

  onTrade(price: number, ts: number): void {
    if (Number.isFinite(this.lastTrade)) this.tickRet = Math.log(price / this.lastTrade);
    this.lastTrade = price;
    this.extendDay(ts, price, price);
  }

  onQuote(bid: number, ask: number): void {
    this.bid = bid;
    this.ask = ask;
  }

  /** Folds in a closed bar: bar return, volatility, history and day range. */
  onBar(bar: BuiltBar): void {
    this.foldClose(bar.close);
    this.history.push(bar.ts, bar.open, bar.high, bar.low, bar.close, bar.volume);
    this.extendDay(bar.ts, bar.high, bar.low);
  }

  /**
   * Inserts closed bars older than every bar held (a backfill from the
   * venue's history), oldest first, then refolds the bar-return state (last
   * bar return, EWMA volatility) over the whole history in time order, so the
   * volatility is what it would be had every bar arrived live. The caller
   * guarantees the bars are sorted, older than `history.ts(0)` and fit in
   * the free capacity: refolding is exact only while the ring has never
   * overwritten a bar.
   */
  prepend(bars: readonly BarLike[]): void {
    if (bars.length === 0) return;
    const held = this.history.toColumns();
    this.history.clear();
    for (const b of bars) this.history.push(b.ts, b.open, b.high, b.low, b.close, b.volume);
    for (let i = 0; i < held.ts.length; i++) this.history.push(held.ts[i], held.open[i], held.high[i], held.low[i], held.close[i], held.volume[i]);
    this.lastBarClose = NaN;
    this.barRet = NaN;
    this.ewmaVar = NaN;
    this.volCount = 0;
    for (let i = 0; i < this.history.length; i++) this.foldClose(this.history.close(i));
    // Older days are ignored by extendDay, so only bars of the current session widen the range.
    for (const b of bars) this.extendDay(b.ts, b.high, b.low);
  }

  private foldClose(close: number): void {
    if (Number.isFinite(this.lastBarClose)) {
      const r = Math.log(close / this.lastBarClose);
      this.barRet = r;
      this.ewmaVar = this.volCount === 0 ? r * r : this.lambda * this.ewmaVar + (1 - this.lambda) * r * r;
      this.volCount++;
    }
    this.lastBarClose = close;
  }

  /** Annualised EWMA volatility, NaN until `minVolBars` bar returns were seen. */
  vol(): number {
    if (this.volCount < this.opts.minVolBars) return NaN;
    return Math.sqrt(this.ewmaVar * this.opts.barsPerYear);
  }

  /** Log return of the last closed bar, NaN before the second bar. */
  lastBarRet(): number {
    return this.barRet;
  }

  /** Bar returns folded into the volatility so far. */
  get volBars(): number {
    return this.volCount;
  }

  /** Builds the features message for the current state (the one allocation per tick). */
  features(symbol: string, ts: number, seq: number, source: FeatureSource, status: FeedStatus): FeedFeaturesMsg {
    const bid = this.bid;
    const ask = this.ask;
    const hasQuote = Number.isFinite(bid);
    const mid = hasQuote ? (bid + ask) / 2 : NaN;
    // A feed on venue bars alone (research replays bars) has no trade or quote: its price is the last close.
    const price = Number.isFinite(this.lastTrade) ? this.lastTrade : hasQuote ? mid : this.lastBarClose;
    const hi = this.dayHigh;
    const lo = this.dayLow;
    return {
      type: 'feed.features',
      symbol,
      ts,
      seq,
      source,
      price: orNull(price),
      bid: orNull(bid),
      ask: orNull(ask),
      mid: orNull(mid),
      spreadBps: hasQuote ? ((ask - bid) / mid) * 1e4 : null,
      ret: orNull(this.tickRet),
      barRet: orNull(this.barRet),
      vol: orNull(this.vol()),
      dayHigh: orNull(hi),
      dayLow: orNull(lo),
      rangeBps: Number.isFinite(hi) ? ((hi - lo) / lo) * 1e4 : null,
      bars: this.history.length,
      status,
    };
  }

  private extendDay(ts: number, high: number, low: number): void {
    const key = Math.floor((ts + this.opts.dayOffsetMs) / DAY_MS);
    // A bar closed after the day rolled belongs to the previous day: ignore it for the range.
    if (key < this.dayKey) return;
    if (key !== this.dayKey) {
      this.dayKey = key;
      this.dayHigh = high;
      this.dayLow = low;
      return;
    }
    if (high > this.dayHigh) this.dayHigh = high;
    if (low < this.dayLow) this.dayLow = low;
  }

  snapshot(): FeatureSnapshot {
    return {
      lastTrade: orNull(this.lastTrade),
      tickRet: orNull(this.tickRet),
      bid: orNull(this.bid),
      ask: orNull(this.ask),
      lastBarClose: orNull(this.lastBarClose),
      barRet: orNull(this.barRet),
      ewmaVar: orNull(this.ewmaVar),
      volCount: this.volCount,
      dayKey: orNull(this.dayKey),
      dayHigh: orNull(this.dayHigh),
      dayLow: orNull(this.dayLow),
      history: this.history.toColumns(),
    };
  }

  restore(s: FeatureSnapshot): void {
    this.lastTrade = orNaN(s.lastTrade);
    this.tickRet = orNaN(s.tickRet);
    this.bid = orNaN(s.bid);
    this.ask = orNaN(s.ask);
    this.lastBarClose = orNaN(s.lastBarClose);
    this.barRet = orNaN(s.barRet);
    this.ewmaVar = orNaN(s.ewmaVar);
    this.volCount = Number.isFinite(this.ewmaVar) && Number.isInteger(s.volCount) && s.volCount >= 0 ? s.volCount : 0;
    this.dayKey = orNaN(s.dayKey);
    this.dayHigh = orNaN(s.dayHigh);
    this.dayLow = orNaN(s.dayLow);
    if (s.history) this.history.load(s.history);
    else this.history.clear();
  }
}
