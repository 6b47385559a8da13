/**
 * The risk governor actor: `RiskDesk` on the runtime.
 *
 * In (topics): `features` (last prices, market-data age, volatility for
 * the protective-stop distances), `positions`
 * (broker.positions, broker.account), `orders` (broker.order_update,
 * broker.intent_refused), `reconciled` (drift), `broker_status`
 * (broker.connection), `strategy_status` (shard heartbeats). Direct:
 * `allocator.intents` from the allocator; `risk.command` from the operator
 * (asked: the answer is `risk.command_result`); `risk.query` (asked: the
 * answer is `risk.state`). It also watches the broker actor: a broker that
 * stops or crashes counts as disconnected at once.
 *
 * Out: `risk.tier_changed`, `risk.state`, `risk.intent_denied` and
 * `risk.flatten` published on `risk`; `risk.intent_approved`,
 * `risk.cancel_order` and `risk.stops_policy` (the protective-stop policy,
 * held under FLATTEN) told to the broker session.
 *
 * Triggers are evaluated on a timer, on every rebalance and whenever the
 * broker, account or reconciliation inputs change; while FLATTEN holds a
 * flatten pass runs on its own timer until the book is flat.
 */
import { pipelineHistogram } from '../strategy/trace.js';
import { defineActor, Kind, monoNs, type ActorContext } from '../../src/runtime/index.js';
import type { AllocatorIntentsMsg } from '../allocator/messages.js';
import type { BrokerAccountMsg, BrokerConnectionMsg, BrokerIntentRefusedMsg, BrokerOrderUpdateMsg, BrokerPositionsMsg, BrokerReconciledMsg } from '../broker/messages.js';
import type { FeedFeaturesMsg } from '../feed/messages.js';
import type { StrategyStatusMsg } from '../strategy/messages.js';
import type { RiskConfigInput } from './config.js';
import { RiskDesk, type RiskDeskSnapshot } from './desk.js';
import { tierRank } from './tiers.js';
import type { RiskCommandMsg, RiskIntentDeniedMsg, RiskTierChangedMsg } from './messages.js';
import { DENY_CODES } from './messages.js';
import { loadRiskState, mergeRiskStart, riskRecord, type RiskStart } from './durable.js';
import type { DurableRecord } from '../../src/durable/index.js';
import type { PreTradeConfig } from './pre-trade.js';
import { TOPICS } from '../topics.js';
import { subscriptions } from '../../src/runtime/index.js';

export interface RiskArgs {
  readonly risk?: RiskConfigInput;
  readonly preTrade?: Partial<PreTradeConfig>;
  /** Actor ids whose messages are heartbeats (default: none). */
  readonly heartbeatSources?: readonly string[];
  readonly brokerId?: string;
  /** Trigger evaluation period, ms. Default 1000. */
  readonly evaluateEveryMs?: number;
  /** `risk.state` publication period, ms. Default 5000. */
  readonly stateEveryMs?: number;
  /** FLATTEN pass period, ms. Default 500. */
  readonly flattenEveryMs?: number;
  readonly cancelRetryMs?: number;
  readonly overlayTtlMs?: number;
  /**
   * Where the governor's decisions are kept across restarts (`risk.json`,
   * see durable.ts). Unset: nothing is kept (tests, research runs).
   */
  readonly stateDir?: string;
}

/** What the actor subscribes to; each topic's messages must be ones it accepts (checked at compile time). */
export const RISK_TOPICS = subscriptions<In>()(TOPICS.features, TOPICS.positions, TOPICS.orders, TOPICS.reconciled, TOPICS.broker_status, TOPICS.strategy_status);

type In =
  | FeedFeaturesMsg
  | BrokerPositionsMsg
  | BrokerAccountMsg
  | BrokerOrderUpdateMsg
  | BrokerIntentRefusedMsg
  | BrokerReconciledMsg
  | BrokerConnectionMsg
  | StrategyStatusMsg
  | AllocatorIntentsMsg
  | RiskCommandMsg
  | { readonly type: 'risk.query' }
  | { readonly type: 'risk.tick' }
  | { readonly type: 'risk.state_tick' }
  | { readonly type: 'risk.flatten_tick' }
  | { readonly type: 'sys.terminated'; readonly ref: string; readonly cause: string };

/** The governor's timers: triggers re-evaluated, FLATTEN passes re-planned (research replays them on virtual time). */
export const RISK_TIMER_DEFAULTS = Object.freeze({ evaluateEveryMs: 1000, flattenEveryMs: 500 });

export default defineActor<In, RiskArgs, RiskDeskSnapshot>(() => {
  let desk: RiskDesk;
  let brokerId = 'broker';
  let flattenEveryMs: number = RISK_TIMER_DEFAULTS.flattenEveryMs;
  let m: ReturnType<typeof metrics>;
  let clockNow = (): number => 0;
  let store: DurableRecord<RiskDeskSnapshot> | null = null;
  let lastMarks = '';

  const metrics = (ctx: ActorContext) => ({
    verdicts: ctx.metrics.counter('qgtm_risk_verdicts_total', 'Order intents reviewed by the risk governor, by verdict and code', ['verdict', 'code']),
    changes: ctx.metrics.counter('qgtm_risk_tier_changes_total', 'Risk tier changes, by tier entered', ['to']),
    tier: ctx.metrics.gauge('qgtm_risk_tier', 'Current risk tier rank (0 NORMAL .. 4 FLATTEN)'),
    flattenPasses: ctx.metrics.counter('qgtm_risk_flatten_passes_total', 'FLATTEN passes that cancelled or liquidated something'),
    sinceTick: pipelineHistogram(ctx, 'risk'),
    stateWrites: ctx.metrics.counter('qgtm_state_writes_total', 'Durable state records written, by record and result', ['record', 'result']),
    stateRestores: ctx.metrics.counter('qgtm_state_restores_total', 'Durable state records read at start, by record and outcome (none, restored, corrupt)', ['record', 'outcome']),
  });

  /**
   * Writes the governor's state (fsync'd) before what follows from a decision
   * leaves the actor. A failed write is logged and counted; the decision
   * stands in memory (the stricter choice: refusing an escalation because a
   * disk is full would be worse).
   */
  const persist = (ctx: ActorContext, why: string): void => {
    if (!store) return;
    const snap = desk.snapshot();
    try {
      store.write(snap, ctx.clock.now());
      lastMarks = JSON.stringify(snap.marks);
      m.stateWrites.inc({ record: 'risk', result: 'ok' });
    } catch (err) {
      m.stateWrites.inc({ record: 'risk', result: 'failed' });
      ctx.log.error('risk state not written', { why, error: err as Error });
    }
  };

  const publishState = (ctx: ActorContext): void => {
    ctx.publish(TOPICS.risk, desk.state(ctx.clock.now()));
  };

  /** The protective-stop policy to the broker: told before any FLATTEN cancel, so the session stops placing stops first. */
  const tellPolicy = (ctx: ActorContext): void => {
    ctx.tell(brokerId, desk.stopsPolicy(ctx.clock.now()));
  };

  const flatten = (ctx: ActorContext): void => {
    const pass = desk.flattenPass(ctx.clock.now());
    if (!pass) return;
    m.flattenPasses.inc();
    for (const c of pass.cancels) ctx.tell(brokerId, c);
    for (const a of pass.approved) ctx.tell(brokerId, a);
    for (const d of pass.denied) deny(ctx, d);
    ctx.publish(TOPICS.risk, pass.report);
    ctx.log.warn('flatten pass', { pass: pass.report.pass, cancels: pass.cancels.length, liquidations: pass.approved.length, denied: pass.denied.length });
  };

  const deny = (ctx: ActorContext, d: RiskIntentDeniedMsg): void => {
    m.verdicts.inc({ verdict: 'denied', code: d.code });
    ctx.publish(TOPICS.risk, d);
  };

  const applyChanges = (ctx: ActorContext, changes: readonly RiskTierChangedMsg[], persisted = false): void => {
    if (changes.length === 0) return;
    if (!persisted) persist(ctx, 'tier change');
    for (const c of changes) {
      m.changes.inc({ to: c.to });
      ctx.publish(TOPICS.risk, c);
      ctx.log.warn('risk tier changed', { from: c.from, to: c.to, cause: c.cause, reason: c.reason });
    }
    m.tier.set(undefined, tierRank(desk.tier));
    publishState(ctx);
    tellPolicy(ctx);
    if (desk.tier === 'FLATTEN') {
      if (!ctx.timers.isActive('flatten')) ctx.timers.start('flatten', flattenEveryMs, { type: 'risk.flatten_tick' }, { repeat: true });
      flatten(ctx);
    } else {
      ctx.timers.cancel('flatten');
    }
  };

  const evaluate = (ctx: ActorContext): void => {
    const r = desk.evaluate(ctx.clock.now());
    if (r.error) ctx.log.warn('risk inputs rejected', { error: r.error });
    applyChanges(ctx, r.changes);
  };

  return {
    accepts: {
      'feed.features': 'public',
      'broker.positions': 'public',
      'broker.account': 'public',
      'broker.order_update': 'public',
      'broker.intent_refused': 'public',
      'broker.reconciled': 'public',
      'broker.connection': 'public',
      'strategy.status': 'public',
      'allocator.intents': 'public',
      'risk.command': 'public',
      'risk.query': 'public',
      'sys.terminated': 'public',
      'risk.tick': 'internal',
      'risk.state_tick': 'internal',
      'risk.flatten_tick': 'internal',
    },

    init(ctx, args = {}, snapshot) {
      brokerId = args.brokerId ?? 'broker';
      flattenEveryMs = args.flattenEveryMs ?? RISK_TIMER_DEFAULTS.flattenEveryMs;
      m = metrics(ctx);
      // Every verdict an operator alerts on exists at 0 from the start, so a panel reads 0, not "no data".
      for (const code of DENY_CODES) m.verdicts.labels({ verdict: 'denied', code });
      for (const verdict of ['approved', 'resized']) m.verdicts.labels({ verdict, code: '' });
      clockNow = () => ctx.clock.now();
      // Restored before the first intent can arrive: init runs before any message is handled.
      let start: RiskStart = { kind: 'none' };
      if (args.stateDir) {
        store = riskRecord(args.stateDir);
        start = loadRiskState(store, ctx.clock.now());
      }
      desk = new RiskDesk(
        { risk: args.risk, preTrade: args.preTrade, heartbeatSources: args.heartbeatSources, cancelRetryMs: args.cancelRetryMs, overlayTtlMs: args.overlayTtlMs },
        mergeRiskStart(start.kind === 'restored' ? start.snapshot : null, snapshot),
        ctx.clock.now(),
      );
      if (start.kind === 'corrupt') {
        // Fail-safe: an operator floor of NO_NEW, lifted only by an operator's clear.
        const r = desk.command({ type: 'risk.command', action: 'set', tier: 'NO_NEW', by: 'system', reason: `risk state could not be restored (${start.error}); held until an operator clears`, at: ctx.clock.now() }, ctx.clock.now());
        ctx.log.error('risk state unusable: starting at NO_NEW', { error: start.error, movedTo: start.movedTo, tier: desk.tier });
        for (const c of r.changes) ctx.publish(TOPICS.risk, c);
      }
      if (store) {
        m.stateRestores.inc({ record: 'risk', outcome: start.kind });
        persist(ctx, 'start');
      }
      m.tier.set(undefined, tierRank(desk.tier));
      ctx.watch(brokerId);
      ctx.tell(brokerId, { type: 'broker.sync' });
      tellPolicy(ctx);
      ctx.timers.start('eval', args.evaluateEveryMs ?? RISK_TIMER_DEFAULTS.evaluateEveryMs, { type: 'risk.tick' }, { repeat: true });
      ctx.timers.start('state', args.stateEveryMs ?? 5000, { type: 'risk.state_tick' }, { repeat: true });
      if (desk.tier === 'FLATTEN') ctx.timers.start('flatten', flattenEveryMs, { type: 'risk.flatten_tick' }, { repeat: true });
      publishState(ctx);
      const g = desk.governor;
      ctx.log.info('risk governor started', {
        tier: desk.tier,
        restored: start.kind === 'restored' || snapshot !== undefined,
        from: start.kind === 'restored' ? 'disk' : start.kind === 'corrupt' ? 'fail-safe' : snapshot !== undefined ? 'snapshot' : 'none',
        latched: g.isLatched,
        floor: g.floor,
        history: g.history().length,
        seq: store?.seq ?? null,
      });
    },

    receive(msg, ctx) {
      const now = ctx.clock.now();
      const book = desk.book;
      switch (msg.type) {
        case 'feed.features':
          book.onPrice(msg.symbol, msg.price, now);
          // Reaches the broker with the next policy told (state period): a stop is priced once, when placed.
          book.onVol(msg.symbol, msg.vol);
          return;
        case 'broker.positions':
          book.onPositions(msg);
          return;
        case 'broker.account':
          book.onAccount(msg);
          desk.noteAccount(now);
          evaluate(ctx);
          return;
        case 'broker.order_update':
          book.onOrderUpdate(msg);
          return;
        case 'broker.intent_refused':
          book.onIntentRefused(msg);
          return;
        case 'broker.reconciled':
          book.onReconciled(msg);
          evaluate(ctx);
          return;
        case 'broker.connection': {
          const was = book.brokerUsable;
          const wasReady = book.broker.ready;
          book.onConnection(msg);
          desk.maybeArm(now);
          if (was !== book.brokerUsable) ctx.log.info('broker link', { connected: msg.connected, ready: msg.ready, reason: msg.reason });
          // A (re)started broker session places no stop until it has the policy.
          if (msg.ready && !wasReady) tellPolicy(ctx);
          evaluate(ctx);
          return;
        }
        case 'sys.terminated':
          if (msg.ref === brokerId) {
            book.onBrokerGone(msg.cause);
            evaluate(ctx);
          }
          return;
        case 'strategy.status':
          if (ctx.envelope?.from) book.onHeartbeat(ctx.envelope.from, now);
          return;
        case 'allocator.intents': {
          if (msg.originNs) m.sinceTick.observe((monoNs() - msg.originNs) / 1e9);
          const r = desk.review(msg, now);
          applyChanges(ctx, r.changes);
          for (const a of r.approved) {
            m.verdicts.inc({ verdict: a.resized ? 'resized' : 'approved', code: '' });
            ctx.tell(brokerId, a);
          }
          for (const d of r.denied) deny(ctx, d);
          return;
        }
        case 'risk.command': {
          const r = desk.command(msg, now);
          // On disk before the reply, the tier change or any liquidation leaves.
          if (r.result.ok) persist(ctx, `operator ${msg.action}`);
          if (!r.result.ok) ctx.log.warn('risk command rejected', { error: r.result.error });
          else ctx.log.warn('risk command', { action: msg.action, by: msg.by, reason: msg.reason });
          applyChanges(ctx, r.changes, true);
          // A clear lifts the floor; whether the tier can step down is the triggers' call.
          if (msg.action === 'clear') evaluate(ctx);
          publishState(ctx);
          if (ctx.envelope?.kind === Kind.Ask) ctx.reply(r.result);
          return;
        }
        case 'risk.query':
          if (ctx.envelope?.kind === Kind.Ask) ctx.reply({ ...desk.state(now), armed: desk.armed, brokerUsable: book.brokerUsable } as ReturnType<RiskDesk['state']>);
          return;
        case 'risk.tick':
          evaluate(ctx);
          return;
        case 'risk.state_tick':
          // Equity marks (peak, day start) move with every account reading: kept at this pace, not per reading.
          if (store && JSON.stringify(desk.equity.current) !== lastMarks) persist(ctx, 'equity marks');
          publishState(ctx);
          tellPolicy(ctx);
          return;
        case 'risk.flatten_tick':
          if (desk.tier === 'FLATTEN') flatten(ctx);
          else ctx.timers.cancel('flatten');
          return;
      }
    },

    snapshot() {
      return desk.snapshot();
    },

    inspect() {
      return { tier: desk.tier, armed: desk.armed, broker: desk.book.broker, openOrders: desk.book.openOrders.size, positions: desk.book.positions, lastPrices: desk.book.lastPrices, inputs: desk.inputs(clockNow()) };
    },
  };
});
