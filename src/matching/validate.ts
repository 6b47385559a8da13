/**
 * Parses `POST /v2/orders` and `PATCH /v2/orders/{id}` bodies the way Alpaca
 * validates them: every problem is a 422 naming the field, with Alpaca's
 * wording where it is known. The combinations Alpaca refuses are refused
 * here (see README's venue section for the table).
 */
import { badRequest, invalid } from './errors.js';
import { isUsDst } from './session.js';
import type { LegRequest, OrderClass, OrderRequest, OrderSide, OrderType, TimeInForce, VenueOrder } from './orders.js';

const SIDES: readonly OrderSide[] = ['buy', 'sell'];
const TYPES: readonly OrderType[] = ['market', 'limit', 'stop', 'stop_limit', 'trailing_stop'];
const TIFS: readonly TimeInForce[] = ['day', 'gtc', 'ioc', 'fok', 'opg', 'cls'];
const CLASSES: readonly OrderClass[] = ['simple', 'bracket', 'oco', 'oto'];

const given = (x: unknown): boolean => x !== undefined && x !== null && x !== '';

/** Parses and validates an order body; throws VenueRejection (400/422) on bad input. */
export function parseOrderRequest(body: unknown, isKnownSymbol: (symbol: string) => boolean): OrderRequest {
  const b = objectBody(body);

  const symbol = b.symbol;
  if (typeof symbol !== 'string' || symbol.trim() === '') throw invalid('symbol is required');
  if (!isKnownSymbol(symbol)) throw invalid(`asset "${symbol}" not found`);

  const rawClass = given(b.order_class) ? b.order_class : 'simple';
  if (rawClass === 'mleg') throw invalid('order_class mleg (options) is not supported by the local venue');
  if (!CLASSES.includes(rawClass as OrderClass)) throw invalid(`invalid order_class: ${String(rawClass)}`);
  const orderClass = rawClass as OrderClass;

  const side = b.side;
  if (!SIDES.includes(side as OrderSide)) throw invalid('invalid order side');
  const type = (b.type ?? b.order_type) as OrderType;
  if (!TYPES.includes(type)) throw invalid('invalid order type');
  const tif = b.time_in_force as TimeInForce;
  if (!TIFS.includes(tif)) throw invalid('invalid time_in_force');

  // Quantity: exactly one of qty and notional.
  let qty: number | undefined;
  let notional: number | undefined;
  if (given(b.qty) && given(b.notional)) throw invalid('qty and notional are mutually exclusive: give one');
  if (given(b.notional)) {
    notional = parseDecimal(b.notional);
    if (notional === undefined || notional <= 0) throw invalid('invalid notional');
    if (decimalPlaces(b.notional) > 2) throw invalid('notional must have at most 2 decimal places');
    if (notional < 1) throw invalid('notional must be at least 1 (dollar)');
    if (type !== 'market') throw invalid('notional orders must be market orders');
    if (tif !== 'day') throw invalid('fractional orders must be DAY orders');
    if (orderClass !== 'simple') throw invalid('notional orders must be simple orders (no order_class)');
  } else {
    if (!given(b.qty)) throw invalid('qty is required');
    qty = parseDecimal(b.qty);
    if (qty === undefined || qty <= 0) throw invalid('invalid qty');
    if (decimalPlaces(b.qty) > 9) throw invalid('qty must have at most 9 decimal places');
    if (!Number.isInteger(qty)) {
      if (tif !== 'day') throw invalid('fractional orders must be DAY orders');
      if (type === 'trailing_stop') throw invalid('fractional trailing_stop orders are not supported');
      if (orderClass !== 'simple') throw invalid(`fractional orders are not supported for order_class ${orderClass}`);
    }
  }

  // Prices each order type takes, and only those.
  const usesLimit = type === 'limit' || type === 'stop_limit';
  const usesStop = type === 'stop' || type === 'stop_limit';
  let limitPrice: number | undefined;
  if (usesLimit && orderClass !== 'oco') limitPrice = requiredPrice(b, 'limit_price', `limit_price is required for ${type} orders`);
  else if (given(b.limit_price) && orderClass !== 'oco') throw invalid(`limit_price is not allowed for ${type} orders`);
  let stopPrice: number | undefined;
  if (usesStop) stopPrice = requiredPrice(b, 'stop_price', `stop_price is required for ${type} orders`);
  else if (given(b.stop_price)) throw invalid(`stop_price is not allowed for ${type} orders`);
  let trailPrice: number | undefined;
  let trailPercent: number | undefined;
  if (type === 'trailing_stop') {
    if (given(b.trail_price) && given(b.trail_percent)) throw invalid('trail_price and trail_percent are mutually exclusive: give one');
    if (given(b.trail_price)) trailPrice = requiredPrice(b, 'trail_price', '');
    else if (given(b.trail_percent)) trailPercent = parsePercent(b.trail_percent, 'trail_percent');
    else throw invalid('trail_price or trail_percent is required for trailing_stop orders');
  } else if (given(b.trail_price) || given(b.trail_percent)) {
    throw invalid(`trail_price and trail_percent are only for trailing_stop orders`);
  }

  // Time in force by order type and class, as Alpaca accepts them.
  if ((tif === 'opg' || tif === 'cls') && type !== 'market' && type !== 'limit') throw invalid(`time_in_force ${tif} is only for market and limit orders`);
  if ((tif === 'ioc' || tif === 'fok') && type !== 'market' && type !== 'limit') throw invalid(`time_in_force ${tif} is only for market and limit orders`);
  if (type === 'trailing_stop' && tif !== 'day' && tif !== 'gtc') throw invalid('trailing_stop orders must be DAY or GTC');
  if (orderClass !== 'simple' && tif !== 'day' && tif !== 'gtc') throw invalid(`${orderClass} orders must be DAY or GTC`);

  // Advanced order classes and their legs.
  const takeProfit = given(b.take_profit) ? parseLeg(b.take_profit, 'take_profit') : undefined;
  const stopLoss = given(b.stop_loss) ? parseLeg(b.stop_loss, 'stop_loss') : undefined;
  if (orderClass === 'simple' && (takeProfit || stopLoss)) throw invalid('take_profit and stop_loss are only for bracket, oco and oto orders');
  if (orderClass === 'bracket' || orderClass === 'oco') {
    if (!takeProfit) throw invalid(`take_profit is required for ${orderClass} orders`);
    if (!stopLoss) throw invalid(`stop_loss is required for ${orderClass} orders`);
  }
  if (orderClass === 'oto' && !takeProfit === !stopLoss) throw invalid('oto orders need exactly one of take_profit or stop_loss');
  if (takeProfit && takeProfit.limitPrice === undefined) throw invalid('take_profit.limit_price is required');
  if (stopLoss && stopLoss.stopPrice === undefined) throw invalid('stop_loss.stop_price is required');
  if (takeProfit?.stopPrice !== undefined) throw invalid('take_profit.stop_price is not allowed');
  if ((orderClass === 'bracket' || orderClass === 'oto') && type !== 'market' && type !== 'limit') throw invalid(`${orderClass} entry orders must be market or limit orders`);
  if (orderClass === 'oco') {
    if (type !== 'limit') throw invalid('oco orders must be limit orders');
    // The order itself is the take-profit leg.
    if (given(b.limit_price) && parseDecimal(b.limit_price) !== takeProfit!.limitPrice) throw invalid('limit_price must equal take_profit.limit_price for oco orders');
    limitPrice = takeProfit!.limitPrice;
    const tp = takeProfit!.limitPrice!;
    const sl = stopLoss!.stopPrice!;
    if (side === 'sell' && !(tp > sl)) throw invalid('take_profit.limit_price must be > stop_loss.stop_price for a sell oco order');
    if (side === 'buy' && !(tp < sl)) throw invalid('take_profit.limit_price must be < stop_loss.stop_price for a buy oco order');
  }

  const extendedHours = b.extended_hours === true;
  if (extendedHours && (type !== 'limit' || tif !== 'day' || orderClass !== 'simple')) throw invalid('extended hours order must be DAY limit orders');

  return {
    symbol,
    qty,
    notional,
    side: side as OrderSide,
    type,
    timeInForce: tif,
    limitPrice,
    stopPrice,
    trailPrice,
    trailPercent,
    clientOrderId: parseClientOrderId(b),
    extendedHours,
    orderClass,
    takeProfit,
    stopLoss,
  };
}

/**
 * Alpaca's check of bracket and oto legs against the entry's base price (the
 * limit, or the current touch for a market entry): a buy's take profit above
 * it and stop below it by at least a cent; a sell's the other way round.
 */
export function checkLegPrices(req: OrderRequest, basePrice: number): void {
  if (req.orderClass !== 'bracket' && req.orderClass !== 'oto') return;
  const base = Math.round(basePrice * 100) / 100;
  const buy = req.side === 'buy';
  const tp = req.takeProfit?.limitPrice;
  const sl = req.stopLoss?.stopPrice;
  if (tp !== undefined && (buy ? tp < base + 0.01 - 1e-9 : tp > base - 0.01 + 1e-9)) {
    throw invalid(`take_profit.limit_price must be ${buy ? '>=' : '<='} base_price ${buy ? '+' : '-'} 0.01`, { base_price: String(base) });
  }
  if (sl !== undefined && (buy ? sl > base - 0.01 + 1e-9 : sl < base + 0.01 - 1e-9)) {
    throw invalid(`stop_loss.stop_price must be ${buy ? '<=' : '>='} base_price ${buy ? '-' : '+'} 0.01`, { base_price: String(base) });
  }
}

/** What `PATCH /v2/orders/{id}` may change. */
export interface ReplaceRequest {
  readonly qty?: number;
  readonly limitPrice?: number;
  readonly stopPrice?: number;
  /** A trailing stop's new trail_price or trail_percent (whichever it uses). */
  readonly trail?: number;
  readonly timeInForce?: TimeInForce;
  readonly clientOrderId?: string;
}

const REPLACEABLE = new Set(['qty', 'limit_price', 'stop_price', 'trail', 'time_in_force', 'client_order_id']);

/** Parses a replace body against the order it replaces; throws VenueRejection (400/422). */
export function parseReplaceRequest(body: unknown, order: VenueOrder): ReplaceRequest {
  const b = objectBody(body);
  for (const [k, v] of Object.entries(b)) if (given(v) && !REPLACEABLE.has(k)) throw invalid(`${k} cannot be replaced; a replace takes qty, limit_price, stop_price, trail, time_in_force, client_order_id`);
  if (!Object.keys(b).some((k) => given(b[k]))) throw invalid('replace needs at least one of qty, limit_price, stop_price, trail, time_in_force, client_order_id');
  let qty: number | undefined;
  if (given(b.qty)) {
    qty = parseDecimal(b.qty);
    if (qty === undefined || qty <= 0) throw invalid('invalid qty');
    if (decimalPlaces(b.qty) > 9) throw invalid('qty must have at most 9 decimal places');
    if (order.notional !== undefined) throw invalid('qty cannot be replaced on a notional order');
  }
  let limitPrice: number | undefined;
  if (given(b.limit_price)) {
    if (order.type !== 'limit' && order.type !== 'stop_limit') throw invalid(`limit_price is not allowed for ${order.type} orders`);
    limitPrice = requiredPrice(b, 'limit_price', '');
  }
  let stopPrice: number | undefined;
  if (given(b.stop_price)) {
    if (order.type !== 'stop' && order.type !== 'stop_limit') throw invalid(`stop_price is not allowed for ${order.type} orders`);
    stopPrice = requiredPrice(b, 'stop_price', '');
  }
  let trail: number | undefined;
  if (given(b.trail)) {
    if (order.type !== 'trailing_stop') throw invalid(`trail is only for trailing_stop orders (this is ${order.type})`);
    trail = order.trailPercent !== undefined ? parsePercent(b.trail, 'trail') : requiredPrice(b, 'trail', '');
  }
  let timeInForce: TimeInForce | undefined;
  if (given(b.time_in_force)) {
    timeInForce = b.time_in_force as TimeInForce;
    if (!TIFS.includes(timeInForce)) throw invalid('invalid time_in_force');
    const simpleMarketOrLimit = order.orderClass === 'simple' && (order.type === 'market' || order.type === 'limit');
    if (!simpleMarketOrLimit && timeInForce !== 'day' && timeInForce !== 'gtc') throw invalid(`time_in_force ${timeInForce} is not allowed for this ${order.orderClass === 'simple' ? order.type : order.orderClass} order`);
    if (timeInForce !== 'day' && !Number.isInteger(qty ?? order.qty)) throw invalid('fractional orders must be DAY orders');
  }
  return { qty, limitPrice, stopPrice, trail, timeInForce, clientOrderId: parseClientOrderId(b) };
}

function objectBody(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest('request body format is invalid');
  return body as Record<string, unknown>;
}

function parseClientOrderId(b: Record<string, unknown>): string | undefined {
  if (!given(b.client_order_id)) return undefined;
  if (typeof b.client_order_id !== 'string') throw invalid('client_order_id must be a string');
  if (b.client_order_id.length > 128) throw invalid('client_order_id must be no more than 128 characters');
  return b.client_order_id;
}

function parseLeg(raw: unknown, name: string): LegRequest {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw invalid(`${name} must be an object`);
  const leg = raw as Record<string, unknown>;
  return {
    limitPrice: given(leg.limit_price) ? requiredPrice(leg, 'limit_price', '', name) : undefined,
    stopPrice: given(leg.stop_price) ? requiredPrice(leg, 'stop_price', '', name) : undefined,
  };
}

/** A price field: positive, with Alpaca's tick rule (2 places at $1 and above, 4 below). */
function requiredPrice(b: Record<string, unknown>, field: string, missing: string, parent?: string): number {
  const name = parent ? `${parent}.${field}` : field;
  if (!given(b[field])) throw invalid(missing || `${name} is required`);
  const price = parseDecimal(b[field]);
  if (price === undefined || price <= 0) throw invalid(`invalid ${name}`);
  const places = decimalPlaces(b[field]);
  if ((price >= 1 && places > 2) || places > 4) throw invalid(`sub-penny increment does not fulfill minimum pricing criteria (${name})`);
  return price;
}

function parsePercent(raw: unknown, field: string): number {
  const pct = parseDecimal(raw);
  if (pct === undefined || pct <= 0 || pct >= 100) throw invalid(`invalid ${field}: must be a percentage above 0 and below 100`);
  return pct;
}

/** A positive or negative decimal given as a JSON number or a decimal string; undefined otherwise. */
function parseDecimal(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string' || !/^-?\d+(\.\d+)?$/.test(value.trim())) return undefined;
  return Number(value);
}

function decimalPlaces(value: unknown): number {
  const text = typeof value === 'number' ? String(value) : String(value).trim();
  const dot = text.indexOf('.');
  return dot < 0 ? 0 : text.length - dot - 1;
}

/**
 * Alpaca's windows for the auction orders (exchange sessions): an opg order
 * is refused from 09:28 to 19:00 New York time, a cls order from 15:50 to
 * 19:00 (the auctions are being prepared or are over).
 */
export function checkAuctionWindow(tif: TimeInForce, now: number): void {
  if (tif !== 'opg' && tif !== 'cls') return;
  const offsetMin = (isUsDst(now) ? 4 : 5) * 60;
  const minute = (((Math.floor(now / 60_000) - offsetMin) % 1440) + 1440) % 1440;
  const from = tif === 'opg' ? 9 * 60 + 28 : 15 * 60 + 50;
  if (minute >= from && minute < 19 * 60) {
    throw invalid(`${tif} orders are not accepted between ${tif === 'opg' ? '09:28' : '15:50'} and 19:00 ET`);
  }
}
