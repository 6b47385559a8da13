/**
 * A limit order's time limit (`OrderIntent.marketAfterMs`, from
 * `allocator.intents.limitTimeoutMs`): once an acked limit order has worked
 * that long, the broker session cancels it with `then: 'market'` (journaled:
 * `LocalOrder.marketOnCancel`), and when the cancel has landed (the order
 * ended canceled or expired) sends what is left as a market order.
 *
 * Pure, in the manner of stop-keeper.ts: it reads the OMS, time comes in as
 * `now`, and it says what to do; the actor shell (limit-timeout-pass.ts)
 * journals and sends it.
 *
 * Crash safety comes from the ids, not from memory here: the remainder's
 * intent id is `<intentId>:mkt`, so its client order id is deterministic; a
 * restarted session replays the journal into the same OMS (the cancel with
 * its `then`, and the remainder's intent if it was registered) and so
 * decides the same, and the OMS refuses a second intent with that id.
 *
 * What it never does:
 * - convert while the risk governor's stops policy holds (FLATTEN: it cancels
 *   working orders itself, without `then`, and liquidates), nor before the
 *   session has heard a policy at all (it might be FLATTEN);
 * - convert a remainder whose cancel ended more than `maxResendAgeMs` ago (a
 *   stale remainder no longer means what it meant: the resend rule);
 * - cancel an order that is not acked, already being cancelled, or being
 *   replaced.
 * An order that filled before its cancel landed simply has nothing left.
 */
import { isTimeLimit, type OrderIntent, type OrderSide } from '../allocator/intent.js';
import { isOpenOrder, type LocalOrder, type Oms } from './oms.js';

export interface LimitTimeoutOptions {
  /** A remainder whose cancel ended longer ago than this is not sent, ms (the broker's resend limit). */
  readonly maxResendAgeMs: number;
  /** A cancel not confirmed after this long is asked again, ms. */
  readonly retryMs: number;
}

/** Why a timed-out order got no market order. */
export type LimitTimeoutSkip = 'filled_first' | 'skipped_hold' | 'skipped_stale' | 'skipped_ended';

/** Every outcome the session counts (`qgtm_broker_limit_timeouts_total{outcome}`). */
export const LIMIT_TIMEOUT_OUTCOMES = ['cancel_sent', 'converted', 'filled_first', 'skipped_hold', 'skipped_stale', 'skipped_ended'] as const;

export interface LimitTimeoutCancel {
  readonly clientOrderId: string;
  readonly brokerOrderId: string;
  readonly symbol: string;
  readonly afterMs: number;
}

export interface LimitTimeoutWork {
  /** Orders past their time limit: journal a cancel with `then: 'market'`, then DELETE. */
  readonly cancels: readonly LimitTimeoutCancel[];
  /** Such cancels not confirmed within `retryMs`: DELETE again. */
  readonly recancels: readonly LimitTimeoutCancel[];
  /** Remainders to register (journal) and send at market; `from` is the limit order's client order id. */
  readonly converts: readonly { readonly from: string; readonly intent: OrderIntent }[];
  /** Timed-out orders that end without a market order, each said once. */
  readonly skips: readonly { readonly clientOrderId: string; readonly outcome: LimitTimeoutSkip; readonly detail: string }[];
}

const NOTHING: LimitTimeoutWork = Object.freeze({ cancels: [], recancels: [], converts: [], skips: [] });

/** The intent id of a timed-out limit order's remainder. */
export function remainderIntentId(intentId: string): string {
  return `${intentId}:mkt`;
}

/** The market order for what a timed-out limit order left. */
export function remainderIntent(o: LocalOrder & { readonly intentId: string }, now: number): OrderIntent {
  const left = o.qty - o.filledQty;
  return {
    intentId: remainderIntentId(o.intentId),
    symbol: o.symbol,
    side: o.side as OrderSide,
    qty: left,
    type: 'market',
    timeInForce: 'day',
    refPrice: o.limitPrice ?? 0,
    createdAt: now,
    reason: `limit ${o.clientOrderId} timed out after ${o.marketAfterMs} ms: the ${left} of ${o.qty} left at market`,
    postureSeq: o.postureSeq ?? 0,
    ...(o.liquidation ? { liquidation: true } : {}),
  };
}

export class LimitTimeouts {
  /** Orders cancelled for their time limit and not yet settled (built from the OMS at first use: a replayed journal). */
  private candidates: Set<string> | null = null;
  private readonly cancelSentAt = new Map<string, number>();

  constructor(private readonly oms: Oms, private readonly options: LimitTimeoutOptions) {}

  /**
   * What to cancel, cancel again, convert and report now. `policy` is the
   * risk governor's stops policy as last heard (null: none yet, so nothing
   * is done). A conversion stays a candidate until its order exists, so a
   * remainder the session could not register is proposed again (within
   * `maxResendAgeMs`).
   */
  plan(now: number, policy: { readonly hold: boolean } | null): LimitTimeoutWork {
    if (policy === null) return NOTHING;
    const candidates = this.known();
    const cancels: LimitTimeoutCancel[] = [];
    const recancels: LimitTimeoutCancel[] = [];
    for (const o of this.oms.openOrders()) {
      if (o.type !== 'limit' || !isTimeLimit(o.marketAfterMs) || o.submission !== 'acked' || o.brokerOrderId === null) continue;
      const ask = { clientOrderId: o.clientOrderId, brokerOrderId: o.brokerOrderId, symbol: o.symbol, afterMs: o.marketAfterMs };
      if (o.cancelRequested) {
        // Ours and unconfirmed (the DELETE failed, or its answer was lost): asked again after retryMs.
        if (!o.marketOnCancel) continue;
        candidates.add(o.clientOrderId);
        if (now - (this.cancelSentAt.get(o.clientOrderId) ?? o.updatedAt) < this.options.retryMs) continue;
        this.cancelSentAt.set(o.clientOrderId, now);
        recancels.push(ask);
      } else if (!policy.hold && !o.replacement && o.status !== null && o.status !== 'pending_replace' && o.status !== 'pending_cancel' && o.createdAt + o.marketAfterMs <= now) {
        this.cancelSentAt.set(o.clientOrderId, now);
        candidates.add(o.clientOrderId);
        cancels.push(ask);
      }
    }
    const converts: { from: string; intent: OrderIntent }[] = [];
    const skips: { clientOrderId: string; outcome: LimitTimeoutSkip; detail: string }[] = [];
    for (const cid of candidates) {
      const o = this.oms.order(cid);
      if (!o || isOpenOrder(o)) continue;
      if (!o.marketOnCancel || o.intentId === null || this.oms.orderForIntent(remainderIntentId(o.intentId))) {
        this.settle(cid);
        continue;
      }
      const skip = this.skipReason(o, now, policy.hold);
      if (skip) {
        this.settle(cid);
        skips.push({ clientOrderId: cid, ...skip });
      } else converts.push({ from: cid, intent: remainderIntent(o as LocalOrder & { intentId: string }, now) });
    }
    return cancels.length + recancels.length + converts.length + skips.length === 0 ? NOTHING : { cancels, recancels, converts, skips };
  }

  private skipReason(o: LocalOrder, now: number, hold: boolean): { outcome: LimitTimeoutSkip; detail: string } | null {
    const left = o.qty - o.filledQty;
    if (left <= 0 || o.status === 'filled') return { outcome: 'filled_first', detail: `filled ${o.filledQty} of ${o.qty} before the cancel landed` };
    if (o.status !== 'canceled' && o.status !== 'expired') return { outcome: 'skipped_ended', detail: `ended ${o.status ?? o.submission}, not cancelled` };
    if (hold) return { outcome: 'skipped_hold', detail: `the risk governor holds (FLATTEN): the ${left} left is not sent` };
    const age = now - o.updatedAt;
    if (age > this.options.maxResendAgeMs) return { outcome: 'skipped_stale', detail: `cancel ended ${age} ms ago (maxResendAgeMs ${this.options.maxResendAgeMs}): the ${left} left is not sent` };
    return null;
  }

  private settle(cid: string): void {
    this.candidates?.delete(cid);
    this.cancelSentAt.delete(cid);
  }

  /** The candidates, first built from every order the OMS holds that was cancelled to go to market. */
  private known(): Set<string> {
    if (this.candidates === null) {
      this.candidates = new Set();
      for (const o of this.oms.orders()) if (o.marketOnCancel) this.candidates.add(o.clientOrderId);
    }
    return this.candidates;
  }
}
