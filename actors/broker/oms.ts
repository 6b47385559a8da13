/**
 * The order management system: local orders by client order id and broker id,
 * their Alpaca status, fills deduplicated by execution id, and positions
 * derived from fills.
 *
 * The OMS changes only by applying an `OmsEvent`. Those events are exactly
 * what the write-ahead journal stores, so live operation (journal, then apply)
 * and replay after a crash (apply each journaled event in order) run the same
 * code and end in the same state.
 *
 * Submission lifecycle of an order (`submission`), separate from the broker's
 * status:
 *
 * | state | meaning | next |
 * |---|---|---|
 * | pending | intent journaled; the broker may not have it; safe to (re)send with the same client order id | acked, ambiguous, rejected |
 * | ambiguous | a send timed out or failed in a way that may have placed it | look up by client order id: acked, or pending when not found |
 * | acked | the broker has it (HTTP ack, a stream event, a lookup or a fill proved it) | lost |
 * | rejected | the broker refused it | |
 * | lost | reconciliation found the broker does not know an order we believed acked | |
 *
 * After a replay every `pending` order is treated as `ambiguous`: the crash
 * may have happened after the send.
 */

import type { IntentOrderType, OrderIntent, OrderSide, TimeInForce } from '../allocator/intent.js';
import type { BrokerOrder } from './alpaca-mapping.js';
import { canTransition, isTerminal, type OrderStatus } from './order-state.js';
import { PositionBook, type LocalPosition } from './positions.js';

export type SubmissionState = 'pending' | 'ambiguous' | 'acked' | 'rejected' | 'lost';

export interface LocalOrder {
  readonly clientOrderId: string;
  /** Null for orders we did not originate (adopted from the broker). */
  readonly intentId: string | null;
  readonly brokerOrderId: string | null;
  readonly symbol: string;
  readonly side: OrderSide;
  readonly qty: number;
  readonly type: IntentOrderType | string;
  readonly limitPrice: number | null;
  /** A stop's trigger price (optional: orders journaled before stops existed lack it). */
  readonly stopPrice?: number | null;
  readonly timeInForce: TimeInForce | string;
  /** Alpaca status as last reported; null while the broker has not confirmed the order. */
  readonly status: OrderStatus | null;
  readonly submission: SubmissionState;
  readonly filledQty: number;
  readonly filledAvgPrice: number | null;
  readonly liquidation: boolean;
  readonly cancelRequested: boolean;
  readonly reason: string | null;
  /** Shares reconstructed by reconciliation whose real fill events have not arrived yet. */
  readonly syntheticCredit: number;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface Fill {
  readonly executionId: string;
  readonly clientOrderId: string;
  readonly brokerOrderId: string | null;
  readonly symbol: string;
  readonly side: OrderSide;
  readonly qty: number;
  readonly price: number;
  readonly ts: number;
  /** True for fills reconstructed by reconciliation from the broker's cumulative fill. */
  readonly synthetic: boolean;
}

export interface OmsSnapshot {
  readonly orders: readonly LocalOrder[];
  readonly executionIds: readonly string[];
  readonly positions: readonly LocalPosition[];
}

/** Every change the OMS can undergo; also the journal's record payloads. */
export type OmsEvent =
  | { readonly kind: 'intent'; readonly ts: number; readonly intent: OrderIntent; readonly clientOrderId: string }
  | { readonly kind: 'ack'; readonly ts: number; readonly clientOrderId: string; readonly order: BrokerOrder }
  | { readonly kind: 'submit_failed'; readonly ts: number; readonly clientOrderId: string; readonly outcome: 'rejected' | 'ambiguous' | 'retryable' | 'duplicate'; readonly reason: string }
  | { readonly kind: 'lookup_not_found'; readonly ts: number; readonly clientOrderId: string }
  | { readonly kind: 'update'; readonly ts: number; readonly event: string; readonly order: BrokerOrder }
  | { readonly kind: 'fill'; readonly ts: number; readonly fill: Fill; readonly order: BrokerOrder | null }
  | { readonly kind: 'cancel_requested'; readonly ts: number; readonly clientOrderId: string }
  | { readonly kind: 'mark_lost'; readonly ts: number; readonly clientOrderId: string; readonly reason: string }
  | { readonly kind: 'adopt_order'; readonly ts: number; readonly order: BrokerOrder }
  | { readonly kind: 'set_position'; readonly ts: number; readonly symbol: string; readonly qty: number; readonly avgPrice: number; readonly reason: string }
  | { readonly kind: 'snapshot'; readonly ts: number; readonly state: OmsSnapshot };

export type ApplyResult =
  | { readonly ok: true; readonly kind: 'applied'; readonly order: LocalOrder | null; readonly fill?: Fill; readonly position?: LocalPosition; readonly anomaly?: string }
  | { readonly ok: true; readonly kind: 'duplicate'; readonly order: LocalOrder | null; readonly detail: string }
  | { readonly ok: false; readonly error: string; readonly order: LocalOrder | null };

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Whether an order can still trade (or might: pending and ambiguous count as live). */
export function isOpenOrder(o: LocalOrder): boolean {
  if (o.submission === 'pending' || o.submission === 'ambiguous') return true;
  if (o.submission !== 'acked') return false;
  return o.status === null || !isTerminal(o.status);
}

export class Oms {
  private readonly byCid = new Map<string, Mutable<LocalOrder>>();
  private readonly byBrokerId = new Map<string, string>();
  private readonly byIntent = new Map<string, string>();
  /**
   * Orders that may be open: every order an event touched since it was last
   * seen closed. `openOrders` reads only these and drops the closed ones, so
   * it costs the open orders, not every order ever placed (a day of trading,
   * or a back-test, holds thousands of closed ones).
   */
  private readonly maybeOpen = new Set<string>();
  private readonly executions = new Set<string>();
  private readonly book = new PositionBook();
  private readonly counters = new Map<string, number>();

  /** Apply one event. Never throws on bad or out-of-order input: it says what was wrong. */
  apply(e: OmsEvent): ApplyResult {
    const r = this.dispatch(e);
    if (r.order) this.maybeOpen.add(r.order.clientOrderId);
    this.count(r.ok ? (r.kind === 'applied' ? `applied_${e.kind}` : `duplicate_${e.kind}`) : `error_${e.kind}`);
    if (r.ok && r.kind === 'applied' && r.anomaly) this.count(`anomaly_${r.anomaly.split(':')[0]}`);
    return r;
  }

  /** Why an intent cannot be registered (so it is not even journaled), or null. */
  refuseIntent(intent: OrderIntent, clientOrderId: string): string | null {
    const prior = this.byIntent.get(intent.intentId);
    if (prior !== undefined) return `duplicate_intent: intent ${intent.intentId} already has order ${prior}`;
    if (this.byCid.has(clientOrderId)) return `duplicate_client_order_id: ${clientOrderId} already in use`;
    return null;
  }

  /** After a replay: orders that were pending when the process died may have been sent. */
  markPendingAmbiguous(): number {
    let n = 0;
    for (const o of this.byCid.values()) {
      if (o.submission === 'pending') {
        o.submission = 'ambiguous';
        n++;
      }
    }
    return n;
  }

  order(clientOrderId: string): LocalOrder | undefined {
    return this.byCid.get(clientOrderId);
  }

  orderByBrokerId(id: string): LocalOrder | undefined {
    const cid = this.byBrokerId.get(id);
    return cid === undefined ? undefined : this.byCid.get(cid);
  }

  orderForIntent(intentId: string): LocalOrder | undefined {
    const cid = this.byIntent.get(intentId);
    return cid === undefined ? undefined : this.byCid.get(cid);
  }

  orders(): LocalOrder[] {
    return [...this.byCid.values()];
  }

  openOrders(): LocalOrder[] {
    const out: LocalOrder[] = [];
    for (const cid of this.maybeOpen) {
      const o = this.byCid.get(cid);
      if (o && isOpenOrder(o)) out.push(o);
      else this.maybeOpen.delete(cid);
    }
    return out;
  }

  /** Orders whose submission outcome is unknown: look each up by client order id before resubmitting anything. */
  pendingAmbiguous(): LocalOrder[] {
    return this.openOrders().filter((o) => o.submission === 'ambiguous');
  }

  /** Orders that may be (re)sent now with their own client order id. */
  sendable(): LocalOrder[] {
    return this.openOrders().filter((o) => o.submission === 'pending');
  }

  hasExecution(executionId: string): boolean {
    return this.executions.has(executionId);
  }

  position(symbol: string): LocalPosition {
    return this.book.get(symbol);
  }

  positions(): LocalPosition[] {
    return this.book.all();
  }

  /** Signed unfilled quantity of open orders per symbol (for the pre-trade exposure check). */
  pendingQty(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const o of this.openOrders()) {
      const left = Math.max(0, o.qty - o.filledQty) * (o.side === 'buy' ? 1 : -1);
      if (left !== 0) out[o.symbol] = (out[o.symbol] ?? 0) + left;
    }
    return out;
  }

  stats(): Record<string, number> {
    return Object.fromEntries([...this.counters.entries()].sort());
  }

  snapshot(): OmsSnapshot {
    return {
      orders: this.orders().map((o) => ({ ...o })),
      executionIds: [...this.executions],
      positions: this.book.entries().map((p) => ({ ...p })),
    };
  }

  private dispatch(e: OmsEvent): ApplyResult {
    switch (e.kind) {
      case 'intent':
        return this.onIntent(e.intent, e.clientOrderId, e.ts);
      case 'ack':
        return this.onAck(e.clientOrderId, e.order, e.ts);
      case 'submit_failed':
        return this.onSubmitFailed(e.clientOrderId, e.outcome, e.reason, e.ts);
      case 'lookup_not_found':
        return this.onLookupNotFound(e.clientOrderId, e.ts);
      case 'update':
        return this.onUpdate(e.event, e.order, e.ts);
      case 'fill':
        return this.onFill(e.fill, e.order, e.ts);
      case 'cancel_requested': {
        const o = this.byCid.get(e.clientOrderId);
        if (!o) return { ok: false, error: `cancel for unknown order ${e.clientOrderId}`, order: null };
        o.cancelRequested = true;
        o.updatedAt = e.ts;
        return { ok: true, kind: 'applied', order: o };
      }
      case 'mark_lost': {
        const o = this.byCid.get(e.clientOrderId);
        if (!o) return { ok: false, error: `mark_lost for unknown order ${e.clientOrderId}`, order: null };
        o.submission = 'lost';
        o.reason = e.reason;
        o.updatedAt = e.ts;
        return { ok: true, kind: 'applied', order: o };
      }
      case 'adopt_order':
        return this.onAdopt(e.order, e.ts);
      case 'set_position':
        return { ok: true, kind: 'applied', order: null, position: this.book.set(e.symbol, e.qty, e.avgPrice) };
      case 'snapshot':
        this.restore(e.state);
        return { ok: true, kind: 'applied', order: null };
    }
  }

  private onIntent(intent: OrderIntent, cid: string, ts: number): ApplyResult {
    const refused = this.refuseIntent(intent, cid);
    if (refused) return { ok: false, error: refused, order: this.orderForIntent(intent.intentId) ?? null };
    const o: Mutable<LocalOrder> = {
      clientOrderId: cid,
      intentId: intent.intentId,
      brokerOrderId: null,
      symbol: intent.symbol,
      side: intent.side,
      qty: intent.qty,
      type: intent.type,
      limitPrice: intent.limitPrice ?? null,
      stopPrice: intent.stopPrice ?? null,
      timeInForce: intent.timeInForce,
      status: null,
      submission: 'pending',
      filledQty: 0,
      filledAvgPrice: null,
      liquidation: intent.liquidation === true,
      cancelRequested: false,
      reason: null,
      syntheticCredit: 0,
      createdAt: ts,
      updatedAt: ts,
    };
    this.byCid.set(cid, o);
    this.maybeOpen.add(cid);
    this.byIntent.set(intent.intentId, cid);
    return { ok: true, kind: 'applied', order: o };
  }

  private onAck(cid: string, b: BrokerOrder, ts: number): ApplyResult {
    const o = this.byCid.get(cid);
    if (!o) return this.onAdopt(b, ts);
    this.bindBrokerId(o, b.id);
    o.submission = 'acked';
    o.updatedAt = ts;
    // The HTTP answer can arrive after stream events that moved the order on; only fill in a status we lack.
    if (o.status === null) o.status = b.status;
    else if (o.status !== b.status && canTransition(o.status, b.status)) o.status = b.status;
    return { ok: true, kind: 'applied', order: o };
  }

  private onSubmitFailed(cid: string, outcome: 'rejected' | 'ambiguous' | 'retryable' | 'duplicate', reason: string, ts: number): ApplyResult {
    const o = this.byCid.get(cid);
    if (!o) return { ok: false, error: `submit result for unknown order ${cid}`, order: null };
    if (o.submission === 'acked') return { ok: true, kind: 'duplicate', order: o, detail: `order already acked; ignoring ${outcome}` };
    o.updatedAt = ts;
    o.reason = reason;
    if (outcome === 'rejected') o.submission = 'rejected';
    else if (outcome === 'retryable') o.submission = 'pending';
    else o.submission = 'ambiguous';
    return { ok: true, kind: 'applied', order: o };
  }

  private onLookupNotFound(cid: string, ts: number): ApplyResult {
    const o = this.byCid.get(cid);
    if (!o) return { ok: false, error: `lookup result for unknown order ${cid}`, order: null };
    if (o.submission !== 'ambiguous') return { ok: true, kind: 'duplicate', order: o, detail: `order is ${o.submission}, not ambiguous` };
    o.submission = 'pending';
    o.updatedAt = ts;
    return { ok: true, kind: 'applied', order: o };
  }

  private onUpdate(event: string, b: BrokerOrder, ts: number): ApplyResult {
    const o = this.find(b);
    if (!o) {
      const r = this.onAdopt(b, ts);
      return r.ok && r.kind === 'applied' ? { ...r, anomaly: `adopted_unknown_order: ${b.clientOrderId} via ${event}` } : r;
    }
    this.bindBrokerId(o, b.id);
    if (o.submission === 'pending' || o.submission === 'ambiguous') o.submission = 'acked';
    o.updatedAt = ts;
    if (o.status === b.status) return { ok: true, kind: 'duplicate', order: o, detail: `already ${b.status}` };
    if (o.status !== null && !canTransition(o.status, b.status)) {
      return { ok: false, error: `invalid_transition: order ${o.clientOrderId} ${o.status} -> ${b.status} (${event})`, order: o };
    }
    o.status = b.status;
    return { ok: true, kind: 'applied', order: o };
  }

  private onFill(f: Fill, b: BrokerOrder | null, ts: number): ApplyResult {
    if (this.executions.has(f.executionId)) return { ok: true, kind: 'duplicate', order: this.byCid.get(f.clientOrderId) ?? null, detail: `execution ${f.executionId} already applied` };
    if (!(f.qty > 0) || !(f.price > 0)) return { ok: false, error: `fill ${f.executionId} has qty ${f.qty} price ${f.price}`, order: null };
    this.executions.add(f.executionId);
    let o = b ? this.find(b) : this.byCid.get(f.clientOrderId);
    let anomaly: string | undefined;
    if (!o) {
      const adopted = b ?? stubOrder(f);
      const r = this.onAdopt({ ...adopted, filledQty: 0, filledAvgPrice: null }, ts);
      if (!r.ok) return r;
      o = this.byCid.get(adopted.clientOrderId)!;
      anomaly = `adopted_unknown_order: ${adopted.clientOrderId} via fill ${f.executionId}`;
    }
    // Reconciliation may already have reconstructed this fill from the broker's cumulative quantity
    // (its trade_update was missed, then arrived late): real fills first use up that credit.
    let qty = f.qty;
    if (f.synthetic) {
      o.syntheticCredit += qty;
    } else if (o.syntheticCredit > 0) {
      const covered = Math.min(qty, o.syntheticCredit);
      o.syntheticCredit -= covered;
      qty -= covered;
      if (qty === 0) return { ok: true, kind: 'duplicate', order: o, detail: `execution ${f.executionId} already accounted by reconciliation` };
    }
    const prev = o.filledQty;
    o.filledQty = prev + qty;
    o.filledAvgPrice = ((o.filledAvgPrice ?? 0) * prev + f.price * qty) / o.filledQty;
    if (b) this.bindBrokerId(o, b.id);
    if (o.submission === 'pending' || o.submission === 'ambiguous') o.submission = 'acked';
    o.updatedAt = ts;
    const target: OrderStatus = b?.status ?? (o.filledQty >= o.qty ? 'filled' : 'partially_filled');
    if (o.status === null || canTransition(o.status, target)) o.status = target;
    else if (o.status !== target) anomaly ??= `fill_status: ${o.clientOrderId} ${o.status} -> ${target} not a valid transition; fill applied`;
    if (o.filledQty > o.qty) anomaly ??= `overfill: ${o.clientOrderId} filled ${o.filledQty} of ${o.qty}`;
    const applied: Fill = qty === f.qty ? f : { ...f, qty };
    const position = this.book.applyFill(o.symbol, o.side === 'buy' ? qty : -qty, f.price);
    return anomaly ? { ok: true, kind: 'applied', order: o, fill: applied, position, anomaly } : { ok: true, kind: 'applied', order: o, fill: applied, position };
  }

  private onAdopt(b: BrokerOrder, ts: number): ApplyResult {
    const known = this.find(b);
    if (known) {
      this.bindBrokerId(known, b.id);
      if (known.submission !== 'acked') known.submission = 'acked';
      return { ok: true, kind: 'duplicate', order: known, detail: `order ${b.clientOrderId} already known` };
    }
    const o: Mutable<LocalOrder> = {
      clientOrderId: b.clientOrderId,
      intentId: null,
      brokerOrderId: b.id,
      symbol: b.symbol,
      side: b.side,
      qty: b.qty,
      type: b.type,
      limitPrice: b.limitPrice,
      stopPrice: b.stopPrice ?? null,
      timeInForce: b.timeInForce,
      status: b.status,
      submission: 'acked',
      filledQty: b.filledQty,
      filledAvgPrice: b.filledAvgPrice,
      liquidation: false,
      cancelRequested: false,
      reason: 'adopted from broker',
      syntheticCredit: 0,
      createdAt: b.createdAt ?? ts,
      updatedAt: ts,
    };
    this.byCid.set(o.clientOrderId, o);
    this.maybeOpen.add(o.clientOrderId);
    this.byBrokerId.set(b.id, o.clientOrderId);
    return { ok: true, kind: 'applied', order: o };
  }

  private find(b: BrokerOrder): Mutable<LocalOrder> | undefined {
    const o = this.byCid.get(b.clientOrderId);
    if (o) return o;
    const cid = this.byBrokerId.get(b.id);
    return cid === undefined ? undefined : this.byCid.get(cid);
  }

  private bindBrokerId(o: Mutable<LocalOrder>, id: string): void {
    if (o.brokerOrderId === null) o.brokerOrderId = id;
    this.byBrokerId.set(id, o.clientOrderId);
  }

  private restore(s: OmsSnapshot): void {
    this.byCid.clear();
    this.maybeOpen.clear();
    this.byBrokerId.clear();
    this.byIntent.clear();
    this.executions.clear();
    for (const o of s.orders) {
      this.byCid.set(o.clientOrderId, { ...o });
      this.maybeOpen.add(o.clientOrderId);
      if (o.brokerOrderId !== null) this.byBrokerId.set(o.brokerOrderId, o.clientOrderId);
      if (o.intentId !== null) this.byIntent.set(o.intentId, o.clientOrderId);
    }
    for (const id of s.executionIds) this.executions.add(id);
    this.book.load(s.positions);
  }

  private count(key: string): void {
    this.counters.set(key, (this.counters.get(key) ?? 0) + 1);
  }
}

function stubOrder(f: Fill): BrokerOrder {
  return {
    id: f.brokerOrderId ?? `unknown:${f.clientOrderId}`,
    clientOrderId: f.clientOrderId,
    symbol: f.symbol,
    side: f.side,
    type: 'market',
    timeInForce: 'day',
    qty: f.qty,
    filledQty: 0,
    filledAvgPrice: null,
    limitPrice: null,
    status: 'partially_filled',
    createdAt: f.ts,
    updatedAt: f.ts,
  };
}
