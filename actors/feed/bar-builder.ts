/**
 * Time bars from trades: OHLCV, vwap and trade count per interval, aligned to
 * multiples of the interval in exchange time. A bar closes when a trade of a
 * later interval arrives, or when `onTime(now)` sees its end plus a grace
 * period pass. Intervals without trades produce no bar (as Alpaca's do not);
 * the status tracker decides whether the skip is a gap.
 *
 * The bar in progress lives in plain number fields, so a trade allocates
 * nothing; only a closing bar allocates its result.
 */

/** A closed bar as the builder produces it. */
export interface BuiltBar {
  readonly ts: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
  readonly vwap: number;
  readonly trades: number;
}

export interface BarBuilderSnapshot {
  /** The bar in progress, or null. */
  readonly current: BuiltBar | null;
  /** Start of the last closed bar, or null. */
  readonly lastClosedTs: number | null;
  readonly lateTrades: number;
}

export class BarBuilder {
  readonly intervalMs: number;
  readonly closeGraceMs: number;
  private start = NaN;
  private open = 0;
  private high = 0;
  private low = 0;
  private close = 0;
  private volume = 0;
  private notional = 0;
  private trades = 0;
  private lastClosedTs = -Infinity;
  private late = 0;

  constructor(intervalMs: number, closeGraceMs = 0) {
    this.intervalMs = intervalMs;
    this.closeGraceMs = closeGraceMs;
  }

  /** Start of the interval containing `ts`. */
  bucket(ts: number): number {
    return ts - (((ts % this.intervalMs) + this.intervalMs) % this.intervalMs);
  }

  /** True while a bar is in progress. */
  get inProgress(): boolean {
    return !Number.isNaN(this.start);
  }

  /**
   * Trades after their bar was closed by time (a late print). They still
   * update prices elsewhere, but a closed bar is never rewritten.
   */
  get lateTrades(): number {
    return this.late;
  }

  /**
   * Adds a trade; returns the previous bar when this trade opens a new
   * interval, otherwise null. Trades are expected in exchange-time order
   * (the validator guarantees it).
   */
  onTrade(price: number, size: number, ts: number): BuiltBar | null {
    const b = this.bucket(ts);
    // At or before a closed (or the current) bar: never rewrite history.
    if (b <= this.lastClosedTs || b < this.start) {
      this.late++;
      return null;
    }
    if (this.start === b) {
      if (price > this.high) this.high = price;
      if (price < this.low) this.low = price;
      this.close = price;
      this.volume += size;
      this.notional += price * size;
      this.trades++;
      return null;
    }
    const closed = Number.isNaN(this.start) ? null : this.finish();
    this.start = b;
    this.open = this.high = this.low = this.close = price;
    this.volume = size;
    this.notional = price * size;
    this.trades = 1;
    return closed;
  }

  /**
   * Treats every interval up to and including the one starting at `ts` as
   * closed (its bar came from elsewhere, e.g. a backfill), so a trade of one
   * of them counts as late instead of building a second bar for it. Never
   * moves backwards.
   */
  markClosedThrough(ts: number): void {
    if (ts > this.lastClosedTs) this.lastClosedTs = ts;
  }

  /** Closes the bar in progress when `now` is past its end plus the grace period. */
  onTime(now: number): BuiltBar | null {
    if (Number.isNaN(this.start)) return null;
    if (now < this.start + this.intervalMs + this.closeGraceMs) return null;
    return this.finish();
  }

  /** The bar in progress as it stands, or null. */
  current(): BuiltBar | null {
    if (Number.isNaN(this.start)) return null;
    return this.view();
  }

  private view(): BuiltBar {
    return {
      ts: this.start,
      open: this.open,
      high: this.high,
      low: this.low,
      close: this.close,
      volume: this.volume,
      vwap: this.volume > 0 ? this.notional / this.volume : this.close,
      trades: this.trades,
    };
  }

  private finish(): BuiltBar {
    const bar = this.view();
    this.lastClosedTs = this.start;
    this.start = NaN;
    return bar;
  }

  snapshot(): BarBuilderSnapshot {
    return {
      current: this.current(),
      lastClosedTs: Number.isFinite(this.lastClosedTs) ? this.lastClosedTs : null,
      lateTrades: this.late,
    };
  }

  restore(s: BarBuilderSnapshot): void {
    this.lastClosedTs = typeof s.lastClosedTs === 'number' && Number.isFinite(s.lastClosedTs) ? s.lastClosedTs : -Infinity;
    this.late = typeof s.lateTrades === 'number' && Number.isFinite(s.lateTrades) ? s.lateTrades : 0;
    const c = s.current;
    if (c && [c.ts, c.open, c.high, c.low, c.close, c.volume, c.vwap, c.trades].every(Number.isFinite)) {
      this.start = c.ts;
      this.open = c.open;
      this.high = c.high;
      this.low = c.low;
      this.close = c.close;
      this.volume = c.volume;
      this.notional = c.vwap * c.volume;
      this.trades = c.trades;
    } else {
      this.start = NaN;
    }
  }
}
