/**
 * Protective stops: the stop order the broker session keeps working for
 * every open position when the risk governor's policy requires it
 * (`risk.protectiveStops`). Pure: the actor shell feeds it the OMS's
 * positions and open orders and carries out what it plans.
 *
 * The rules, per symbol:
 * - a position of q shares carries one stop on the other side for the
 *   shares not already being closed by a working order (|q| minus the
 *   unfilled part of open non-stop orders on the stop's side), so a stop and
 *   a reducing order together can never sell (or buy) more than the position
 *   holds;
 * - its distance is the symbol's entry in `distanceBpsBySymbol` (the risk
 *   governor's multiple of the symbol's volatility) or, when it has none
 *   (no volatility known yet, or a fixed distance configured),
 *   `distanceBps`;
 * - its stop price is that distance from the reference: for a long the lower
 *   of the average entry and the last fill price, for a short the higher, so
 *   the stop always sits on the protective side of the market we last saw;
 * - with `trailing` it is placed as a `trailing_stop` whose `trailPercent` is
 *   the distance in percent: the broker moves its stop price with the best
 *   price since placement (up for a long, down for a short), never back;
 * - a stop's price (a trailing stop's trail) is set when it is placed and
 *   never re-priced: a new volatility, distance or mode applies to the stops
 *   placed from then on (re-pricing on every volatility update would churn
 *   orders), and a working stop of the right side and size is kept as it is;
 * - a working stop of the right side and the wrong size is resized by a
 *   replace (`PATCH`): the venue swaps it for its replacement at once, so
 *   the position is never without a stop; while the replace is in flight
 *   the replacement stands for the stop;
 * - a stop of the wrong side (or one not yet acked, which cannot be
 *   replaced) is cancelled, and its successor is placed only once no stop
 *   for the symbol is still open (the cancel confirmed, or the stop filled):
 *   two stops working at once could both trigger and turn the position
 *   into its opposite;
 * - a flat symbol's stops are cancelled;
 * - pending and ambiguous stops count as open: after a crash the lookup by
 *   client order id settles them before anything new is placed.
 *
 * Intent ids are `pstop:<SYMBOL>:<n>`, n one more than the highest the
 * session has ever journaled for the symbol, so client order ids
 * (client-order-id.ts) are deterministic and never reused.
 */

import { roundPrice, type OrderIntent, type OrderSide } from '../allocator/intent.js';
import type { LocalOrder } from './oms.js';

/** The policy the risk governor sends (`risk.stops_policy`), as the planner reads it. */
export interface StopsPolicy {
  readonly enabled: boolean;
  /** Distance of the stop from its reference price, basis points (0 < x <= 5000); the distance of a symbol missing from `distanceBpsBySymbol`. */
  readonly distanceBps: number;
  /** Place trailing stops (`trailing_stop`, trailing by the distance in percent) instead of fixed ones. Absent: false. */
  readonly trailing?: boolean;
  /** Per symbol, the distance from its volatility (`volStopDistanceBps`), basis points. Absent: `distanceBps` for all. */
  readonly distanceBpsBySymbol?: Readonly<Record<string, number>>;
}

/**
 * The bounds of a distance taken from volatility, basis points. Under 10 bps a
 * stop sits within a spread or two of the market (a quiet tape would make it
 * a market order in waiting); 5000 is the fixed distance's own cap.
 */
export const VOL_STOP_MIN_BPS = 10;
export const VOL_STOP_MAX_BPS = 5_000;
const TRADING_DAYS = 252;

/** The order types a protective stop may have: a fixed stop, or a trailing one. */
export const PROTECTIVE_STOP_TYPES: readonly string[] = ['stop', 'trailing_stop'];

/** Whether an order type is one a protective stop is placed as (`stop` or `trailing_stop`). */
export function isStopType(type: string): boolean {
  return PROTECTIVE_STOP_TYPES.includes(type);
}

export interface StopPosition {
  readonly symbol: string;
  /** Signed shares. */
  readonly qty: number;
  readonly avgPrice: number;
}

export type StopAction =
  | { readonly kind: 'place'; readonly intent: OrderIntent }
  | { readonly kind: 'cancel'; readonly clientOrderId: string; readonly symbol: string; readonly reason: string }
  | { readonly kind: 'replace'; readonly clientOrderId: string; readonly symbol: string; readonly qty: number; readonly reason: string };

export interface StopPlanInput {
  readonly policy: StopsPolicy;
  readonly positions: readonly StopPosition[];
  /** The OMS's open orders (pending and ambiguous included). */
  readonly openOrders: readonly LocalOrder[];
  /** Last fill price per symbol, when known. */
  readonly lastPrices: Readonly<Record<string, number>>;
  /** The next `n` of `pstop:<SYMBOL>:<n>` for a symbol. */
  readonly nextSeq: (symbol: string) => number;
  /** Symbols not to place a stop for now (a rejected one is backing off). */
  readonly blocked?: ReadonlySet<string>;
  readonly now: number;
}

const PREFIX = 'pstop:';
/** The readable part client-order-id.ts makes of `pstop:<SYMBOL>:<n>`: `q-pstop_<SYMBOL>_<n>-<hash>`. */
const CID = /^q-pstop_(.+)_(\d+)-[0-9a-f]{24}$/;

/** The intent id of a symbol's n-th protective stop. */
export function stopIntentId(symbol: string, n: number): string {
  return `${PREFIX}${symbol}:${n}`;
}

/**
 * The sequence number of a protective stop, or null for any other order.
 * Read from the intent id, or from the client order id of an order adopted
 * from the broker (a journal lost), so a manual stop is never taken for ours.
 */
export function protectiveStopSeq(o: Pick<LocalOrder, 'intentId' | 'clientOrderId' | 'symbol'>): number | null {
  if (o.intentId !== null) {
    if (!o.intentId.startsWith(PREFIX)) return null;
    const n = Number(o.intentId.slice(o.intentId.lastIndexOf(':') + 1));
    return Number.isInteger(n) ? n : null;
  }
  const m = CID.exec(o.clientOrderId);
  return m && m[1] === o.symbol.replace(/[^A-Za-z0-9._-]/g, '_') ? Number(m[2]) : null;
}

export function isProtectiveStop(o: Pick<LocalOrder, 'intentId' | 'clientOrderId' | 'symbol' | 'type'>): boolean {
  return isStopType(o.type) && protectiveStopSeq(o) !== null;
}

/**
 * A stop distance from volatility: `multiple` times the daily volatility
 * (the annualised `vol` over the square root of 252 trading days) in basis
 * points, rounded to a whole one and clamped to [VOL_STOP_MIN_BPS,
 * VOL_STOP_MAX_BPS]. Null when `multiple` is 0 (a fixed distance) or the
 * volatility is not known (null, zero, not finite).
 */
export function volStopDistanceBps(vol: number | null | undefined, multiple: number): number | null {
  if (!(multiple > 0) || typeof vol !== 'number' || !Number.isFinite(vol) || !(vol > 0)) return null;
  const bps = Math.round(multiple * (vol / Math.sqrt(TRADING_DAYS)) * 10_000);
  return Math.min(VOL_STOP_MAX_BPS, Math.max(VOL_STOP_MIN_BPS, bps));
}

/** The distance a symbol's stop is placed at: its volatility distance when the policy has one, else the fixed one. */
export function stopDistanceBps(policy: StopsPolicy, symbol: string): number {
  const by = policy.distanceBpsBySymbol;
  return by && Object.hasOwn(by, symbol) ? by[symbol]! : policy.distanceBps;
}

/** A trailing stop's `trailPercent` for a distance: bps over 100, to four decimals (what the venue keeps). */
export function trailPercentFor(distanceBps: number): number {
  return Math.round(distanceBps * 100) / 10_000;
}

/** Violations of a policy, each naming its option. */
export function stopsPolicyErrors(p: StopsPolicy, path = 'risk.protectiveStops'): string[] {
  const v: string[] = [];
  if (typeof p.enabled !== 'boolean') v.push(`${path}.enabled must be true or false (got ${String(p.enabled)})`);
  if (!(typeof p.distanceBps === 'number' && p.distanceBps > 0 && p.distanceBps <= 5_000)) v.push(`${path}.distanceBps must be a number above 0 and at most 5000 (got ${String(p.distanceBps)})`);
  if (p.trailing !== undefined && typeof p.trailing !== 'boolean') v.push(`${path}.trailing must be true or false (got ${String(p.trailing)})`);
  const by: unknown = p.distanceBpsBySymbol;
  if (by === undefined) return v;
  if (!by || typeof by !== 'object' || Array.isArray(by)) {
    v.push(`${path}.distanceBpsBySymbol must be an object of symbol to basis points (got ${JSON.stringify(by)})`);
    return v;
  }
  for (const [symbol, x] of Object.entries(by)) {
    if (!(typeof x === 'number' && x >= VOL_STOP_MIN_BPS && x <= VOL_STOP_MAX_BPS)) v.push(`${path}.distanceBpsBySymbol.${symbol} must be a number from ${VOL_STOP_MIN_BPS} to ${VOL_STOP_MAX_BPS} (got ${JSON.stringify(x)})`);
  }
  return v;
}

/** A stop's price for a position: `distanceBps` beyond the reference on the losing side. */
export function stopPriceFor(qty: number, avgPrice: number, last: number | undefined, distanceBps: number): number {
  const d = distanceBps / 10_000;
  const known = last !== undefined && last > 0;
  if (qty > 0) return roundPrice((known ? Math.min(avgPrice, last) : avgPrice) * (1 - d));
  return roundPrice((known ? Math.max(avgPrice, last) : avgPrice) * (1 + d));
}

const left = (o: LocalOrder): number => Math.max(0, o.qty - o.filledQty);

/** What to cancel and place so that every position carries exactly its stop. */
export function planStops(input: StopPlanInput): StopAction[] {
  const { policy, now } = input;
  const stops = new Map<string, LocalOrder[]>();
  const closing = new Map<string, { buy: number; sell: number }>();
  for (const o of input.openOrders) {
    // A stop being replaced is its replacement now (open while pending); if the replace is refused it comes back.
    if (o.replacement) continue;
    if (isProtectiveStop(o)) {
      const list = stops.get(o.symbol) ?? [];
      list.push(o);
      stops.set(o.symbol, list);
    } else {
      const c = closing.get(o.symbol) ?? { buy: 0, sell: 0 };
      c[o.side] += left(o);
      closing.set(o.symbol, c);
    }
  }
  const positions = new Map(input.positions.filter((p) => p.qty !== 0).map((p) => [p.symbol, p]));
  const actions: StopAction[] = [];
  for (const symbol of [...new Set([...stops.keys(), ...positions.keys()])].sort()) {
    const open = stops.get(symbol) ?? [];
    const live = open.filter((o) => !o.cancelRequested);
    const p = positions.get(symbol);
    const side: OrderSide | null = p ? (p.qty > 0 ? 'sell' : 'buy') : null;
    const want = p && side && policy.enabled ? Math.max(0, Math.abs(p.qty) - (closing.get(symbol)?.[side] ?? 0)) : 0;
    const keep = want > 0 ? live.find((o) => o.side === side && left(o) === want) : undefined;
    // A working stop on the right side and of the wrong size is resized by a replace: the venue swaps it
    // for its replacement at once, so the position is never without a stop (cancel then new would leave it
    // bare for a round trip). One that is not acked yet cannot be replaced, and after a refused replace the
    // symbol backs off (`blocked`): then it is cancelled and placed anew, as before.
    const resize = !keep && want > 0 && !input.blocked?.has(symbol) ? live.find((o) => o.side === side && o.submission === 'acked' && o.brokerOrderId !== null && o.status !== 'pending_cancel' && o.status !== 'pending_replace') : undefined;
    if (resize) actions.push({ kind: 'replace', clientOrderId: resize.clientOrderId, symbol, qty: want, reason: `position needs ${want} ${side}, stop is ${left(resize)} ${resize.side}` });
    for (const o of live) {
      if (o === keep || o === resize) continue;
      const reason = !policy.enabled
        ? 'protective stops disabled'
        : want === 0
          ? p
            ? 'position already being closed by working orders'
            : 'position closed'
          : `position needs ${want} ${side}, stop is ${left(o)} ${o.side}`;
      actions.push({ kind: 'cancel', clientOrderId: o.clientOrderId, symbol, reason });
    }
    if (keep || resize || want === 0 || !p || !side) continue;
    // The old stop must be gone before its successor works: both at once could oversell.
    if (open.some((o) => o !== keep)) continue;
    if (input.blocked?.has(symbol)) continue;
    const distanceBps = stopDistanceBps(policy, symbol);
    const stopPrice = stopPriceFor(p.qty, p.avgPrice, input.lastPrices[symbol], distanceBps);
    if (!(stopPrice > 0)) continue;
    // A trailing stop starts from the venue's last trade, not our reference: `refPrice` says where a fixed one would sit.
    const order = policy.trailing ? { type: 'trailing_stop' as const, trailPercent: trailPercentFor(distanceBps) } : { type: 'stop' as const, stopPrice };
    actions.push({
      kind: 'place',
      intent: {
        intentId: stopIntentId(symbol, input.nextSeq(symbol)),
        symbol,
        side,
        qty: want,
        ...order,
        timeInForce: 'gtc',
        refPrice: stopPrice,
        createdAt: now,
        reason: `protective ${policy.trailing ? 'trailing ' : ''}stop ${distanceBps} bps for ${p.qty} ${symbol}`,
        postureSeq: 0,
      },
    });
  }
  return actions;
}
