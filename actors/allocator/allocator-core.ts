/**
 * The allocator's state and its one decision, `rebalance(now)`. The actor
 * shell feeds it strategy signals, feed features and broker positions, and on
 * its rebalance timer publishes the returned posture and intents.
 */

import { ConfigError } from '../../src/errors.js';
import type { Signal } from '../strategy/signal.js';
import { combineSignals, isExpired, validateSignal, DEFAULT_COMBINE_CONFIG, type CombineConfig } from './combine.js';
import { sizeWeights, DEFAULT_SIZING_CONFIG, type SizedWeight, type SizingConfig } from './sizing.js';
import { planIntents, DEFAULT_INTENT_CONFIG, type IntentConfig, type IntentPlan } from './intents.js';
import type { AllocatorIntentsMsg, AllocatorPostureMsg, PostureEntry } from './messages.js';

export interface AllocatorConfig {
  readonly combine: CombineConfig;
  readonly sizing: SizingConfig;
  readonly intents: IntentConfig;
}

export const DEFAULT_ALLOCATOR_CONFIG: AllocatorConfig = Object.freeze({
  combine: DEFAULT_COMBINE_CONFIG,
  sizing: DEFAULT_SIZING_CONFIG,
  intents: DEFAULT_INTENT_CONFIG,
});

/** Overrides per section; anything missing takes its default. */
export interface AllocatorConfigInput {
  readonly combine?: Partial<CombineConfig>;
  readonly sizing?: Partial<SizingConfig>;
  readonly intents?: Partial<IntentConfig>;
}

/**
 * Merge overrides onto the defaults and validate once, collecting every
 * violation (each named by its option path) into one ConfigError.
 */
export function resolveAllocatorConfig(input: AllocatorConfigInput = {}): AllocatorConfig {
  const cfg: AllocatorConfig = {
    combine: { ...DEFAULT_COMBINE_CONFIG, ...input.combine },
    sizing: { ...DEFAULT_SIZING_CONFIG, ...input.sizing },
    intents: { ...DEFAULT_INTENT_CONFIG, ...input.intents },
  };
  const v: string[] = [];
  const nonNeg = (path: string, x: number): void => {
    if (!(x >= 0) || !Number.isFinite(x)) v.push(`${path} must be a finite number >= 0 (got ${x})`);
  };
  const pos = (path: string, x: number): void => {
    if (!(x > 0) || !Number.isFinite(x)) v.push(`${path} must be a finite number > 0 (got ${x})`);
  };
  nonNeg('allocator.combine.flatPrior', cfg.combine.flatPrior);
  pos('allocator.sizing.targetVol', cfg.sizing.targetVol);
  pos('allocator.sizing.minVol', cfg.sizing.minVol);
  pos('allocator.sizing.maxWeight', cfg.sizing.maxWeight);
  pos('allocator.sizing.grossCap', cfg.sizing.grossCap);
  nonNeg('allocator.sizing.netCap', cfg.sizing.netCap);
  nonNeg('allocator.intents.minTradeNotional', cfg.intents.minTradeNotional);
  nonNeg('allocator.intents.noTradeBand', cfg.intents.noTradeBand);
  nonNeg('allocator.intents.hysteresis', cfg.intents.hysteresis);
  pos('allocator.intents.maxTurnover', cfg.intents.maxTurnover);
  nonNeg('allocator.intents.limitOffsetBps', cfg.intents.limitOffsetBps);
  const timeout = cfg.intents.limitTimeoutMs;
  if (!(typeof timeout === 'number' && timeout >= 0 && Number.isFinite(timeout))) v.push(`allocator.intents.limitTimeoutMs must be a finite number of ms >= 0 (0: a limit order never turns into a market order; got ${timeout})`);
  if (cfg.intents.orderType !== 'market' && cfg.intents.orderType !== 'limit') v.push(`allocator.intents.orderType must be 'market' or 'limit'`);
  if (v.length > 0) throw new ConfigError(v);
  return cfg;
}

/** What the allocator reads from a `feed.features` message (a structural subset). */
export interface FeaturesInput {
  readonly symbol: string;
  /** Last trade price. */
  readonly price: number;
  /** Annualised realised volatility. */
  readonly vol: number;
  readonly ts: number;
}

export interface PositionInput {
  readonly symbol: string;
  /** Signed shares. */
  readonly qty: number;
}

export type Accepted = { readonly accepted: true } | { readonly accepted: false; readonly reason: string };

export interface AllocatorSnapshot {
  readonly seq: number;
  readonly signals: readonly Signal[];
  readonly weights: Readonly<Record<string, number>>;
  /** Target weights last committed to (hysteresis reference); absent in records written before it existed. */
  readonly targets?: Readonly<Record<string, number>>;
}

export interface RebalanceResult {
  readonly posture: AllocatorPostureMsg;
  readonly intents: AllocatorIntentsMsg;
}

/**
 * Holds the latest signal per (strategy, symbol), the latest price and vol per
 * symbol, the broker's positions and equity, and the meta-model weights.
 * Deterministic: same calls in the same order give the same output.
 */
export class AllocatorCore {
  private readonly config: AllocatorConfig;
  private readonly signals = new Map<string, Signal>();
  private readonly prices = new Map<string, number>();
  private readonly vols = new Map<string, number>();
  private positions = new Map<string, number>();
  private equity = 0;
  private positionsKnown = false;
  private strategyWeights: Record<string, number> = {};
  /** The targets of the last rebalance (non-zero only): what the hysteresis holds to. */
  private committed = new Map<string, number>();
  private seqNo: number;
  private readonly rejected = new Map<string, number>();

  /**
   * @param initialSeq first posture sequence minus one. Intent ids embed the
   *   sequence, so a restarted allocator must resume past the last one it used
   *   (restore a snapshot, or pass e.g. the highest seq the broker journaled):
   *   the broker refuses an intent id it has already seen.
   */
  constructor(config: AllocatorConfigInput = {}, initialSeq = 0) {
    this.config = resolveAllocatorConfig(config);
    this.seqNo = initialSeq;
  }

  get seq(): number {
    return this.seqNo;
  }

  /** Accept a strategy signal, replacing an older one of the same strategy and symbol. */
  onSignal(sig: Signal, now: number): Accepted {
    const bad = validateSignal(sig);
    if (bad) return this.reject('invalid_signal', bad);
    if (isExpired(sig, now)) return this.reject('expired_signal', `${sig.strategyId}/${sig.symbol} expired on arrival`);
    const key = `${sig.symbol}\u0000${sig.strategyId}`;
    const prev = this.signals.get(key);
    if (prev && prev.ts > sig.ts) return this.reject('out_of_order_signal', `${sig.strategyId}/${sig.symbol} older than the one held`);
    this.signals.set(key, sig);
    return { accepted: true };
  }

  /** Take price and volatility from a feed features update. */
  onFeatures(f: FeaturesInput): Accepted {
    if (!(f.price > 0) || !Number.isFinite(f.price)) return this.reject('invalid_features', `${f.symbol} price ${f.price}`);
    this.prices.set(f.symbol, f.price);
    if (f.vol > 0 && Number.isFinite(f.vol)) this.vols.set(f.symbol, f.vol);
    return { accepted: true };
  }

  /** Whether a usable volatility is known for `symbol` (without one its weight sizes to zero). */
  hasVol(symbol: string): boolean {
    return this.vols.has(symbol);
  }

  /** Replace the book with the broker's positions and equity. */
  onPositions(positions: readonly PositionInput[], equity: number): Accepted {
    if (!Number.isFinite(equity)) return this.reject('invalid_positions', `equity ${equity}`);
    const next = new Map<string, number>();
    for (const p of positions) {
      if (!Number.isInteger(p.qty)) return this.reject('invalid_positions', `${p.symbol} qty ${p.qty} not whole shares`);
      if (p.qty !== 0) next.set(p.symbol, p.qty);
    }
    this.positions = next;
    this.equity = equity;
    this.positionsKnown = true;
    return { accepted: true };
  }

  /** Meta-model weights per strategy id (missing ids weigh 1, 0 silences a strategy). */
  setStrategyWeights(weights: Readonly<Record<string, number>>): void {
    this.strategyWeights = { ...weights };
  }

  /** Rejections so far, by reason. */
  rejections(): Record<string, number> {
    return Object.fromEntries([...this.rejected.entries()].sort());
  }

  /**
   * Combine, size and plan. Always advances the posture sequence. Until the
   * first `onPositions` the book is unknown, so no intents are produced.
   */
  rebalance(now: number): RebalanceResult {
    for (const [k, s] of this.signals) if (isExpired(s, now)) this.signals.delete(k);
    const seq = ++this.seqNo;
    const scores = combineSignals(this.signals.values(), now, this.strategyWeights, this.config.combine);
    const sized = sizeWeights(scores.values(), this.vols, this.config.sizing);

    const { final, held } = this.hold(sized.weights);

    const weights: Record<string, number> = {};
    const entries: PostureEntry[] = [];
    const targets = new Map<string, number>();
    let gross = 0;
    let net = 0;
    for (const w of sized.weights) {
      const sc = scores.get(w.symbol)!;
      const weight = final.get(w.symbol) ?? w.weight;
      weights[w.symbol] = weight;
      targets.set(w.symbol, weight);
      gross += Math.abs(weight);
      net += weight;
      entries.push({
        symbol: w.symbol,
        score: w.score,
        evidence: sc.evidence,
        vol: w.vol,
        weight,
        limitedBy: held.has(w.symbol) ? [...w.limitedBy, 'hysteresis'] : w.limitedBy,
        contributors: sc.contributors,
      });
    }
    const posture: AllocatorPostureMsg = {
      type: 'allocator.posture',
      seq,
      ts: now,
      equity: this.equity,
      weights,
      entries,
      gross: held.size > 0 ? gross : sized.gross,
      net: held.size > 0 ? net : sized.net,
      netScale: sized.netScale,
      grossScale: sized.grossScale,
    };

    let plan: IntentPlan;
    if (!this.positionsKnown) {
      plan = { intents: [], skipped: [...targets.keys()].map((symbol) => ({ symbol, reason: 'no_positions' })), turnover: 0, reducingScale: 1, increasingScale: 1 };
    } else {
      plan = planIntents({ targets, equity: this.equity, prices: this.prices, positions: this.positions, seq, now }, this.config.intents);
    }
    const intents: AllocatorIntentsMsg = { type: 'allocator.intents', seq, ts: now, intents: plan.intents, skipped: plan.skipped, turnover: plan.turnover };
    return { posture, intents };
  }

  snapshot(): AllocatorSnapshot {
    return { seq: this.seqNo, signals: [...this.signals.values()], weights: { ...this.strategyWeights }, targets: Object.fromEntries(this.committed) };
  }

  /** The committed targets (non-zero), by symbol. */
  committedTargets(): Record<string, number> {
    return Object.fromEntries(this.committed);
  }

  /** Resume from a snapshot: sequence, live signals and meta weights (prices and positions come back from their sources). */
  static restore(snap: AllocatorSnapshot, config: AllocatorConfigInput = {}): AllocatorCore {
    const core = new AllocatorCore(config, snap.seq);
    for (const s of snap.signals) core.signals.set(`${s.symbol}\u0000${s.strategyId}`, s);
    core.strategyWeights = { ...snap.weights };
    for (const [symbol, w] of Object.entries(snap.targets ?? {})) if (typeof w === 'number' && Number.isFinite(w) && w !== 0) core.committed.set(symbol, w);
    return core;
  }

  /**
   * Target hysteresis: a fresh target within `hysteresis` of the committed
   * one, on the same side, keeps the committed one. A move to zero or across
   * zero always goes through (a closed view must close), and so do all the
   * fresh targets when holding some would break the gross or net cap the
   * sizing just enforced. Commits the result.
   */
  private hold(sized: readonly SizedWeight[]): { final: Map<string, number>; held: Set<string> } {
    const h = this.config.intents.hysteresis;
    const final = new Map<string, number>();
    const held = new Set<string>();
    for (const w of sized) {
      const prev = this.committed.get(w.symbol);
      const keep = h > 0 && prev !== undefined && w.weight !== 0 && Math.sign(prev) === Math.sign(w.weight) && Math.abs(w.weight - prev) < h;
      final.set(w.symbol, keep ? prev : w.weight);
      if (keep && prev !== w.weight) held.add(w.symbol);
    }
    if (held.size > 0) {
      let gross = 0;
      let net = 0;
      for (const x of final.values()) {
        gross += Math.abs(x);
        net += x;
      }
      const { grossCap, netCap } = this.config.sizing;
      if (gross > grossCap + 1e-12 || Math.abs(net) > netCap + 1e-12) {
        for (const w of sized) final.set(w.symbol, w.weight);
        held.clear();
      }
    }
    this.committed = new Map([...final].filter(([, x]) => x !== 0));
    return { final, held };
  }

  private reject(reason: string, detail: string): Accepted {
    this.rejected.set(reason, (this.rejected.get(reason) ?? 0) + 1);
    return { accepted: false, reason: `${reason}: ${detail}` };
  }
}
