/**
 * Stop triggers and trailing stops, on the prices trades printed (or a bar's
 * range, standing for its trades): pure functions of one order.
 */
import type { VenueOrder } from './orders.js';

/**
 * Moves a trailing stop's high-water mark (the highest trade for a sell, the
 * lowest for a buy) and the stop price it sets, rounded to the cent; true
 * when either changed.
 */
export function trailStop(order: VenueOrder, low: number, high: number): boolean {
  const sell = order.side === 'sell';
  const hwm = order.hwm === undefined ? (sell ? high : low) : sell ? Math.max(order.hwm, high) : Math.min(order.hwm, low);
  const offset = order.trailPrice ?? (hwm * order.trailPercent!) / 100;
  const stop = Math.round((sell ? hwm - offset : hwm + offset) * 100) / 100;
  if (hwm === order.hwm && stop === order.stopPrice) return false;
  order.hwm = hwm;
  order.stopPrice = stop;
  return true;
}

/** Whether prices from `low` to `high` reached the stop: at or above it for a buy, at or below it for a sell. */
export function stopReached(order: VenueOrder, low: number, high: number): boolean {
  const stop = order.stopPrice!;
  return order.side === 'buy' ? high >= stop - 1e-9 : low <= stop + 1e-9;
}
