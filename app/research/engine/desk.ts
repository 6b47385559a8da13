/**
 * `ResearchDesk`: the trading path of the daemon in one thread, driven by
 * bars on virtual time. Each piece is the code the actors run, built from
 * the same settings the daemon hands them:
 *
 *   bar ─► FeedCore (features, bar) ─► ShardCore[k] (signals) ─► AllocatorDesk
 *       (posture, intents) ─► RiskDesk (tiers, pre-trade) ─► BrokerSessionCore
 *       (OMS, client order ids) ─► MatchingEngine (the venue's fills)
 *
 * What stands in for the runtime: message passing becomes direct calls in
 * the order the actors would see the messages, and timers become checks
 * against the bar's close time (the allocator's housekeeping rebalance, the
 * risk governor's evaluation and FLATTEN passes). The broker's journal is
 * kept in memory (nothing to survive), and the account is the engine's.
 *
 * One bar event (one instrument's closed bar) runs the whole path: the
 * engine first matches the instrument's working orders against the bar (they
 * were resting while it traded), then the feed folds the bar in and the
 * shards, allocator, risk and broker react at the bar's close. No input
 * reaches a strategy before its time: a bar at its close, a macro value at
 * its release (see `BarReplay`).
 */
import { AllocatorDesk } from '../../../actors/allocator/desk.js';
import type { AllocatorIntentsMsg, AllocatorPostureMsg } from '../../../actors/allocator/messages.js';
import type { BrokerConnectionMsg, BrokerMsg } from '../../../actors/broker/messages.js';
import { BROKER_TIMER_DEFAULTS } from '../../../actors/broker/args.js';
import { accountMsg, intentRefusedMsg } from '../../../actors/broker/publish.js';
import { BrokerSessionCore } from '../../../actors/broker/session-core.js';
import { feedConfig, type FeedConfig } from '../../../actors/feed/config.js';
import { FeedCore } from '../../../actors/feed/feed.js';
import type { MacroMsg } from '../../../actors/macro/messages.js';
import type { MarketDataMsg } from '../../../actors/market-data/messages.js';
import { RISK_TIMER_DEFAULTS } from '../../../actors/risk/actor.js';
import { RiskDesk } from '../../../actors/risk/desk.js';
import type { RiskIntentApprovedMsg, RiskIntentDeniedMsg, RiskTierChangedMsg } from '../../../actors/risk/messages.js';
import { disableConfigured, shardOptionsFor } from '../../../actors/strategy/actor.js';
import type { StrategySignalMsg } from '../../../actors/strategy/messages.js';
import { ShardCore } from '../../../actors/strategy/shard-core.js';
import type { StrategyDef } from '../../../actors/strategy/strategy.js';
import { CATALOG } from '../../../actors/strategy/registry.js';
import { allocatorArgs, riskArgs, strategyOverrides, type RiskSettings } from '../../config/trading.js';
import { MatchingEngine, type TradeUpdateData } from '../../../src/matching/index.js';
import type { BacktestSpec, HistBar } from '../types.js';
import { BarMarket, feeSchedule } from './market.js';
import { ResearchHousekeeping } from './housekeeping.js';
import type { OrderRequest } from '../../../actors/broker/alpaca-mapping.js';

/** What a desk reports as it goes (the run's books and the parity and look-ahead tests listen here). */
export interface DeskObserver {
  /** A market-data or macro input handed to the strategy shards, at virtual time `now`. */
  shardInput?(msg: MarketDataMsg | MacroMsg, now: number): void;
  signal?(msg: StrategySignalMsg, now: number): void;
  posture?(msg: AllocatorPostureMsg, now: number): void;
  intents?(msg: AllocatorIntentsMsg, now: number): void;
  approved?(msg: RiskIntentApprovedMsg, now: number): void;
  denied?(msg: RiskIntentDeniedMsg, now: number): void;
  tier?(msg: RiskTierChangedMsg, now: number): void;
  broker?(msg: BrokerMsg, now: number): void;
  /** A bar about to meet the market, after the timers due by its close have fired (its quote is still the previous one). */
  bar?(bar: HistBar, now: number): void;
  /** A fill as the engine made it, with its fee and the close it is measured against. */
  fill?(update: TradeUpdateData, fee: number, close: number, now: number): void;
}

export interface DeskOptions {
  readonly spec: BacktestSpec;
  readonly symbols: readonly string[];
  readonly intervalMs: number;
  /** Virtual time the run starts at (the first bar's start). */
  readonly start: number;
  readonly observer?: DeskObserver;
  /** The strategy catalog (tests add a strategy of their own). Default the daemon's. */
  readonly catalog?: readonly StrategyDef[];
}

const DAY_MS = 86_400_000;

/**
 * Feed settings for bars of `intervalMs` read from history (bar source
 * 'venue'), scaled so stale and gap detection mean what they do live. The
 * parity test gives the live feed actors these same overrides.
 */
export function researchFeedOverrides(intervalMs: number): Partial<Omit<FeedConfig, 'symbol'>> {
  // Live defaults assume 1-minute bars in a 6.5-hour session; daily bars count 252 a year.
  const barsPerYear = intervalMs >= DAY_MS ? (252 * DAY_MS) / intervalMs : (252 * 6.5 * 3_600_000) / intervalMs;
  return {
    barIntervalMs: intervalMs,
    barSource: 'venue',
    staleAfterMs: Math.max(60_000, 3 * intervalMs),
    gapAfterMs: Math.max(5 * 60_000, 5 * intervalMs),
    gapHoldMs: intervalMs,
    barsPerYear,
    // Bars are handed over at their close; their start lies one interval back, never ahead.
    maxFutureMs: 0,
    // History is what happened: a jump in it is a real one, not a bad print to hold back.
    maxJumpFraction: 0,
  };
}

export function researchFeedConfig(symbol: string, intervalMs: number): FeedConfig {
  return feedConfig(symbol, researchFeedOverrides(intervalMs));
}

/**
 * The stale-data ladder measured beyond one bar interval. Live, prices come
 * with every trade; in a back-test a bar is the finest data there is, and
 * while one instrument's bar is handled the others' are one interval old by
 * construction. Without the allowance every replay of 1-minute bars would
 * stand at NO_NEW; with it, a missing bar still escalates as it would live.
 */
export function staleAllowance(risk: RiskSettings, intervalMs: number): RiskSettings {
  const ladder = Object.fromEntries(Object.entries(risk.staleData.ladder).map(([tier, v]) => [tier, v === null ? null : v + intervalMs])) as RiskSettings['staleData']['ladder'];
  return { ...risk, staleData: { ...risk.staleData, ladder } };
}

export class ResearchDesk {
  readonly engine: MatchingEngine;
  readonly market: BarMarket;
  readonly session: BrokerSessionCore;
  readonly allocator: AllocatorDesk;
  readonly risk: RiskDesk;
  readonly shards: readonly ShardCore[];
  /** The broker session's protective stops and limit time limits, planned as the actor plans them. */
  readonly housekeeping: ResearchHousekeeping;
  private readonly feeds = new Map<string, FeedCore>();
  private readonly observer: DeskObserver;
  private readonly rebalanceEveryMs: number;
  private nextTick: number;
  private nextEval: number;
  private nextFlatten: number;
  private nextAccount: number;
  private readonly tradeFrom: number;
  /** Whether the settings call for the broker's stops and time limits (protective stops, or limit orders with a time limit): fixed for a run; held orders are released either way. */
  private readonly housekeepingOn: boolean;
  /** Updates the engine emitted while an order was being submitted: applied after the ack, as the live broker sees them. */
  private readonly updates: [TradeUpdateData, number][] = [];

  constructor(opts: DeskOptions) {
    const { spec, symbols, start } = opts;
    this.observer = opts.observer ?? {};
    this.tradeFrom = spec.tradeFrom ?? -Infinity;
    this.market = new BarMarket(symbols, spec.cost);
    const fees = feeSchedule(spec.cost);
    this.engine = new MatchingEngine({ market: this.market, seed: spec.seed, now: start, cash: spec.startingCash, accountMode: spec.accountMode, ...(fees ? { fees } : {}) });
    this.engine.onUpdate((u, fee) => this.updates.push([u, fee]));
    for (const s of symbols) this.feeds.set(s, new FeedCore(researchFeedConfig(s, opts.intervalMs)));

    const settings = spec.settings;
    const catalog = opts.catalog ?? CATALOG;
    // A catalog of its own (tests) takes the profile's parameters of the strategies it has.
    const overrides = Object.fromEntries(Object.entries(strategyOverrides(settings.strategies)).filter(([id]) => catalog.some((d) => d.id === id)));
    const shardCount = settings.strategies.shards;
    this.shards = Array.from({ length: shardCount }, (_, k) => {
      const args = { shard: k, shardCount, paramOverrides: overrides, disabled: settings.strategies.disabled };
      const core = new ShardCore(shardOptionsFor(args, catalog));
      disableConfigured(core, args);
      return core;
    });

    const a = allocatorArgs(settings.allocator);
    this.rebalanceEveryMs = a.rebalanceEveryMs ?? 60_000;
    this.nextTick = start + this.rebalanceEveryMs;
    this.nextEval = start + RISK_TIMER_DEFAULTS.evaluateEveryMs;
    this.nextFlatten = start;
    this.nextAccount = start + BROKER_TIMER_DEFAULTS.reconcileEveryMs;
    this.allocator = new AllocatorDesk({ config: a.config, changeThreshold: a.changeThreshold, inflightTtlMs: a.inflightTtlMs, learning: a.learning }, null, start);
    const r = riskArgs(staleAllowance(settings.risk, opts.intervalMs));
    // No heartbeats: the shards run in this thread, a step behind nothing.
    this.risk = new RiskDesk({ risk: r.risk, preTrade: r.preTrade, heartbeatSources: [] }, null, start);
    const intents = settings.allocator.intents;
    this.housekeepingOn = r.risk.protectiveStops.enabled || (intents.orderType === 'limit' && intents.limitTimeoutMs > 0);

    this.session = BrokerSessionCore.inMemory({ salt: `research-${spec.seed}` });
    this.housekeeping = new ResearchHousekeeping(this.session, {
      send: (cid, body, now) => this.sendOrder(cid, body, now),
      cancel: (cid, now, then) => this.cancelOrder(cid, now, then),
      replace: (cid, orderId, body, now) => this.replaceOrder(cid, orderId, body, now),
      deliver: (msgs, now) => this.deliver(msgs, now),
    });
    const account = this.engine.accountWire(start);
    const startup = this.session.reconcile({ openOrders: [], recentOrders: [], positions: [], account }, 'startup', start);
    this.deliver(startup.messages, start);
    const link: BrokerConnectionMsg = { type: 'broker.connection', connected: true, ready: this.session.ready, stream: 'listening', restFailures: 0, reason: null, since: start, ts: start };
    this.deliver([link], start);
    this.publishAccount(start);
  }

  /** Hands a macro release to the shards. */
  macro(msg: MacroMsg, now: number): void {
    this.observer.shardInput?.(msg, now);
    for (const s of this.shards) s.onMessage(msg);
  }

  /**
   * One bar event: `bar` closed at `now`. The clock reaching `now` fires the
   * timers first (as the runtime fires them before the next message), then
   * the instrument's working orders meet the bar they rested through, then
   * the feed folds it in and the desk reacts.
   */
  bar(bar: HistBar, now: number): void {
    this.timers(now);
    this.observer.bar?.(bar, now);
    const quote = this.market.onBar(bar, now);
    this.engine.onBar(bar.symbol, bar, quote, now);
    this.settleUpdates(now);

    const md: MarketDataMsg = { type: 'md.bar', symbol: bar.symbol, open: bar.open, high: bar.high, low: bar.low, close: bar.close, volume: bar.volume, ts: bar.ts, trades: bar.trades ?? 0, vwap: bar.vwap ?? bar.close };
    const feed = this.feeds.get(bar.symbol);
    if (!feed) return;
    const out = feed.onMarketData(md, now);
    if (out.rejected) return;
    const { features, bar: closed, status } = out;
    this.observer.shardInput?.(md, now);
    for (const s of this.shards) {
      if (status) s.onMessage(status);
      if (features) s.onMessage(features);
      if (closed) s.onMessage(closed);
    }
    if (features) {
      this.risk.book.onPrice(features.symbol, features.price, now);
      this.risk.book.onVol(features.symbol, features.vol);
      this.allocator.onFeatures(features, now);
    }
    this.react(now);
    this.housekeep(now);
  }

  /** Time passed to `now` with no bar: the timers due by then fire. */
  tick(now: number): void {
    this.timers(now);
    this.react(now);
    this.housekeep(now);
  }

  /** The broker session's passes after what it handled: protective stops and limit time limits. */
  private housekeep(now: number): void {
    if (this.housekeepingOn) this.housekeeping.run(this.risk.stopsPolicy(now), now);
    // An order held back while our working orders hold its shares (a flip's opening leg) goes once they are done.
    else this.housekeeping.release(now);
  }

  /** The allocator's housekeeping rebalance, the governor's evaluation and FLATTEN passes, each on its period. */
  private timers(now: number): void {
    // The broker's periodic reconciliation: its positions (working orders included) and the account read again.
    if (now >= this.nextAccount) {
      while (this.nextAccount <= now) this.nextAccount += BROKER_TIMER_DEFAULTS.reconcileEveryMs;
      this.reconcile(now);
    }
    this.evaluateRisk(now);
    if (now >= this.nextTick) {
      while (this.nextTick <= now) this.nextTick += this.rebalanceEveryMs;
      if (now >= this.tradeFrom && this.allocator.bookKnown && this.allocator.warm) this.rebalance(now);
    }
    if (this.risk.tier === 'FLATTEN' && now >= this.nextFlatten) {
      while (this.nextFlatten <= now) this.nextFlatten += RISK_TIMER_DEFAULTS.flattenEveryMs;
      this.flatten(now);
    }
  }

  /** The shards' signals, and the rebalance they call for. */
  private react(now: number): void {
    for (const s of this.shards) {
      for (const sig of s.evaluate(now)) {
        this.observer.signal?.(sig, now);
        this.allocator.onSignal(sig, now);
      }
    }
    if (now >= this.tradeFrom && this.allocator.due) this.rebalance(now);
  }

  /** The governor's evaluation timer (and after each account reading, as the actor does on `broker.account`). */
  private evaluateRisk(now: number, force = false): void {
    if (!force && now < this.nextEval) return;
    while (this.nextEval <= now) this.nextEval += RISK_TIMER_DEFAULTS.evaluateEveryMs;
    for (const c of this.risk.evaluate(now).changes) this.observer.tier?.(c, now);
  }

  private rebalance(now: number): void {
    const r = this.allocator.rebalance(now);
    this.observer.posture?.(r.posture, now);
    if (r.intents.intents.length === 0) return;
    this.observer.intents?.(r.intents, now);
    this.allocator.sent(r.intents.intents, now);
    const review = this.risk.review(r.intents, now);
    for (const c of review.changes) this.observer.tier?.(c, now);
    this.settleApprovals(review.approved, review.denied, now);
  }

  private flatten(now: number): void {
    const pass = this.risk.flattenPass(now);
    if (!pass) return;
    for (const c of pass.cancels) this.cancelOrder(c.clientOrderId, now);
    this.settleApprovals(pass.approved, pass.denied, now);
  }

  /** Journals a cancel and sends it to the engine. */
  private cancelOrder(clientOrderId: string, now: number, then?: 'market'): void {
    const r = this.session.requestCancel(clientOrderId, now, then);
    this.deliver(r.messages, now);
    if (!r.brokerOrderId) return;
    try {
      this.engine.cancel(r.brokerOrderId, now);
    } catch {
      // Already done: its update says so.
    }
    this.settleUpdates(now);
  }

  /** Sends a registered order to the engine; the engine may fill on arrival, and its updates wait for the ack, as they would on the wire. */
  private sendOrder(clientOrderId: string, body: OrderRequest, now: number): void {
    this.answer(clientOrderId, () => this.engine.submit(body, now), now);
  }

  /** Sends a journaled replace (`PATCH`) to the engine; its answer is the replacement's, as a submission's would be. */
  private replaceOrder(clientOrderId: string, orderId: string, body: Record<string, unknown>, now: number): void {
    this.answer(clientOrderId, () => this.engine.replace(orderId, body, now), now);
  }

  /** The engine's answer to an order or a replace, or its refusal, applied by the session; then the updates it made. */
  private answer(clientOrderId: string, call: () => Record<string, unknown>, now: number): void {
    let raw: Record<string, unknown>;
    try {
      raw = call();
    } catch (err) {
      const r = this.session.onSubmitError(clientOrderId, err, now);
      if (r.outcome === 'rejected') this.housekeeping.stops.noteRejected(clientOrderId, now);
      this.deliver(r.messages, now);
      this.settleUpdates(now);
      return;
    }
    this.deliver(this.session.onSubmitOk(clientOrderId, raw, now).messages, now);
    this.settleUpdates(now);
  }

  private settleApprovals(approved: readonly RiskIntentApprovedMsg[], denied: readonly RiskIntentDeniedMsg[], now: number): void {
    for (const d of denied) {
      this.observer.denied?.(d, now);
      this.allocator.onIntentGone(d.intent.intentId);
      this.risk.book.onIntentRefused({ type: 'broker.intent_refused', intentId: d.intent.intentId, symbol: d.intent.symbol, reason: d.reason, ts: now });
    }
    if (approved.length === 0) return;
    for (const a of approved) this.observer.approved?.(a, now);
    const decisions = this.session.submitBatch(approved.map((a) => a.intent), now);
    decisions.forEach((d, k) => {
      const intent = approved[k]!.intent;
      if (!d.ok) {
        this.deliver([intentRefusedMsg(intent.intentId, intent.symbol, d.reason, now)], now);
        return;
      }
      this.deliver(d.messages, now);
      this.housekeeping.sendOrHold(d.clientOrderId, d.request, d.restBody, now);
    });
  }

  /** Applies the engine's trade updates through the broker session. */
  private settleUpdates(now: number): void {
    if (this.updates.length === 0) return;
    const batch = this.updates.splice(0);
    let filled = false;
    for (const [u, fee] of batch) {
      if (u.event === 'fill' || u.event === 'partial_fill') {
        filled = true;
        const symbol = String(u.order.symbol);
        this.observer.fill?.(u, fee, this.market.price(symbol) ?? Number(u.price), now);
        this.housekeeping.noteFill(symbol, Number(u.price));
      }
      this.deliver(this.session.onTradeUpdate(u, now).messages, now);
    }
    if (filled) this.publishAccount(now);
  }

  /**
   * What the broker session publishes on its reconciliation timer: its
   * positions (working orders included), then the account read again. The
   * diff itself is not replayed: in one thread the session hears every
   * update of the engine as it happens, so there is never drift to find,
   * and diffing every order ever placed at each bar time made long runs
   * quadratic.
   */
  private reconcile(now: number): void {
    this.deliver([this.session.positionsMsg(now)], now);
    this.publishAccount(now);
  }

  /** `broker.account` as the broker publishes it, read from the engine's account. */
  publishAccount(now: number): void {
    const a = accountMsg(this.engine.accountWire(now), now);
    if (a.ok) this.deliver([a.value], now);
  }

  /** Routes broker messages to the allocator and risk as the topics would. */
  private deliver(msgs: readonly BrokerMsg[], now: number): void {
    for (const m of msgs) {
      this.observer.broker?.(m, now);
      const book = this.risk.book;
      switch (m.type) {
        case 'broker.positions':
          this.allocator.onPositions(m, now);
          book.onPositions(m);
          break;
        case 'broker.account':
          this.allocator.onAccount(m, now);
          book.onAccount(m);
          this.risk.noteAccount(now);
          this.evaluateRisk(now, true);
          break;
        case 'broker.order_update':
          this.allocator.onOrderUpdate(m.intentId);
          book.onOrderUpdate(m);
          break;
        case 'broker.intent_refused':
          this.allocator.onIntentGone(m.intentId);
          book.onIntentRefused(m);
          break;
        case 'broker.reconciled':
          book.onReconciled(m);
          break;
        case 'broker.connection':
          book.onConnection(m);
          this.risk.maybeArm(now);
          break;
        case 'broker.fill':
          // As live: the allocator's attribution (and so its learning) hears the broker's fills.
          this.allocator.onFill(m.symbol, m.side === 'buy' ? m.qty : -m.qty, m.price);
          break;
      }
    }
  }

  /** Equity, gross and net exposure (fractions of equity) at the last closes. */
  marks(): { equity: number; gross: number; net: number } {
    const equity = this.engine.equity();
    const { long, short } = this.engine.exposure();
    return { equity, gross: equity > 0 ? (long - short) / equity : 0, net: equity > 0 ? (long + short) / equity : 0 };
  }
}
