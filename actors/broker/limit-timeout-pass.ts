/**
 * The broker actor's side of limit orders' time limits (limit-timeouts.ts
 * decides): journals the cancels with `then: 'market'` and sends the
 * DELETEs, registers the remainders as market orders through the same
 * journal and client order ids as any order and sends them, counts every
 * outcome in `qgtm_broker_limit_timeouts_total{outcome}` and logs it.
 *
 * The actor runs it after every message it handles (next to the protective
 * stops), so a cancel confirmed is converted at once; its own repeating
 * `broker.limit_tick` (every `LIMIT_TICK_MS`, started on the first pass)
 * wakes it when nothing else happens, so a limit times out within that of
 * its time limit on a quiet session.
 */
import type { ActorContext, Message, MetricHelpers } from '../../src/runtime/index.js';
import type { RiskStopsPolicyMsg } from '../risk/messages.js';
import type { SdkOrderInput } from './alpaca-mapping.js';
import { LIMIT_TIMEOUT_OUTCOMES, LimitTimeouts, type LimitTimeoutWork } from './limit-timeouts.js';
import type { BrokerMsg } from './messages.js';
import type { BrokerSessionCore } from './session-core.js';

/** The pass's wake-up, a message the broker actor sends only to itself. */
export interface LimitTimeoutTickMsg {
  readonly type: 'broker.limit_tick';
}

/** How often a quiet session looks for limit orders past their time limit, ms. */
export const LIMIT_TICK_MS = 500;

/** What the pass does through the actor (its own functions, so the journal, holds and timings stay one path). */
export interface LimitTimeoutIo {
  /** DELETE an order whose cancel is journaled. */
  readonly sendCancel: (ctx: ActorContext, cid: string, brokerOrderId: string) => void;
  /** Send a registered order (or hold it behind a protective stop). */
  readonly send: (ctx: ActorContext, cid: string, request: SdkOrderInput | null) => void;
  readonly publish: (ctx: ActorContext, msgs: readonly BrokerMsg[]) => void;
}

/** The session as the pass sees it on one turn. */
export interface LimitTimeoutTurn {
  readonly session: BrokerSessionCore;
  /** The risk governor's stops policy as last heard (null: none yet; its `hold` is FLATTEN). */
  readonly policy: RiskStopsPolicyMsg | null;
  /** Start-up reconciliation passed and the venue link is up. */
  readonly ready: boolean;
  readonly args: { readonly maxResendAgeMs?: number; readonly stopRetryMs?: number };
}

type CounterFamily = ReturnType<MetricHelpers['counter']>;

export class LimitTimeoutPass {
  private planner: LimitTimeouts | null = null;
  private outcomes: CounterFamily | null = null;

  constructor(private readonly io: LimitTimeoutIo) {}

  /** One pass: plan (limit-timeouts.ts), then journal and send what it says. */
  run(ctx: ActorContext, turn: LimitTimeoutTurn): void {
    const outcomes = this.outcomes ?? this.start(ctx);
    if (!turn.ready || !turn.session.ready) return;
    this.planner ??= new LimitTimeouts(turn.session.oms, { maxResendAgeMs: turn.args.maxResendAgeMs ?? 30_000, retryMs: turn.args.stopRetryMs ?? 5000 });
    const now = ctx.clock.now();
    const work = this.planner.plan(now, turn.policy);
    if (work.cancels.length + work.recancels.length + work.converts.length + work.skips.length === 0) return;
    this.cancel(ctx, turn.session, work, now, outcomes);
    for (const s of work.skips) {
      outcomes.inc({ outcome: s.outcome });
      ctx.log.info('limit order timed out; nothing sent at market', { cid: s.clientOrderId, outcome: s.outcome, detail: s.detail });
    }
    if (work.converts.length === 0) return;
    const decisions = turn.session.submitBatch(work.converts.map((c) => c.intent), now);
    const out: BrokerMsg[] = [];
    for (const d of decisions) out.push(...d.messages);
    if (out.length > 0) this.io.publish(ctx, [...out, turn.session.positionsMsg(now)]);
    decisions.forEach((d, i) => {
      const { from, intent } = work.converts[i]!;
      if (!d.ok) {
        ctx.log.warn('limit order remainder not registered (tried again)', { from, intentId: intent.intentId, reason: d.reason });
        return;
      }
      outcomes.inc({ outcome: 'converted' });
      ctx.log.info('limit order timed out; remainder sent at market', { from, cid: d.clientOrderId, symbol: intent.symbol, side: intent.side, qty: intent.qty });
      this.io.send(ctx, d.clientOrderId, d.request);
    });
  }

  private cancel(ctx: ActorContext, session: BrokerSessionCore, work: LimitTimeoutWork, now: number, outcomes: CounterFamily): void {
    for (const c of work.cancels) {
      const r = session.requestCancel(c.clientOrderId, now, 'market');
      this.io.publish(ctx, r.messages);
      if (r.error) {
        ctx.log.warn('limit order time limit: cancel not applied', { cid: c.clientOrderId, error: r.error });
        continue;
      }
      outcomes.inc({ outcome: 'cancel_sent' });
      ctx.log.info('limit order past its time limit; cancelling, the rest then at market', { cid: c.clientOrderId, symbol: c.symbol, afterMs: c.afterMs });
      this.io.sendCancel(ctx, c.clientOrderId, c.brokerOrderId);
    }
    for (const c of work.recancels) {
      ctx.log.info('limit order time limit: cancel unconfirmed; asking again', { cid: c.clientOrderId });
      this.io.sendCancel(ctx, c.clientOrderId, c.brokerOrderId);
    }
  }

  /** First pass of the incarnation: the outcomes exist at 0, and the wake-up timer runs. */
  private start(ctx: ActorContext): CounterFamily {
    const c = ctx.metrics.counter('qgtm_broker_limit_timeouts_total', 'Limit orders past their time limit (allocator.intents.limitTimeoutMs), by outcome: cancel_sent, converted (the rest sent at market), filled_first, skipped_hold (FLATTEN), skipped_stale (cancel ended longer ago than maxResendAgeMs), skipped_ended', ['outcome']);
    for (const outcome of LIMIT_TIMEOUT_OUTCOMES) c.labels({ outcome });
    ctx.timers.start('limit_timeouts', LIMIT_TICK_MS, { type: 'broker.limit_tick' } satisfies LimitTimeoutTickMsg as Message, { repeat: true });
    this.outcomes = c;
    return c;
  }
}
