/**
 * Parses a `POST /v2/orders` body the way Alpaca validates it: every problem
 * is a 422 with Alpaca's message; the local venue's unsupported features
 * (stop and trailing orders, notional, brackets) are rejected by name.
 */
import { badRequest, invalid } from './errors.js';
import type { OrderRequest, OrderSide, OrderType, TimeInForce } from './orders.js';

const SIDES: readonly OrderSide[] = ['buy', 'sell'];
const TYPES: readonly OrderType[] = ['market', 'limit'];
const UNSUPPORTED_TYPES = ['stop', 'stop_limit', 'trailing_stop'];
const TIFS: readonly TimeInForce[] = ['day', 'gtc', 'ioc', 'fok'];
const UNSUPPORTED_TIFS = ['opg', 'cls'];

/** Parses and validates an order body; throws VenueRejection (400/422) on bad input. */
export function parseOrderRequest(body: unknown, isKnownSymbol: (symbol: string) => boolean): OrderRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest('request body format is invalid');
  const b = body as Record<string, unknown>;

  const symbol = b.symbol;
  if (typeof symbol !== 'string' || symbol.trim() === '') throw invalid('symbol is required');
  if (!isKnownSymbol(symbol)) throw invalid(`asset "${symbol}" not found`);

  if (b.notional !== undefined && b.notional !== null) throw invalid('notional orders are not supported by the local venue; use qty');
  const orderClass = b.order_class;
  if (orderClass !== undefined && orderClass !== null && orderClass !== '' && orderClass !== 'simple') {
    throw invalid(`order_class ${String(orderClass)} is not supported by the local venue`);
  }

  const side = b.side;
  if (!SIDES.includes(side as OrderSide)) throw invalid('invalid order side');

  const type = b.type ?? b.order_type;
  if (typeof type === 'string' && UNSUPPORTED_TYPES.includes(type)) throw invalid(`order type ${type} is not supported by the local venue`);
  if (!TYPES.includes(type as OrderType)) throw invalid('invalid order type');

  const tif = b.time_in_force;
  if (typeof tif === 'string' && UNSUPPORTED_TIFS.includes(tif)) throw invalid(`time_in_force ${tif} is not supported by the local venue`);
  if (!TIFS.includes(tif as TimeInForce)) throw invalid('invalid time_in_force');

  if (b.qty === undefined || b.qty === null || b.qty === '') throw invalid('qty is required');
  const qty = parseDecimal(b.qty);
  if (qty === undefined || qty <= 0) throw invalid('invalid qty');
  if (decimalPlaces(b.qty) > 9) throw invalid('qty must have at most 9 decimal places');
  if (!Number.isInteger(qty) && tif !== 'day') throw invalid('fractional orders must be DAY orders');

  let limitPrice: number | undefined;
  if (type === 'limit') {
    if (b.limit_price === undefined || b.limit_price === null || b.limit_price === '') throw invalid('limit_price is required for limit orders');
    limitPrice = parseDecimal(b.limit_price);
    if (limitPrice === undefined || limitPrice <= 0) throw invalid('invalid limit_price');
    const places = decimalPlaces(b.limit_price);
    if ((limitPrice >= 1 && places > 2) || places > 4) {
      throw invalid('sub-penny increment does not fulfill minimum pricing criteria');
    }
  } else if (b.limit_price !== undefined && b.limit_price !== null) {
    throw invalid('limit_price is not allowed for market orders');
  }
  if (b.stop_price !== undefined && b.stop_price !== null) throw invalid('stop_price is not allowed for market and limit orders');

  const extendedHours = b.extended_hours === true;
  if (extendedHours && (type !== 'limit' || tif !== 'day')) throw invalid('extended hours order must be DAY limit orders');

  let clientOrderId: string | undefined;
  if (b.client_order_id !== undefined && b.client_order_id !== null && b.client_order_id !== '') {
    if (typeof b.client_order_id !== 'string') throw invalid('client_order_id must be a string');
    if (b.client_order_id.length > 128) throw invalid('client_order_id must be no more than 128 characters');
    clientOrderId = b.client_order_id;
  }

  return {
    symbol,
    qty,
    side: side as OrderSide,
    type: type as OrderType,
    timeInForce: tif as TimeInForce,
    limitPrice,
    clientOrderId,
    extendedHours,
  };
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
