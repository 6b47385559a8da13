/**
 * A run's books beside the desk: the orders and fills as the broker saw
 * them, the performance marks, and the attribution of P&L to instruments
 * and strategies.
 *
 * Attribution: an instrument's P&L over a bar is the position it held
 * through the bar times the move of its close, plus, for each fill, the
 * difference between the close and the fill price (spread and slippage)
 * less the fee. That part is shared among the strategies behind the
 * instrument's target in the posture in force, each by its share of the
 * combined score (`contribution / score`; a strategy that argued against
 * the position gets a negative share). P&L with no posture behind it (a
 * position the target no longer names, a score of zero) is `unattributed`.
 */
import type { AllocatorPostureMsg } from '../../../actors/allocator/messages.js';
import type { BrokerMsg } from '../../../actors/broker/messages.js';
import type { RiskIntentApprovedMsg, RiskIntentDeniedMsg } from '../../../actors/risk/messages.js';
import type { TradeUpdateData } from '../../../src/matching/index.js';
import { PerformanceTracker } from '../performance.js';
import type { Attribution, Fill, HistBar, OrderRecord } from '../types.js';

/** Orders and fills kept in the result (the newest); the counts cover all of them. */
export const KEEP_RECORDS = 20_000;

type Shares = ReadonlyMap<string, number>;

export class RunBooks {
  readonly perf: PerformanceTracker;
  private readonly orders = new Map<string, OrderRecord>();
  private readonly fills: Fill[] = [];
  private fillsDropped = 0;
  private readonly qty = new Map<string, number>();
  private readonly lastClose = new Map<string, number>();
  private readonly shares = new Map<string, Shares>();
  private readonly byStrategy = new Map<string, number>();
  private readonly byInstrument = new Map<string, number>();
  private readonly intents = new Map<string, { type: string; limitPrice: number | null; reason: string }>();
  ordersSeen = 0;

  constructor(startEquity: number, maxSeriesPoints: number) {
    this.perf = new PerformanceTracker({ startEquity, maxSeriesPoints });
  }

  /** The position held through `bar` earns the move of its close (call before the desk sees the bar). */
  onBar(bar: HistBar): void {
    const prev = this.lastClose.get(bar.symbol);
    this.lastClose.set(bar.symbol, bar.close);
    const q = this.qty.get(bar.symbol) ?? 0;
    if (prev === undefined || q === 0) return;
    this.attribute(bar.symbol, q * (bar.close - prev));
  }

  onPosture(p: AllocatorPostureMsg): void {
    for (const e of p.entries) {
      if (e.score === 0 || e.contributors.length === 0) {
        this.shares.delete(e.symbol);
        continue;
      }
      const m = new Map<string, number>();
      for (const c of e.contributors) if (c.contribution !== 0) m.set(c.strategyId, (m.get(c.strategyId) ?? 0) + c.contribution / e.score);
      this.shares.set(e.symbol, m);
    }
    // A symbol the posture no longer names has no strategy behind it.
    const named = new Set(p.entries.map((e) => e.symbol));
    for (const s of [...this.shares.keys()]) if (!named.has(s)) this.shares.delete(s);
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
    this.qty.set(symbol, (this.qty.get(symbol) ?? 0) + sign * qty);
    this.attribute(symbol, -slippage - fee);
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

  private attribute(symbol: string, pnl: number): void {
    if (pnl === 0) return;
    this.byInstrument.set(symbol, (this.byInstrument.get(symbol) ?? 0) + pnl);
    const shares = this.shares.get(symbol);
    if (!shares || shares.size === 0) {
      this.byStrategy.set('unattributed', (this.byStrategy.get('unattributed') ?? 0) + pnl);
      return;
    }
    for (const [id, share] of shares) this.byStrategy.set(id, (this.byStrategy.get(id) ?? 0) + pnl * share);
  }

  attribution(): Attribution {
    const sorted = (m: Map<string, number>): Record<string, number> => Object.fromEntries([...m.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    return { byStrategy: sorted(this.byStrategy), byInstrument: sorted(this.byInstrument) };
  }

  orderList(): OrderRecord[] {
    return [...this.orders.values()].slice(-KEEP_RECORDS);
  }

  fillList(): Fill[] {
    return this.fills.slice(-KEEP_RECORDS);
  }
}
