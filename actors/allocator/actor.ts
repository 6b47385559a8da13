/**
 * The allocator actor: `AllocatorDesk` on the runtime.
 *
 * In: `strategy.signal` (topic `signals`), `feed.features` (topic `features`:
 * prices and volatility), `broker.positions` and `broker.account` (topic
 * `positions`), and, to know when a sent intent shows in the broker's book or
 * never will, `broker.order_update` / `broker.intent_refused` (topic `orders`) and
 * `risk.intent_denied` (topic `risk`), and `broker.fill` (topic `fills`) for
 * the P&L attribution that the self-learning weights learn from. Out:
 * `allocator.posture` published on `posture`, `allocator.intents` told to the
 * risk governor (only when there is something to trade), and
 * `allocator.learning` on `learning` (each learning period, on a freeze or
 * unfreeze, at start, and on the housekeeping timer so P&L stays current). The operator freezes learning with
 * `allocator.learning_command` (ask); the frozen flag is written to the
 * durable record before the reply.
 *
 * Event-driven: a changed signal is rebalanced on the same turn (through a
 * message to itself, which queues behind the signals already waiting, so a
 * shard's burst costs one rebalance), never held back by a clock. Turnover is
 * bounded by thresholds (change threshold, target hysteresis, no-trade band,
 * minimum notional), not by time. The slow timer (`rebalanceEveryMs`) is
 * housekeeping: it re-checks targets against moved prices and expired
 * signals. The snapshot carries the posture sequence, and a restart starts
 * past both the snapshot's sequence and the clock's epoch ms (see
 * AllocatorDesk), so a restarted allocator never reuses an intent id.
 */
import { pipelineHistogram } from '../strategy/trace.js';
import { defineActor, Kind, monoNs, type ActorContext, type Message } from '../../src/runtime/index.js';
import type { BrokerAccountMsg, BrokerFillMsg, BrokerIntentRefusedMsg, BrokerOrderUpdateMsg, BrokerPositionsMsg } from '../broker/messages.js';
import type { RiskFlattenMsg, RiskIntentDeniedMsg, RiskStateMsg, RiskTierChangedMsg } from '../risk/messages.js';
import type { FeedFeaturesMsg } from '../feed/messages.js';
import type { StrategySignalMsg } from '../strategy/messages.js';
import type { AllocatorConfigInput } from './allocator-core.js';
import { AllocatorDesk, type AllocatorDeskSnapshot, type LearningOptions } from './desk.js';
import { DurableRecord, StateCorruptError } from '../../src/durable/index.js';
import { TOPICS } from '../topics.js';
import type { AllocatorLearningCommandMsg, AllocatorLearningResultMsg } from './messages.js';
import { subscriptions } from '../../src/runtime/index.js';

export interface AllocatorArgs {
  /** Combine, sizing and intent settings (target hysteresis, no-trade band, minimum notional: `config.intents`). */
  readonly config?: AllocatorConfigInput;
  /** Smallest strength/confidence change that counts as a new signal (0: any change). Default 0.05. */
  readonly changeThreshold?: number;
  /**
   * Housekeeping re-check of the targets (moved prices, expired signals), ms.
   * Not a throttle: a changed signal never waits for it. Default 60,000.
   */
  readonly rebalanceEveryMs?: number;
  /** How long a sent intent counts as held before the broker shows it, ms. Default 10,000. */
  readonly inflightTtlMs?: number;
  /** Self-learning weights (`allocator.learning`). Default: enabled, learner defaults. */
  readonly learning?: LearningOptions;
  /** Where intents go. Default 'risk'. */
  readonly riskId?: string;
  /** The broker session, asked for the book at start. Default 'broker'. */
  readonly brokerId?: string;
  /**
   * Where the posture is kept across restarts (`allocator.json`). Unset: not
   * kept. Written after a rebalance, at most once per `stateEveryMs` (10 s).
   */
  readonly stateDir?: string;
  readonly stateEveryMs?: number;
}

/** Operator or test: rebalance now (reply `allocator.rebalanced` when asked). */
export interface AllocatorRebalanceNowMsg {
  readonly type: 'allocator.rebalance_now';
}

type In =
  | BrokerOrderUpdateMsg
  | BrokerIntentRefusedMsg
  | RiskIntentDeniedMsg
  | RiskStateMsg
  | RiskTierChangedMsg
  | RiskFlattenMsg
  | StrategySignalMsg
  | FeedFeaturesMsg
  | BrokerPositionsMsg
  | BrokerAccountMsg
  | BrokerFillMsg
  | AllocatorLearningCommandMsg
  | AllocatorRebalanceNowMsg
  | { readonly type: 'allocator.rebalance_due' }
  | { readonly type: 'allocator.persist_due' }
  | { readonly type: 'allocator.tick' };

/** What the actor subscribes to; each topic's messages must be ones it accepts (checked at compile time). */
export const ALLOCATOR_TOPICS = subscriptions<In>()(TOPICS.signals, TOPICS.features, TOPICS.positions, TOPICS.orders, TOPICS.risk, TOPICS.fills);

export default defineActor<In, AllocatorArgs, AllocatorDeskSnapshot>(() => {
  let desk: AllocatorDesk;
  let riskId = 'risk';
  let m: ReturnType<typeof metrics>;
  let store: DurableRecord<AllocatorDeskSnapshot> | null = null;
  let stateEveryMs = 10_000;
  let lastStateWrite = -Infinity;
  let publishedLearning = -1;

  /** Publishes `allocator.learning` when the learner's state changed since the last one. */
  const publishLearning = (ctx: ActorContext, force = false): void => {
    if (!force && desk.learningVersion === publishedLearning) return;
    publishedLearning = desk.learningVersion;
    ctx.publish(TOPICS.learning, desk.learningState(ctx.clock.now()));
  };

  /** Keeps the posture (fsync'd); a failure is logged and counted. */
  const persist = (ctx: ActorContext, force = false): boolean => {
    const now = ctx.clock.now();
    if (!store || (!force && now - lastStateWrite < stateEveryMs)) return true;
    try {
      store.write(desk.snapshot(), now);
      lastStateWrite = now;
      m.stateWrites.inc({ record: 'allocator', result: 'ok' });
      return true;
    } catch (err) {
      m.stateWrites.inc({ record: 'allocator', result: 'failed' });
      ctx.log.error('allocator state not written', { error: err as Error });
      return false;
    }
  };

  const metrics = (ctx: ActorContext) => ({
    rebalances: ctx.metrics.counter('qgtm_allocator_rebalances_total', 'Allocator rebalances', ['cause']),
    intents: ctx.metrics.counter('qgtm_allocator_intents_total', 'Order intents the allocator sent to risk'),
    rejected: ctx.metrics.counter('qgtm_allocator_signals_rejected_total', 'Signals the allocator refused, by reason', ['reason']),
    sinceTick: pipelineHistogram(ctx, 'intents'),
    stateWrites: ctx.metrics.counter('qgtm_state_writes_total', 'Durable state records written, by record and result', ['record', 'result']),
  });

  const rebalance = (ctx: ActorContext, cause: string): Message => {
    const r = desk.rebalance(ctx.clock.now());
    m.rebalances.inc({ cause });
    if (r.intents.intents.length > 0) {
      if (r.originNs > 0) m.sinceTick.observe((monoNs() - r.originNs) / 1e9);
      m.intents.inc(undefined, r.intents.intents.length);
      desk.sent(r.intents.intents, ctx.clock.now());
      ctx.tell(riskId, r.intents);
    }
    ctx.publish(TOPICS.posture, r.posture);
    persistSoon(ctx);
    return r.intents;
  };

  /**
   * The posture record is written on a timer of its own, after the turn: its
   * two fsyncs (several ms here) once sat between a rebalance and its intents
   * reaching risk, which shares this worker and handles them in the same
   * turn. The record is a recovery aid written at most every
   * `stateEveryMs`; the snapshot the runtime takes every second, and the
   * broker's journal of every intent, do not wait for it.
   */
  const persistSoon = (ctx: ActorContext): void => {
    if (!store || ctx.clock.now() - lastStateWrite < stateEveryMs || ctx.timers.isActive('persist')) return;
    ctx.timers.start('persist', 0, { type: 'allocator.persist_due' });
  };

  let rebalanceQueued = false;

  /**
   * A change asks for a rebalance; it runs on a message the allocator sends
   * itself, which queues behind the signals already waiting, so a shard's
   * burst (one evaluation, many signals) costs one rebalance. A local message
   * skips the codec and runs on the same turn: nothing waits on a clock.
   */
  const maybeRebalance = (ctx: ActorContext): void => {
    if (!desk.due || rebalanceQueued) return;
    rebalanceQueued = true;
    ctx.tell(ctx.self, { type: 'allocator.rebalance_due' });
  };

  return {
    accepts: {
      'strategy.signal': 'public',
      'feed.features': 'public',
      'broker.positions': 'public',
      'broker.account': 'public',
      'broker.order_update': 'public',
      'broker.intent_refused': 'public',
      'broker.fill': 'public',
      'allocator.learning_command': 'public',
      'risk.intent_denied': 'public',
      'risk.state': 'public',
      'risk.tier_changed': 'public',
      'risk.flatten': 'public',
      'allocator.rebalance_now': 'public',
      'allocator.rebalance_due': 'internal',
      'allocator.persist_due': 'internal',
      'allocator.tick': 'internal',
    },

    init(ctx, args = {}, snapshot) {
      riskId = args.riskId ?? 'risk';
      m = metrics(ctx);
      let start: AllocatorDeskSnapshot | undefined = snapshot;
      let from = snapshot !== undefined ? 'snapshot' : 'none';
      stateEveryMs = args.stateEveryMs ?? 10_000;
      if (args.stateDir) {
        store = new DurableRecord<AllocatorDeskSnapshot>(args.stateDir, 'allocator', (x) => (x && typeof x === 'object' && (x as AllocatorDeskSnapshot).core ? null : 'no core'));
        try {
          const l = store.read();
          // The runtime's snapshot (a restart inside a running daemon) is at most a second old: newer.
          if (l && start === undefined) {
            start = l.value;
            from = 'disk';
          }
        } catch (err) {
          // The posture is derived state: the risk governor gates every intent, so a cold allocator is safe.
          ctx.log.error('allocator state unusable: starting cold', { error: err instanceof StateCorruptError ? err.message : String(err) });
          try {
            store.quarantine(ctx.clock.now());
          } catch {
            // Replaced by the next write.
          }
        }
      }
      desk = new AllocatorDesk(
        { config: args.config, changeThreshold: args.changeThreshold, inflightTtlMs: args.inflightTtlMs, learning: args.learning },
        start ?? null,
        ctx.clock.now(),
      );
      ctx.timers.start('tick', args.rebalanceEveryMs ?? 60_000, { type: 'allocator.tick' }, { repeat: true });
      // The book arrives on `positions`; ask for it now rather than wait for the next reconciliation.
      ctx.tell(args.brokerId ?? 'broker', { type: 'broker.sync' });
      if (desk.restoreError) ctx.log.warn('allocator learning state unusable: learning starts fresh', { error: desk.restoreError });
      publishLearning(ctx, true);
      ctx.log.info('allocator started', { seq: desk.core.seq, restored: start !== undefined, from });
    },

    receive(msg, ctx) {
      switch (msg.type) {
        case 'strategy.signal': {
          const origin = msg.originNs && msg.originNs > 0 ? msg.originNs : (ctx.envelope?.ts ?? 0);
          const r = desk.onSignal(msg, ctx.clock.now(), origin);
          if (!r.accepted) {
            m.rejected.inc({ reason: (r.reason ?? 'unknown').split(':')[0] });
            ctx.log.debug('signal refused', { strategy: msg.strategyId, symbol: msg.symbol, reason: r.reason });
            return;
          }
          if (r.changed) maybeRebalance(ctx);
          return;
        }
        case 'feed.features':
          if (desk.onFeatures(msg, ctx.clock.now())) maybeRebalance(ctx);
          publishLearning(ctx);
          return;
        case 'broker.fill':
          desk.onFill(msg.symbol, msg.side === 'buy' ? msg.qty : -msg.qty, msg.price);
          return;
        case 'allocator.learning_command': {
          const was = desk.learner?.frozen ?? false;
          let error: string | null = desk.setLearningFrozen(msg.frozen) ? null : 'learning is disabled (allocator.learning.enabled is false)';
          // Operator state: on disk before the answer (a kill -9 right after must not undo it).
          if (error === null && !persist(ctx, true)) {
            desk.setLearningFrozen(was);
            error = 'allocator state could not be written: learning flag unchanged';
          }
          ctx.log.info('learning command', { frozen: msg.frozen, by: msg.by, reason: msg.reason, error });
          publishLearning(ctx, true);
          const reply: AllocatorLearningResultMsg = {
            type: 'allocator.learning_result',
            ok: error === null,
            ...(error === null ? {} : { error }),
            state: desk.learningState(ctx.clock.now()),
          };
          if (ctx.envelope?.kind === Kind.Ask) ctx.reply(reply as unknown as Message);
          return;
        }
        case 'broker.positions':
          if (desk.onPositions(msg, ctx.clock.now())) maybeRebalance(ctx);
          return;
        case 'broker.account':
          if (desk.onAccount(msg, ctx.clock.now())) maybeRebalance(ctx);
          return;
        case 'broker.order_update':
          desk.onOrderUpdate(msg.intentId);
          return;
        case 'broker.intent_refused':
          desk.onIntentGone(msg.intentId);
          return;
        case 'risk.intent_denied':
          desk.onIntentGone(msg.intent.intentId);
          return;
        case 'risk.state':
        case 'risk.tier_changed':
        case 'risk.flatten':
          // On the `risk` topic beside the denials; the risk governor gates every intent anyway.
          return;
        case 'allocator.persist_due':
          persist(ctx);
          return;
        case 'allocator.rebalance_due':
          rebalanceQueued = false;
          if (desk.due) rebalance(ctx, 'signal');
          return;
        case 'allocator.tick':
          // Housekeeping only: prices moved, signals expired, in-flight intents aged out.
          if (desk.bookKnown && desk.warm) rebalance(ctx, 'timer');
          // Attributed P&L moves between learning periods: refresh the operator's view at this pace too.
          publishLearning(ctx, true);
          return;
        case 'allocator.rebalance_now': {
          const intents = rebalance(ctx, 'operator');
          if (ctx.envelope?.kind === Kind.Ask) ctx.reply({ type: 'allocator.rebalanced', intents } as Message);
          return;
        }
      }
    },

    snapshot() {
      return desk.snapshot();
    },

    stop(ctx) {
      persist(ctx, true);
    },

    inspect() {
      return {
        seq: desk.core.seq,
        rebalances: desk.rebalances,
        dirty: desk.dirty,
        bookKnown: desk.bookKnown,
        rejections: desk.core.rejections(),
        rejectedBooks: desk.rejectedBooks,
        targets: desk.core.committedTargets(),
        inflight: desk.inflightQty(),
        inflightExpired: desk.inflightExpired,
        learning: desk.learningState(0),
      };
    },
  };
});
