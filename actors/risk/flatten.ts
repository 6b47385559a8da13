/**
 * FLATTEN's actions: cancel every open order, then liquidate every position
 * with a market order. Liquidations are marked `liquidation: true`, the only
 * intents the pre-trade check admits under FLATTEN.
 *
 * Cancels come first in the plan so that working orders cannot add exposure
 * while the book is being closed; the liquidation quantity is the filled
 * position, since the cancelled orders' unfilled part will never fill. A fill
 * that races a cancel leaves a residual, which the next flatten pass (the
 * shell repeats the plan while FLATTEN holds and positions remain) closes.
 */

import type { OrderIntent } from '../allocator/intent.js';

export interface FlattenOrder {
  readonly clientOrderId: string;
  readonly brokerOrderId: string | null;
  readonly symbol: string;
}

export interface FlattenPosition {
  readonly symbol: string;
  /** Signed shares. */
  readonly qty: number;
  /** Average entry price; used as the reference price when no last trade is known. */
  readonly avgPrice: number;
}

export interface CancelAction {
  readonly kind: 'cancel';
  readonly clientOrderId: string;
  readonly brokerOrderId: string | null;
  readonly symbol: string;
}

export interface FlattenPlan {
  readonly cancels: readonly CancelAction[];
  readonly liquidations: readonly OrderIntent[];
}

const bySymbolThen = <T extends { symbol: string }>(key: (x: T) => string) => (a: T, b: T): number =>
  a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0;

/**
 * Plan the cancel-all and liquidation actions.
 *
 * @param seq a sequence number that makes each flatten pass's intent ids unique (`flat:<seq>:<SYMBOL>`).
 */
export function planFlatten(
  openOrders: readonly FlattenOrder[],
  positions: readonly FlattenPosition[],
  lastPrices: Readonly<Record<string, number>>,
  seq: number,
  now: number,
): FlattenPlan {
  const cancels: CancelAction[] = [...openOrders]
    .sort(bySymbolThen((o) => o.clientOrderId))
    .map((o) => ({ kind: 'cancel', clientOrderId: o.clientOrderId, brokerOrderId: o.brokerOrderId, symbol: o.symbol }));
  const liquidations: OrderIntent[] = [];
  for (const p of [...positions].sort(bySymbolThen(() => ''))) {
    if (!Number.isFinite(p.qty) || p.qty === 0) continue;
    const last = lastPrices[p.symbol];
    const refPrice = last !== undefined && last > 0 ? last : p.avgPrice > 0 ? p.avgPrice : 0.01;
    liquidations.push({
      intentId: `flat:${seq}:${p.symbol}`,
      symbol: p.symbol,
      side: p.qty > 0 ? 'sell' : 'buy',
      qty: Math.abs(p.qty),
      type: 'market',
      timeInForce: 'day',
      refPrice,
      createdAt: now,
      reason: `FLATTEN: liquidate ${p.qty} ${p.symbol}`,
      postureSeq: seq,
      liquidation: true,
    });
  }
  return { cancels, liquidations };
}
