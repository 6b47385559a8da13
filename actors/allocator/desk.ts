/**
 * `AllocatorDesk`: what the allocator actor shell decides, without the
 * runtime: when to rebalance, and what book the allocator sizes against.
 *
 * - Rebalance policy: event-driven. A signal that changed materially
 *   (direction, or strength / confidence by at least `changeThreshold`) makes
 *   the desk due at once; there is no time throttle on the decision path
 *   (a tick-to-intent figure of ~1 s came from one). Turnover is held down by
 *   thresholds instead: the change threshold here, and in the core the target
 *   hysteresis, the no-trade band and the minimum trade notional. The shell's
 *   slow timer only re-checks targets against moved prices (housekeeping).
 * - The book: the broker's positions **plus the signed quantity of open
 *   orders plus the intents sent that the broker has not shown yet**.
 *   Sizing against filled positions only would re-issue the same delta on
 *   every rebalance while an order is working; and with no throttle a second
 *   rebalance can follow the first within a millisecond, before the broker
 *   has even seen the first intents, so those count as held too (`sent`).
 *   An intent leaves the in-flight set when the broker's book shows it (its
 *   order update, then the next positions), when risk or the broker refuses
 *   it, or after `inflightTtlMs` (a lost message must not freeze a symbol).
 * - A cold desk (no signal yet) does not rebalance by itself (see `warm`).
 * - Sequence: intent ids embed the posture sequence and the broker refuses an
 *   id it has seen, so a restarted allocator must not reuse one. The desk
 *   starts at max(snapshot seq, `seqFloor`); the shell passes the clock's epoch
 *   ms as the floor, which stays ahead of every sequence used before as long
 *   as rebalances average less than one per millisecond (each needs a changed
 *   signal burst, a first book or volatility, or the slow timer).
 *
 * - Attribution and learning: the desk marks a `PnlAttribution` with feed
 *   prices, gives it each posture and each broker fill, and, once per
 *   learning period of market time (feature timestamps), hands each
 *   strategy's period P&L to a `HedgeLearner`, whose weights the core
 *   multiplies into the strategies' votes (`setStrategyWeights`).
 *
 * Pure: time comes in as `now`; deterministic for the same calls.
 */
import type { BrokerAccountMsg, BrokerPositionsMsg } from '../broker/messages.js';
import type { FeedFeaturesMsg } from '../feed/messages.js';
import type { Signal } from '../strategy/signal.js';
import { signedQty, type OrderIntent } from './intent.js';
import { DEFAULT_LEARNING_CONFIG, HedgeLearner, type LearningConfig, type LearningSnapshot } from '../strategy/support/learning.js';
import { PnlAttribution, UNATTRIBUTED, type AttributionSnapshot } from './attribution.js';
import { LEARNING_HISTORY_TAIL, type AllocatorLearningMsg, type LearningStrategyState } from './messages.js';
import { AllocatorCore, type AllocatorConfigInput, type AllocatorSnapshot, type RebalanceResult } from './allocator-core.js';

export interface AllocatorDeskOptions {
  readonly config?: AllocatorConfigInput;
  /** Smallest change of strength or confidence that counts as a new signal (0: any change). Default 0.05. */
  readonly changeThreshold?: number;
  /** How long a sent intent counts as held while the broker has not shown it, ms. Default 10,000. */
  readonly inflightTtlMs?: number;
  /** Self-learning weights (see HedgeLearner). Default: enabled with the learner's defaults. */
  readonly learning?: LearningOptions;
}

/** The `allocator.learning` settings: learner settings plus whether learned weights are applied. */
export interface LearningOptions extends Partial<LearningConfig> {
  /** False: attribution still runs, no weights are learned or applied. Default true. */
  readonly enabled?: boolean;
}

export interface AllocatorDeskSnapshot {
  readonly core: AllocatorSnapshot;
  readonly lastRebalanceAt: number | null;
  readonly learning?: LearningSnapshot;
  readonly attribution?: AttributionSnapshot;
}

interface Held {
  readonly direction: number;
  readonly strength: number;
  readonly confidence: number;
}

/** An intent sent to risk that the broker's book does not show yet. */
interface InFlight {
  readonly symbol: string;
  /** Signed shares. */
  readonly qty: number;
  readonly at: number;
  /** The broker has published an order update for it: the next positions message holds it. */
  acked: boolean;
}

export interface SignalOutcome {
  readonly accepted: boolean;
  /** Why it was refused, when it was. */
  readonly reason?: string;
  /** Whether it changed the desk's view enough to rebalance. */
  readonly changed: boolean;
}

export class AllocatorDesk {
  readonly core: AllocatorCore;
  readonly changeThreshold: number;
  readonly inflightTtlMs: number;
  readonly attribution: PnlAttribution;
  /** Null when learning is disabled. */
  readonly learner: HedgeLearner | null;
  /** Bumped at each settled learning period and on a freeze or unfreeze: the shell publishes on it. */
  learningVersion = 0;
  /** Why a snapshot's learning or attribution part was not used (null: it was, or there was none). */
  readonly restoreError: string | null = null;
  /** Period clock when learning is off (the learner keeps its own, persisted). */
  private readonly periodMs: number;
  private periodStart: number | null = null;
  private readonly held = new Map<string, Held>();
  private readonly inflight = new Map<string, InFlight>();
  private lastRebalance: number | null;
  private dirtySince: number | null = null;
  /** Trace stamp of the earliest change since the last rebalance. */
  private pendingOrigin = 0;
  private positions: BrokerPositionsMsg | null = null;
  private equity: number | null = null;
  rebalances = 0;
  /** Books the core refused (non-integer quantities); the previous book stays. */
  rejectedBooks = 0;
  /** In-flight intents dropped by age rather than by the broker's word. */
  inflightExpired = 0;

  constructor(options: AllocatorDeskOptions = {}, snapshot?: AllocatorDeskSnapshot | null, seqFloor = 0) {
    this.changeThreshold = options.changeThreshold ?? 0.05;
    this.inflightTtlMs = options.inflightTtlMs ?? 10_000;
    const snap = isDeskSnapshot(snapshot) ? snapshot : null;
    const seq = Math.max(snap?.core.seq ?? 0, Math.floor(seqFloor));
    this.core = snap ? AllocatorCore.restore({ ...snap.core, seq }, options.config) : new AllocatorCore(options.config, seq);
    this.lastRebalance = snap?.lastRebalanceAt ?? null;
    for (const s of snap?.core.signals ?? []) this.held.set(key(s), { direction: s.direction, strength: s.strength, confidence: s.confidence });
    const { enabled = true, ...learning } = options.learning ?? {};
    this.periodMs = learning.periodMs ?? DEFAULT_LEARNING_CONFIG.periodMs;
    let attribution = new PnlAttribution();
    let learner = enabled ? new HedgeLearner(learning) : null;
    try {
      if (snap?.attribution) attribution = PnlAttribution.restore(snap.attribution);
      if (snap?.learning && enabled) learner = HedgeLearner.restore(snap.learning, learning);
    } catch (err) {
      // Derived state: a bad part starts that part fresh, the posture is still restored.
      this.restoreError = (err as Error).message;
    }
    this.attribution = attribution;
    this.learner = learner;
    this.applyLearned();
  }

  /** Operator: freeze (no updates; the weights in force stay applied) or unfreeze learning. False when learning is disabled. */
  setLearningFrozen(frozen: boolean): boolean {
    if (!this.learner) return false;
    if (this.learner.frozen !== frozen) this.learningVersion++;
    this.learner.setFrozen(frozen);
    return true;
  }

  /** Attribution and learning as published on `learning`: the newest `historyTail` history points (the learner keeps at most `historyPoints`). */
  learningState(ts: number, historyTail = LEARNING_HISTORY_TAIL): AllocatorLearningMsg {
    const l = this.learner;
    const strategies: Record<string, LearningStrategyState> = {};
    for (const [id, p] of Object.entries(this.attribution.perStrategy())) strategies[id] = { ...p, learnedWeight: l ? l.weight(id) : 1 };
    for (const [id, w] of Object.entries(l?.weightMap() ?? {})) strategies[id] ??= { pnl: 0, hitRate: null, periods: 0, learnedWeight: w };
    const { rate, share, floor, cap, periodMs, historyPoints } = l?.config ?? DEFAULT_LEARNING_CONFIG;
    return {
      type: 'allocator.learning',
      ts,
      enabled: l !== null,
      frozen: l?.frozen ?? false,
      settings: { rate, share, floor, cap, periodMs, historyPoints },
      updates: l?.updates ?? 0,
      strategies,
      unattributed: this.attribution.strategyPnl()[UNATTRIBUTED] ?? 0,
      history: l?.historyTail(Math.min(historyTail, l.config.historyPoints)) ?? [],
    };
  }

  /** A broker fill: `signedQty` > 0 bought. */
  onFill(symbol: string, signedQty: number, price: number, fee = 0): void {
    this.attribution.fill(symbol, signedQty, price, fee);
  }

  /** Closes a learning period when one has ended at market time `ts`. True when the weights changed. */
  private settleLearning(ts: number): boolean {
    if (!this.learner) {
      // Learning off: periods still settle, for the hit rates.
      if (this.periodStart === null || ts < this.periodStart) this.periodStart = ts;
      if (ts - this.periodStart < this.periodMs) return false;
      this.periodStart = ts;
      this.attribution.takePeriod();
      this.learningVersion++;
      return false;
    }
    if (!this.learner.due(ts)) return false;
    const { [UNATTRIBUTED]: _unowned, ...byStrategy } = this.attribution.takePeriod();
    const changed = this.learner.update(byStrategy, ts);
    // A settled period is news (P&L, hit rates) even when no weight moved (frozen, no P&L).
    this.learningVersion++;
    if (changed) this.applyLearned();
    return changed;
  }

  private applyLearned(): void {
    if (this.learner) this.core.setStrategyWeights(this.learner.weightMap());
  }

  /** A strategy signal; `originNs` is its latency trace stamp. */
  onSignal(sig: Signal, now: number, originNs = 0): SignalOutcome {
    const r = this.core.onSignal(sig, now);
    if (!r.accepted) return { accepted: false, reason: r.reason, changed: false };
    const k = key(sig);
    const prev = this.held.get(k);
    this.held.set(k, { direction: sig.direction, strength: sig.strength, confidence: sig.confidence });
    // A re-issued identical signal is never a change, whatever the threshold.
    const moved = (a: number, b: number): boolean => a !== b && Math.abs(a - b) >= this.changeThreshold;
    const changed = !prev || prev.direction !== sig.direction || moved(prev.strength, sig.strength) || moved(prev.confidence, sig.confidence);
    if (changed) this.markDirty(now, originNs);
    return { accepted: true, changed };
  }

  /**
   * Price and volatility from a feed update (updates without a price are
   * ignored). True when this is a reason to rebalance: the first volatility of
   * a symbol a held signal speaks for. A signal can overtake its features (they
   * reach the allocator on a different path than the shard's signal when the
   * shards run in another worker); sized without a volatility its weight was
   * zero, and nothing else would revisit it before the periodic rebalance.
   */
  onFeatures(f: Pick<FeedFeaturesMsg, 'symbol' | 'price' | 'vol' | 'ts'>, now = 0): boolean {
    if (f.price === null) return false;
    this.attribution.mark(f.symbol, f.price);
    this.settleLearning(f.ts);
    const hadVol = this.core.hasVol(f.symbol);
    this.core.onFeatures({ symbol: f.symbol, price: f.price, vol: f.vol ?? Number.NaN, ts: f.ts });
    if (hadVol || !this.core.hasVol(f.symbol)) return false;
    const prefix = `${f.symbol}\u0000`;
    for (const [k, h] of this.held) {
      if (k.startsWith(prefix) && h.direction !== 0) {
        this.markDirty(now, 0);
        return true;
      }
    }
    return false;
  }

  /** The broker's positions; true when this made the book known for the first time (time to rebalance). */
  onPositions(msg: BrokerPositionsMsg, now: number): boolean {
    const was = this.bookKnown;
    this.positions = msg;
    return this.pushBook(was, now, true);
  }

  /** The broker's account; true when this made the book known for the first time. */
  onAccount(msg: BrokerAccountMsg, now: number): boolean {
    const was = this.bookKnown;
    this.equity = msg.equity;
    return this.pushBook(was, now, false);
  }

  /** Whether the book (positions and equity) is known: no intents before it is. */
  get bookKnown(): boolean {
    return this.positions !== null && this.equity !== null;
  }

  get dirty(): boolean {
    return this.dirtySince !== null;
  }

  /**
   * Whether any strategy has spoken since start (or the snapshot held signals).
   * A cold desk does not rebalance on its own: with no scores every held
   * position targets zero, so a restarted daemon would liquidate its book
   * before the strategies had warmed up.
   */
  get warm(): boolean {
    return this.held.size > 0;
  }

  /** Whether a rebalance is wanted now: something changed and the desk is warm. No clock: a change is acted on at once. */
  get due(): boolean {
    return this.dirtySince !== null && this.warm;
  }

  /** Rebalance now: the posture and intents to send, with the trace stamp of what caused it. */
  rebalance(now: number): RebalanceResult & { readonly originNs: number } {
    const originNs = this.pendingOrigin;
    this.dirtySince = null;
    this.pendingOrigin = 0;
    this.lastRebalance = now;
    this.rebalances++;
    if (this.expireInflight(now)) this.syncBook();
    const r = this.core.rebalance(now);
    this.attribution.posture(r.posture.entries);
    return { posture: r.posture, intents: { ...r.intents, originNs }, originNs };
  }

  /**
   * The intents of a rebalance were sent: they count as held until the
   * broker's book shows them, so the next rebalance (possibly on the same
   * turn's next signal burst) does not send the same delta again.
   */
  sent(intents: readonly OrderIntent[], now: number): void {
    if (intents.length === 0) return;
    for (const i of intents) this.inflight.set(i.intentId, { symbol: i.symbol, qty: signedQty(i), at: now, acked: false });
    this.syncBook();
  }

  /**
   * The broker published an order update for `intentId`: its positions
   * message, published right after in the same batch, holds the order
   * (pending or filled), so the intent leaves the in-flight set with it.
   */
  onOrderUpdate(intentId: string | null): void {
    const f = intentId === null ? undefined : this.inflight.get(intentId);
    if (f) f.acked = true;
  }

  /** Risk denied or the broker refused `intentId`: it will never show in the book. True when it was in flight. */
  onIntentGone(intentId: string): boolean {
    if (!this.inflight.delete(intentId)) return false;
    this.syncBook();
    return true;
  }

  /** Signed shares in flight per symbol (inspect, tests). */
  inflightQty(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const f of this.inflight.values()) out[f.symbol] = (out[f.symbol] ?? 0) + f.qty;
    return out;
  }

  snapshot(): AllocatorDeskSnapshot {
    return {
      core: this.core.snapshot(),
      lastRebalanceAt: this.lastRebalance,
      attribution: this.attribution.snapshot(),
      ...(this.learner ? { learning: this.learner.snapshot() } : {}),
    };
  }

  private markDirty(now: number, originNs: number): void {
    if (this.dirtySince === null) this.dirtySince = now;
    if (originNs > 0 && (this.pendingOrigin === 0 || originNs < this.pendingOrigin)) this.pendingOrigin = originNs;
  }

  private expireInflight(now: number): boolean {
    let n = 0;
    for (const [id, f] of this.inflight) {
      if (now - f.at >= this.inflightTtlMs) {
        this.inflight.delete(id);
        n++;
      }
    }
    this.inflightExpired += n;
    return n > 0;
  }

  private pushBook(wasKnown: boolean, now: number, fromBroker: boolean): boolean {
    if (this.positions === null || this.equity === null) return false;
    if (fromBroker) for (const [id, f] of this.inflight) if (f.acked) this.inflight.delete(id);
    const r = this.syncBook();
    // Signals that arrived before the book could not be traded: the first book is a reason to
    // rebalance. Later books (fills, equity moves) are not: rebalancing on every fill would
    // chase the book; the periodic re-check picks them up.
    if (!wasKnown && r) {
      this.markDirty(now, 0);
      return true;
    }
    return false;
  }

  /** Hands the core the book: positions + open orders + intents in flight. False when the core refused it. */
  private syncBook(): boolean {
    if (this.positions === null || this.equity === null) return false;
    const qty = new Map<string, number>();
    for (const p of this.positions.positions) qty.set(p.symbol, p.qty);
    for (const [s, q] of Object.entries(this.positions.pendingQty)) qty.set(s, (qty.get(s) ?? 0) + q);
    for (const f of this.inflight.values()) qty.set(f.symbol, (qty.get(f.symbol) ?? 0) + f.qty);
    const r = this.core.onPositions([...qty.entries()].map(([symbol, q]) => ({ symbol, qty: q })), this.equity);
    // A book the core refuses (fractional shares) leaves the previous one: intents stay conservative.
    if (!r.accepted) this.rejectedBooks++;
    return r.accepted;
  }
}

function key(s: Pick<Signal, 'symbol' | 'strategyId'>): string {
  return `${s.symbol}\u0000${s.strategyId}`;
}

function isDeskSnapshot(x: unknown): x is AllocatorDeskSnapshot {
  const s = x as AllocatorDeskSnapshot | null | undefined;
  return !!s && typeof s === 'object' && !!s.core && typeof s.core.seq === 'number' && Array.isArray(s.core.signals);
}
