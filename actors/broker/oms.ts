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

import type { IntentOrderClass, IntentOrderType, OrderIntent, OrderSide, TimeInForce } from '../allocator/intent.js';
import type { BrokerOrder, ReplaceChanges } from './alpaca-mapping.js';
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
  /**
   * The rest of the order's shape, as its intent or the broker gave it
   * (absent on orders journaled before these existed): the trail of a
   * trailing stop, the class and legs asked for, and the limit order's
   * time limit before it turns into a market order.
   */
  readonly trailPercent?: number | null;
  readonly trailPrice?: number | null;
  readonly orderClass?: IntentOrderClass | string | null;
  readonly takeProfit?: { readonly limitPrice: number } | null;
  readonly stopLoss?: { readonly stopPrice: number; readonly limitPrice?: number } | null;
  readonly marketAfterMs?: number | null;
  /** A leg's parent (client order id); a parent's legs, take profit first as Alpaca lists them. */
  readonly parentClientOrderId?: string | null;
  readonly legs?: readonly string[];
  /** The order this one replaced (client order id), for a replacement. */
  readonly replaces?: string | null;
  /** The replacement asked for this order (client order id); null again when the replace was refused. */
  readonly replacement?: string | null;
  /** A cancel asked so that what is left goes out as a market order (the limit order's time limit ran out). */
  readonly marketOnCancel?: boolean;
  /** The posture sequence of its intent (absent on adopted orders and on orders journaled before it was kept). */
  readonly postureSeq?: number;
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
  | { readonly kind: 'cancel_requested'; readonly ts: number; readonly clientOrderId: string; readonly then?: 'market' }
  | { readonly kind: 'replace_requested'; readonly ts: number; readonly clientOrderId: string; readonly newClientOrderId: string; readonly changes: ReplaceChanges }
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

  /** Signed unfilled quantity of open orders per symbol that may yet trade (not stops, held legs or a replacement counted twice): the pre-trade exposure check and the allocator net it against targets. */
  pendingQty(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const o of this.openOrders()) {
      if (!this.countsAsPending(o)) continue;
      const left = Math.max(0, o.qty - o.filledQty) * (o.side === 'buy' ? 1 : -1);
      if (left !== 0) out[o.symbol] = (out[o.symbol] ?? 0) + left;
    }
    return out;
  }

  /**
   * Unfilled quantity of the open orders on one side of a symbol that hold
   * shares (`reservesShares`: stops included), but for those `skip` names:
   * what a broker that reserves a working order's shares (Alpaca) holds for
   * them.
   */
  openQty(symbol: string, side: OrderSide, skip: (o: LocalOrder) => boolean): number {
    let total = 0;
    for (const o of this.openOrders()) {
      if (o.symbol === symbol && o.side === side && !skip(o) && this.reservesShares(o)) total += Math.max(0, o.qty - o.filledQty);
    }
    return total;
  }

  /**
   * Whether an open order's unfilled part is exposure that may yet trade:
   * not a stop of any kind (it trades only if the market reaches it), not a
   * held leg (it works only once its entry fills), not an oco's stop
   * leg (it and its take profit close the same shares), not a replacement
   * while its predecessor still works (they are one order in two states).
   */
  private countsAsPending(o: LocalOrder): boolean {
    // Contingent: a stop trades only if the market reaches it (a protective stop counted here would make the
    // allocator buy the position again, netting the stop against it).
    if (o.type === 'stop' || o.type === 'stop_limit' || o.type === 'trailing_stop') return false;
    return this.reservesShares(o);
  }

  /**
   * Whether an open order holds the shares it would close, as a broker that
   * reserves them (Alpaca) counts: stops do; a held leg does not, nor an
   * oco's stop leg beside its take profit, nor a replacement while its
   * predecessor still works.
   */
  private reservesShares(o: LocalOrder): boolean {
    if (o.status === 'held') return false;
    const parent = o.parentClientOrderId ? this.byCid.get(o.parentClientOrderId) : undefined;
    if (parent && parent.orderClass === 'oco' && isOpenOrder(parent)) return false;
    const before = o.replaces ? this.byCid.get(o.replaces) : undefined;
    return !(before && isOpenOrder(before));
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
        if (e.then === 'market') o.marketOnCancel = true;
        o.updatedAt = e.ts;
        return { ok: true, kind: 'applied', order: o };
      }
      case 'replace_requested':
        return this.onReplaceRequested(e.clientOrderId, e.newClientOrderId, e.changes, e.ts);
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
      ...shapeOf(intent),
      status: null,
      submission: 'pending',
      filledQty: 0,
      filledAvgPrice: null,
      liquidation: intent.liquidation === true,
      postureSeq: intent.postureSeq,
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
    this.relate(o, b, ts);
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
    if (outcome === 'rejected') {
      o.submission = 'rejected';
      // A refused replace leaves its predecessor working as it was.
      const before = o.replaces ? this.byCid.get(o.replaces) : undefined;
      if (before && before.replacement === o.clientOrderId) before.replacement = null;
    } else if (outcome === 'retryable') o.submission = 'pending';
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
    this.relate(o, b, ts);
    if (o.submission === 'pending' || o.submission === 'ambiguous') o.submission = 'acked';
    o.updatedAt = ts;
    if (o.status === b.status) return { ok: true, kind: 'duplicate', order: o, detail: `already ${b.status}` };
    if (o.status !== null && !canTransition(o.status, b.status)) {
      return { ok: false, error: `invalid_transition: order ${o.clientOrderId} ${o.status} -> ${b.status} (${event})`, order: o };
    }
    o.status = b.status;
    if (b.status === 'replaced') this.succeed(o);
    return { ok: true, kind: 'applied', order: o };
  }

  /** Why a replace of `cid` by `newCid` cannot be asked now (so it is not even journaled), or null. */
  refuseReplace(cid: string, newCid: string, changes: ReplaceChanges): string | null {
    const o = this.byCid.get(cid);
    if (!o) return `unknown_order: ${cid}`;
    if (this.byCid.has(newCid)) return `duplicate_client_order_id: ${newCid} already in use`;
    if (o.submission !== 'acked' || o.brokerOrderId === null) return `not_acked: ${cid} is ${o.submission}; the broker must have it before it can be replaced`;
    if (!isOpenOrder(o) || o.status === 'pending_cancel' || o.status === 'pending_replace') return `not_open: ${cid} is ${o.status}`;
    if (o.cancelRequested) return `cancel_requested: ${cid} is being cancelled`;
    if (o.replacement) return `replace_in_flight: ${cid} is already being replaced by ${o.replacement}`;
    const keys = Object.keys(changes) as (keyof ReplaceChanges)[];
    if (keys.length === 0) return 'nothing_to_change: a replace needs qty, limitPrice, stopPrice or timeInForce';
    for (const k of keys) {
      const v = changes[k];
      if (k === 'timeInForce' ? typeof v !== 'string' : !(typeof v === 'number' && v > 0 && Number.isFinite(v))) return `bad_change: ${k} ${JSON.stringify(v)}`;
    }
    return null;
  }

  private onReplaceRequested(cid: string, newCid: string, changes: ReplaceChanges, ts: number): ApplyResult {
    const refused = this.refuseReplace(cid, newCid, changes);
    const old = this.byCid.get(cid);
    if (refused || !old) return { ok: false, error: refused ?? `unknown_order: ${cid}`, order: old ?? null };
    // Alpaca's replacement is a new order for the new quantity (default: what the old one has left).
    const o: Mutable<LocalOrder> = {
      ...old,
      clientOrderId: newCid,
      brokerOrderId: null,
      qty: changes.qty ?? old.qty - old.filledQty,
      limitPrice: changes.limitPrice ?? old.limitPrice,
      stopPrice: changes.stopPrice ?? old.stopPrice ?? null,
      timeInForce: changes.timeInForce ?? old.timeInForce,
      status: null,
      submission: 'pending',
      filledQty: 0,
      filledAvgPrice: null,
      cancelRequested: false,
      marketOnCancel: false,
      reason: `replaces ${cid}`,
      syntheticCredit: 0,
      replaces: cid,
      replacement: null,
      createdAt: ts,
      updatedAt: ts,
    };
    old.replacement = newCid;
    old.updatedAt = ts;
    this.byCid.set(newCid, o);
    this.maybeOpen.add(newCid);
    if (o.intentId !== null) this.byIntent.set(o.intentId, newCid);
    return { ok: true, kind: 'applied', order: o };
  }

  /** A replaced order's successor takes its place among its relations (the parent's legs, the legs' parent). */
  private succeed(old: Mutable<LocalOrder>): void {
    const next = old.replacement ? this.byCid.get(old.replacement) : undefined;
    if (!next) return;
    const parent = old.parentClientOrderId ? this.byCid.get(old.parentClientOrderId) : undefined;
    if (parent?.legs) parent.legs = parent.legs.map((l) => (l === old.clientOrderId ? next.clientOrderId : l));
    for (const l of old.legs ?? []) {
      const leg = this.byCid.get(l);
      if (leg) leg.parentClientOrderId = next.clientOrderId;
    }
  }

  /**
   * What the broker's copy of an order says about its relations: its legs
   * (registered as orders of their own, so their trade_updates land on a
   * known order), its parent, and the order it replaced.
   */
  private relate(o: Mutable<LocalOrder>, b: BrokerOrder, ts: number): void {
    if (b.orderClass && !o.orderClass) o.orderClass = b.orderClass;
    if (b.parentId) {
      const parent = this.orderByBrokerId(b.parentId) as Mutable<LocalOrder> | undefined;
      if (parent && o.parentClientOrderId == null) o.parentClientOrderId = parent.clientOrderId;
      if (parent && !(parent.legs ?? []).includes(o.clientOrderId)) parent.legs = [...(parent.legs ?? []), o.clientOrderId];
    }
    if (b.replaces && o.replaces == null) {
      const before = this.orderByBrokerId(b.replaces) as Mutable<LocalOrder> | undefined;
      if (before) {
        o.replaces = before.clientOrderId;
        if (before.replacement == null) before.replacement = o.clientOrderId;
      }
    }
    if (!b.legs || b.legs.length === 0) return;
    const legs: string[] = [];
    for (const l of b.legs) {
      let leg = this.find(l);
      if (!leg) {
        const r = this.onAdopt({ ...l, parentId: null }, ts);
        if (!r.ok) continue;
        leg = this.byCid.get(l.clientOrderId)!;
        leg.reason = `leg of ${o.clientOrderId}`;
      }
      this.bindBrokerId(leg, l.id);
      leg.parentClientOrderId = o.clientOrderId;
      legs.push(leg.clientOrderId);
    }
    o.legs = legs;
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
      this.relate(known, b, ts);
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
      ...(b.trailPercent != null ? { trailPercent: b.trailPercent } : {}),
      ...(b.trailPrice != null ? { trailPrice: b.trailPrice } : {}),
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
    this.relate(o, b, ts);
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

/** The parts of an intent's order shape it has, for its LocalOrder. */
function shapeOf(i: OrderIntent): Partial<Pick<LocalOrder, 'trailPercent' | 'trailPrice' | 'orderClass' | 'takeProfit' | 'stopLoss' | 'marketAfterMs'>> {
  return {
    ...(i.trailPercent !== undefined ? { trailPercent: i.trailPercent } : {}),
    ...(i.trailPrice !== undefined ? { trailPrice: i.trailPrice } : {}),
    ...(i.orderClass !== undefined ? { orderClass: i.orderClass } : {}),
    ...(i.takeProfit !== undefined ? { takeProfit: i.takeProfit } : {}),
    ...(i.stopLoss !== undefined ? { stopLoss: i.stopLoss } : {}),
    ...(i.marketAfterMs !== undefined ? { marketAfterMs: i.marketAfterMs } : {}),
  };
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
