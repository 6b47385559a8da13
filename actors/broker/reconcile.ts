/**
 * Reconciliation: a pure diff of the local OMS against the broker's view
 * (open and recent orders, recent fills, positions), producing a drift report
 * and the corrective OMS events that adopt broker truth.
 *
 * Corrections, in the order they must be applied:
 * 1. `adopt_order` for broker orders we do not know (manual orders, or ours
 *    from a lost journal); adopted with no fills, which step 2 or 3 add;
 * 2. `fill` with the broker's execution id for each recent fill we never saw;
 * 3. per local order: `ack` when an ambiguous or pending submission turns out
 *    to exist; a synthetic `fill` (id `recon:<order id>:<cum qty>`, priced so
 *    the average matches the broker's) when the broker's cumulative fill is
 *    ahead of ours; `update` to the broker's status; `mark_lost` for an order
 *    we believe is live that the broker does not list;
 * 4. `set_position` for any position drift left after the above.
 *
 * Things in flight are left alone: anything updated (locally or at the
 * broker) within `graceMs` of `now` is skipped, because its trade_update may
 * still be on the wire. Pending and ambiguous submissions the broker does not
 * list are left to the explicit lookup by client order id.
 *
 * `magnitude` is the position drift notional (local positions before any
 * correction vs broker positions, priced at the broker's current price) over
 * equity: the figure the risk governor's reconciliation-drift trigger
 * thresholds. `passed` is true only when nothing at all differs.
 */

import type { BrokerFill, BrokerOrder, BrokerPosition } from './alpaca-mapping.js';
import { isOpenOrder, type LocalOrder, type OmsEvent } from './oms.js';
import type { LocalPosition } from './positions.js';
import { canTransition } from './order-state.js';

export interface BrokerSnapshot {
  readonly openOrders: readonly BrokerOrder[];
  /** Orders of any status updated in the look-back window (GET /v2/orders?status=all&after=...). */
  readonly recentOrders: readonly BrokerOrder[];
  readonly positions: readonly BrokerPosition[];
  /** FILL account activities in the look-back window, when available. */
  readonly recentFills?: readonly BrokerFill[];
  readonly equity: number;
}

/** What reconciliation reads from the OMS. */
export interface OmsView {
  orders(): LocalOrder[];
  positions(): LocalPosition[];
  hasExecution(executionId: string): boolean;
}

export interface ReconcileOptions {
  /** Skip anything updated this recently (ms); 0 at start-up, when nothing is in flight. */
  readonly graceMs: number;
}

export const DEFAULT_RECONCILE_OPTIONS: ReconcileOptions = Object.freeze({ graceMs: 5_000 });

export type DriftItem =
  | { readonly kind: 'unknown_order'; readonly clientOrderId: string; readonly brokerOrderId: string; readonly symbol: string; readonly status: string }
  | { readonly kind: 'missed_fill'; readonly executionId: string; readonly clientOrderId: string; readonly symbol: string; readonly qty: number }
  | { readonly kind: 'missing_at_broker'; readonly clientOrderId: string; readonly symbol: string; readonly status: string | null }
  | { readonly kind: 'fill_mismatch'; readonly clientOrderId: string; readonly symbol: string; readonly localFilled: number; readonly brokerFilled: number; readonly corrected: boolean }
  | { readonly kind: 'status_mismatch'; readonly clientOrderId: string; readonly symbol: string; readonly local: string | null; readonly broker: string; readonly corrected: boolean }
  | { readonly kind: 'position_drift'; readonly symbol: string; readonly localQty: number; readonly brokerQty: number; readonly notional: number };

export interface ReconcileReport {
  readonly ts: number;
  readonly passed: boolean;
  /** Position drift notional / equity. */
  readonly magnitude: number;
  readonly driftNotional: number;
  readonly items: readonly DriftItem[];
  readonly corrections: readonly OmsEvent[];
  /** Things skipped as in flight. */
  readonly deferred: number;
}

const EPS = 1e-9;

export function reconcile(local: OmsView, broker: BrokerSnapshot, now: number, options: ReconcileOptions = DEFAULT_RECONCILE_OPTIONS): ReconcileReport {
  // A timestamp ahead of `now` (broker clock ahead of ours) also counts as in flight, except with no grace at all.
  const fresh = (t: number | null): boolean => options.graceMs > 0 && t !== null && now - t < options.graceMs;
  const items: DriftItem[] = [];
  const adopt: OmsEvent[] = [];
  const fills: OmsEvent[] = [];
  const perOrder: OmsEvent[] = [];
  const positions: OmsEvent[] = [];
  let deferred = 0;

  const brokerByCid = new Map<string, BrokerOrder>();
  for (const b of broker.recentOrders) brokerByCid.set(b.clientOrderId, b);
  for (const b of broker.openOrders) {
    // The open listing is the fresher; a leg's parent is known only from the nested recent listing.
    const recent = brokerByCid.get(b.clientOrderId);
    brokerByCid.set(b.clientOrderId, recent?.parentId && !b.parentId ? { ...b, parentId: recent.parentId } : b);
  }
  const brokerById = new Map<string, BrokerOrder>();
  for (const b of brokerByCid.values()) brokerById.set(b.id, b);

  const orders = local.orders();
  const localByCid = new Map(orders.map((o) => [o.clientOrderId, o]));
  const localById = new Map(orders.filter((o) => o.brokerOrderId !== null).map((o) => [o.brokerOrderId!, o]));
  const inFlightSymbols = new Set<string>();
  for (const o of orders) if (fresh(o.updatedAt)) inFlightSymbols.add(o.symbol);
  for (const b of brokerByCid.values()) if (fresh(b.updatedAt)) inFlightSymbols.add(b.symbol);

  // Per client order id: quantity and notional the corrections add, so later steps see the corrected state.
  const addedQty = new Map<string, number>();
  const addedNotional = new Map<string, number>();
  const posDelta = new Map<string, number>();
  const addFill = (cid: string, symbol: string, side: 'buy' | 'sell', qty: number, price: number): void => {
    addedQty.set(cid, (addedQty.get(cid) ?? 0) + qty);
    addedNotional.set(cid, (addedNotional.get(cid) ?? 0) + qty * price);
    posDelta.set(symbol, (posDelta.get(symbol) ?? 0) + (side === 'buy' ? qty : -qty));
  };

  // 1. Broker orders we do not know.
  const adoptedFilled = new Map<string, BrokerOrder>();
  for (const b of [...brokerByCid.values()].sort(byCid)) {
    if (localByCid.has(b.clientOrderId) || localById.has(b.id)) continue;
    if (fresh(b.updatedAt) && b.createdAt !== null && fresh(b.createdAt)) {
      deferred++;
      continue;
    }
    items.push({ kind: 'unknown_order', clientOrderId: b.clientOrderId, brokerOrderId: b.id, symbol: b.symbol, status: b.status });
    adopt.push({ kind: 'adopt_order', ts: now, order: { ...b, filledQty: 0, filledAvgPrice: null, status: b.filledQty > 0 ? 'new' : b.status } });
    if (b.filledQty > 0) adoptedFilled.set(b.clientOrderId, b);
  }

  // 2. Fills the broker reports that we never saw.
  for (const f of [...(broker.recentFills ?? [])].sort((a, b) => (a.ts ?? 0) - (b.ts ?? 0) || (a.executionId < b.executionId ? -1 : 1))) {
    if (local.hasExecution(f.executionId)) continue;
    const b = brokerById.get(f.orderId);
    const o = localById.get(f.orderId) ?? (b ? localByCid.get(b.clientOrderId) : undefined);
    const cid = o?.clientOrderId ?? b?.clientOrderId ?? `unknown:${f.orderId}`;
    items.push({ kind: 'missed_fill', executionId: f.executionId, clientOrderId: cid, symbol: f.symbol, qty: f.qty });
    fills.push({
      kind: 'fill',
      ts: now,
      fill: { executionId: f.executionId, clientOrderId: cid, brokerOrderId: f.orderId, symbol: f.symbol, side: f.side, qty: f.qty, price: f.price, ts: f.ts ?? now, synthetic: false },
      order: null,
    });
    addFill(cid, f.symbol, f.side, f.qty, f.price);
  }

  // 3. Order by order. Adopted orders are compared as if known with no fills.
  const compare: { o: Pick<LocalOrder, 'clientOrderId' | 'brokerOrderId' | 'symbol' | 'side' | 'status' | 'filledQty' | 'filledAvgPrice' | 'updatedAt'> & Partial<LocalOrder>; adopted: boolean }[] = [
    ...orders.map((o) => ({ o, adopted: false })),
    ...[...adoptedFilled.values()].map((b) => ({
      o: { clientOrderId: b.clientOrderId, brokerOrderId: b.id, symbol: b.symbol, side: b.side, status: 'new' as const, filledQty: 0, filledAvgPrice: null, updatedAt: 0 },
      adopted: true,
    })),
  ];
  for (const { o, adopted } of compare) {
    const b = brokerByCid.get(o.clientOrderId) ?? (o.brokerOrderId ? brokerById.get(o.brokerOrderId) : undefined);
    const full = adopted ? undefined : (o as LocalOrder);
    if (!b) {
      if (full && full.submission === 'acked' && isOpenOrder(full)) {
        if (fresh(full.updatedAt)) {
          deferred++;
          continue;
        }
        items.push({ kind: 'missing_at_broker', clientOrderId: full.clientOrderId, symbol: full.symbol, status: full.status });
        perOrder.push({ kind: 'mark_lost', ts: now, clientOrderId: full.clientOrderId, reason: 'broker does not list this order' });
      }
      continue;
    }
    if (full && full.submission !== 'acked') perOrder.push({ kind: 'ack', ts: now, clientOrderId: full.clientOrderId, order: b });
    if (fresh(o.updatedAt) || fresh(b.updatedAt)) {
      deferred++;
      continue;
    }
    const added = addedQty.get(o.clientOrderId) ?? 0;
    const localFilled = o.filledQty + added;
    let statusSet = false;
    if (b.filledQty > localFilled + EPS) {
      const missing = b.filledQty - localFilled;
      const avg = b.filledAvgPrice;
      let price = avg === null ? NaN : (avg * b.filledQty - (o.filledAvgPrice ?? 0) * o.filledQty - (addedNotional.get(o.clientOrderId) ?? 0)) / missing;
      if (!(price > 0) && avg !== null) price = avg;
      const corrected = price > 0;
      items.push({ kind: 'fill_mismatch', clientOrderId: o.clientOrderId, symbol: o.symbol, localFilled, brokerFilled: b.filledQty, corrected });
      if (corrected) {
        perOrder.push({
          kind: 'fill',
          ts: now,
          fill: { executionId: `recon:${b.id}:${b.filledQty}`, clientOrderId: o.clientOrderId, brokerOrderId: b.id, symbol: o.symbol, side: o.side, qty: missing, price, ts: b.updatedAt ?? now, synthetic: true },
          order: b,
        });
        addFill(o.clientOrderId, o.symbol, o.side, missing, price);
        statusSet = true;
      }
    } else if (b.filledQty < localFilled - EPS) {
      items.push({ kind: 'fill_mismatch', clientOrderId: o.clientOrderId, symbol: o.symbol, localFilled, brokerFilled: b.filledQty, corrected: false });
    }
    // An ack correction fills in a status the order lacked.
    const localStatus = adopted ? 'new' : (o.status ?? (full && full.submission !== 'acked' ? b.status : null));
    if (!statusSet && b.status !== localStatus && !(adopted && b.filledQty === 0)) {
      const ok = localStatus === null || canTransition(localStatus, b.status);
      items.push({ kind: 'status_mismatch', clientOrderId: o.clientOrderId, symbol: o.symbol, local: localStatus, broker: b.status, corrected: ok });
      if (ok) perOrder.push({ kind: 'update', ts: now, event: 'reconcile', order: b });
    }
  }

  // 4. Positions.
  const localPos = new Map(local.positions().map((p) => [p.symbol, p]));
  const brokerPos = new Map(broker.positions.map((p) => [p.symbol, p]));
  let driftNotional = 0;
  for (const symbol of [...new Set([...localPos.keys(), ...brokerPos.keys(), ...posDelta.keys()])].sort()) {
    const raw = localPos.get(symbol)?.qty ?? 0;
    const after = raw + (posDelta.get(symbol) ?? 0);
    const bp = brokerPos.get(symbol);
    const bq = bp?.qty ?? 0;
    const price = bp?.currentPrice ?? bp?.avgEntryPrice ?? localPos.get(symbol)?.avgPrice ?? 0;
    if (Math.abs(raw - bq) > EPS) driftNotional += Math.abs(raw - bq) * price;
    if (Math.abs(after - bq) <= EPS) continue;
    if (inFlightSymbols.has(symbol)) {
      deferred++;
      continue;
    }
    items.push({ kind: 'position_drift', symbol, localQty: after, brokerQty: bq, notional: Math.abs(after - bq) * price });
    positions.push({ kind: 'set_position', ts: now, symbol, qty: bq, avgPrice: bp?.avgEntryPrice ?? 0, reason: `reconcile: local ${after} vs broker ${bq}` });
  }

  const magnitude = broker.equity > 0 ? driftNotional / broker.equity : driftNotional > 0 ? Infinity : 0;
  return {
    ts: now,
    passed: items.length === 0,
    magnitude,
    driftNotional,
    items,
    corrections: [...adopt, ...fills, ...perOrder, ...positions],
    deferred,
  };
}

function byCid(a: BrokerOrder, b: BrokerOrder): number {
  return a.clientOrderId < b.clientOrderId ? -1 : a.clientOrderId > b.clientOrderId ? 1 : 0;
}
