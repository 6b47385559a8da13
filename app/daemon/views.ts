/**
 * The daemon's operator views: what it keeps from the actors' telemetry to
 * answer the gateway's sections (universe, strategies, forecasts, risk,
 * positions, orders, fills). Pure bookkeeping: messages in, JSON-able
 * snapshots out; no I/O and no clock of its own (callers pass `now`).
 */
import type { AllocatorLearningMsg, AllocatorPostureMsg } from '../../actors/allocator/messages.js';
import type { BrokerAccountMsg, BrokerFillMsg, BrokerOrderUpdateMsg, BrokerPositionsMsg, BrokerReconciledMsg } from '../../actors/broker/messages.js';
import type { FeedFeaturesMsg, FeedSampleMsg, FeedStatusMsg } from '../../actors/feed/messages.js';
import type { MdStatusMsg } from '../../actors/market-data/messages.js';
import type { RiskIntentDeniedMsg, RiskStateMsg, RiskTierChangedMsg } from '../../actors/risk/messages.js';
import type { StrategySignalMsg, StrategyStatusMsg } from '../../actors/strategy/messages.js';
import { CATALOG } from '../../actors/strategy/registry.js';
import type { OnTopic } from '../../actors/topics.js';
import { universe, type Focus } from '../../src/universe/index.js';

const RECENT = 100;
const TERMINAL = new Set(['filled', 'canceled', 'expired', 'rejected', 'replaced', 'done_for_day', 'stopped', 'suspended']);

function pushBounded<T>(list: T[], item: T, max = RECENT): void {
  list.push(item);
  if (list.length > max) list.splice(0, list.length - max);
}

interface InstrumentView {
  price: number | null;
  bid: number | null;
  ask: number | null;
  spreadBps: number | null;
  vol: number | null;
  dayHigh: number | null;
  dayLow: number | null;
  /** First price seen since the daemon started (the reference for `change`). */
  openPrice: number | null;
  status: string;
  statusReason: string | null;
  ts: number | null;
  updatedAt: number | null;
}

/** One support model as the API and the terminal show it. */
export interface SupportModelView {
  readonly id: 'regime' | 'meta' | 'learning';
  readonly description: string;
  readonly state: unknown;
}

/** Each strategy's learned weight from the allocator's learning state. */
export function learnedWeights(l: Pick<AllocatorLearningMsg, 'strategies'>): Record<string, number> {
  return Object.fromEntries(Object.entries(l.strategies).map(([id, x]) => [id, x.learnedWeight]));
}

/** What OperatorViews.tradingFigures answers. */
export interface TradingFigures {
  readonly account: BrokerAccountMsg | null;
  /** Null before the broker's first positions message; values in dollars, signed by side. */
  readonly positions: readonly { symbol: string; qty: number; value: number; realizedPnl: number; unrealizedPnl: number }[] | null;
  /** Sum of |value| and of signed values over `positions`, dollars; null with them. */
  readonly exposure: { gross: number; net: number } | null;
  readonly risk: RiskStateMsg | null;
  readonly reconciled: BrokerReconciledMsg | null;
}

export class OperatorViews {
  private readonly instruments = new Map<string, InstrumentView>();
  private readonly dirtyTicks = new Set<string>();
  private readonly shardStatus = new Map<number, StrategyStatusMsg>();
  private readonly latestSignals = new Map<string, StrategySignalMsg>();
  private readonly dirtySignals = new Map<string, StrategySignalMsg>();
  private posture: AllocatorPostureMsg | null = null;
  /** The allocator's latest attribution and learning state. */
  private learning: AllocatorLearningMsg | null = null;
  private riskState: RiskStateMsg | null = null;
  private readonly tierHistory: RiskTierChangedMsg[] = [];
  private readonly denied: RiskIntentDeniedMsg[] = [];
  private positions: BrokerPositionsMsg | null = null;
  private reconciled: BrokerReconciledMsg | null = null;
  /** The session's start-up reconciliation: what it found against the journal before trading, kept after periodic ones replace `reconciled`. */
  private startupReconciled: BrokerReconciledMsg | null = null;
  private account: BrokerAccountMsg | null = null;
  private readonly orders = new Map<string, BrokerOrderUpdateMsg>();
  private readonly orderLog: BrokerOrderUpdateMsg[] = [];
  private readonly fills: BrokerFillMsg[] = [];
  md: MdStatusMsg | null = null;
  readonly counts = { features: 0, signals: 0, orderUpdates: 0, fills: 0 };

  constructor(readonly focus: Focus) {
    for (const inst of universe(focus)) {
      this.instruments.set(inst.symbol, {
        price: null,
        bid: null,
        ask: null,
        spreadBps: null,
        vol: null,
        dayHigh: null,
        dayLow: null,
        openPrice: null,
        status: 'stale',
        statusReason: 'no data yet',
        ts: null,
        updatedAt: null,
      });
    }
  }

  // ---- inputs ----------------------------------------------------------

  /** A feed's conflated sample: its newest features, standing for `count` updates. */
  onSample(m: FeedSampleMsg, now: number): void {
    this.onFeatures(m.features, now, m.count);
  }

  onFeatures(m: FeedFeaturesMsg, now: number, count = 1): void {
    this.counts.features += count;
    const v = this.instruments.get(m.symbol);
    if (!v) return;
    v.price = m.price;
    v.bid = m.bid;
    v.ask = m.ask;
    v.spreadBps = m.spreadBps;
    v.vol = m.vol;
    v.dayHigh = m.dayHigh;
    v.dayLow = m.dayLow;
    v.openPrice ??= m.price;
    v.status = m.status;
    v.ts = m.ts;
    v.updatedAt = now;
    this.dirtyTicks.add(m.symbol);
  }

  onFeedStatus(m: FeedStatusMsg): void {
    const v = this.instruments.get(m.symbol);
    if (!v) return;
    v.status = m.status;
    v.statusReason = m.reason;
    this.dirtyTicks.add(m.symbol);
  }

  onSignal(m: StrategySignalMsg): void {
    this.counts.signals++;
    const key = `${m.strategyId}|${m.symbol}`;
    this.latestSignals.set(key, m);
    this.dirtySignals.set(key, m);
  }

  onStrategyStatus(m: StrategyStatusMsg): void {
    this.shardStatus.set(m.shard, m);
  }

  onLearning(m: AllocatorLearningMsg): void {
    this.learning = m;
  }

  onPosture(m: AllocatorPostureMsg): void {
    this.posture = m;
  }

  onRisk(m: OnTopic<'risk'>): void {
    if (m.type === 'risk.state') this.riskState = m;
    else if (m.type === 'risk.tier_changed') pushBounded(this.tierHistory, m);
    // A flatten pass is not a denial: the bus forwards it, the views keep no list of them.
    else if (m.type === 'risk.intent_denied') pushBounded(this.denied, m);
  }

  onOrder(m: BrokerOrderUpdateMsg): void {
    this.counts.orderUpdates++;
    this.orders.set(m.clientOrderId, m);
    pushBounded(this.orderLog, m);
    // Finished orders leave the working set after a while; the log keeps the recent ones.
    if (this.orders.size > 2 * RECENT) {
      for (const [id, o] of this.orders) if (o.status && TERMINAL.has(o.status)) this.orders.delete(id);
    }
  }

  onFill(m: BrokerFillMsg): void {
    this.counts.fills++;
    pushBounded(this.fills, m);
  }

  onPositions(m: BrokerPositionsMsg): void {
    this.positions = m;
  }

  onAccount(m: BrokerAccountMsg): void {
    this.account = m;
  }

  onReconciled(m: BrokerReconciledMsg): void {
    this.reconciled = m;
    if (m.phase === 'startup') this.startupReconciled = m;
  }

  // ---- telemetry batches --------------------------------------------------

  /** Instruments updated since the last call (for the `ticks` topic). */
  takeTicks(): { symbol: string; price: number | null; bid: number | null; ask: number | null; vol: number | null; change: number | null; status: string; ts: number | null }[] {
    const out = [...this.dirtyTicks].map((symbol) => {
      const v = this.instruments.get(symbol)!;
      return { symbol, price: v.price, bid: v.bid, ask: v.ask, vol: v.vol, change: changeOf(v), status: v.status, ts: v.ts };
    });
    this.dirtyTicks.clear();
    return out;
  }

  /** Latest signal per (strategy, symbol) since the last call (for the `signals` topic). */
  takeSignals(): StrategySignalMsg[] {
    const out = [...this.dirtySignals.values()];
    this.dirtySignals.clear();
    return out;
  }

  // ---- sections --------------------------------------------------------------

  universeSection(now: number): unknown {
    const meta = new Map(universe(this.focus).map((i) => [i.symbol, i]));
    const instruments: Record<string, unknown> = {};
    for (const [symbol, v] of this.instruments) {
      const i = meta.get(symbol)!;
      const change = changeOf(v);
      instruments[symbol] = {
        symbol,
        name: i.name,
        assetClass: i.assetClass,
        metal: i.metal,
        price: v.price,
        bid: v.bid,
        ask: v.ask,
        spreadBps: v.spreadBps,
        change,
        vol: v.vol,
        dayHigh: v.dayHigh,
        dayLow: v.dayLow,
        status: v.status,
        statusReason: v.statusReason,
        ts: v.ts,
        ageMs: v.updatedAt === null ? null : now - v.updatedAt,
      };
    }
    return { focus: this.focus, instruments };
  }

  /**
   * The live surface: each shard's latest strategy.status, every entry with
   * its latest signal (the gateway adds the catalog).
   */
  strategiesSection(): unknown {
    const lastSignal = new Map<string, StrategySignalMsg>();
    for (const sig of this.latestSignals.values()) {
      const prev = lastSignal.get(sig.strategyId);
      if (!prev || sig.ts >= prev.ts) lastSignal.set(sig.strategyId, sig);
    }
    return [...this.shardStatus.values()]
      .sort((a, b) => a.shard - b.shard)
      .map((s) => ({
        ...s,
        strategies: s.strategies.map((e) => {
          const sig = lastSignal.get(e.id);
          const l = this.learning?.strategies[e.id];
          // Attribution and learning (allocator): null until the allocator has published them.
          const learned = { pnl: l?.pnl ?? null, hitRate: l?.hitRate ?? null, learnedWeight: l?.learnedWeight ?? (this.learning ? 1 : null) };
          return { ...e, lastSignal: sig ? signalView(sig) : null, ...learned };
        }),
      }));
  }

  /** The latest posture (entries per instrument) and the latest signals behind it. */
  forecastsSection(): unknown {
    const signals: Record<string, unknown[]> = {};
    for (const sig of this.latestSignals.values()) (signals[sig.symbol] ??= []).push(signalView(sig));
    return { posture: this.posture, signals, learning: this.learning, supportModels: this.supportModels() };
  }

  /** What each support model does, where it acts, and its state now (GET /api/v1/strategies). */
  supportModels(): SupportModelView[] {
    const shards = [...this.shardStatus.values()].sort((a, b) => a.shard - b.shard);
    const l = this.learning;
    return [
      {
        id: 'regime',
        description: 'Classifies the gold factor\'s recent bars as calm, trending or stressed (volatility shock); each shard scales a strategy\'s confidence by how far its family is trusted in that regime, before the signal is sent.',
        state: { byShard: Object.fromEntries(shards.map((s) => [String(s.shard), s.regime])) },
      },
      {
        id: 'meta',
        description: 'Weights each strategy by the recent hit rate of its own calls (did the price move its way over its horizon); the shard multiplies the signal\'s confidence by the weight (1 neutral).',
        state: { weights: Object.fromEntries(shards.flatMap((s) => s.strategies.map((e) => [e.id, e.weight]))) },
      },
      {
        id: 'learning',
        description: 'Hedge weights learned from each strategy\'s P&L as the allocator attributes it, once per learning period of market time, pulled toward 1 by fixed share and bounded; the allocator multiplies the strategy\'s votes by it when it combines signals.',
        state: l
          ? { enabled: l.enabled, frozen: l.frozen, settings: l.settings, updates: l.updates, weights: learnedWeights(l), history: l.history }
          : null,
      },
    ];
  }

  /**
   * The risk tier, its triggers (each with its threshold ladder and unit),
   * the tier history, and exposure with explicit units: `equity`, `gross`
   * and `net` in dollars (the book's positions at the last price, else their
   * entry price), `grossRatio` / `netRatio` as multiples of equity, and the
   * allocator's `target` posture as multiples of equity. The posture's
   * `gross` / `net` are weights (fractions of equity), never dollars.
   */
  riskSection(): unknown {
    const p = this.posture;
    const equity = this.account?.equity ?? p?.equity ?? null;
    const { gross, net } = this.tradingFigures().exposure ?? { gross: null, net: null };
    const ratio = (x: number | null): number | null => (x === null || equity === null || !(equity > 0) ? null : x / equity);
    return {
      state: this.riskState,
      history: [...this.tierHistory].reverse(),
      denied: this.denied.slice(-20).reverse(),
      exposure:
        equity === null && gross === null
          ? null
          : { equity, gross, net, grossRatio: ratio(gross), netRatio: ratio(net), at: this.positions?.ts ?? null, units: { equity: 'usd', gross: 'usd', net: 'usd', grossRatio: 'x_equity', netRatio: 'x_equity' } },
      target: p ? { grossRatio: p.gross, netRatio: p.net, at: p.ts } : null,
    };
  }

  tier(): string | null {
    return this.riskState?.tier ?? null;
  }

  /**
   * The trading figures the metrics export (TradingMetrics): the account,
   * each position at its last price (its entry price before any), the
   * book's gross and net exposure, the governor's latest state and the last
   * reconciliation. Null parts have not been reported yet.
   */
  tradingFigures(): TradingFigures {
    const positions = (this.positions?.positions ?? []).map((p) => {
      const last = this.instruments.get(p.symbol)?.price ?? null;
      const mark = last ?? p.avgPrice;
      return { symbol: p.symbol, qty: p.qty, value: p.qty * mark, realizedPnl: p.realizedPnl, unrealizedPnl: last === null ? 0 : (last - p.avgPrice) * p.qty };
    });
    let exposure: TradingFigures['exposure'] = null;
    if (this.positions) {
      exposure = { gross: 0, net: 0 };
      for (const p of positions) {
        exposure.gross += Math.abs(p.value);
        exposure.net += p.value;
      }
    }
    return {
      account: this.account,
      positions: this.positions ? positions : null,
      exposure,
      risk: this.riskState,
      reconciled: this.reconciled,
    };
  }

  /** Each instrument's last price (null before one). */
  lastPrices(): Map<string, number | null> {
    return new Map([...this.instruments].map(([symbol, v]) => [symbol, v.price]));
  }

  /** The broker's positions as last reported (empty before a report). */
  heldPositions(): readonly { readonly symbol: string; readonly qty: number; readonly avgPrice: number }[] {
    return this.positions?.positions ?? [];
  }

  positionsSection(): unknown {
    const positions = (this.positions?.positions ?? []).map((p) => {
      const last = this.instruments.get(p.symbol)?.price ?? null;
      return {
        ...p,
        lastPrice: last,
        marketValue: last === null ? null : last * p.qty,
        unrealizedPnl: last === null ? null : (last - p.avgPrice) * p.qty,
      };
    });
    return { positions, pendingQty: this.positions?.pendingQty ?? {}, ts: this.positions?.ts ?? null, account: this.account, reconciliation: this.reconciled, startupReconciliation: this.startupReconciled };
  }

  ordersSection(): unknown {
    const open = [...this.orders.values()].filter((o) => !(o.status && TERMINAL.has(o.status)));
    return { open, recent: this.orderLog.slice(-50) };
  }

  fillsSection(): unknown {
    return { recent: this.fills };
  }

  /** Feed freshness counts (for health). */
  feedCounts(): Record<string, number> {
    const counts: Record<string, number> = { fresh: 0, stale: 0, gap: 0 };
    for (const v of this.instruments.values()) counts[v.status] = (counts[v.status] ?? 0) + 1;
    return counts;
  }

  /** Seconds since each feed's last update (the oldest is the market-data age the risk governor watches). */
  marketDataAgeMs(now: number): number | null {
    let newest: number | null = null;
    for (const v of this.instruments.values()) if (v.updatedAt !== null && (newest === null || v.updatedAt > newest)) newest = v.updatedAt;
    return newest === null ? null : now - newest;
  }
}

/** Change since the first price the daemon saw (a fraction). */
function changeOf(v: InstrumentView): number | null {
  return v.price !== null && v.openPrice ? v.price / v.openPrice - 1 : null;
}

function signalView(s: StrategySignalMsg): unknown {
  return { strategyId: s.strategyId, symbol: s.symbol, direction: s.direction, strength: s.strength, confidence: s.confidence, horizonMs: s.horizonMs, ts: s.ts, reason: s.reason };
}
