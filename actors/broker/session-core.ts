/**
 * The broker session's logic without the network: the OMS, the write-ahead
 * journal and reconciliation, wired so the durability rules cannot be
 * skipped. The actor shell owns the SDK client and the trade_updates stream
 * and calls in here:
 *
 * ```
 * const { session } = BrokerSessionCore.open({ journalPath, salt: accountId });
 * // start-up: fetch open+recent orders, positions, account, fills; then
 * session.reconcile(raw, 'startup', now);          // sets session.ready
 * for (const o of session.oms.pendingAmbiguous()) // look up before resubmitting
 *   session.onLookup(o.clientOrderId, await getByClientOrderId(o.clientOrderId) ?? null, now);
 * // per approved intent:
 * const d = session.submit(intent, now);          // journaled + fsynced before returning
 * if (d.ok) try { session.onSubmitOk(d.clientOrderId, await sdk.submit(d.request), now) }
 *           catch (e) { session.onSubmitError(d.clientOrderId, e, now) }
 * // per trade_updates frame:
 * session.onTradeUpdate(update, now);              // fill journaled before it is applied
 * ```
 *
 * Every method returns the `broker.*` messages to publish. Bad input from the
 * wire is rejected with a reason and counted, never thrown; journal I/O errors
 * (disk full, EIO) are thrown, because continuing to trade without a durable
 * journal would break the crash guarantee.
 */

import type { OrderIntent } from '../allocator/intent.js';
import {
  classifySubmitError,
  parseAccount,
  parseAll,
  parseFillActivity,
  parseOrder,
  parsePosition,
  parseTradeUpdate,
  type BrokerOrder,
  toOrderRequest,
  toSdkOrderInput,
  toPatchRequest,
  toSdkPatchInput,
  withLegs,
  type OrderRequest,
  type PatchRequest,
  type ReplaceChanges,
  type SdkOrderInput,
  type SdkPatchInput,
  type SubmitOutcome,
} from './alpaca-mapping.js';
import { clientOrderIdFor } from './client-order-id.js';
import { Journal, MemoryJournal, type JournalOptions, type JournalStore, type ReplayReport } from './journal.js';
import type { BrokerFillMsg, BrokerMsg, BrokerOrderUpdateMsg, BrokerPositionsMsg, BrokerReconciledMsg } from './messages.js';
import { isOpenOrder, Oms, type ApplyResult, type LocalOrder, type OmsEvent } from './oms.js';
import { reconcile, type ReconcileReport } from './reconcile.js';

export interface SessionOptions extends JournalOptions {
  readonly journalPath: string;
  /** Salt for client order ids: the account id, so two accounts never share ids. */
  readonly salt: string;
  /** In-flight grace for periodic reconciliation, ms (start-up uses 0). Default 5000. */
  readonly periodicGraceMs?: number;
  /**
   * Paper first, at the last gate: why the account the broker answered with
   * may not be traded (null when it may). A refused account keeps the session
   * from becoming ready, so it never submits.
   */
  readonly accountRefusal?: (accountNumber: string | null) => string | null;
}

/** Raw broker answers, as the SDK or REST returned them (snake_case or SDK objects). */
export interface RawBrokerState {
  readonly openOrders: readonly unknown[];
  readonly recentOrders: readonly unknown[];
  readonly positions: readonly unknown[];
  readonly account: unknown;
  readonly recentFills?: readonly unknown[];
}

export type SubmitDecision =
  | { readonly ok: true; readonly clientOrderId: string; readonly request: SdkOrderInput; readonly restBody: OrderRequest; readonly messages: BrokerMsg[] }
  | { readonly ok: false; readonly reason: string; readonly messages: BrokerMsg[] };

export interface Outcome {
  readonly messages: BrokerMsg[];
  /** Set when the input was rejected or could not be applied. */
  readonly error?: string;
}

/** A replace to send: `PATCH /v2/orders/{orderId}` with `patch` (the SDK's input; `restBody` the same on the wire), whose client order id names the replacement. */
export interface ReplaceRequest {
  readonly orderId: string;
  readonly patch: SdkPatchInput;
  readonly restBody: PatchRequest;
}

export type ReplaceDecision =
  | { readonly ok: true; readonly clientOrderId: string; readonly request: ReplaceRequest; readonly messages: BrokerMsg[] }
  | { readonly ok: false; readonly reason: string; readonly messages: BrokerMsg[] };

/** Why the session refuses an approved intent (the part of the reason before its colon; the metrics' `reason` label). */
export const REFUSAL_REASONS = ['not_ready', 'duplicate_intent', 'duplicate_client_order_id'] as const;

export class BrokerSessionCore {
  readonly oms = new Oms();
  private isReady = false;
  private readonly counters = new Map<string, number>();

  private constructor(
    private readonly journal: JournalStore,
    private readonly salt: string,
    private readonly periodicGraceMs: number,
    private readonly accountRefusal: (accountNumber: string | null) => string | null,
  ) {}

  /** Open the journal, replay it into a fresh OMS, and mark unconfirmed submissions ambiguous. */
  static open(options: SessionOptions): { session: BrokerSessionCore; replay: ReplayReport; replayErrors: string[] } {
    const { journal, replay } = Journal.open(options.journalPath, options);
    const s = new BrokerSessionCore(journal, options.salt, options.periodicGraceMs ?? 5_000, options.accountRefusal ?? (() => null));
    const replayErrors: string[] = [];
    for (const r of replay.records) {
      const res = s.oms.apply(r.event);
      if (!res.ok) replayErrors.push(`record ${r.seq}: ${res.error}`);
    }
    s.oms.markPendingAmbiguous();
    return { session: s, replay, replayErrors };
  }

  /**
   * A session whose journal is kept in memory only: research replays the
   * broker's own order handling without a file to fsync. Never for trading.
   */
  static inMemory(options: Omit<SessionOptions, 'journalPath' | 'onCorrupt'>): BrokerSessionCore {
    return new BrokerSessionCore(new MemoryJournal(), options.salt, options.periodicGraceMs ?? 5_000, options.accountRefusal ?? (() => null));
  }

  /** True once start-up reconciliation has passed; until then `submit` refuses. */
  get ready(): boolean {
    return this.isReady;
  }

  /** Counters: rejected wire input, duplicates, refusals. */
  stats(): Record<string, number> {
    return Object.fromEntries([...this.counters.entries()].sort());
  }

  /**
   * Register an approved intent and journal it (fsynced) BEFORE it may be
   * sent. Refuses when not ready or when the intent already has an order.
   */
  submit(intent: OrderIntent, now: number): SubmitDecision {
    return this.submitBatch([intent], now)[0]!;
  }

  /**
   * `submit` for the intents of one risk review together: each is checked as
   * `submit` would (a second copy of an intent within the batch is a
   * duplicate too), and the accepted ones are journaled with one write and
   * one fsync (group commit) before any of them may be sent. One decision
   * per intent, in order.
   */
  submitBatch(intents: readonly OrderIntent[], now: number): SubmitDecision[] {
    if (!this.isReady) return intents.map(() => this.refuse('not_ready: start-up reconciliation has not passed'));
    const decisions: (SubmitDecision | { readonly intent: OrderIntent; readonly cid: string })[] = [];
    const events: OmsEvent[] = [];
    const inBatch = new Set<string>();
    for (const intent of intents) {
      const cid = clientOrderIdFor(intent.intentId, this.salt);
      const refused = this.oms.refuseIntent(intent, cid) ?? (inBatch.has(intent.intentId) ? `duplicate_intent: intent ${intent.intentId} already has order ${cid}` : null);
      if (refused) {
        decisions.push(this.refuse(refused));
        continue;
      }
      inBatch.add(intent.intentId);
      events.push({ kind: 'intent', ts: now, intent, clientOrderId: cid });
      decisions.push({ intent, cid });
    }
    const applied = this.commit(events);
    let k = 0;
    return decisions.map((d) => {
      if ('ok' in d) return d;
      const r = applied[k++]!;
      return { ok: true, clientOrderId: d.cid, request: toSdkOrderInput(d.intent, d.cid), restBody: toOrderRequest(d.intent, d.cid), messages: this.orderMsgs(r, 'submitted', now) };
    });
  }

  /** The order request to (re)send for a `pending` order (after a 429 or a lookup that found nothing). Same client order id. A replacement is resent with `replaceRequest`. */
  resendRequest(clientOrderId: string): SdkOrderInput | null {
    const o = this.oms.order(clientOrderId);
    if (!o || o.submission !== 'pending' || o.intentId === null || o.replaces) return null;
    return toSdkOrderInput(orderAsIntent(o), clientOrderId);
  }

  /**
   * Ask for an order to be replaced (new quantity, prices or time in force):
   * the replacement gets its own client order id, deterministic from the
   * order's intent, and the request is journaled (fsynced) BEFORE the PATCH
   * may be sent, as an intent is before its POST. Its outcome arrives like a
   * submission's (`onSubmitOk`, `onSubmitError`, `onLookup` for the new
   * client order id): after a crash the replacement is ambiguous and is
   * looked up by that id, never sent blind.
   */
  requestReplace(clientOrderId: string, changes: ReplaceChanges, now: number): ReplaceDecision {
    const o = this.oms.order(clientOrderId);
    if (!this.isReady) return this.refuseReplace('not_ready: start-up reconciliation has not passed');
    if (!o) return this.refuseReplace(`unknown_order: ${clientOrderId}`);
    const key = o.intentId ?? o.clientOrderId;
    let n = 1;
    let newCid = clientOrderIdFor(`${key}:r${n}`, this.salt);
    while (this.oms.order(newCid)) newCid = clientOrderIdFor(`${key}:r${++n}`, this.salt);
    const refused = this.oms.refuseReplace(clientOrderId, newCid, changes);
    if (refused) return this.refuseReplace(refused);
    const r = this.commit([{ kind: 'replace_requested', ts: now, clientOrderId, newClientOrderId: newCid, changes }])[0]!;
    if (!r.ok) return this.refuseReplace(r.error);
    const request = this.replaceRequest(newCid);
    if (!request) return this.refuseReplace(`replace of ${clientOrderId} has no request`);
    return { ok: true, clientOrderId: newCid, request, messages: [...this.orderMsgs(r, 'replace_requested', now), ...this.predecessorMsgs(r.order, 'replace_requested', now)] };
  }

  /**
   * The PATCH to (re)send for a `pending` replacement, or null when it is
   * not one or its predecessor no longer works (then it can never be sent:
   * record it with `onSubmitError`).
   */
  replaceRequest(clientOrderId: string): ReplaceRequest | null {
    const o = this.oms.order(clientOrderId);
    if (!o || o.submission !== 'pending' || !o.replaces) return null;
    const before = this.oms.order(o.replaces);
    if (!before || before.brokerOrderId === null || !isOpenOrder(before) || before.replacement !== clientOrderId) return null;
    const changes: { -readonly [K in keyof ReplaceChanges]: ReplaceChanges[K] } = {};
    if (o.qty !== before.qty - before.filledQty) changes.qty = o.qty;
    if (o.limitPrice !== before.limitPrice && o.limitPrice !== null) changes.limitPrice = o.limitPrice;
    if (o.stopPrice !== before.stopPrice && typeof o.stopPrice === 'number') changes.stopPrice = o.stopPrice;
    if (o.timeInForce !== before.timeInForce) changes.timeInForce = o.timeInForce as ReplaceChanges['timeInForce'];
    return { orderId: before.brokerOrderId, patch: toSdkPatchInput(changes, clientOrderId), restBody: toPatchRequest(changes, clientOrderId) };
  }

  /** The broker accepted the POST. */
  onSubmitOk(clientOrderId: string, rawOrder: unknown, now: number): Outcome {
    const p = parseOrder(rawOrder);
    if (!p.ok) {
      // We know it was accepted but not what it says: treat as ambiguous and look it up.
      this.commit([{ kind: 'submit_failed', ts: now, clientOrderId, outcome: 'ambiguous', reason: `unparseable ack: ${p.error}` }]);
      return this.reject('bad_ack', p.error);
    }
    return this.applyOne({ kind: 'ack', ts: now, clientOrderId, order: p.value }, 'ack', now);
  }

  /** The POST failed; `err` is whatever the SDK threw (ApiError with `.status`, a timeout, a network error). */
  onSubmitError(clientOrderId: string, err: unknown, now: number): Outcome & { outcome: SubmitOutcome } {
    const c = classifySubmitError(err);
    const reason = c.status === null ? c.message : `HTTP ${c.status}: ${c.message}`;
    const out = this.applyOne({ kind: 'submit_failed', ts: now, clientOrderId, outcome: c.outcome, reason }, 'submit_failed', now);
    return { ...out, outcome: c.outcome };
  }

  /** The answer to `GET /v2/orders:by_client_order_id` for an ambiguous order: the order, or null on 404. */
  onLookup(clientOrderId: string, rawOrder: unknown | null, now: number): Outcome {
    if (rawOrder === null) return this.applyOne({ kind: 'lookup_not_found', ts: now, clientOrderId }, 'lookup_not_found', now);
    const p = parseOrder(rawOrder);
    if (!p.ok) return this.reject('bad_lookup', p.error);
    if (p.value.clientOrderId !== clientOrderId) return this.reject('bad_lookup', `lookup for ${clientOrderId} returned ${p.value.clientOrderId}`);
    return this.applyOne({ kind: 'ack', ts: now, clientOrderId, order: p.value }, 'ack', now);
  }

  /**
   * Record a cancel request; returns the broker id to DELETE (null: not acked yet, look it up first).
   * `then: 'market'`: what is left goes out as a market order once the cancel lands (limit-timeouts.ts).
   */
  requestCancel(clientOrderId: string, now: number, then?: 'market'): Outcome & { brokerOrderId: string | null } {
    const out = this.applyOne({ kind: 'cancel_requested', ts: now, clientOrderId, ...(then ? { then } : {}) }, 'cancel_requested', now);
    return { ...out, brokerOrderId: this.oms.order(clientOrderId)?.brokerOrderId ?? null };
  }

  /** One trade_updates event (raw frame data or the SDK's TradeUpdate). Fills are journaled before they are applied. */
  onTradeUpdate(raw: unknown, now: number): Outcome {
    const p = parseTradeUpdate(raw);
    if (!p.ok) return this.reject('bad_trade_update', p.error);
    const u = p.value;
    const isFill = u.event === 'fill' || u.event === 'partial_fill';
    if (isFill) {
      if (u.qty === null || u.price === null) return this.reject('bad_trade_update', `${u.event} for ${u.order.clientOrderId} lacks qty or price`);
      // Alpaca paper has sent fills without execution_id; the order's cumulative fill identifies one uniquely.
      const executionId = u.executionId ?? `cum:${u.order.id}:${u.order.filledQty}`;
      if (this.oms.hasExecution(executionId)) {
        this.count('duplicate_execution');
        return { messages: [] };
      }
      const local = this.oms.order(u.order.clientOrderId) ?? this.oms.orderByBrokerId(u.order.id);
      const ev: OmsEvent = {
        kind: 'fill',
        ts: now,
        fill: {
          executionId,
          clientOrderId: local?.clientOrderId ?? u.order.clientOrderId,
          brokerOrderId: u.order.id,
          symbol: u.order.symbol,
          side: u.order.side,
          qty: u.qty,
          price: u.price,
          ts: u.ts ?? now,
          synthetic: false,
        },
        order: u.order,
      };
      return this.applyOne(ev, u.event, now);
    }
    const local = this.oms.order(u.order.clientOrderId) ?? this.oms.orderByBrokerId(u.order.id);
    if (local && local.status === u.order.status && local.submission === 'acked') {
      this.count('duplicate_update');
      return { messages: [] };
    }
    return this.applyOne({ kind: 'update', ts: now, event: u.event, order: u.order }, u.event, now);
  }

  /**
   * Reconcile against the broker, journal and apply the corrections. At
   * 'startup' the diff is re-run after the corrections and the session
   * becomes ready only if nothing differs any more.
   */
  reconcile(raw: RawBrokerState, phase: 'startup' | 'periodic', now: number): Outcome & { report: ReconcileReport } {
    // Listings nest legs under their parents: lift them out, each knowing its parent.
    const open = nestedLegs(parseAll(raw.openOrders, parseOrder));
    const recent = nestedLegs(parseAll(raw.recentOrders, parseOrder));
    const positions = parseAll(raw.positions, parsePosition);
    const fills = parseAll(raw.recentFills ?? [], parseFillActivity);
    const account = parseAccount(raw.account);
    const refused = account.ok ? this.accountRefusal(account.value.accountNumber) : null;
    const errors = [...open.errors, ...recent.errors, ...positions.errors, ...fills.errors, ...(account.ok ? [] : [account.error]), ...(refused ? [refused] : [])];
    for (let k = 0; k < errors.length; k++) this.count('bad_broker_state');
    const snapshot = {
      openOrders: open.values,
      recentOrders: recent.values,
      positions: positions.values,
      recentFills: fills.values,
      equity: account.ok ? account.value.equity : 0,
    };
    const graceMs = phase === 'startup' ? 0 : this.periodicGraceMs;
    const report = reconcile(this.oms, snapshot, now, { graceMs });
    const messages: BrokerMsg[] = [];
    const results = this.commit(report.corrections);
    results.forEach((r, k) => {
      const ev = report.corrections[k]!;
      messages.push(...this.resultMsgs(r, ev.kind === 'update' ? 'reconcile' : ev.kind === 'adopt_order' ? 'adopted' : ev.kind, now));
    });
    let passed = report.passed && errors.length === 0;
    if (phase === 'startup') {
      const again = reconcile(this.oms, snapshot, now, { graceMs: 0 });
      passed = again.passed && errors.length === 0;
      this.isReady = passed;
    }
    const msg: BrokerReconciledMsg = {
      type: 'broker.reconciled',
      phase,
      passed,
      magnitude: report.magnitude,
      driftNotional: report.driftNotional,
      items: report.items,
      corrections: report.corrections.length,
      deferred: report.deferred,
      ready: this.isReady,
      ts: now,
    };
    messages.push(msg, this.positionsMsg(now));
    return errors.length ? { messages, report, error: `broker state had ${errors.length} unparseable entries: ${errors[0]}` } : { messages, report };
  }

  positionsMsg(now: number): BrokerPositionsMsg {
    return {
      type: 'broker.positions',
      positions: this.oms.positions().map((p) => ({ symbol: p.symbol, qty: p.qty, avgPrice: p.avgPrice, realizedPnl: p.realizedPnl })),
      pendingQty: this.oms.pendingQty(),
      ts: now,
    };
  }

  /** Replace the journal with a snapshot of the OMS (bounded replay time). */
  compact(now: number): void {
    this.journal.compact({ kind: 'snapshot', ts: now, state: this.oms.snapshot() });
  }

  get journalBytes(): number {
    return this.journal.bytes;
  }

  close(): void {
    this.journal.close();
  }

  /** Journal (one fsync for the batch), then apply in order. */
  private commit(events: readonly OmsEvent[]): ApplyResult[] {
    if (events.length === 0) return [];
    this.journal.appendBatch(events);
    return events.map((e) => this.oms.apply(e));
  }

  private applyOne(ev: OmsEvent, label: string, now: number): Outcome {
    const r = this.commit([ev])[0]!;
    if (!r.ok) {
      this.count(`apply_error_${ev.kind}`);
      return { messages: this.resultMsgs(r, label, now), error: r.error };
    }
    return { messages: this.resultMsgs(r, label, now) };
  }

  private resultMsgs(r: ApplyResult, label: string, now: number): BrokerMsg[] {
    if (r.ok && r.kind === 'duplicate') return [];
    const out: BrokerMsg[] = [];
    if (r.ok && r.fill && r.order && r.position) {
      const fill: BrokerFillMsg = {
        type: 'broker.fill',
        executionId: r.fill.executionId,
        clientOrderId: r.order.clientOrderId,
        brokerOrderId: r.order.brokerOrderId,
        intentId: r.order.intentId,
        symbol: r.fill.symbol,
        side: r.fill.side,
        qty: r.fill.qty,
        price: r.fill.price,
        positionQty: r.position.qty,
        positionAvgPrice: r.position.avgPrice,
        synthetic: r.fill.synthetic,
        ts: r.fill.ts,
      };
      out.push(fill);
    }
    out.push(...this.orderMsgs(r, label, now));
    if (r.ok && r.fill) out.push(this.positionsMsg(now));
    return out;
  }

  private orderMsgs(r: ApplyResult, event: string, now: number): BrokerOrderUpdateMsg[] {
    const o = r.order;
    if (!o) return [];
    const out = [orderUpdateMsg(o, event, r.ok ? o.reason : r.error, now)];
    // A refused replace puts its predecessor back to working as it was: say so.
    if (r.ok && o.replaces && o.submission === 'rejected') out.push(...this.predecessorMsgs(o, event, now));
    return out;
  }

  /** The update for the order a replacement replaces, whose `replacement` changed with it. */
  private predecessorMsgs(o: LocalOrder | null, event: string, now: number): BrokerOrderUpdateMsg[] {
    const before = o?.replaces ? this.oms.order(o.replaces) : undefined;
    return before ? [orderUpdateMsg(before, event, before.reason, now)] : [];
  }

  private refuseReplace(reason: string): ReplaceDecision {
    this.count(`replace_refused_${reason.split(':')[0]}`);
    return { ok: false, reason, messages: [] };
  }

  private refuse(reason: string): SubmitDecision {
    this.count(`refused_${reason.split(':')[0]}`);
    return { ok: false, reason, messages: [] };
  }

  private reject(code: string, detail: string): Outcome {
    this.count(code);
    return { messages: [], error: `${code}: ${detail}` };
  }

  private count(key: string): void {
    this.counters.set(key, (this.counters.get(key) ?? 0) + 1);
  }
}

export function orderUpdateMsg(o: LocalOrder, event: string, reason: string | null, now: number): BrokerOrderUpdateMsg {
  return {
    type: 'broker.order_update',
    clientOrderId: o.clientOrderId,
    brokerOrderId: o.brokerOrderId,
    intentId: o.intentId,
    symbol: o.symbol,
    side: o.side,
    qty: o.qty,
    orderType: o.type,
    orderClass: o.orderClass ?? null,
    limitPrice: o.limitPrice,
    stopPrice: o.stopPrice ?? null,
    trailPercent: o.trailPercent ?? null,
    parentClientOrderId: o.parentClientOrderId ?? null,
    replaces: o.replaces ?? null,
    filledQty: o.filledQty,
    filledAvgPrice: o.filledAvgPrice,
    status: o.status,
    submission: o.submission,
    event,
    reason,
    ts: now,
  };
}

function nestedLegs<T extends { values: BrokerOrder[] }>(parsed: T): T {
  return { ...parsed, values: withLegs(parsed.values) };
}

/** The intent an order was registered from, rebuilt from the OMS (for a resend after a 429 or a lookup that found nothing). */
function orderAsIntent(o: LocalOrder): OrderIntent {
  const base = {
    intentId: o.intentId ?? o.clientOrderId,
    symbol: o.symbol,
    side: o.side,
    qty: o.qty,
    timeInForce: o.timeInForce as OrderIntent['timeInForce'],
    refPrice: o.limitPrice ?? 0,
    createdAt: o.createdAt,
    reason: 'resend',
    postureSeq: 0,
  };
  const cls = o.orderClass;
  const shape: Pick<OrderIntent, 'orderClass' | 'takeProfit' | 'stopLoss' | 'marketAfterMs'> = {
    ...(cls === 'bracket' || cls === 'oco' || cls === 'oto' ? { orderClass: cls } : {}),
    ...(o.takeProfit ? { takeProfit: o.takeProfit } : {}),
    ...(o.stopLoss ? { stopLoss: o.stopLoss } : {}),
    ...(typeof o.marketAfterMs === 'number' ? { marketAfterMs: o.marketAfterMs } : {}),
  };
  const stop = typeof o.stopPrice === 'number' ? o.stopPrice : null;
  if (o.type === 'limit' && o.limitPrice !== null) return { ...base, ...shape, type: 'limit', limitPrice: o.limitPrice };
  if (o.type === 'stop' && stop !== null) return { ...base, ...shape, type: 'stop', stopPrice: stop, refPrice: stop };
  if (o.type === 'stop_limit' && stop !== null && o.limitPrice !== null) return { ...base, ...shape, type: 'stop_limit', stopPrice: stop, limitPrice: o.limitPrice, refPrice: stop };
  if (o.type === 'trailing_stop' && typeof o.trailPercent === 'number') return { ...base, ...shape, type: 'trailing_stop', trailPercent: o.trailPercent };
  if (o.type === 'trailing_stop' && typeof o.trailPrice === 'number') return { ...base, ...shape, type: 'trailing_stop', trailPrice: o.trailPrice };
  return { ...base, ...shape, type: 'market' };
}
