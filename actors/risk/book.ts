/**
 * `RiskBook`: everything the risk governor knows about the world, gathered
 * from the messages its shell receives, in the shapes the triggers and the
 * pre-trade check take.
 *
 * - Last prices and when each symbol last updated, and each symbol's last
 *   known volatility (feed features).
 * - Filled positions and the broker's open-order quantities (broker.positions),
 *   the account (broker.account), open orders one by one (broker.order_update;
 *   FLATTEN cancels them), the last reconciliation drift (broker.reconciled),
 *   the broker link (broker.connection, or the broker actor terminating).
 * - An overlay of intents approved here that the broker has not reported yet,
 *   so two intents approved back to back see each other's quantity.
 * - Heartbeats: when each expected upstream actor was last heard.
 *
 * Pure: time comes in as `now`.
 */
import { isTerminal } from '../broker/order-state.js';
import type { BrokerAccountMsg, BrokerConnectionMsg, BrokerIntentRefusedMsg, BrokerOrderUpdateMsg, BrokerPositionsMsg, BrokerReconciledMsg } from '../broker/messages.js';
import { signedQty, type OrderIntent } from '../allocator/intent.js';

export interface OpenOrder {
  readonly clientOrderId: string;
  readonly brokerOrderId: string | null;
  readonly intentId: string | null;
  readonly symbol: string;
  /** When this desk last asked for it to be cancelled, epoch ms. */
  cancelRequestedAt: number | null;
}

interface Overlay {
  readonly symbol: string;
  readonly signed: number;
  readonly liquidation: boolean;
  readonly at: number;
}

export interface BrokerLink {
  /** Heard from the broker at least once. */
  readonly seen: boolean;
  readonly connected: boolean;
  readonly ready: boolean;
  readonly reason: string | null;
}

export class RiskBook {
  readonly lastPrices: Record<string, number> = {};
  private readonly priceAt = new Map<string, number>();
  /** Annualised volatility per symbol, the last the feed could compute. */
  readonly vols = new Map<string, number>();
  positions: Record<string, number> = {};
  private readonly avgPrices = new Map<string, number>();
  private brokerPending: Readonly<Record<string, number>> = {};
  private readonly overlay = new Map<string, Overlay>();
  readonly openOrders = new Map<string, OpenOrder>();
  account: BrokerAccountMsg | null = null;
  broker: BrokerLink = { seen: false, connected: false, ready: false, reason: 'broker not heard from yet' };
  drift = 0;
  private readonly heartbeats = new Map<string, number>();

  constructor(
    readonly expectedHeartbeats: readonly string[] = [],
    /** An approved intent the broker never mentions is forgotten after this long. */
    private readonly overlayTtlMs = 30_000,
  ) {}

  onPrice(symbol: string, price: number | null, now: number): void {
    if (price === null || !(price > 0) || !Number.isFinite(price)) return;
    this.lastPrices[symbol] = price;
    this.priceAt.set(symbol, now);
  }

  /** A feed's volatility; null (too few bars yet) or unusable leaves the last known one standing. */
  onVol(symbol: string, vol: number | null): void {
    if (vol !== null && vol > 0 && Number.isFinite(vol)) this.vols.set(symbol, vol);
  }

  onPositions(msg: BrokerPositionsMsg): void {
    const next: Record<string, number> = {};
    this.avgPrices.clear();
    for (const p of msg.positions) {
      if (p.qty !== 0) next[p.symbol] = p.qty;
      this.avgPrices.set(p.symbol, p.avgPrice);
    }
    this.positions = next;
    this.brokerPending = msg.pendingQty;
  }

  onAccount(msg: BrokerAccountMsg): void {
    this.account = msg;
  }

  onOrderUpdate(msg: BrokerOrderUpdateMsg): void {
    if (msg.intentId !== null) this.overlay.delete(msg.intentId);
    const open = msg.submission === 'pending' || msg.submission === 'ambiguous' || (msg.submission === 'acked' && (msg.status === null || !isTerminal(msg.status)));
    if (!open) {
      this.openOrders.delete(msg.clientOrderId);
      return;
    }
    const prev = this.openOrders.get(msg.clientOrderId);
    this.openOrders.set(msg.clientOrderId, {
      clientOrderId: msg.clientOrderId,
      brokerOrderId: msg.brokerOrderId ?? prev?.brokerOrderId ?? null,
      intentId: msg.intentId,
      symbol: msg.symbol,
      cancelRequestedAt: prev?.cancelRequestedAt ?? null,
    });
  }

  onIntentRefused(msg: BrokerIntentRefusedMsg): void {
    this.overlay.delete(msg.intentId);
  }

  onConnection(msg: BrokerConnectionMsg): void {
    this.broker = { seen: true, connected: msg.connected, ready: msg.ready, reason: msg.reason };
  }

  /** The broker actor stopped or crashed: nothing it said about the link holds any more. */
  onBrokerGone(cause: string): void {
    this.broker = { seen: this.broker.seen, connected: false, ready: false, reason: `broker session terminated: ${cause}` };
  }

  onReconciled(msg: BrokerReconciledMsg): void {
    if (Number.isFinite(msg.magnitude)) this.drift = msg.magnitude;
  }

  onHeartbeat(source: string, now: number): void {
    this.heartbeats.set(source, now);
  }

  /** Whether an approved intent can reach a broker that will take it. */
  get brokerUsable(): boolean {
    return this.broker.connected && this.broker.ready;
  }

  /** Records an approval until the broker reports the order (or refuses it). */
  approved(intent: OrderIntent, now: number): void {
    this.overlay.set(intent.intentId, { symbol: intent.symbol, signed: signedQty(intent), liquidation: intent.liquidation === true, at: now });
  }

  /** Signed open quantity per symbol: the broker's open orders plus approvals it has not reported. */
  pendingQty(now: number): Record<string, number> {
    this.expireOverlay(now);
    if (this.overlay.size === 0) return this.brokerPending as Record<string, number>;
    const out: Record<string, number> = { ...this.brokerPending };
    for (const o of this.overlay.values()) out[o.symbol] = (out[o.symbol] ?? 0) + o.signed;
    return out;
  }

  /** A liquidation is approved and not yet done (open at the broker or not yet reported). */
  liquidationInFlight(now: number): boolean {
    this.expireOverlay(now);
    for (const o of this.overlay.values()) if (o.liquidation) return true;
    for (const o of this.openOrders.values()) if (o.intentId?.startsWith('flat:')) return true;
    return false;
  }

  /** Positions for FLATTEN: signed quantity and average price. */
  openPositions(): { symbol: string; qty: number; avgPrice: number }[] {
    return Object.entries(this.positions).map(([symbol, qty]) => ({ symbol, qty, avgPrice: this.avgPrices.get(symbol) ?? 0 }));
  }

  /** Signed notional per symbol at the last price (the average price when no trade is known). */
  exposure(): { gross: number; bySymbol: Record<string, number> } {
    let gross = 0;
    const bySymbol: Record<string, number> = {};
    for (const [s, q] of Object.entries(this.positions)) {
      const px = this.lastPrices[s] ?? this.avgPrices.get(s) ?? 0;
      const n = q * px;
      bySymbol[s] = n;
      gross += Math.abs(n);
    }
    return { gross, bySymbol };
  }

  /**
   * Age of the stalest symbol's data. A symbol never heard from, or no data
   * at all, counts from `since` (when the governor started expecting data),
   * so a start-up without data escalates only after the stale threshold.
   */
  marketDataAge(now: number, since: number): number {
    let oldest = Infinity;
    for (const t of this.priceAt.values()) if (t < oldest) oldest = t;
    if (oldest === Infinity) oldest = since;
    return Math.max(0, now - oldest);
  }

  /** Age of the stalest expected heartbeat (from `since` for one never heard); 0 when none is expected. */
  heartbeatAge(now: number, since: number): number {
    let oldest = Infinity;
    for (const source of this.expectedHeartbeats) {
      const t = this.heartbeats.get(source) ?? since;
      if (t < oldest) oldest = t;
    }
    return oldest === Infinity ? 0 : Math.max(0, now - oldest);
  }

  private expireOverlay(now: number): void {
    for (const [id, o] of this.overlay) if (now - o.at > this.overlayTtlMs) this.overlay.delete(id);
  }
}
