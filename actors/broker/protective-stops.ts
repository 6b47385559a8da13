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
 * - its stop price is `distanceBps` from the reference: for a long the lower
 *   of the average entry and the last fill price, for a short the higher, so
 *   the stop always sits on the protective side of the market we last saw;
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

/** The policy the risk governor sends (`risk.stops_policy`). */
export interface StopsPolicy {
  readonly enabled: boolean;
  /** Distance of the stop from its reference price, basis points (0 < x <= 5000). */
  readonly distanceBps: number;
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
  return o.type === 'stop' && protectiveStopSeq(o) !== null;
}

/** Violations of a policy, each naming its option. */
export function stopsPolicyErrors(p: StopsPolicy, path = 'risk.protectiveStops'): string[] {
  const v: string[] = [];
  if (typeof p.enabled !== 'boolean') v.push(`${path}.enabled must be true or false (got ${String(p.enabled)})`);
  if (!(typeof p.distanceBps === 'number' && p.distanceBps > 0 && p.distanceBps <= 5_000)) v.push(`${path}.distanceBps must be a number above 0 and at most 5000 (got ${String(p.distanceBps)})`);
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
    const stopPrice = stopPriceFor(p.qty, p.avgPrice, input.lastPrices[symbol], policy.distanceBps);
    if (!(stopPrice > 0)) continue;
    actions.push({
      kind: 'place',
      intent: {
        intentId: stopIntentId(symbol, input.nextSeq(symbol)),
        symbol,
        side,
        qty: want,
        type: 'stop',
        stopPrice,
        timeInForce: 'gtc',
        refPrice: stopPrice,
        createdAt: now,
        reason: `protective stop ${policy.distanceBps} bps for ${p.qty} ${symbol}`,
        postureSeq: 0,
      },
    });
  }
  return actions;
}
