/**
 * Target weights -> order intents in whole shares.
 *
 * - Target share count is `trunc(weight * equity / price)`: truncation toward
 *   zero never overshoots a cap.
 * - No-trade band: an instrument whose current weight is within `noTradeBand`
 *   of its target is left alone, so noise in the signal does not churn the book.
 * - Minimum trade notional: smaller trades are skipped (they cost more than
 *   they move the book).
 * - A **full close** (target 0, position held) is exempt from both, so a stale
 *   view can never leave an orphan odd lot behind.
 * - A flip (long to short or back) is split into a closing leg and an opening
 *   leg, because Alpaca rejects a sell larger than the long position; it also
 *   lets risk admit the closing leg alone when it gates new exposure.
 * - Turnover control: if the traded notional exceeds `maxTurnover * equity`,
 *   exposure-reducing legs get the budget first, then increasing legs share
 *   what is left pro rata. Scaled legs are re-truncated and re-checked against
 *   the minimum notional.
 * - Output order: reducing legs first (they free buying power), then by
 *   symbol; ids `p<seq>:<SYMBOL>` (or `:close` / `:open`), so the same inputs
 *   always give the same intents.
 */

import { isReducing, roundPrice, type OrderIntent, type OrderType, type TimeInForce } from './intent.js';

export interface IntentConfig {
  /** Skip trades below this notional, in dollars (full closes excepted). */
  readonly minTradeNotional: number;
  /**
   * Minimum trade as a weight: leave an instrument alone while |target -
   * current| weight is below this (current = the book, open orders included).
   */
  readonly noTradeBand: number;
  /**
   * Target hysteresis, a weight: a newly computed target within this of the
   * target the allocator last committed to (same sign, both non-zero) keeps
   * the committed one, so a signal wobbling around a level does not trade
   * back and forth. Applied by AllocatorCore.rebalance, not by planIntents.
   */
  readonly hysteresis: number;
  /** Max traded notional per rebalance as a fraction of equity. */
  readonly maxTurnover: number;
  readonly orderType: OrderType;
  /** For limit orders: how far through the last price to set the limit (marketable limit), in basis points. */
  readonly limitOffsetBps: number;
  /**
   * For limit orders: how long one may work before the broker session
   * cancels it and sends what is left at market (the intent's
   * `marketAfterMs`), ms; 0 = never, the limit works until it fills or its
   * time in force ends.
   */
  readonly limitTimeoutMs: number;
  readonly timeInForce: TimeInForce;
}

export const DEFAULT_INTENT_CONFIG: IntentConfig = Object.freeze({
  minTradeNotional: 100,
  noTradeBand: 0.01,
  hysteresis: 0.02,
  maxTurnover: 0.25,
  orderType: 'market',
  limitOffsetBps: 10,
  limitTimeoutMs: 60_000,
  timeInForce: 'day',
});

export interface IntentInputs {
  /** Target weight per symbol (signed fraction of equity). Held symbols missing here target 0. */
  readonly targets: ReadonlyMap<string, number>;
  readonly equity: number;
  /** Last price per symbol. */
  readonly prices: ReadonlyMap<string, number>;
  /** Current signed position in shares per symbol. */
  readonly positions: ReadonlyMap<string, number>;
  /** Posture sequence; part of every intent id. */
  readonly seq: number;
  readonly now: number;
}

export interface SkippedSymbol {
  readonly symbol: string;
  /** 'no_price' | 'no_equity' | 'no_trade_band' | 'zero_delta' | 'min_notional' | 'turnover' */
  readonly reason: string;
}

export interface IntentPlan {
  readonly intents: readonly OrderIntent[];
  readonly skipped: readonly SkippedSymbol[];
  /** Traded notional / equity of the intents produced. */
  readonly turnover: number;
  /** Turnover-control factors applied to reducing and increasing legs (1 = not binding). */
  readonly reducingScale: number;
  readonly increasingScale: number;
}

interface Leg {
  symbol: string;
  suffix: '' | ':close' | ':open';
  delta: number;
  reducing: boolean;
  fullClose: boolean;
  price: number;
  reason: string;
}

/** Plan the order intents that move current positions toward the targets. */
export function planIntents(inputs: IntentInputs, config: IntentConfig = DEFAULT_INTENT_CONFIG): IntentPlan {
  const { targets, equity, prices, positions, seq, now } = inputs;
  const symbols = [...new Set([...targets.keys(), ...positions.keys()])].sort();
  const skipped: SkippedSymbol[] = [];
  if (!(equity > 0) || !Number.isFinite(equity)) {
    for (const symbol of symbols) skipped.push({ symbol, reason: 'no_equity' });
    return { intents: [], skipped, turnover: 0, reducingScale: 1, increasingScale: 1 };
  }

  const legs: Leg[] = [];
  for (const symbol of symbols) {
    const price = prices.get(symbol);
    const pos = positions.get(symbol) ?? 0;
    const tw = targets.get(symbol) ?? 0;
    if (price === undefined || !(price > 0) || !Number.isFinite(price)) {
      if (pos !== 0 || tw !== 0) skipped.push({ symbol, reason: 'no_price' });
      continue;
    }
    const cw = (pos * price) / equity;
    const fullClose = tw === 0 && pos !== 0;
    if (!fullClose && Math.abs(tw - cw) < config.noTradeBand) {
      if (pos !== 0 || tw !== 0) skipped.push({ symbol, reason: 'no_trade_band' });
      continue;
    }
    const targetQty = Math.trunc((tw * equity) / price);
    const delta = targetQty - pos;
    if (delta === 0) {
      skipped.push({ symbol, reason: 'zero_delta' });
      continue;
    }
    const reason = `target weight ${tw.toFixed(4)} vs current ${cw.toFixed(4)}`;
    if (pos !== 0 && targetQty !== 0 && Math.sign(targetQty) !== Math.sign(pos)) {
      legs.push({ symbol, suffix: ':close', delta: -pos, reducing: true, fullClose: true, price, reason: `${reason} (flip: close leg)` });
      legs.push({ symbol, suffix: ':open', delta: targetQty, reducing: false, fullClose: false, price, reason: `${reason} (flip: open leg)` });
    } else {
      legs.push({ symbol, suffix: '', delta, reducing: isReducing(pos, delta), fullClose: targetQty === 0, price, reason });
    }
  }

  let reducingNotional = 0;
  let increasingNotional = 0;
  for (const l of legs) {
    const n = Math.abs(l.delta) * l.price;
    if (l.reducing) reducingNotional += n;
    else increasingNotional += n;
  }
  const budget = config.maxTurnover * equity;
  let reducingScale = 1;
  let increasingScale = 1;
  if (reducingNotional + increasingNotional > budget) {
    if (reducingNotional >= budget) {
      reducingScale = reducingNotional > 0 ? budget / reducingNotional : 0;
      increasingScale = 0;
    } else {
      increasingScale = (budget - reducingNotional) / increasingNotional;
    }
  }

  const intents: OrderIntent[] = [];
  let traded = 0;
  const ordered = [...legs.filter((l) => l.reducing), ...legs.filter((l) => !l.reducing)];
  for (const l of ordered) {
    const f = l.reducing ? reducingScale : increasingScale;
    const qty = Math.trunc(Math.abs(l.delta) * f);
    const scaled = f < 1;
    if (qty === 0) {
      skipped.push({ symbol: l.symbol, reason: scaled ? 'turnover' : 'zero_delta' });
      continue;
    }
    const exemptFromMin = l.fullClose && !scaled;
    if (!exemptFromMin && qty * l.price < config.minTradeNotional) {
      skipped.push({ symbol: l.symbol, reason: 'min_notional' });
      continue;
    }
    const side = l.delta > 0 ? 'buy' : 'sell';
    const base = {
      intentId: `p${seq}:${l.symbol}${l.suffix}`,
      symbol: l.symbol,
      side,
      qty,
      timeInForce: config.timeInForce,
      refPrice: l.price,
      createdAt: now,
      reason: scaled ? `${l.reason}; turnover-scaled x${f.toFixed(3)}` : l.reason,
      postureSeq: seq,
    } as const;
    if (config.orderType === 'limit') {
      const off = config.limitOffsetBps / 10_000;
      const limitPrice = roundPrice(side === 'buy' ? l.price * (1 + off) : l.price * (1 - off));
      intents.push({ ...base, type: 'limit', limitPrice, ...(config.limitTimeoutMs > 0 ? { marketAfterMs: config.limitTimeoutMs } : {}) });
    } else {
      intents.push({ ...base, type: 'market' });
    }
    traded += qty * l.price;
  }
  return { intents, skipped, turnover: traded / equity, reducingScale, increasingScale };
}
