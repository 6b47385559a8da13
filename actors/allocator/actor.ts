/**
 * The allocator actor: `AllocatorDesk` on the runtime.
 *
 * In: `strategy.signal` (topic `signals`), `feed.features` (topic `features`:
 * prices and volatility), `exec.positions` and `exec.account` (topic
 * `positions`). Out: `alloc.posture` published on `posture`, and
 * `alloc.intents` told to the risk governor (only when there is something to
 * trade).
 *
 * Rebalances when a signal changed (at most once per `minIntervalMs`, and
 * once per burst of signals) and on a slow timer. The snapshot carries the posture sequence, and a restart
 * starts past both the snapshot's sequence and the clock's epoch ms (see
 * AllocatorDesk), so a restarted allocator never reuses an intent id.
 */
import { pipelineHistogram } from '../strategy/trace.js';
import { defineActor, Kind, monoNs, type ActorContext, type Message } from '../../src/runtime/index.js';
import type { ExecAccountMsg, ExecPositionsMsg } from '../broker/messages.js';
import type { FeedFeaturesMsg } from '../feed/messages.js';
import type { StrategySignalMsg } from '../strategy/messages.js';
import type { AllocatorConfigInput } from './allocator-core.js';
import { AllocatorDesk, type AllocatorDeskSnapshot } from './desk.js';
import { DurableRecord, StateCorruptError } from '../../src/durable/index.js';
import { TOPICS } from '../topics.js';
import { subscriptions } from '../../src/runtime/index.js';

export interface AllocatorArgs {
  readonly config?: AllocatorConfigInput;
  /** Least time between rebalances, ms. Default 1000. */
  readonly minIntervalMs?: number;
  /** Smallest strength/confidence change that triggers a rebalance. Default 0.05. */
  readonly changeThreshold?: number;
  /** Periodic rebalance, ms. Default 60,000. */
  readonly rebalanceEveryMs?: number;
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

/** Operator or test: rebalance now (reply `alloc.rebalanced` when asked). */
export interface AllocRebalanceNowMsg {
  readonly type: 'alloc.rebalance_now';
}

type In =
  | StrategySignalMsg
  | FeedFeaturesMsg
  | ExecPositionsMsg
  | ExecAccountMsg
  | AllocRebalanceNowMsg
  | { readonly type: 'alloc.due' }
  | { readonly type: 'alloc.rebalance_due' }
  | { readonly type: 'alloc.tick' };

/** What the actor subscribes to; each topic's messages must be ones it accepts (checked at compile time). */
export const ALLOCATOR_TOPICS = subscriptions<In>()(TOPICS.signals, TOPICS.features, TOPICS.positions);

export default defineActor<In, AllocatorArgs, AllocatorDeskSnapshot>(() => {
  let desk: AllocatorDesk;
  let riskId = 'risk';
  let m: ReturnType<typeof metrics>;
  let store: DurableRecord<AllocatorDeskSnapshot> | null = null;
  let stateEveryMs = 10_000;
  let lastStateWrite = -Infinity;

  /** Keeps the posture (fsync'd); a failure is logged and counted. */
  const persist = (ctx: ActorContext, force = false): void => {
    const now = ctx.clock.now();
    if (!store || (!force && now - lastStateWrite < stateEveryMs)) return;
    try {
      store.write(desk.snapshot(), now);
      lastStateWrite = now;
      m.stateWrites.inc({ record: 'allocator', result: 'ok' });
    } catch (err) {
      m.stateWrites.inc({ record: 'allocator', result: 'failed' });
      ctx.log.error('allocator state not written', { error: err as Error });
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
    ctx.publish(TOPICS.posture, r.posture);
    persist(ctx);
    if (r.intents.intents.length > 0) {
      if (r.originNs > 0) m.sinceTick.observe((monoNs() - r.originNs) / 1e9);
      m.intents.inc(undefined, r.intents.intents.length);
      ctx.tell(riskId, r.intents);
    }
    return r.intents;
  };

  let rebalanceQueued = false;

  /**
   * A changed signal asks for a rebalance; it runs on a message the allocator
   * sends itself, which queues behind the signals already waiting, so a
   * shard's burst (one evaluation, many signals) costs one rebalance.
   */
  const maybeRebalance = (ctx: ActorContext): void => {
    const due = desk.dueIn(ctx.clock.now());
    if (due === null) return;
    if (due === 0) {
      if (rebalanceQueued) return;
      rebalanceQueued = true;
      ctx.timers.cancel('due');
      ctx.tell(ctx.self, { type: 'alloc.rebalance_due' });
    } else if (!ctx.timers.isActive('due')) {
      ctx.timers.start('due', due, { type: 'alloc.due' });
    }
  };

  return {
    accepts: {
      'strategy.signal': 'public',
      'feed.features': 'public',
      'exec.positions': 'public',
      'exec.account': 'public',
      'alloc.rebalance_now': 'public',
      'alloc.due': 'internal',
      'alloc.rebalance_due': 'internal',
      'alloc.tick': 'internal',
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
        { config: args.config, minIntervalMs: args.minIntervalMs, changeThreshold: args.changeThreshold },
        start ?? null,
        ctx.clock.now(),
      );
      ctx.timers.start('tick', args.rebalanceEveryMs ?? 60_000, { type: 'alloc.tick' }, { repeat: true });
      // The book arrives on `positions`; ask for it now rather than wait for the next reconciliation.
      ctx.tell(args.brokerId ?? 'broker', { type: 'broker.sync' });
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
          return;
        case 'exec.positions':
          if (desk.onPositions(msg, ctx.clock.now())) maybeRebalance(ctx);
          return;
        case 'exec.account':
          if (desk.onAccount(msg, ctx.clock.now())) maybeRebalance(ctx);
          return;
        case 'alloc.due':
          maybeRebalance(ctx);
          return;
        case 'alloc.rebalance_due':
          rebalanceQueued = false;
          if (desk.dueIn(ctx.clock.now()) === 0) rebalance(ctx, 'signal');
          else maybeRebalance(ctx);
          return;
        case 'alloc.tick':
          if (desk.bookKnown && desk.warm) rebalance(ctx, 'timer');
          return;
        case 'alloc.rebalance_now': {
          const intents = rebalance(ctx, 'operator');
          if (ctx.envelope?.kind === Kind.Ask) ctx.reply({ type: 'alloc.rebalanced', intents } as Message);
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
      return { seq: desk.core.seq, rebalances: desk.rebalances, dirty: desk.dirty, bookKnown: desk.bookKnown, rejections: desk.core.rejections(), rejectedBooks: desk.rejectedBooks };
    },
  };
});
