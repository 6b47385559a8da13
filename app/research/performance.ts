/**
 * The performance figures of a back-test, computed as the replay goes: one
 * `mark` per distinct bar time, one `fill` per fill, one `order` per order.
 * Memory does not grow with the history: returns feed running sums
 * (Welford's mean and variance, the downside sum of squares), drawdown keeps
 * the running peak, round trips keep one open position per symbol and the
 * closed trips' sums. Only the equity series is kept, and it is bounded:
 * past `maxSeriesPoints` it is thinned by doubling its stride.
 *
 * Conventions (stated in the result's TSDoc, so a reader can recompute them):
 * - Returns are SIMPLE returns between consecutive marks (`e[i]/e[i-1] - 1`);
 *   the step from `startEquity` to the first mark counts in total return and
 *   drawdown but is not a per-mark return (it has no elapsed time).
 * - Volatility is the sample standard deviation (n-1) of those returns times
 *   sqrt(marks per year), marks per year = returns / elapsed years, where
 *   elapsed is the last mark's time minus the first's and a year is 365.25 days.
 * - Sharpe = mean / std x sqrt(marks per year), risk-free 0. Sortino = mean /
 *   downside deviation x sqrt(marks per year), the downside deviation being
 *   sqrt(sum(min(r, 0)^2) / n) (target 0, over every return).
 * - Annual return = (end / start)^(year / elapsed) - 1 (-1 once equity is gone).
 * - Calmar = annual return / max drawdown.
 * - Drawdown is measured from the running peak, which starts at `startEquity`.
 * - Round trips: per symbol an average-cost position; a trip closes when the
 *   position returns to flat or reverses (the reversing fill's fee is split
 *   between the trip it closes and the one it opens, by quantity). A trip's
 *   P&L is its realised P&L minus its fees. `avgLoss` is negative.
 */
import type { EquityPoint, Fill, Summary } from './types.js';

/** 365.25 days, ms. */
export const YEAR_MS = 365.25 * 24 * 3600 * 1000;

/** Below this a standard deviation is taken as zero (float noise on a flat or geometric series). */
const ZERO_STD = 1e-12;
/** A position smaller than this (in shares) is flat: fractional quantities leave float dust. */
const FLAT_QTY = 1e-9;

export interface PerformanceOptions {
  /** Equity before the first bar (the starting cash). */
  readonly startEquity: number;
  /** Most points `series()` returns (at least 3: the first, the deepest drawdown and the last). */
  readonly maxSeriesPoints: number;
}

interface OpenTrip {
  /** Signed shares (long > 0). */
  qty: number;
  avgPrice: number;
  /** Realised P&L so far, minus the fees paid so far, of this trip. */
  pnl: number;
}

/** Streams marks and fills into a run's headline figures and a bounded equity series. */
export class PerformanceTracker {
  private readonly startEquity: number;
  private readonly capacity: number;

  private marks = 0;
  private firstTs = 0;
  private lastTs = 0;
  private lastEquity: number;
  private equitySum = 0;
  private grossSum = 0;

  // Welford over per-mark simple returns, plus the downside sum of squares.
  private nRet = 0;
  private meanRet = 0;
  private m2Ret = 0;
  private downSq = 0;

  private peak: number;
  private peakTs = 0;
  private maxDd = 0;
  private underwaterSince: number | null = null;
  private maxDdDuration = 0;

  private notional = 0;
  private fees = 0;
  private slippage = 0;
  private orders = 0;
  private fills = 0;
  private readonly open = new Map<string, OpenTrip>();
  private trips = 0;
  private wins = 0;
  private winSum = 0;
  private losses = 0;
  private lossSum = 0;

  // The series: points at mark indices that are multiples of `stride`, plus the deepest point and the last.
  private stride = 1;
  private kept: EquityPoint[] = [];
  private trough: EquityPoint | null = null;
  private last: EquityPoint | null = null;

  constructor(opts: PerformanceOptions) {
    if (!Number.isFinite(opts.startEquity) || opts.startEquity <= 0) throw new RangeError(`startEquity must be a positive number; got ${opts.startEquity}`);
    if (!Number.isInteger(opts.maxSeriesPoints) || opts.maxSeriesPoints < 3) throw new RangeError(`maxSeriesPoints must be an integer >= 3; got ${opts.maxSeriesPoints}`);
    this.startEquity = opts.startEquity;
    this.capacity = opts.maxSeriesPoints - 2;
    this.lastEquity = opts.startEquity;
    this.peak = opts.startEquity;
  }

  /** Counts an order submitted (filled or not). */
  order(): void {
    this.orders++;
  }

  /** Marks equity and exposure (fractions of equity) at a bar time; once per distinct time, in time order. */
  mark(ts: number, equity: number, gross: number, net: number): void {
    if (!Number.isFinite(ts) || !Number.isFinite(equity)) throw new RangeError(`mark needs a finite time and equity; got ts ${ts}, equity ${equity}`);
    if (this.marks > 0 && ts <= this.lastTs) throw new RangeError(`marks must come in increasing time order: ${ts} after ${this.lastTs}`);
    if (this.marks === 0) {
      this.firstTs = ts;
      this.peakTs = ts;
    } else if (this.lastEquity > 0) {
      const r = equity / this.lastEquity - 1;
      this.nRet++;
      const d = r - this.meanRet;
      this.meanRet += d / this.nRet;
      this.m2Ret += d * (r - this.meanRet);
      if (r < 0) this.downSq += r * r;
    }
    this.marks++;
    this.lastTs = ts;
    this.lastEquity = equity;
    this.equitySum += equity;
    this.grossSum += gross;

    // The peak's time is when equity last stood at it; time under water runs from there to recovery.
    if (equity >= this.peak) {
      if (this.underwaterSince !== null) this.maxDdDuration = Math.max(this.maxDdDuration, ts - this.underwaterSince);
      this.underwaterSince = null;
      this.peak = equity;
      this.peakTs = ts;
    } else {
      if (this.underwaterSince === null) this.underwaterSince = this.peakTs;
      this.maxDdDuration = Math.max(this.maxDdDuration, ts - this.underwaterSince);
    }
    const drawdown = this.peak > 0 ? Math.max(0, 1 - equity / this.peak) : 0;
    const point: EquityPoint = { ts, equity, drawdown, gross, net };
    if (drawdown > this.maxDd) {
      this.maxDd = drawdown;
      this.trough = point;
    }
    this.last = point;
    this.keep(point);
  }

  /** Accounts one fill: notional, fees, slippage and the symbol's round trip. */
  fill(f: Fill): void {
    if (!(f.qty > 0) || !Number.isFinite(f.price)) throw new RangeError(`fill ${f.orderId} needs a positive quantity and a finite price; got qty ${f.qty}, price ${f.price}`);
    this.fills++;
    this.notional += Math.abs(f.qty * f.price);
    this.fees += f.fee;
    this.slippage += f.slippage;

    const q = f.side === 'buy' ? f.qty : -f.qty;
    const pos = this.open.get(f.symbol);
    if (!pos) {
      this.open.set(f.symbol, { qty: q, avgPrice: f.price, pnl: -f.fee });
      return;
    }
    if (Math.sign(q) === Math.sign(pos.qty)) {
      const total = Math.abs(pos.qty) + f.qty;
      pos.avgPrice = (pos.avgPrice * Math.abs(pos.qty) + f.price * f.qty) / total;
      pos.qty += q;
      pos.pnl -= f.fee;
      return;
    }
    const closing = Math.min(f.qty, Math.abs(pos.qty));
    pos.pnl += closing * (f.price - pos.avgPrice) * Math.sign(pos.qty);
    const rest = f.qty - closing;
    if (rest <= FLAT_QTY * Math.max(1, f.qty)) {
      pos.qty += q;
      pos.pnl -= f.fee;
      if (Math.abs(pos.qty) <= FLAT_QTY * Math.max(1, f.qty)) {
        this.closeTrip(pos.pnl);
        this.open.delete(f.symbol);
      }
      return;
    }
    // Reversal: close this trip with its share of the fee, open the next with the rest.
    const closeFee = (f.fee * closing) / f.qty;
    this.closeTrip(pos.pnl - closeFee);
    this.open.set(f.symbol, { qty: Math.sign(q) * rest, avgPrice: f.price, pnl: -(f.fee - closeFee) });
  }

  /** The headline figures so far. */
  summary(): Summary {
    const end = this.marks > 0 ? this.lastEquity : this.startEquity;
    const elapsed = this.lastTs - this.firstTs;
    const years = elapsed / YEAR_MS;
    const ratio = end / this.startEquity;
    const annualReturn = this.marks >= 2 && elapsed > 0 ? (ratio > 0 ? ratio ** (1 / years) - 1 : -1) : null;
    const perYear = this.marks >= 2 && elapsed > 0 ? this.nRet / years : 0;
    const std = this.nRet >= 2 ? Math.sqrt(this.m2Ret / (this.nRet - 1)) : null;
    const volatility = std === null || perYear === 0 ? null : std * Math.sqrt(perYear);
    const sharpe = std === null || std < ZERO_STD || perYear === 0 ? null : (this.meanRet / std) * Math.sqrt(perYear);
    const downDev = this.nRet >= 2 ? Math.sqrt(this.downSq / this.nRet) : null;
    const sortino = downDev === null || downDev < ZERO_STD || perYear === 0 ? null : (this.meanRet / downDev) * Math.sqrt(perYear);
    const calmar = annualReturn === null || this.maxDd === 0 ? null : annualReturn / this.maxDd;
    const avgEquity = this.marks > 0 ? this.equitySum / this.marks : this.startEquity;
    return {
      startEquity: this.startEquity,
      endEquity: end,
      totalReturn: ratio - 1,
      annualReturn,
      volatility,
      sharpe,
      sortino,
      calmar,
      maxDrawdown: this.maxDd,
      maxDrawdownDurationMs: this.maxDdDuration,
      turnover: avgEquity > 0 ? this.notional / avgEquity : 0,
      fees: this.fees,
      slippage: this.slippage,
      avgGross: this.marks > 0 ? this.grossSum / this.marks : 0,
      hitRate: this.trips > 0 ? this.wins / this.trips : null,
      avgWin: this.wins > 0 ? this.winSum / this.wins : null,
      avgLoss: this.losses > 0 ? this.lossSum / this.losses : null,
      trades: this.trips,
      orders: this.orders,
      fills: this.fills,
    };
  }

  /**
   * The equity series, at most `maxSeriesPoints` long, in time order: every
   * `stride`-th mark from the first, the deepest drawdown's mark and the last
   * mark. Each point's drawdown is from the exact running peak at its time,
   * not from the peak among the points kept.
   */
  series(): EquityPoint[] {
    const out = this.kept.slice();
    for (const p of [this.trough, this.last]) {
      if (p === null || out.some((q) => q.ts === p.ts)) continue;
      let i = out.length;
      while (i > 0 && out[i - 1].ts > p.ts) i--;
      out.splice(i, 0, p);
    }
    return out;
  }

  private keep(p: EquityPoint): void {
    const index = this.marks - 1;
    if (index % this.stride !== 0) return;
    this.kept.push(p);
    if (this.kept.length > this.capacity) {
      // Indices kept are 0, s, 2s, ...: every other one is a multiple of 2s.
      this.kept = this.kept.filter((_, i) => i % 2 === 0);
      this.stride *= 2;
    }
  }

  private closeTrip(pnl: number): void {
    this.trips++;
    if (pnl > 0) {
      this.wins++;
      this.winSum += pnl;
    } else if (pnl < 0) {
      this.losses++;
      this.lossSum += pnl;
    }
  }
}
