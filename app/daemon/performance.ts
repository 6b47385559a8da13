/**
 * The book's performance over time, for the terminal's charts: equity and
 * drawdown, gross and net exposure, P&L per UTC day, each instrument's
 * price with the fills on it, and the closed trades (FIFO round trips with
 * their P&L and holding time), summed per instrument.
 *
 * Bounded whatever the uptime: a series that reaches `maxPoints` keeps every
 * other point and samples half as often from then on, so it always spans
 * the whole run at a resolution that coarsens with age. Trades, fills per
 * instrument and days are capped (oldest dropped).
 *
 * Pure and clock-free (every call passes `now`), with a JSON snapshot the
 * daemon saves beside the journal and restores at start, so a restart does
 * not wipe the curve.
 */

export interface PerfPoint {
  /** Epoch ms. */
  readonly t: number;
  /** Dollars. */
  readonly equity: number;
  /** Below the running peak, a fraction (0.02 = 2 %). */
  readonly drawdown: number;
  /** Multiples of equity (null before positions are known). */
  readonly grossRatio: number | null;
  readonly netRatio: number | null;
}

export interface PricePoint {
  readonly t: number;
  readonly price: number;
}

export interface FillMark {
  readonly t: number;
  readonly side: 'buy' | 'sell';
  readonly qty: number;
  readonly price: number;
}

export interface ClosedTrade {
  readonly symbol: string;
  /** The position the trade closed. */
  readonly side: 'long' | 'short';
  /** Shares closed. */
  readonly qty: number;
  /** Dollars per share (quantity-weighted over the lots it closed). */
  readonly entryPrice: number;
  readonly exitPrice: number;
  /** Epoch ms of the oldest lot it closed, and of the closing fill. */
  readonly entryAt: number;
  readonly exitAt: number;
  /** Dollars. */
  readonly pnl: number;
  /** P&L over the entry notional, a fraction. */
  readonly returnFrac: number;
  readonly holdingMs: number;
}

export interface InstrumentPerformance {
  readonly symbol: string;
  readonly trades: number;
  readonly wins: number;
  /** Wins over trades, a fraction; null without trades. */
  readonly winRate: number | null;
  /** Dollars, from closed trades. */
  readonly realizedPnl: number;
  readonly avgHoldingMs: number | null;
}

export interface DayPnl {
  /** UTC date, YYYY-MM-DD. */
  readonly day: string;
  /** Equity at the day's last sample less the previous day's last (or the day's first), dollars. */
  readonly pnl: number;
  readonly endEquity: number;
}

interface Lot {
  qty: number;
  readonly price: number;
  readonly at: number;
}

export interface PerformanceOptions {
  /** Starting sample spacing. Default 10 s. */
  readonly sampleEveryMs?: number;
  /** Points per series before it coarsens. Default 1440. */
  readonly maxPoints?: number;
  /** Price points per instrument before it coarsens. Default 240. */
  readonly maxPricePoints?: number;
  /** Closed trades kept. Default 500. */
  readonly maxTrades?: number;
  /** Fill marks kept per instrument. Default 100. */
  readonly maxMarks?: number;
  /** Days of P&L kept. Default 366. */
  readonly maxDays?: number;
}

export interface PerformanceSnapshot {
  readonly v: 1;
  readonly peak: number | null;
  readonly everyMs: number;
  readonly points: readonly PerfPoint[];
  readonly priceEveryMs: number;
  readonly prices: Readonly<Record<string, readonly PricePoint[]>>;
  readonly marks: Readonly<Record<string, readonly FillMark[]>>;
  readonly lots: Readonly<Record<string, readonly Lot[]>>;
  readonly trades: readonly ClosedTrade[];
  readonly days: readonly DayPnl[];
  readonly seenExecutions: readonly string[];
}

const dayOf = (t: number): string => new Date(t).toISOString().slice(0, 10);
const EPS = 1e-9;

export class PerformanceTracker {
  private peak: number | null = null;
  private everyMs: number;
  private points: PerfPoint[] = [];
  private priceEveryMs: number;
  private lastPriceAt = -Infinity;
  private prices = new Map<string, PricePoint[]>();
  private marks = new Map<string, FillMark[]>();
  private lots = new Map<string, Lot[]>();
  private trades: ClosedTrade[] = [];
  private days: DayPnl[] = [];
  /** Execution ids applied (a replayed fill after a reconnect is not counted twice); bounded. */
  private seen = new Set<string>();
  private readonly o: Required<PerformanceOptions>;
  /** Bumps on every change, so the caller puts the section only when it moved. */
  version = 0;
  /** Fills applied (the caller saves soon after one: a closed trade should not wait for the periodic save). */
  fills = 0;
  /** Set by `restore`: the lots are checked once against the broker's positions (fills may have come after the snapshot). */
  private unaligned = false;

  constructor(options: PerformanceOptions = {}) {
    this.o = { sampleEveryMs: 10_000, maxPoints: 1440, maxPricePoints: 240, maxTrades: 500, maxMarks: 100, maxDays: 366, ...options };
    this.everyMs = this.o.sampleEveryMs;
    this.priceEveryMs = this.o.sampleEveryMs;
  }

  /** One reading of the account and book: sampled when the spacing has passed (the first always). */
  onEquity(now: number, equity: number, grossRatio: number | null, netRatio: number | null): void {
    if (!(equity > 0) || !Number.isFinite(equity)) return;
    this.peak = this.peak === null ? equity : Math.max(this.peak, equity);
    this.recordDay(now, equity);
    const last = this.points[this.points.length - 1];
    if (last && now - last.t < this.everyMs) return;
    this.points.push({ t: now, equity, drawdown: this.peak > 0 ? 1 - equity / this.peak : 0, grossRatio, netRatio });
    if (this.points.length > this.o.maxPoints) {
      this.points = this.points.filter((_p, i) => i % 2 === 1 || i === this.points.length - 1);
      this.everyMs *= 2;
    }
    this.version++;
  }

  /** Last prices per instrument, sampled together at the price spacing. */
  onPrices(now: number, prices: ReadonlyMap<string, number | null>): void {
    if (now - this.lastPriceAt < this.priceEveryMs) return;
    this.lastPriceAt = now;
    let coarsen = false;
    for (const [symbol, price] of prices) {
      if (price === null || !(price > 0)) continue;
      let s = this.prices.get(symbol);
      if (!s) this.prices.set(symbol, (s = []));
      s.push({ t: now, price });
      if (s.length > this.o.maxPricePoints) coarsen = true;
    }
    if (coarsen) {
      for (const [symbol, s] of this.prices) this.prices.set(symbol, s.filter((_p, i) => i % 2 === 1 || i === s.length - 1));
      this.priceEveryMs *= 2;
    }
    this.version++;
  }

  /** A fill: marks the price chart, and closes lots of the opposite side first in, first out. */
  onFill(f: { readonly executionId: string; readonly symbol: string; readonly side: 'buy' | 'sell'; readonly qty: number; readonly price: number; readonly ts: number }): void {
    if (!(f.qty > 0) || !(f.price > 0) || this.seen.has(f.executionId)) return;
    this.seen.add(f.executionId);
    this.fills++;
    if (this.seen.size > 5000) this.seen = new Set([...this.seen].slice(-2500));
    let marks = this.marks.get(f.symbol);
    if (!marks) this.marks.set(f.symbol, (marks = []));
    marks.push({ t: f.ts, side: f.side, qty: f.qty, price: f.price });
    if (marks.length > this.o.maxMarks) marks.shift();

    const sign = f.side === 'buy' ? 1 : -1;
    let lots = this.lots.get(f.symbol);
    if (!lots) this.lots.set(f.symbol, (lots = []));
    let left = f.qty;
    let closed = 0;
    let entryNotional = 0;
    let entryAt = Infinity;
    while (left > EPS && lots.length > 0 && Math.sign(lots[0].qty) === -sign) {
      const lot = lots[0];
      const m = Math.min(left, Math.abs(lot.qty));
      closed += m;
      entryNotional += m * lot.price;
      entryAt = Math.min(entryAt, lot.at);
      lot.qty += sign * m;
      left -= m;
      if (Math.abs(lot.qty) <= EPS) lots.shift();
    }
    if (closed > EPS) {
      const entryPrice = entryNotional / closed;
      // A buy closes a short, a sell a long.
      const side = sign > 0 ? 'short' : 'long';
      const pnl = side === 'long' ? (f.price - entryPrice) * closed : (entryPrice - f.price) * closed;
      this.trades.push({ symbol: f.symbol, side, qty: closed, entryPrice, exitPrice: f.price, entryAt, exitAt: f.ts, pnl, returnFrac: pnl / entryNotional, holdingMs: Math.max(0, f.ts - entryAt) });
      if (this.trades.length > this.o.maxTrades) this.trades.shift();
    }
    if (left > EPS) lots.push({ qty: sign * left, price: f.price, at: f.ts });
    this.version++;
  }

  /**
   * After a restore, once: where the restored lots disagree with the
   * broker's position, the position replaces them as one lot at its average
   * price (holding time counts from now). Returns the symbols realigned.
   */
  alignOnce(now: number, positions: readonly { readonly symbol: string; readonly qty: number; readonly avgPrice: number }[]): string[] {
    if (!this.unaligned) return [];
    this.unaligned = false;
    const held = new Map(positions.map((p) => [p.symbol, p]));
    const fixed: string[] = [];
    for (const symbol of new Set([...this.lots.keys(), ...held.keys()])) {
      const p = held.get(symbol);
      const qty = p?.qty ?? 0;
      const lotQty = (this.lots.get(symbol) ?? []).reduce((a, l) => a + l.qty, 0);
      if (Math.abs(lotQty - qty) <= EPS) continue;
      this.lots.set(symbol, qty === 0 || !p ? [] : [{ qty, price: p.avgPrice, at: now }]);
      fixed.push(symbol);
    }
    if (fixed.length > 0) this.version++;
    return fixed;
  }

  private recordDay(now: number, equity: number): void {
    const day = dayOf(now);
    const last = this.days[this.days.length - 1];
    if (last && last.day === day) {
      const prevEnd = this.days.length > 1 ? this.days[this.days.length - 2].endEquity : last.endEquity - last.pnl;
      this.days[this.days.length - 1] = { day, pnl: equity - prevEnd, endEquity: equity };
    } else {
      // The first reading of a day: its P&L runs from the previous day's close (or from here).
      this.days.push({ day, pnl: last ? equity - last.endEquity : 0, endEquity: equity });
      if (this.days.length > this.o.maxDays) this.days.shift();
    }
  }

  /** Closed trades summed per instrument, best P&L first. */
  byInstrument(): InstrumentPerformance[] {
    const by = new Map<string, ClosedTrade[]>();
    for (const t of this.trades) (by.get(t.symbol) ?? by.set(t.symbol, []).get(t.symbol)!).push(t);
    return [...by].map(([symbol, ts]) => {
      const wins = ts.filter((t) => t.pnl > 0).length;
      return { symbol, trades: ts.length, wins, winRate: ts.length > 0 ? wins / ts.length : null, realizedPnl: ts.reduce((a, t) => a + t.pnl, 0), avgHoldingMs: ts.length > 0 ? ts.reduce((a, t) => a + t.holdingMs, 0) / ts.length : null };
    }).sort((a, b) => b.realizedPnl - a.realizedPnl);
  }

  /** The section the terminal draws from. */
  section(): Record<string, unknown> {
    const last = this.points[this.points.length - 1];
    const maxDrawdown = this.points.reduce((a, p) => Math.max(a, p.drawdown), 0);
    const wins = this.trades.filter((t) => t.pnl > 0).length;
    return {
      equity: last?.equity ?? null,
      peak: this.peak,
      drawdown: last?.drawdown ?? null,
      maxDrawdown: this.points.length > 0 ? maxDrawdown : null,
      sampleEveryMs: this.everyMs,
      points: this.points,
      days: this.days,
      trades: [...this.trades].reverse(),
      closed: { trades: this.trades.length, wins, winRate: this.trades.length > 0 ? wins / this.trades.length : null, realizedPnl: this.trades.reduce((a, t) => a + t.pnl, 0) },
      byInstrument: this.byInstrument(),
      prices: Object.fromEntries(this.prices),
      marks: Object.fromEntries(this.marks),
      units: { equity: 'usd', drawdown: 'fraction', grossRatio: 'x_equity', netRatio: 'x_equity', pnl: 'usd', returnFrac: 'fraction', holdingMs: 'ms', t: 'epoch_ms' },
    };
  }

  snapshot(): PerformanceSnapshot {
    return {
      v: 1,
      peak: this.peak,
      everyMs: this.everyMs,
      points: this.points,
      priceEveryMs: this.priceEveryMs,
      prices: Object.fromEntries(this.prices),
      marks: Object.fromEntries(this.marks),
      lots: Object.fromEntries([...this.lots].map(([k, ls]) => [k, ls.map((l) => ({ ...l }))])),
      trades: this.trades,
      days: this.days,
      seenExecutions: [...this.seen],
    };
  }

  /** A tracker carrying on from a snapshot; throws with the reason when it is not one. */
  static restore(raw: unknown, options: PerformanceOptions = {}): PerformanceTracker {
    const s = raw as Partial<PerformanceSnapshot> | null;
    if (!s || typeof s !== 'object' || s.v !== 1) throw new Error('not a performance snapshot (v 1)');
    if (!Array.isArray(s.points) || !Array.isArray(s.trades) || !Array.isArray(s.days) || typeof s.everyMs !== 'number' || !(s.everyMs > 0)) throw new Error('performance snapshot is missing points, trades, days or its spacing');
    const p = new PerformanceTracker(options);
    p.peak = typeof s.peak === 'number' ? s.peak : null;
    p.everyMs = s.everyMs;
    p.priceEveryMs = typeof s.priceEveryMs === 'number' && s.priceEveryMs > 0 ? s.priceEveryMs : p.priceEveryMs;
    p.points = [...s.points];
    p.prices = new Map(Object.entries(s.prices ?? {}).map(([k, v]) => [k, [...v]]));
    p.marks = new Map(Object.entries(s.marks ?? {}).map(([k, v]) => [k, [...v]]));
    p.lots = new Map(Object.entries(s.lots ?? {}).map(([k, v]) => [k, v.map((l) => ({ ...l }))]));
    p.trades = [...s.trades];
    p.days = [...s.days];
    p.seen = new Set(s.seenExecutions ?? []);
    p.lastPriceAt = Math.max(-Infinity, ...[...p.prices.values()].map((x) => x[x.length - 1]?.t ?? -Infinity));
    p.unaligned = true;
    return p;
  }
}
