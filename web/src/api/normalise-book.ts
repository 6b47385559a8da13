/**
 * Wire JSON -> view models for the book: orders, fills, positions and the
 * broker's reconciliation. Tolerant as every reader in normalise.ts, whose
 * readers it uses.
 */
import { bool, first, firstArr, firstObj, isObj, num, objs, str, type Obj } from './normalise.js';
import type { FillVM, OrderVM, OrdersVM, PositionVM, PositionsVM, ReconciliationVM } from './types.js';

// ---- orders, fills, positions -------------------------------------------------

const TERMINAL = new Set(['filled', 'canceled', 'expired', 'replaced', 'rejected', 'done_for_day']);

export function normaliseOrder(x: unknown): OrderVM | null {
  if (!isObj(x)) return null;
  const id = first(x, ['clientOrderId', 'client_order_id', 'id'], str);
  const symbol = str(x.symbol);
  if (id === null || symbol === null) return null;
  return {
    clientOrderId: id,
    symbol,
    side: str(x.side) ?? '?',
    qty: num(x.qty),
    orderType: first(x, ['orderType', 'order_type', 'type'], (v) => (v === 'broker.order_update' ? null : str(v))),
    orderClass: first(x, ['orderClass', 'order_class'], str),
    limitPrice: first(x, ['limitPrice', 'limit_price'], num),
    stopPrice: first(x, ['stopPrice', 'stop_price'], num),
    trailPercent: first(x, ['trailPercent', 'trail_percent'], num),
    parentClientOrderId: str(x.parentClientOrderId),
    replaces: str(x.replaces),
    filledQty: num(x.filledQty),
    filledAvgPrice: num(x.filledAvgPrice),
    status: str(x.status),
    submission: str(x.submission),
    event: str(x.event),
    ts: first(x, ['ts', 'at', 'updatedAt'], num),
  };
}

/** Open means it can still trade: not in a terminal status and not rejected or lost on submission. */
export function isOpenOrder(o: OrderVM): boolean {
  if (o.status !== null && TERMINAL.has(o.status)) return false;
  return o.submission !== 'rejected' && o.submission !== 'lost';
}

export function normaliseFill(x: unknown): FillVM | null {
  if (!isObj(x)) return null;
  const executionId = first(x, ['executionId', 'execution_id', 'id'], str);
  const symbol = str(x.symbol);
  if (executionId === null || symbol === null) return null;
  return {
    executionId,
    clientOrderId: str(x.clientOrderId),
    symbol,
    side: str(x.side) ?? '?',
    qty: num(x.qty),
    price: num(x.price),
    synthetic: x.synthetic === true,
    ts: first(x, ['ts', 'at'], num),
  };
}

/** GET /api/v1/fills: a list of broker.fill, or `{fills: [...]}`. */
export function normaliseFills(raw: unknown): FillVM[] {
  const list = Array.isArray(raw) ? raw : (firstArr(isObj(raw) ? raw : null, ['fills', 'recent', 'items']) ?? []);
  return objs(list)
    .map(normaliseFill)
    .filter((x): x is FillVM => x !== null);
}

/** GET /api/v1/orders: `{open, recent, fills}` or a list of order updates. */
export function normaliseOrders(raw: unknown): OrdersVM {
  const o = isObj(raw) ? raw : null;
  const all = objs(Array.isArray(raw) ? raw : firstArr(o, ['orders', 'all']))
    .map(normaliseOrder)
    .filter((x): x is OrderVM => x !== null);
  let open = objs(firstArr(o, ['open', 'openOrders']))
    .map(normaliseOrder)
    .filter((x): x is OrderVM => x !== null);
  let recent = objs(firstArr(o, ['recent', 'recentOrders', 'closed']))
    .map(normaliseOrder)
    .filter((x): x is OrderVM => x !== null);
  if (all.length > 0) {
    open = [...open, ...all.filter(isOpenOrder)];
    recent = [...recent, ...all.filter((x) => !isOpenOrder(x))];
  }
  const fills = objs(firstArr(o, ['fills', 'recentFills']))
    .map(normaliseFill)
    .filter((x): x is FillVM => x !== null);
  return { open, recent, fills };
}

export function normaliseReconciliation(x: unknown): ReconciliationVM | null {
  if (!isObj(x)) return null;
  return {
    phase: str(x.phase),
    passed: bool(x.passed),
    ready: bool(x.ready),
    magnitude: num(x.magnitude),
    driftNotional: num(x.driftNotional),
    items: Array.isArray(x.items) ? x.items.length : num(x.items),
    corrections: num(x.corrections),
    ts: first(x, ['ts', 'at'], num),
  };
}

/** GET /api/v1/positions: an broker.positions, or `{positions, reconciliation}`. */
export function normalisePositions(raw: unknown): PositionsVM {
  const o = isObj(raw) ? raw : null;
  const p = firstObj(o, ['state', 'snapshot']) ?? o;
  const pending = firstObj(p, ['pendingQty']);
  const marks = firstObj(o, ['marks', 'prices']);
  const positions: PositionVM[] = [];
  for (const x of objs(Array.isArray(raw) ? raw : firstArr(p, ['positions']))) {
    const symbol = str(x.symbol);
    const qty = num(x.qty);
    if (symbol === null || qty === null) continue;
    positions.push({
      symbol,
      qty,
      avgPrice: first(x, ['avgPrice', 'avgEntryPrice'], num),
      realizedPnl: first(x, ['realizedPnl'], num),
      markPrice: first(x, ['markPrice', 'mark', 'lastPrice'], num) ?? (marks ? num(marks[symbol]) : null),
      pendingQty: pending ? num(pending[symbol]) : null,
    });
  }
  const rec = firstObj(o, ['reconciliation', 'reconciled', 'lastReconciliation']);
  return { positions, reconciliation: normaliseReconciliation(rec), ts: first(p, ['ts', 'at'], num) };
}
