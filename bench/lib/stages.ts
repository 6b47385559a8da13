/**
 * The tick-to-intent stages as plain functions over the same logic the actor
 * shells run (ShardCore, AllocatorDesk, RiskDesk) and the same settings the
 * benchmark gives the actors, so the baselines (one thread, piscina, comlink)
 * measure the same work along a different transport.
 *
 * The broker's part is reduced to what the actor path's broker stub does
 * (`BenchBroker`): each approved intent becomes a working order that never
 * fills, reported back as the real session reports a submission (the intent
 * is acknowledged, and the book's open quantity grows), so the allocator
 * trades only changes of target, as it does against a real broker.
 */
import type { AllocatorArgs } from '../../actors/allocator/actor.js';
import type { AllocatorIntentsMsg } from '../../actors/allocator/messages.js';
import type { BrokerIntentRefusedMsg, BrokerPositionsMsg } from '../../actors/broker/messages.js';
import { AllocatorDesk } from '../../actors/allocator/desk.js';
import type { FeedBarMsg, FeedFeaturesMsg } from '../../actors/feed/messages.js';
import type { RiskArgs } from '../../actors/risk/actor.js';
import { RiskDesk } from '../../actors/risk/desk.js';
import type { RiskIntentApprovedMsg } from '../../actors/risk/messages.js';
import type { StrategyShardArgs } from '../../actors/strategy/actor.js';
import { shardStrategies } from '../../actors/strategy/actor.js';
import type { StrategySignalMsg } from '../../actors/strategy/messages.js';
import { ShardCore } from '../../actors/strategy/shard-core.js';
import { PM_UNIVERSE } from '../../src/universe/index.js';

export const SYMBOLS: readonly string[] = PM_UNIVERSE.map((i) => i.symbol);

/** One shard with fast trend strategies, so ticks turn into signals without hours of bars. */
export const SHARD_ARGS: StrategyShardArgs = {
  shard: 0,
  shardCount: 1,
  strategies: ['trend_ma_cross', 'trend_donchian'],
  paramOverrides: { trend_ma_cross: { fast: 2, slow: 5 }, trend_donchian: { entryBars: 5, exitBars: 3, atrBars: 3, replayBars: 20 } },
  historyCapacity: 64,
  meta: false,
  regime: false,
  statusEveryMs: 1000,
};

/** Every changed signal rebalances at once. */
export const ALLOCATOR_ARGS: AllocatorArgs = {
  changeThreshold: 0,
  rebalanceEveryMs: 3_600_000,
  // The default no-trade band and minimum notional: only real changes of target trade.
  config: { intents: { maxTurnover: 10 } },
};

const HUGE = 1e12;
/** Limits far away: the benchmark measures the path, not the refusals. */
export const RISK_ARGS: RiskArgs = {
  risk: {
    orderRate: { ladder: { WARN: HUGE }, hysteresis: 0 },
    grossExposure: { ladder: { WARN: HUGE }, hysteresis: 0 },
    concentration: { ladder: { WARN: HUGE }, hysteresis: 0 },
    staleData: { ladder: { WARN: HUGE }, hysteresis: 0 },
    orderRateWindowMs: 1000,
  },
  // A short window: the benchmark approves far more orders a minute than a live book ever should.
  preTrade: { maxOrdersPerWindow: HUGE, throttledOrdersPerWindow: HUGE, maxOrderNotional: HUGE, collarBps: HUGE, rateWindowMs: 1000 },
  heartbeatSources: [],
  evaluateEveryMs: 1000,
  stateEveryMs: 5000,
};

export const EQUITY = 100_000_000;

export function makeShard(): ShardCore {
  return new ShardCore({ shard: 0, strategies: shardStrategies(SHARD_ARGS), paramOverrides: SHARD_ARGS.paramOverrides, historyCapacity: SHARD_ARGS.historyCapacity, meta: false, regime: false });
}

export function makeAllocator(now: number): AllocatorDesk {
  const d = new AllocatorDesk({ config: ALLOCATOR_ARGS.config, changeThreshold: ALLOCATOR_ARGS.changeThreshold }, null, now);
  d.onPositions({ type: 'broker.positions', positions: [], pendingQty: {}, ts: now }, now);
  d.onAccount({ type: 'broker.account', equity: EQUITY, lastEquity: EQUITY, cash: EQUITY, buyingPower: EQUITY, status: 'ACTIVE', ts: now }, now);
  return d;
}

export function makeRisk(now: number): RiskDesk {
  const d = new RiskDesk({ risk: RISK_ARGS.risk, preTrade: RISK_ARGS.preTrade, heartbeatSources: [] }, null, now);
  d.book.onConnection({ type: 'broker.connection', connected: true, ready: true, stream: 'listening', restFailures: 0, reason: null, since: now, ts: now });
  d.book.onAccount({ type: 'broker.account', equity: EQUITY, lastEquity: EQUITY, cash: EQUITY, buyingPower: EQUITY, status: 'ACTIVE', ts: now });
  d.book.onPositions({ type: 'broker.positions', positions: [], pendingQty: {}, ts: now });
  d.noteAccount(now);
  return d;
}

/** A tick as the market-data side hands it on: features, and the bar it closed if it closed one. */
export interface Tick {
  readonly features: FeedFeaturesMsg;
  readonly bar: FeedBarMsg | null;
}

/** Shard: the tick's messages in, the signals of the strategies they touched out. */
export function shardStage(core: ShardCore, tick: Tick, now: number, originNs: number): StrategySignalMsg[] {
  core.onMessage(tick.features);
  if (tick.bar) core.onMessage(tick.bar);
  return core.evaluate(now).map((s) => ({ ...s, originNs }));
}

/** Allocator: prices and signals in, the intents of the rebalance they call for out (as the actor: one per burst). */
export function allocatorStage(desk: AllocatorDesk, tick: Tick | null, signals: readonly StrategySignalMsg[], now: number, book: BrokerPositionsMsg | null = null): AllocatorIntentsMsg[] {
  if (book) desk.onPositions(book, now);
  if (tick) desk.onFeatures(tick.features);
  for (const s of signals) desk.onSignal(s, now, s.originNs ?? 0);
  if (!desk.due) return [];
  const r = desk.rebalance(now);
  return r.intents.intents.length > 0 ? [r.intents] : [];
}

/** Risk: each rebalance's intents in, the approved ones out. */
export function riskStage(desk: RiskDesk, tick: Tick | null, batches: readonly AllocatorIntentsMsg[], now: number): RiskIntentApprovedMsg[] {
  if (tick) desk.book.onPrice(tick.features.symbol, tick.features.price, now);
  const out: RiskIntentApprovedMsg[] = [];
  for (const b of batches) out.push(...desk.review(b, now).approved);
  return out;
}

/** The benchmark's broker: approved intents become working orders that never fill. */
export class BenchBroker {
  private readonly pending: Record<string, number> = {};

  /** Registers an approval; returns what the real session would publish for it. */
  accept(a: RiskIntentApprovedMsg, now: number): { readonly ack: BrokerIntentRefusedMsg; readonly book: BrokerPositionsMsg } {
    const { symbol, side, qty, intentId } = a.intent;
    this.pending[symbol] = (this.pending[symbol] ?? 0) + (side === 'buy' ? qty : -qty);
    return {
      // Not sent anywhere; reported so the risk desk drops it from its unreported approvals.
      ack: { type: 'broker.intent_refused', intentId, symbol, reason: 'bench: working order, never sent', ts: now },
      book: { type: 'broker.positions', positions: [], pendingQty: { ...this.pending }, ts: now },
    };
  }
}
