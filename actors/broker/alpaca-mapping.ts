/**
 * The one place where Alpaca's wire shapes become domain values and back.
 *
 * Alpaca sends snake_case keys with numbers as strings (`qty: "10"`,
 * `filled_avg_price: "185.23"`) and timestamps as RFC 3339 strings. The SDK
 * (v4) hands back camelCase objects with `Date`s but keeps the raw snake_case
 * keys as well, so every reader here looks for the snake_case key first and
 * the camelCase one second: raw REST JSON, raw stream frames and SDK objects
 * all parse the same way.
 *
 * Parsers never throw: bad input comes back as `{ok: false, error}` naming the
 * field, for the caller to count and log.
 */

import type { IntentOrderClass, OrderIntent, OrderSide } from '../allocator/intent.js';
import { isOrderStatus, type OrderStatus } from './order-state.js';

export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

/** An order as the broker reports it. */
export interface BrokerOrder {
  readonly id: string;
  readonly clientOrderId: string;
  readonly symbol: string;
  readonly side: OrderSide;
  readonly type: string;
  readonly timeInForce: string;
  readonly qty: number;
  readonly filledQty: number;
  readonly filledAvgPrice: number | null;
  readonly limitPrice: number | null;
  /** Stop orders' trigger price; null for the others (and absent in records journaled before stops existed). */
  readonly stopPrice?: number | null;
  /** Trailing stops: the trail, by percent or in dollars (null or absent for other orders). */
  readonly trailPercent?: number | null;
  readonly trailPrice?: number | null;
  /** 'bracket', 'oco', 'oto' (absent or null: simple). */
  readonly orderClass?: string | null;
  /** A replacement's predecessor, and a replaced order's successor (broker ids). */
  readonly replaces?: string | null;
  readonly replacedBy?: string | null;
  /** A parent's legs, when the broker nested them (the POST answer, `nested=true` listings). */
  readonly legs?: readonly BrokerOrder[] | null;
  /** A leg's parent (broker id): set by `withLegs` when it lifts nested legs out, never on the wire. */
  readonly parentId?: string | null;
  readonly status: OrderStatus;
  readonly createdAt: number | null;
  readonly updatedAt: number | null;
}

/** One `trade_updates` event. `price`/`qty` are the fill's own for fill events. */
export interface BrokerTradeUpdate {
  readonly event: string;
  readonly ts: number | null;
  readonly executionId: string | null;
  readonly price: number | null;
  readonly qty: number | null;
  readonly positionQty: number | null;
  readonly order: BrokerOrder;
}

export interface BrokerPosition {
  readonly symbol: string;
  /** Signed: negative for shorts. */
  readonly qty: number;
  readonly avgEntryPrice: number;
  readonly currentPrice: number | null;
  readonly marketValue: number | null;
}

export interface BrokerAccount {
  readonly equity: number;
  readonly lastEquity: number | null;
  readonly cash: number;
  readonly buyingPower: number;
  readonly status: string;
  /** Alpaca's account number (paper ones start with PA); null when the broker did not say. */
  readonly accountNumber: string | null;
}

/** A fill from the account activities endpoint (`activity_type: FILL`). */
export interface BrokerFill {
  readonly executionId: string;
  readonly orderId: string;
  readonly symbol: string;
  readonly side: OrderSide;
  readonly qty: number;
  readonly price: number;
  readonly ts: number | null;
}

type Obj = Record<string, unknown>;

class Bad extends Error {}

function camel(snake: string): string {
  return snake.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}

function field(o: Obj, snake: string): unknown {
  const v = o[snake];
  return v !== undefined ? v : o[camel(snake)];
}

function str(o: Obj, key: string): string {
  const v = field(o, key);
  if (typeof v !== 'string' || v === '') throw new Bad(`${key} must be a non-empty string (got ${JSON.stringify(v)})`);
  return v;
}

function num(o: Obj, key: string): number {
  const v = field(o, key);
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : Number.NaN;
  if (!Number.isFinite(n)) throw new Bad(`${key} must be a number or numeric string (got ${JSON.stringify(v)})`);
  return n;
}

function optNum(o: Obj, key: string): number | null {
  const v = field(o, key);
  return v === undefined || v === null || v === '' ? null : num(o, key);
}

function optStr(o: Obj, key: string): string | null {
  const v = field(o, key);
  return v === undefined || v === null || v === '' ? null : str(o, key);
}

function time(o: Obj, key: string): number | null {
  const v = field(o, key);
  if (v === undefined || v === null || v === '') return null;
  const t = v instanceof Date ? v.getTime() : typeof v === 'number' ? v : typeof v === 'string' ? Date.parse(v) : Number.NaN;
  if (!Number.isFinite(t)) throw new Bad(`${key} must be a timestamp (got ${JSON.stringify(v)})`);
  return t;
}

function side(o: Obj, key: string): OrderSide {
  const v = field(o, key);
  if (v !== 'buy' && v !== 'sell') throw new Bad(`${key} must be buy or sell (got ${JSON.stringify(v)})`);
  return v;
}

function obj(x: unknown, what: string): Obj {
  if (x === null || typeof x !== 'object' || Array.isArray(x)) throw new Bad(`${what} must be an object`);
  return x as Obj;
}

function wrap<T>(what: string, f: () => T): Parsed<T> {
  try {
    return { ok: true, value: f() };
  } catch (e) {
    if (e instanceof Bad) return { ok: false, error: `${what}: ${e.message}` };
    throw e;
  }
}

function order(x: unknown, depth = 0): BrokerOrder {
  const o = obj(x, 'order');
  const status = field(o, 'status');
  if (!isOrderStatus(status)) throw new Bad(`status ${JSON.stringify(status)} is not a known order status`);
  const type = optStr(o, 'type') ?? optStr(o, 'order_type');
  if (type === null) throw new Bad('type is missing');
  return {
    id: str(o, 'id'),
    clientOrderId: str(o, 'client_order_id'),
    symbol: str(o, 'symbol'),
    side: side(o, 'side'),
    type,
    timeInForce: str(o, 'time_in_force'),
    qty: num(o, 'qty'),
    filledQty: optNum(o, 'filled_qty') ?? 0,
    filledAvgPrice: optNum(o, 'filled_avg_price'),
    limitPrice: optNum(o, 'limit_price'),
    stopPrice: optNum(o, 'stop_price'),
    ...optional('trailPercent', optNum(o, 'trail_percent')),
    ...optional('trailPrice', optNum(o, 'trail_price')),
    ...optional('orderClass', orderClass(o)),
    ...optional('replaces', optStr(o, 'replaces')),
    ...optional('replacedBy', optStr(o, 'replaced_by')),
    ...optional('legs', depth === 0 ? legsOf(o) : null),
    status,
    createdAt: time(o, 'created_at'),
    updatedAt: time(o, 'updated_at'),
  };
}

/** `{[key]: v}` when v is set, else nothing: a simple order's parse stays as small as it was. */
function optional<K extends string, V>(key: K, v: V | null): { [P in K]?: V } {
  return (v === null ? {} : { [key]: v }) as { [P in K]?: V };
}

function orderClass(o: Obj): string | null {
  const v = field(o, 'order_class');
  if (v === undefined || v === null || v === '' || v === 'simple') return null;
  if (v !== 'bracket' && v !== 'oco' && v !== 'oto' && v !== 'mleg') throw new Bad(`order_class ${JSON.stringify(v)} is not simple, bracket, oco, oto or mleg`);
  return v;
}

function legsOf(o: Obj): BrokerOrder[] | null {
  const v = field(o, 'legs');
  if (v === undefined || v === null) return null;
  if (!Array.isArray(v)) throw new Bad('legs must be an array or null');
  return v.length === 0 ? null : v.map((l, k) => nested(`legs[${k}]`, () => order(l, 1)));
}

/**
 * The orders of a listing with each parent's nested legs lifted out beside
 * it (each leg knowing its parent), so a `nested=true` listing reconciles leg
 * by leg like a flat one.
 */
export function withLegs(orders: readonly BrokerOrder[]): BrokerOrder[] {
  const out: BrokerOrder[] = [];
  const seen = new Set<string>();
  for (const o of orders) {
    if (!seen.has(o.id)) out.push(o);
    seen.add(o.id);
    for (const l of o.legs ?? []) {
      if (!seen.has(l.id)) out.push({ ...l, parentId: o.id });
      seen.add(l.id);
    }
  }
  return out;
}

export function parseOrder(raw: unknown): Parsed<BrokerOrder> {
  return wrap('order', () => order(raw));
}

export function parseTradeUpdate(raw: unknown): Parsed<BrokerTradeUpdate> {
  return wrap('trade_update', () => {
    const o = obj(raw, 'trade_update');
    return {
      event: str(o, 'event'),
      ts: time(o, 'timestamp'),
      executionId: optStr(o, 'execution_id'),
      price: optNum(o, 'price'),
      qty: optNum(o, 'qty'),
      positionQty: optNum(o, 'position_qty'),
      order: nested('order', () => order(o.order)),
    };
  });
}

function nested<T>(prefix: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof Bad) throw new Bad(`${prefix}.${e.message}`);
    throw e;
  }
}

export function parsePosition(raw: unknown): Parsed<BrokerPosition> {
  return wrap('position', () => {
    const o = obj(raw, 'position');
    let qty = num(o, 'qty');
    // Alpaca reports shorts as negative qty with side "short"; accept a positive qty with side short too.
    if (field(o, 'side') === 'short' && qty > 0) qty = -qty;
    return {
      symbol: str(o, 'symbol'),
      qty,
      avgEntryPrice: num(o, 'avg_entry_price'),
      currentPrice: optNum(o, 'current_price'),
      marketValue: optNum(o, 'market_value'),
    };
  });
}

export function parseAccount(raw: unknown): Parsed<BrokerAccount> {
  return wrap('account', () => {
    const o = obj(raw, 'account');
    return {
      equity: num(o, 'equity'),
      lastEquity: optNum(o, 'last_equity'),
      cash: num(o, 'cash'),
      buyingPower: num(o, 'buying_power'),
      status: optStr(o, 'status') ?? 'UNKNOWN',
      accountNumber: optStr(o, 'account_number') ?? null,
    };
  });
}

export function parseFillActivity(raw: unknown): Parsed<BrokerFill> {
  return wrap('fill activity', () => {
    const o = obj(raw, 'fill activity');
    // Activities carry the execution id as `id` (e.g. "20240102093000000::uuid").
    const executionId = optStr(o, 'execution_id') ?? str(o, 'id');
    return {
      executionId,
      orderId: str(o, 'order_id'),
      symbol: str(o, 'symbol'),
      side: side(o, 'side'),
      qty: num(o, 'qty'),
      price: num(o, 'price'),
      ts: time(o, 'transaction_time'),
    };
  });
}

/** Parse every element, keeping the good ones and the errors of the bad. */
export function parseAll<T>(raws: readonly unknown[], parse: (raw: unknown) => Parsed<T>): { values: T[]; errors: string[] } {
  const values: T[] = [];
  const errors: string[] = [];
  for (const r of raws) {
    const p = parse(r);
    if (p.ok) values.push(p.value);
    else errors.push(p.error);
  }
  return { values, errors };
}

/** The `POST /v2/orders` body (snake_case, amounts as strings). */
export interface OrderRequest {
  readonly symbol: string;
  readonly qty: string;
  readonly side: OrderSide;
  readonly type: OrderIntent['type'];
  readonly time_in_force: string;
  readonly limit_price?: string;
  readonly stop_price?: string;
  readonly trail_percent?: string;
  readonly trail_price?: string;
  readonly order_class?: IntentOrderClass;
  readonly take_profit?: { readonly limit_price: string };
  readonly stop_loss?: { readonly stop_price: string; readonly limit_price?: string };
  readonly client_order_id: string;
}

/** The same order as the SDK's `orders.submit()` / `buildOrder()` input (camelCase). */
export interface SdkOrderInput {
  readonly symbol: string;
  readonly qty: string;
  readonly side: OrderSide;
  readonly type: OrderIntent['type'];
  readonly timeInForce: OrderIntent['timeInForce'];
  readonly limitPrice?: string;
  readonly stopPrice?: string;
  readonly trailPercent?: string;
  readonly trailPrice?: string;
  readonly orderClass?: IntentOrderClass;
  readonly takeProfit?: { readonly limitPrice: string };
  readonly stopLoss?: { readonly stopPrice: string; readonly limitPrice?: string };
  readonly clientOrderId: string;
}

/** The fields of an intent that describe its order, as wire strings, each present only when the intent has it. */
function orderFields(i: OrderIntent): {
  limitPrice?: string;
  stopPrice?: string;
  trailPercent?: string;
  trailPrice?: string;
  orderClass?: IntentOrderClass;
  takeProfit?: { limitPrice: string };
  stopLoss?: { stopPrice: string; limitPrice?: string };
} {
  const f: ReturnType<typeof orderFields> = {};
  if ((i.type === 'limit' || i.type === 'stop_limit') && i.limitPrice !== undefined) f.limitPrice = String(i.limitPrice);
  if ((i.type === 'stop' || i.type === 'stop_limit') && i.stopPrice !== undefined) f.stopPrice = String(i.stopPrice);
  if (i.type === 'trailing_stop' && i.trailPercent !== undefined) f.trailPercent = String(i.trailPercent);
  if (i.type === 'trailing_stop' && i.trailPercent === undefined && i.trailPrice !== undefined) f.trailPrice = String(i.trailPrice);
  if (i.orderClass !== undefined) {
    f.orderClass = i.orderClass;
    if (i.takeProfit) f.takeProfit = { limitPrice: String(i.takeProfit.limitPrice) };
    if (i.stopLoss) f.stopLoss = i.stopLoss.limitPrice === undefined ? { stopPrice: String(i.stopLoss.stopPrice) } : { stopPrice: String(i.stopLoss.stopPrice), limitPrice: String(i.stopLoss.limitPrice) };
  }
  return f;
}

export function toOrderRequest(intent: OrderIntent, clientOrderId: string): OrderRequest {
  const f = orderFields(intent);
  return {
    symbol: intent.symbol,
    qty: String(intent.qty),
    side: intent.side,
    type: intent.type,
    time_in_force: intent.timeInForce,
    ...(f.limitPrice !== undefined ? { limit_price: f.limitPrice } : {}),
    ...(f.stopPrice !== undefined ? { stop_price: f.stopPrice } : {}),
    ...(f.trailPercent !== undefined ? { trail_percent: f.trailPercent } : {}),
    ...(f.trailPrice !== undefined ? { trail_price: f.trailPrice } : {}),
    ...(f.orderClass !== undefined ? { order_class: f.orderClass } : {}),
    ...(f.takeProfit ? { take_profit: { limit_price: f.takeProfit.limitPrice } } : {}),
    ...(f.stopLoss ? { stop_loss: f.stopLoss.limitPrice === undefined ? { stop_price: f.stopLoss.stopPrice } : { stop_price: f.stopLoss.stopPrice, limit_price: f.stopLoss.limitPrice } } : {}),
    client_order_id: clientOrderId,
  };
}

export function toSdkOrderInput(intent: OrderIntent, clientOrderId: string): SdkOrderInput {
  return {
    symbol: intent.symbol,
    qty: String(intent.qty),
    side: intent.side,
    type: intent.type,
    timeInForce: intent.timeInForce,
    ...orderFields(intent),
    clientOrderId,
  };
}

/** What a replace may change (`PATCH /v2/orders/{id}`); the rest of the order stays. */
export interface ReplaceChanges {
  readonly qty?: number;
  readonly limitPrice?: number;
  readonly stopPrice?: number;
  readonly timeInForce?: OrderIntent['timeInForce'];
}

/** The SDK's `patchOrderByOrderId` body for a replace that names its new client order id. */
export interface SdkPatchInput {
  readonly qty?: string;
  readonly limitPrice?: string;
  readonly stopPrice?: string;
  readonly timeInForce?: OrderIntent['timeInForce'];
  readonly clientOrderId: string;
}

/** The same replace as the `PATCH /v2/orders/{id}` body (snake_case, amounts as strings). */
export interface PatchRequest {
  readonly qty?: string;
  readonly limit_price?: string;
  readonly stop_price?: string;
  readonly time_in_force?: OrderIntent['timeInForce'];
  readonly client_order_id: string;
}

export function toPatchRequest(changes: ReplaceChanges, clientOrderId: string): PatchRequest {
  const p = toSdkPatchInput(changes, clientOrderId);
  return {
    ...(p.qty !== undefined ? { qty: p.qty } : {}),
    ...(p.limitPrice !== undefined ? { limit_price: p.limitPrice } : {}),
    ...(p.stopPrice !== undefined ? { stop_price: p.stopPrice } : {}),
    ...(p.timeInForce !== undefined ? { time_in_force: p.timeInForce } : {}),
    client_order_id: clientOrderId,
  };
}

export function toSdkPatchInput(changes: ReplaceChanges, clientOrderId: string): SdkPatchInput {
  return {
    ...(changes.qty !== undefined ? { qty: String(changes.qty) } : {}),
    ...(changes.limitPrice !== undefined ? { limitPrice: String(changes.limitPrice) } : {}),
    ...(changes.stopPrice !== undefined ? { stopPrice: String(changes.stopPrice) } : {}),
    ...(changes.timeInForce !== undefined ? { timeInForce: changes.timeInForce } : {}),
    clientOrderId,
  };
}

/**
 * What a failed order POST means for the order:
 * - `duplicate`: 422 "client_order_id must be unique": the order exists; look it up.
 * - `rejected`: any other 4xx (400, 401, 403 insufficient buying power, 404, 422): not placed.
 * - `retryable`: 429: not placed; the same client order id may be sent again after backoff.
 * - `ambiguous`: 5xx, 408, timeout, connection reset, anything without a status:
 *   it may or may not have been placed; look it up by client order id before resubmitting.
 */
export type SubmitOutcome = 'duplicate' | 'rejected' | 'retryable' | 'ambiguous';

export function classifySubmitError(err: unknown): { outcome: SubmitOutcome; status: number | null; message: string } {
  const e = (err ?? {}) as { status?: unknown; message?: unknown };
  const status = typeof e.status === 'number' ? e.status : null;
  const message = typeof e.message === 'string' ? e.message : String(err);
  if (status === null || status === 408 || status >= 500) return { outcome: 'ambiguous', status, message };
  if (status === 429) return { outcome: 'retryable', status, message };
  if (status === 422 && /client_order_id/i.test(message) && /unique|exists|duplicate/i.test(message)) return { outcome: 'duplicate', status, message };
  if (status >= 400) return { outcome: 'rejected', status, message };
  return { outcome: 'ambiguous', status, message };
}
