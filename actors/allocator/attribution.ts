/**
 * `PnlAttribution`: realised-and-marked P&L per instrument, shared among the
 * strategies that asked for each position. Pure; used by the live allocator
 * desk and by the research engine's books (one copy of the rule).
 *
 * Rule: an instrument's P&L between two marks is the position held times the
 * move of the mark, plus, for each fill, (mark - price) x signed qty less the
 * fee (spread, slippage, fees). That P&L is shared among the strategies behind
 * the instrument's entry in the posture in force, each by its share of the
 * combined score (`contribution / score`; a strategy that argued against the
 * position gets a negative share). P&L with no posture behind it (a symbol the
 * posture no longer names, a score of zero) goes to `unattributed`.
 *
 * Periods: per-strategy increments accumulate until `takePeriod()`, which
 * returns and resets them and counts the period for the hit rate (share of
 * periods with P&L > 0 among those with |P&L| > 0).
 */
import type { PostureEntry } from './messages.js';

/** The bucket for P&L no strategy stands behind. */
export const UNATTRIBUTED = 'unattributed';

export interface StrategyPnl {
  /** Cumulative attributed P&L, dollars. */
  readonly pnl: number;
  /** Settled periods with P&L > 0 / periods with P&L != 0 (null before any). */
  readonly hitRate: number | null;
  /** Settled periods with non-zero P&L. */
  readonly periods: number;
}

export interface AttributionSnapshot {
  readonly qty: Record<string, number>;
  readonly marks: Record<string, number>;
  readonly shares: Record<string, Record<string, number>>;
  readonly byStrategy: Record<string, number>;
  readonly byInstrument: Record<string, number>;
  readonly period: Record<string, number>;
  readonly wins: Record<string, number>;
  readonly periods: Record<string, number>;
}

type NumMap = Map<string, number>;

export class PnlAttribution {
  private readonly qty: NumMap = new Map();
  private readonly marks: NumMap = new Map();
  private readonly shares = new Map<string, NumMap>();
  private readonly byStrategy: NumMap = new Map();
  private readonly byInstrument: NumMap = new Map();
  private period: NumMap = new Map();
  private readonly wins: NumMap = new Map();
  private readonly periods: NumMap = new Map();

  /** A new mark for `symbol`: the position held earns the move since the last mark. */
  mark(symbol: string, price: number): void {
    if (!Number.isFinite(price) || price <= 0) return;
    const prev = this.marks.get(symbol);
    this.marks.set(symbol, price);
    const q = this.qty.get(symbol) ?? 0;
    if (prev === undefined || q === 0) return;
    this.attribute(symbol, q * (price - prev));
  }

  /**
   * A fill: `signedQty` > 0 bought. Measured against `mark` when given (the
   * research engine's close), else the last mark (live); with no mark at all
   * the fill price becomes the mark (nothing to measure against yet).
   */
  fill(symbol: string, signedQty: number, price: number, fee = 0, mark?: number): void {
    if (!Number.isFinite(signedQty) || !Number.isFinite(price) || signedQty === 0) return;
    const ref = mark ?? this.marks.get(symbol);
    if (ref === undefined) this.marks.set(symbol, price);
    this.qty.set(symbol, (this.qty.get(symbol) ?? 0) + signedQty);
    this.attribute(symbol, (ref === undefined ? 0 : (ref - price) * signedQty) - (Number.isFinite(fee) ? fee : 0));
  }

  /** The posture in force: who stands behind each symbol's position from now on. */
  posture(entries: readonly Pick<PostureEntry, 'symbol' | 'score' | 'contributors'>[]): void {
    const named = new Set<string>();
    for (const e of entries) {
      named.add(e.symbol);
      if (e.score === 0 || e.contributors.length === 0) {
        this.shares.delete(e.symbol);
        continue;
      }
      const m: NumMap = new Map();
      for (const c of e.contributors) if (c.contribution !== 0) m.set(c.strategyId, (m.get(c.strategyId) ?? 0) + c.contribution / e.score);
      this.shares.set(e.symbol, m);
    }
    // A symbol the posture no longer names has no strategy behind it.
    for (const s of [...this.shares.keys()]) if (!named.has(s)) this.shares.delete(s);
  }

  /** Per-strategy P&L since the last call; settles the period for the hit rates. */
  takePeriod(): Record<string, number> {
    const out = sortedRecord(this.period);
    for (const [id, p] of this.period) {
      if (p === 0 || id === UNATTRIBUTED) continue;
      this.periods.set(id, (this.periods.get(id) ?? 0) + 1);
      if (p > 0) this.wins.set(id, (this.wins.get(id) ?? 0) + 1);
    }
    this.period = new Map();
    return out;
  }

  /** Cumulative P&L per strategy id (with `unattributed`), sorted by id. */
  strategyPnl(): Record<string, number> {
    return sortedRecord(this.byStrategy);
  }

  /** Cumulative P&L per symbol, sorted. */
  instrumentPnl(): Record<string, number> {
    return sortedRecord(this.byInstrument);
  }

  /** P&L, hit rate and settled periods per strategy (no `unattributed`). */
  perStrategy(): Record<string, StrategyPnl> {
    const ids = new Set([...this.byStrategy.keys(), ...this.periods.keys()]);
    ids.delete(UNATTRIBUTED);
    const out: Record<string, StrategyPnl> = {};
    for (const id of [...ids].sort()) {
      const n = this.periods.get(id) ?? 0;
      out[id] = { pnl: this.byStrategy.get(id) ?? 0, hitRate: n > 0 ? (this.wins.get(id) ?? 0) / n : null, periods: n };
    }
    return out;
  }

  /** Signed shares held per symbol, as the attribution has it. */
  position(symbol: string): number {
    return this.qty.get(symbol) ?? 0;
  }

  snapshot(): AttributionSnapshot {
    const shares: Record<string, Record<string, number>> = {};
    for (const [s, m] of this.shares) shares[s] = Object.fromEntries(m);
    return {
      qty: Object.fromEntries(this.qty),
      marks: Object.fromEntries(this.marks),
      shares,
      byStrategy: Object.fromEntries(this.byStrategy),
      byInstrument: Object.fromEntries(this.byInstrument),
      period: Object.fromEntries(this.period),
      wins: Object.fromEntries(this.wins),
      periods: Object.fromEntries(this.periods),
    };
  }

  /** Rebuild from a snapshot; throws naming the field that is wrong. */
  static restore(snap: AttributionSnapshot): PnlAttribution {
    const a = new PnlAttribution();
    if (!snap || typeof snap !== 'object') throw new Error('attribution snapshot: not an object');
    const fill = (name: keyof AttributionSnapshot, into: NumMap): void => {
      const rec = snap[name] as unknown;
      if (!rec || typeof rec !== 'object') throw new Error(`attribution snapshot: ${name} not an object`);
      for (const [k, v] of Object.entries(rec)) {
        if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`attribution snapshot: ${name}.${k} not a finite number`);
        into.set(k, v);
      }
    };
    fill('qty', a.qty);
    fill('marks', a.marks);
    fill('byStrategy', a.byStrategy);
    fill('byInstrument', a.byInstrument);
    fill('period', a.period);
    fill('wins', a.wins);
    fill('periods', a.periods);
    if (!snap.shares || typeof snap.shares !== 'object') throw new Error('attribution snapshot: shares not an object');
    for (const [s, rec] of Object.entries(snap.shares)) {
      const m: NumMap = new Map();
      for (const [id, v] of Object.entries(rec ?? {})) {
        if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`attribution snapshot: shares.${s}.${id} not a finite number`);
        m.set(id, v);
      }
      a.shares.set(s, m);
    }
    return a;
  }

  private attribute(symbol: string, pnl: number): void {
    if (pnl === 0 || !Number.isFinite(pnl)) return;
    add(this.byInstrument, symbol, pnl);
    const shares = this.shares.get(symbol);
    if (!shares || shares.size === 0) {
      add(this.byStrategy, UNATTRIBUTED, pnl);
      add(this.period, UNATTRIBUTED, pnl);
      return;
    }
    for (const [id, share] of shares) {
      add(this.byStrategy, id, pnl * share);
      add(this.period, id, pnl * share);
    }
  }
}

function add(m: NumMap, k: string, v: number): void {
  m.set(k, (m.get(k) ?? 0) + v);
}

function sortedRecord(m: NumMap): Record<string, number> {
  return Object.fromEntries([...m.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
