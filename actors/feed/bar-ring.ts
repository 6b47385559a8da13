/**
 * A fixed-capacity ring of bars stored as parallel Float64Arrays: constant
 * memory per instrument and no allocation per push, because it sits on the
 * tick path. Index 0 is the oldest bar held, `length - 1` the newest.
 */

/** Read-only access to a bar history, oldest first. */
export interface BarSeries {
  readonly length: number;
  readonly intervalMs: number;
  /** Bar start time of bar i; NaN when i is out of range (as for every accessor). */
  ts(i: number): number;
  open(i: number): number;
  high(i: number): number;
  low(i: number): number;
  close(i: number): number;
  volume(i: number): number;
}

/** Bars in columns, oldest first (the plain-data form for snapshots and messages). */
export interface BarColumns {
  readonly ts: readonly number[];
  readonly open: readonly number[];
  readonly high: readonly number[];
  readonly low: readonly number[];
  readonly close: readonly number[];
  readonly volume: readonly number[];
}

export class BarRing implements BarSeries {
  readonly capacity: number;
  readonly intervalMs: number;
  private readonly _ts: Float64Array;
  private readonly _open: Float64Array;
  private readonly _high: Float64Array;
  private readonly _low: Float64Array;
  private readonly _close: Float64Array;
  private readonly _volume: Float64Array;
  /** Slot the next push writes. */
  private head = 0;
  private count = 0;

  constructor(capacity: number, intervalMs: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`bar ring capacity must be a positive integer, got ${capacity}`);
    this.capacity = capacity;
    this.intervalMs = intervalMs;
    this._ts = new Float64Array(capacity);
    this._open = new Float64Array(capacity);
    this._high = new Float64Array(capacity);
    this._low = new Float64Array(capacity);
    this._close = new Float64Array(capacity);
    this._volume = new Float64Array(capacity);
  }

  get length(): number {
    return this.count;
  }

  /** Appends a bar, overwriting the oldest when full. */
  push(ts: number, open: number, high: number, low: number, close: number, volume: number): void {
    const h = this.head;
    this._ts[h] = ts;
    this._open[h] = open;
    this._high[h] = high;
    this._low[h] = low;
    this._close[h] = close;
    this._volume[h] = volume;
    this.head = h + 1 === this.capacity ? 0 : h + 1;
    if (this.count < this.capacity) this.count++;
  }

  clear(): void {
    this.head = 0;
    this.count = 0;
  }

  private slot(i: number): number {
    if (!(i >= 0 && i < this.count)) return -1;
    const s = this.head - this.count + i;
    return s < 0 ? s + this.capacity : s;
  }

  ts(i: number): number {
    const s = this.slot(i);
    return s < 0 ? NaN : this._ts[s];
  }
  open(i: number): number {
    const s = this.slot(i);
    return s < 0 ? NaN : this._open[s];
  }
  high(i: number): number {
    const s = this.slot(i);
    return s < 0 ? NaN : this._high[s];
  }
  low(i: number): number {
    const s = this.slot(i);
    return s < 0 ? NaN : this._low[s];
  }
  close(i: number): number {
    const s = this.slot(i);
    return s < 0 ? NaN : this._close[s];
  }
  volume(i: number): number {
    const s = this.slot(i);
    return s < 0 ? NaN : this._volume[s];
  }

  /** Copies the held bars out, oldest first. */
  toColumns(): BarColumns {
    const n = this.count;
    const ts: number[] = new Array(n);
    const open: number[] = new Array(n);
    const high: number[] = new Array(n);
    const low: number[] = new Array(n);
    const close: number[] = new Array(n);
    const volume: number[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const s = this.slot(i);
      ts[i] = this._ts[s];
      open[i] = this._open[s];
      high[i] = this._high[s];
      low[i] = this._low[s];
      close[i] = this._close[s];
      volume[i] = this._volume[s];
    }
    return { ts, open, high, low, close, volume };
  }

  /**
   * Replaces the contents with `cols` (oldest first), keeping the newest
   * `capacity` bars. Rows with a non-finite field are skipped, so a damaged
   * snapshot cannot poison the history.
   */
  load(cols: BarColumns): void {
    this.clear();
    const n = Math.min(cols.ts.length, cols.open.length, cols.high.length, cols.low.length, cols.close.length, cols.volume.length);
    for (let i = Math.max(0, n - this.capacity); i < n; i++) {
      const t = cols.ts[i], o = cols.open[i], h = cols.high[i], l = cols.low[i], c = cols.close[i], v = cols.volume[i];
      if (Number.isFinite(t) && Number.isFinite(o) && Number.isFinite(h) && Number.isFinite(l) && Number.isFinite(c) && Number.isFinite(v)) {
        this.push(t, o, h, l, c, v);
      }
    }
  }
}
