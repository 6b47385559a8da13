/**
 * What a strategy sees: per symbol the latest `feed.features` and a bounded
 * bar history built from `feed.bar`; FRED series and CFTC COT rows from the
 * macro actors. A shard owns the mutable `MarketView` and hands strategies
 * the read-only `MarketViewReader`.
 */
import { BarRing, type BarColumns, type BarSeries } from '../feed/bar-ring.js';
import type { FeedBarMsg, FeedFeaturesMsg, FeedHistoryMsg } from '../feed/messages.js';
import type { CotRow, MacroCotMsg, MacroSeriesMsg } from '../macro/messages.js';

export type CotMarket = MacroCotMsg['market'];

/** A macro series with missing observations dropped, oldest first. */
export interface MacroSeriesView {
  readonly id: string;
  readonly dates: readonly string[];
  readonly values: readonly number[];
  readonly fetchedAt: number;
}

export interface MarketViewReader {
  /** Latest features of a symbol, or undefined before any. */
  features(symbol: string): FeedFeaturesMsg | undefined;
  /** Closed bars of a symbol, oldest first (empty when none). */
  bars(symbol: string): BarSeries;
  /** A FRED series by id (DFII10, DTWEXBGS, T10YIE), or undefined. */
  series(id: string): MacroSeriesView | undefined;
  /** COT rows for a market, oldest first, or undefined. */
  cot(market: CotMarket): readonly CotRow[] | undefined;
}

export interface MarketViewOptions {
  /** Bars kept per symbol. */
  readonly historyCapacity?: number;
  /** Observations kept per macro series. */
  readonly maxMacroObs?: number;
  /** COT rows kept per market. */
  readonly maxCotRows?: number;
}

export interface MarketViewSnapshot {
  readonly features: readonly FeedFeaturesMsg[];
  readonly bars: readonly { readonly symbol: string; readonly intervalMs: number; readonly columns: BarColumns }[];
  readonly series: readonly MacroSeriesView[];
  readonly cot: readonly { readonly market: CotMarket; readonly rows: readonly CotRow[] }[];
}

const EMPTY = new BarRing(1, 0);

export class MarketView implements MarketViewReader {
  readonly historyCapacity: number;
  readonly maxMacroObs: number;
  readonly maxCotRows: number;
  private readonly latest = new Map<string, FeedFeaturesMsg>();
  private readonly rings = new Map<string, BarRing>();
  private readonly macro = new Map<string, MacroSeriesView>();
  private readonly cotRows = new Map<CotMarket, readonly CotRow[]>();
  private ignoredBars = 0;

  constructor(opts: MarketViewOptions = {}) {
    this.historyCapacity = opts.historyCapacity ?? 512;
    this.maxMacroObs = opts.maxMacroObs ?? 5_000;
    this.maxCotRows = opts.maxCotRows ?? 1_000;
  }

  features(symbol: string): FeedFeaturesMsg | undefined {
    return this.latest.get(symbol);
  }

  bars(symbol: string): BarSeries {
    return this.rings.get(symbol) ?? EMPTY;
  }

  series(id: string): MacroSeriesView | undefined {
    return this.macro.get(id);
  }

  cot(market: CotMarket): readonly CotRow[] | undefined {
    return this.cotRows.get(market);
  }

  symbols(): string[] {
    return [...new Set([...this.latest.keys(), ...this.rings.keys()])];
  }

  /** Bars dropped as duplicate, out of order or of another interval. */
  get ignored(): number {
    return this.ignoredBars;
  }

  onFeatures(msg: FeedFeaturesMsg): void {
    const prev = this.latest.get(msg.symbol);
    // A restarted feed restarts its seq, so order by exchange time, not seq.
    if (prev && msg.ts < prev.ts) return;
    this.latest.set(msg.symbol, msg);
  }

  /** Appends a closed bar; returns false (and counts it) when it is not newer than the last one held. */
  onBar(msg: FeedBarMsg): boolean {
    let ring = this.rings.get(msg.symbol);
    if (ring && ring.intervalMs !== msg.intervalMs) {
      // The feed's interval changed (reconfiguration): the old history is not comparable.
      ring = undefined;
    }
    if (!ring) {
      ring = new BarRing(this.historyCapacity, msg.intervalMs);
      this.rings.set(msg.symbol, ring);
    }
    if (ring.length > 0 && !(msg.ts > ring.ts(ring.length - 1))) {
      this.ignoredBars++;
      return false;
    }
    ring.push(msg.ts, msg.open, msg.high, msg.low, msg.close, msg.volume);
    return true;
  }

  /** Seeds a symbol's history from a feed (warm start), keeping held bars newer than it. */
  onHistory(msg: FeedHistoryMsg): void {
    const old = this.rings.get(msg.symbol);
    const ring = new BarRing(this.historyCapacity, msg.intervalMs);
    ring.load(msg);
    if (old && old.intervalMs === msg.intervalMs) {
      const last = ring.length > 0 ? ring.ts(ring.length - 1) : -Infinity;
      for (let i = 0; i < old.length; i++) {
        if (old.ts(i) > last) ring.push(old.ts(i), old.open(i), old.high(i), old.low(i), old.close(i), old.volume(i));
      }
    }
    this.rings.set(msg.symbol, ring);
  }

  /** Merges a FRED series: observations from the message replace those on or after its first date. */
  onSeries(msg: MacroSeriesMsg): void {
    const obs = msg.observations.filter((o) => o.value !== null && Number.isFinite(o.value));
    const prev = this.macro.get(msg.seriesId);
    let dates: string[] = [];
    let values: number[] = [];
    if (prev && obs.length > 0) {
      const first = obs[0].date;
      for (let i = 0; i < prev.dates.length && prev.dates[i] < first; i++) {
        dates.push(prev.dates[i]);
        values.push(prev.values[i]);
      }
    } else if (prev) {
      dates = [...prev.dates];
      values = [...prev.values];
    }
    for (const o of obs) {
      if (dates.length > 0 && o.date <= dates[dates.length - 1]) continue; // keep dates strictly increasing
      dates.push(o.date);
      values.push(o.value as number);
    }
    const cut = Math.max(0, dates.length - this.maxMacroObs);
    this.macro.set(msg.seriesId, { id: msg.seriesId, dates: dates.slice(cut), values: values.slice(cut), fetchedAt: msg.fetchedAt });
  }

  /** Merges COT rows the same way, keyed on report date. */
  onCot(msg: MacroCotMsg): void {
    const valid = msg.rows.filter(
      (r) => Number.isFinite(r.managedMoneyLong) && Number.isFinite(r.managedMoneyShort) && Number.isFinite(r.openInterest) && r.openInterest > 0,
    );
    const prev = this.cotRows.get(msg.market) ?? [];
    const first = valid.length > 0 ? valid[0].reportDate : '\uffff';
    const rows: CotRow[] = prev.filter((r) => r.reportDate < first);
    for (const r of valid) {
      if (rows.length > 0 && r.reportDate <= rows[rows.length - 1].reportDate) continue;
      rows.push(r);
    }
    this.cotRows.set(msg.market, rows.slice(Math.max(0, rows.length - this.maxCotRows)));
  }

  snapshot(): MarketViewSnapshot {
    return {
      features: [...this.latest.values()],
      bars: [...this.rings].map(([symbol, r]) => ({ symbol, intervalMs: r.intervalMs, columns: r.toColumns() })),
      series: [...this.macro.values()],
      cot: [...this.cotRows].map(([market, rows]) => ({ market, rows })),
    };
  }

  restore(s: MarketViewSnapshot): void {
    this.latest.clear();
    this.rings.clear();
    this.macro.clear();
    this.cotRows.clear();
    for (const f of s.features ?? []) if (f && typeof f.symbol === 'string') this.latest.set(f.symbol, f);
    for (const b of s.bars ?? []) {
      const ring = new BarRing(this.historyCapacity, b.intervalMs);
      ring.load(b.columns);
      this.rings.set(b.symbol, ring);
    }
    for (const m of s.series ?? []) this.macro.set(m.id, m);
    for (const c of s.cot ?? []) this.cotRows.set(c.market, c.rows);
  }
}
