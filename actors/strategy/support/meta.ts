/**
 * Meta model: weights each strategy by the recent hit rate of its signals.
 *
 * A directional signal opens a pending call (one per strategy and symbol at a
 * time) at the current price. Once `min(horizon, maxScoreAfterMs)` of market
 * time has passed, the next price for the symbol settles it: a hit when the
 * log return since the call has the signal's sign and exceeds `deadband`, a
 * miss when it has the other sign beyond `deadband`, nothing otherwise.
 * Outcomes feed exponentially decayed hit and call counts (half-life in
 * settled calls), and the hit rate is shrunk toward a coin flip by a
 * Beta(priorHits, priorMisses) prior, so a few lucky calls do not move much:
 *
 *   rate = (hits + priorHits) / (calls + priorHits + priorMisses)
 *   weight = clamp(rate / 0.5, minWeight, maxWeight)
 *
 * A weight of 1 is neutral; the shard multiplies signal confidence by it.
 */

export interface MetaConfig {
  readonly halfLife: number;
  readonly priorHits: number;
  readonly priorMisses: number;
  readonly minWeight: number;
  readonly maxWeight: number;
  /** Longest wait before a call is settled, whatever its horizon. */
  readonly maxScoreAfterMs: number;
  /** |log return| at or below this settles nothing. */
  readonly deadband: number;
}

export const DEFAULT_META_CONFIG: MetaConfig = Object.freeze({
  halfLife: 20,
  priorHits: 2,
  priorMisses: 2,
  minWeight: 0.25,
  maxWeight: 1.5,
  maxScoreAfterMs: Number.MAX_SAFE_INTEGER,
  deadband: 0,
});

interface Pending {
  readonly direction: 1 | -1;
  readonly price: number;
  readonly dueTs: number;
}

interface Record_ {
  hits: number;
  calls: number;
  settled: number;
}

export interface MetaStats {
  readonly hits: number;
  readonly calls: number;
  /** Settled calls in total (undecayed). */
  readonly settled: number;
  readonly rate: number;
  readonly weight: number;
}

export interface MetaSnapshot {
  readonly records: readonly { readonly id: string; readonly hits: number; readonly calls: number; readonly settled: number }[];
  readonly pending: readonly { readonly id: string; readonly symbol: string; readonly direction: 1 | -1; readonly price: number; readonly dueTs: number }[];
}

export class MetaModel {
  readonly cfg: MetaConfig;
  private readonly decay: number;
  private readonly records = new Map<string, Record_>();
  /** symbol -> strategy id -> pending call. */
  private readonly pending = new Map<string, Map<string, Pending>>();

  constructor(cfg: Partial<MetaConfig> = {}) {
    this.cfg = { ...DEFAULT_META_CONFIG, ...cfg };
    this.decay = Math.pow(0.5, 1 / this.cfg.halfLife);
  }

  /**
   * Notes a signal. Flat signals and signals for a (strategy, symbol) that
   * already has an open call are ignored, which keeps the state bounded by
   * strategies x symbols and stops one long call being counted every bar.
   */
  record(strategyId: string, symbol: string, direction: -1 | 0 | 1, price: number, ts: number, horizonMs: number): void {
    if (direction === 0 || !(price > 0) || !Number.isFinite(ts)) return;
    let bySym = this.pending.get(symbol);
    if (!bySym) {
      bySym = new Map();
      this.pending.set(symbol, bySym);
    }
    if (bySym.has(strategyId)) return;
    const wait = Math.min(Math.max(horizonMs, 0), this.cfg.maxScoreAfterMs);
    bySym.set(strategyId, { direction, price, dueTs: ts + wait });
  }

  /** A price for a symbol at market time `ts`: settles the calls that are due. */
  onPrice(symbol: string, price: number, ts: number): void {
    const bySym = this.pending.get(symbol);
    if (!bySym || !(price > 0)) return;
    for (const [id, p] of bySym) {
      if (ts < p.dueTs) continue;
      bySym.delete(id);
      const r = p.direction * Math.log(price / p.price);
      if (Math.abs(r) <= this.cfg.deadband) continue;
      this.settle(id, r > 0);
    }
  }

  private settle(id: string, hit: boolean): void {
    let rec = this.records.get(id);
    if (!rec) {
      rec = { hits: 0, calls: 0, settled: 0 };
      this.records.set(id, rec);
    }
    rec.hits = this.decay * rec.hits + (hit ? 1 : 0);
    rec.calls = this.decay * rec.calls + 1;
    rec.settled++;
  }

  weight(strategyId: string): number {
    return this.stats(strategyId).weight;
  }

  stats(strategyId: string): MetaStats {
    const rec = this.records.get(strategyId) ?? { hits: 0, calls: 0, settled: 0 };
    const { priorHits, priorMisses, minWeight, maxWeight } = this.cfg;
    const rate = (rec.hits + priorHits) / (rec.calls + priorHits + priorMisses);
    const weight = Math.min(maxWeight, Math.max(minWeight, rate / 0.5));
    return { hits: rec.hits, calls: rec.calls, settled: rec.settled, rate, weight };
  }

  /** Open calls in total. */
  get openCalls(): number {
    let n = 0;
    for (const m of this.pending.values()) n += m.size;
    return n;
  }

  snapshot(): MetaSnapshot {
    const records = [...this.records].map(([id, r]) => ({ id, hits: r.hits, calls: r.calls, settled: r.settled }));
    const pending: MetaSnapshot['pending'][number][] = [];
    for (const [symbol, m] of this.pending) for (const [id, p] of m) pending.push({ id, symbol, ...p });
    return { records, pending };
  }

  restore(s: MetaSnapshot): void {
    this.records.clear();
    this.pending.clear();
    for (const r of s.records ?? []) {
      if ([r.hits, r.calls, r.settled].every(Number.isFinite)) this.records.set(r.id, { hits: r.hits, calls: r.calls, settled: r.settled });
    }
    for (const p of s.pending ?? []) {
      if ((p.direction === 1 || p.direction === -1) && p.price > 0 && Number.isFinite(p.dueTs)) {
        let m = this.pending.get(p.symbol);
        if (!m) this.pending.set(p.symbol, (m = new Map()));
        m.set(p.id, { direction: p.direction, price: p.price, dueTs: p.dueTs });
      }
    }
  }
}
