/**
 * A run's books beside the desk: the orders and fills as the broker saw
 * them, the performance marks, and the attribution of P&L to instruments
 * and strategies.
 *
 * Attribution is the allocator's `PnlAttribution` (the same rule the live
 * desk uses): bars mark it, fills are measured against the bar's close.
 */
import { PnlAttribution } from '../../../actors/allocator/attribution.js';
import type { AllocatorPostureMsg } from '../../../actors/allocator/messages.js';
import type { BrokerMsg } from '../../../actors/broker/messages.js';
import type { RiskIntentApprovedMsg, RiskIntentDeniedMsg } from '../../../actors/risk/messages.js';
import type { TradeUpdateData } from '../../../src/matching/index.js';
import { PerformanceTracker } from '../performance.js';
import type { Attribution, Fill, HistBar, OrderRecord } from '../types.js';

/** Orders and fills kept in the result (the newest); the counts cover all of them. */
export const KEEP_RECORDS = 20_000;

export class RunBooks {
  readonly perf: PerformanceTracker;
  private readonly orders = new Map<string, OrderRecord>();
  private readonly fills: Fill[] = [];
  private fillsDropped = 0;
  private readonly attr = new PnlAttribution();
  private readonly intents = new Map<string, { type: string; limitPrice: number | null; reason: string }>();
  ordersSeen = 0;

  constructor(startEquity: number, maxSeriesPoints: number) {
    this.perf = new PerformanceTracker({ startEquity, maxSeriesPoints });
  }

  /** The position held through `bar` earns the move of its close (call before the desk sees the bar). */
  onBar(bar: HistBar): void {
    this.attr.mark(bar.symbol, bar.close);
  }

  onPosture(p: AllocatorPostureMsg): void {
    this.attr.posture(p.entries);
  }

  onFill(u: TradeUpdateData, fee: number, close: number, now: number): void {
    const order = u.order as Record<string, unknown>;
    const symbol = String(order.symbol);
    const side = order.side === 'sell' ? 'sell' : 'buy';
    const qty = Number(u.qty);
    const price = Number(u.price);
    const sign = side === 'buy' ? 1 : -1;
    const slippage = (price - close) * qty * sign;
    const f: Fill = {
      ts: now,
      symbol,
      side,
      qty,
      price,
      fee,
      slippage,
      orderId: String(order.client_order_id),
      intentId: this.orders.get(String(order.client_order_id))?.intentId ?? '',
    };
    this.perf.fill(f);
    this.fills.push(f);
    if (this.fills.length > KEEP_RECORDS * 2) {
      this.fillsDropped += this.fills.length - KEEP_RECORDS;
      this.fills.splice(0, this.fills.length - KEEP_RECORDS);
    }
    this.attr.fill(symbol, sign * qty, price, fee, close);
  }

  onBroker(m: BrokerMsg): void {
    if (m.type === 'broker.intent_refused') this.intents.delete(m.intentId);
    if (m.type !== 'broker.order_update') return;
    const prev = this.orders.get(m.clientOrderId);
    let from: { type: string; limitPrice: number | null; reason: string } | undefined;
    if (!prev) {
      this.ordersSeen++;
      this.perf.order();
      if (m.intentId !== null) {
        from = this.intents.get(m.intentId);
        this.intents.delete(m.intentId);
      }
    }
    this.orders.set(m.clientOrderId, {
      intentId: m.intentId ?? prev?.intentId ?? '',
      ts: prev?.ts ?? m.ts,
      symbol: m.symbol,
      side: m.side,
      qty: m.qty,
      type: prev?.type ?? from?.type ?? 'market',
      limitPrice: prev?.limitPrice ?? from?.limitPrice ?? null,
      status: m.status ?? m.submission,
      filledQty: m.filledQty,
      avgPrice: m.filledAvgPrice,
      reason: m.reason ?? prev?.reason ?? from?.reason ?? '',
    });
    this.trimOrders();
  }

  /** An approved intent: its order type, limit and reason, for the order record its first update opens. */
  onApproved(a: RiskIntentApprovedMsg): void {
    const i = a.intent;
    this.intents.set(i.intentId, { type: i.type, limitPrice: i.limitPrice ?? null, reason: a.resized ? `${i.reason}; resized: ${a.resized}` : i.reason });
  }

  onDenied(d: RiskIntentDeniedMsg): void {
    const i = d.intent;
    this.orders.set(`denied:${i.intentId}`, {
      intentId: i.intentId,
      ts: d.at,
      symbol: i.symbol,
      side: i.side,
      qty: i.qty,
      type: i.type,
      limitPrice: i.limitPrice ?? null,
      status: `denied_${d.code}`,
      filledQty: 0,
      avgPrice: null,
      reason: d.reason,
    });
    this.trimOrders();
  }

  private trimOrders(): void {
    if (this.orders.size <= KEEP_RECORDS * 2) return;
    let drop = this.orders.size - KEEP_RECORDS;
    for (const k of this.orders.keys()) {
      if (drop-- <= 0) break;
      this.orders.delete(k);
    }
  }

  attribution(): Attribution {
    return { byStrategy: this.attr.strategyPnl(), byInstrument: this.attr.instrumentPnl() };
  }

  orderList(): OrderRecord[] {
    return [...this.orders.values()].slice(-KEEP_RECORDS);
  }

  fillList(): Fill[] {
    return this.fills.slice(-KEEP_RECORDS);
  }
}
