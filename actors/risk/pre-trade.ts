/**
 * Pre-trade checks: the verdict on every order intent before it may reach the
 * broker. In order:
 *
 * 1. the intent is well formed;
 * 2. tier gating: NORMAL and WARN pass; THROTTLE scales exposure-increasing
 *    intents by `throttleFactor` (reducing ones pass whole: throttling a
 *    de-risking order would keep risk on longer); NO_NEW admits only
 *    exposure-reducing intents and clips one that would flip the position to a
 *    plain close; FLATTEN admits only liquidations;
 * 3. order rate over `rateWindowMs` (lower under THROTTLE);
 * 4. price collar: the market order's refPrice, or the limit price, within
 *    `collarBps` of the last trade;
 * 5. max notional per order;
 * 6. buying power for exposure-increasing intents.
 *
 * Exposure is judged against the position plus the signed quantity of open
 * orders, so two sells in flight cannot together flip a long. Liquidations
 * (FLATTEN's own intents) skip 3-6: they must go out even when prices are
 * stale, and they are clipped against the filled position only, since the
 * open orders are being cancelled at the same time.
 */

import { isReducing, isTimeLimit, signedQty, type OrderIntent } from '../allocator/intent.js';
import type { DenyCode, RiskIntentApprovedMsg, RiskIntentDeniedMsg } from './messages.js';
import type { Tier } from './tiers.js';

export interface PreTradeConfig {
  /** Largest notional one order may carry, dollars. */
  readonly maxOrderNotional: number;
  /** Allowed distance of the order price from the last trade, basis points. */
  readonly collarBps: number;
  /** Size multiplier for exposure-increasing intents under THROTTLE. */
  readonly throttleFactor: number;
  readonly rateWindowMs: number;
  readonly maxOrdersPerWindow: number;
  readonly throttledOrdersPerWindow: number;
}

export const DEFAULT_PRE_TRADE_CONFIG: PreTradeConfig = Object.freeze({
  maxOrderNotional: 50_000,
  collarBps: 500,
  throttleFactor: 0.5,
  rateWindowMs: 60_000,
  maxOrdersPerWindow: 120,
  throttledOrdersPerWindow: 20,
});

export interface PreTradeState {
  readonly tier: Tier;
  /** Last trade price per symbol. */
  readonly lastPrices: Readonly<Record<string, number>>;
  /** Signed filled position per symbol, shares. */
  readonly positions: Readonly<Record<string, number>>;
  /** Signed unfilled quantity of open orders per symbol, shares. */
  readonly pendingQty?: Readonly<Record<string, number>>;
  readonly buyingPower: number;
  /** Epoch ms of orders approved recently (see OrderRateWindow). */
  readonly recentOrders: readonly number[];
  readonly now: number;
}

export type PreTradeResult =
  | { readonly approved: true; readonly intent: OrderIntent; readonly originalQty: number; readonly resized: string | null }
  | { readonly approved: false; readonly code: DenyCode; readonly reason: string };

function deny(code: DenyCode, reason: string): PreTradeResult {
  return { approved: false, code, reason };
}

/** Why an intent is malformed, or null. */
export function validateIntent(i: OrderIntent): string | null {
  if (typeof i.intentId !== 'string' || i.intentId === '') return 'missing intentId';
  if (typeof i.symbol !== 'string' || i.symbol === '') return 'missing symbol';
  if (i.side !== 'buy' && i.side !== 'sell') return `side ${String(i.side)} must be buy or sell`;
  if (!Number.isInteger(i.qty) || i.qty <= 0) return `qty ${i.qty} must be a whole number > 0`;
  if (i.type !== 'market' && i.type !== 'limit') return `type ${String(i.type)} must be market or limit`;
  if (i.type === 'limit' && !(typeof i.limitPrice === 'number' && i.limitPrice > 0 && Number.isFinite(i.limitPrice))) return `limit order needs a positive limitPrice (got ${i.limitPrice})`;
  if (i.marketAfterMs !== undefined) {
    if (!isTimeLimit(i.marketAfterMs)) return `marketAfterMs must be a positive number of ms (got ${String(i.marketAfterMs)})`;
    if (i.type !== 'limit') return `marketAfterMs is for limit orders only (this is a ${i.type} order)`;
  }
  if (!(i.refPrice > 0) || !Number.isFinite(i.refPrice)) return `refPrice ${i.refPrice} must be > 0`;
  return null;
}

/** Run every pre-trade check on one intent. Pure: the caller records approvals in its rate window. */
export function check(intent: OrderIntent, state: PreTradeState, config: PreTradeConfig = DEFAULT_PRE_TRADE_CONFIG): PreTradeResult {
  const bad = validateIntent(intent);
  if (bad) return deny('invalid_intent', bad);
  const originalQty = intent.qty;
  const pos = state.positions[intent.symbol] ?? 0;
  const pending = state.pendingQty?.[intent.symbol] ?? 0;

  if (intent.liquidation) {
    if (pos === 0 || Math.sign(signedQty(intent)) === Math.sign(pos)) return deny('invalid_intent', `liquidation ${intent.side} ${intent.symbol} does not reduce position ${pos}`);
    if (intent.qty > Math.abs(pos)) {
      return { approved: true, intent: { ...intent, qty: Math.abs(pos) }, originalQty, resized: `clipped to position ${pos}` };
    }
    return { approved: true, intent, originalQty, resized: null };
  }

  const eff = pos + pending;
  let qty = intent.qty;
  let reducing = isReducing(eff, signedQty(intent));
  const resized: string[] = [];
  switch (state.tier) {
    case 'FLATTEN':
      return deny('tier_flatten', `FLATTEN admits only liquidations; ${intent.intentId} is not one`);
    case 'NO_NEW':
      if (!reducing) {
        const crosses = eff !== 0 && Math.sign(signedQty(intent)) !== Math.sign(eff);
        if (!crosses) return deny('tier_no_new', `NO_NEW admits only exposure-reducing intents; ${intent.side} ${qty} ${intent.symbol} against position ${eff} increases it`);
        qty = Math.abs(eff);
        reducing = true;
        resized.push(`NO_NEW: clipped from ${intent.qty} to ${qty} so position ${eff} closes instead of flipping`);
      }
      break;
    case 'THROTTLE':
      if (!reducing) {
        const q = Math.floor(qty * config.throttleFactor);
        if (q === 0) return deny('throttled_to_zero', `THROTTLE factor ${config.throttleFactor} leaves 0 of ${qty} shares`);
        resized.push(`THROTTLE: scaled from ${qty} to ${q} (factor ${config.throttleFactor})`);
        qty = q;
      }
      break;
    case 'NORMAL':
    case 'WARN':
      break;
  }

  const limit = state.tier === 'THROTTLE' ? config.throttledOrdersPerWindow : config.maxOrdersPerWindow;
  const from = state.now - config.rateWindowMs;
  let n = 0;
  for (const t of state.recentOrders) if (t > from && t <= state.now) n++;
  if (n >= limit) return deny('order_rate', `${n} orders in the last ${config.rateWindowMs} ms reaches the ${state.tier} limit ${limit}`);

  const last = state.lastPrices[intent.symbol];
  if (last === undefined || !(last > 0)) return deny('no_last_price', `no last price for ${intent.symbol}`);
  const px = intent.type === 'limit' ? intent.limitPrice! : intent.refPrice;
  const devBps = (Math.abs(px - last) / last) * 10_000;
  if (devBps > config.collarBps) {
    const what = intent.type === 'limit' ? 'limit price' : 'reference price';
    return deny('price_collar', `${what} ${px} is ${devBps.toFixed(1)} bps from last ${last}, collar ${config.collarBps} bps`);
  }

  const unitPrice = intent.type === 'limit' ? Math.max(intent.limitPrice!, last) : last;
  const notional = qty * unitPrice;
  if (notional > config.maxOrderNotional) return deny('max_notional', `notional ${notional.toFixed(2)} exceeds max per order ${config.maxOrderNotional}`);
  if (!reducing && notional > state.buyingPower) return deny('buying_power', `notional ${notional.toFixed(2)} exceeds buying power ${state.buyingPower.toFixed(2)}`);

  const out = qty === intent.qty ? intent : { ...intent, qty };
  return { approved: true, intent: out, originalQty, resized: resized.length ? resized.join('; ') : null };
}

/** Wrap a verdict as the message to publish. */
export function verdictMessage(intent: OrderIntent, result: PreTradeResult, tier: Tier, now: number): RiskIntentApprovedMsg | RiskIntentDeniedMsg {
  if (result.approved) {
    return { type: 'risk.intent_approved', intent: result.intent, originalQty: result.originalQty, resized: result.resized, tier, at: now };
  }
  return { type: 'risk.intent_denied', intent, code: result.code, reason: result.reason, tier, at: now };
}

/**
 * Timestamps of approved orders inside a sliding window: feeds both the
 * pre-trade rate check and the order-rate trigger. Bounded by the window.
 */
export class OrderRateWindow {
  private readonly times: number[] = [];
  constructor(private readonly windowMs: number) {}

  record(now: number): void {
    this.times.push(now);
    this.prune(now);
  }

  /** Timestamps still inside the window at `now`, oldest first. */
  timestamps(now: number): readonly number[] {
    this.prune(now);
    return this.times;
  }

  count(now: number): number {
    return this.timestamps(now).length;
  }

  private prune(now: number): void {
    const from = now - this.windowMs;
    let k = 0;
    while (k < this.times.length && this.times[k]! <= from) k++;
    if (k > 0) this.times.splice(0, k);
  }
}
