import { describe, expect, it } from 'vitest';
import { check, OrderRateWindow, verdictMessage, DEFAULT_PRE_TRADE_CONFIG, type PreTradeState } from '../../../../actors/risk/pre-trade.js';
import type { OrderIntent } from '../../../../actors/allocator/intent.js';
import type { Tier } from '../../../../actors/risk/tiers.js';

const NOW = 1_000_000;
const intent = (over: Partial<OrderIntent> = {}): OrderIntent => ({
  intentId: 'p1:GLD', symbol: 'GLD', side: 'buy', qty: 10, type: 'market', timeInForce: 'day',
  refPrice: 200, createdAt: NOW, reason: 'test', postureSeq: 1, ...over,
});
const state = (over: Partial<PreTradeState> = {}): PreTradeState => ({
  tier: 'NORMAL', lastPrices: { GLD: 200, SLV: 25 }, positions: { GLD: 50 }, pendingQty: {}, buyingPower: 100_000, recentOrders: [], now: NOW, ...over,
});
const at = (tier: Tier, over: Partial<PreTradeState> = {}) => state({ tier, ...over });

describe('pre-trade check', () => {
  it('submit order while NORMAL or WARN then approves unchanged', () => {
    for (const t of ['NORMAL', 'WARN'] as const) {
      const r = check(intent(), at(t));
      expect(r).toEqual({ approved: true, intent: intent(), originalQty: 10, resized: null });
    }
  });

  it('submit increasing order while NO_NEW then denies', () => {
    const r = check(intent({ side: 'buy' }), at('NO_NEW'));
    expect(r.approved).toBe(false);
    if (!r.approved) expect(r.code).toBe('tier_no_new');
    const short = check(intent({ symbol: 'SLV', side: 'sell', refPrice: 25 }), at('NO_NEW'));
    expect(short.approved).toBe(false);
  });

  it('submit reducing order while NO_NEW then approves', () => {
    const r = check(intent({ side: 'sell', qty: 20 }), at('NO_NEW'));
    expect(r.approved && r.intent.qty).toBe(20);
  });

  it('submit flipping order while NO_NEW then clipped to a close', () => {
    const r = check(intent({ side: 'sell', qty: 80 }), at('NO_NEW'));
    expect(r.approved).toBe(true);
    if (r.approved) {
      expect(r.intent.qty).toBe(50);
      expect(r.resized).toMatch(/NO_NEW/);
    }
  });

  it('sell while another sell is pending under NO_NEW then judged against pending too', () => {
    const r = check(intent({ side: 'sell', qty: 20 }), at('NO_NEW', { pendingQty: { GLD: -50 } }));
    expect(r.approved).toBe(false);
  });

  it('submit increasing order while THROTTLE then resized by factor', () => {
    const r = check(intent({ qty: 11 }), at('THROTTLE'));
    expect(r.approved).toBe(true);
    if (r.approved) {
      expect(r.intent.qty).toBe(Math.floor(11 * DEFAULT_PRE_TRADE_CONFIG.throttleFactor));
      expect(r.originalQty).toBe(11);
      expect(r.resized).toMatch(/THROTTLE/);
    }
    const one = check(intent({ qty: 1 }), at('THROTTLE'));
    expect(one.approved === false && one.code).toBe('throttled_to_zero');
  });

  it('submit reducing order while THROTTLE then full size', () => {
    const r = check(intent({ side: 'sell', qty: 30 }), at('THROTTLE'));
    expect(r.approved && r.intent.qty).toBe(30);
  });

  it('order rate at THROTTLE limit then denies while NORMAL allows', () => {
    const recent = Array.from({ length: DEFAULT_PRE_TRADE_CONFIG.throttledOrdersPerWindow }, (_, k) => NOW - k * 100);
    const r = check(intent({ side: 'sell' }), at('THROTTLE', { recentOrders: recent }));
    expect(r.approved === false && r.code).toBe('order_rate');
    expect(check(intent(), at('NORMAL', { recentOrders: recent })).approved).toBe(true);
  });

  it('submit order while FLATTEN then denies all but liquidations', () => {
    const r = check(intent({ side: 'sell' }), at('FLATTEN'));
    expect(r.approved === false && r.code).toBe('tier_flatten');
    const liq = check(intent({ intentId: 'flat:1:GLD', side: 'sell', qty: 50, liquidation: true }), at('FLATTEN', { lastPrices: {} }));
    expect(liq.approved).toBe(true);
  });

  it('market ref price far from last then price collar denies', () => {
    const r = check(intent({ refPrice: 220 }), state());
    expect(r.approved).toBe(false);
    if (!r.approved) {
      expect(r.code).toBe('price_collar');
      expect(r.reason).toMatch(/1000.0 bps from last 200/);
    }
  });

  it('limit price outside collar then denies, inside approves', () => {
    expect(check(intent({ type: 'limit', limitPrice: 215 }), state()).approved).toBe(false);
    expect(check(intent({ type: 'limit', limitPrice: 205 }), state()).approved).toBe(true);
  });

  it('no last price then denies', () => {
    const r = check(intent({ symbol: 'PALL' }), state());
    expect(r.approved === false && r.code).toBe('no_last_price');
  });

  it('notional above per-order max then denies with amounts', () => {
    const r = check(intent({ qty: 300 }), state());
    expect(r.approved).toBe(false);
    if (!r.approved) {
      expect(r.code).toBe('max_notional');
      expect(r.reason).toBe('notional 60000.00 exceeds max per order 50000');
    }
  });

  it('increase beyond buying power then denies, reducing ignores it', () => {
    const r = check(intent({ qty: 100 }), state({ buyingPower: 5_000 }));
    expect(r.approved === false && r.code).toBe('buying_power');
    expect(check(intent({ side: 'sell', qty: 50 }), state({ buyingPower: 0 })).approved).toBe(true);
  });

  it('malformed intent then invalid_intent', () => {
    const r = check(intent({ qty: 1.5 }), state());
    expect(r.approved === false && r.code).toBe('invalid_intent');
  });

  it('limit with a malformed marketAfterMs, or a market order with one, then invalid_intent saying why; a positive one then approved', () => {
    const limit = { type: 'limit', limitPrice: 205 } as const;
    for (const bad of [0, -5, Number.NaN, Number.POSITIVE_INFINITY, '1000' as unknown as number]) {
      expect(check(intent({ ...limit, marketAfterMs: bad }), state())).toEqual({ approved: false, code: 'invalid_intent', reason: `marketAfterMs must be a positive number of ms (got ${String(bad)})` });
    }
    expect(check(intent({ marketAfterMs: 1000 }), state())).toEqual({ approved: false, code: 'invalid_intent', reason: 'marketAfterMs is for limit orders only (this is a market order)' });
    expect(check(intent({ ...limit, marketAfterMs: 1000 }), state())).toMatchObject({ approved: true, intent: { marketAfterMs: 1000 } });
  });

  it('verdict then message carries reason and tier', () => {
    const i = intent({ qty: 300 });
    const m = verdictMessage(i, check(i, state()), 'NORMAL', NOW);
    expect(m).toMatchObject({ type: 'risk.intent_denied', code: 'max_notional', tier: 'NORMAL', at: NOW });
  });
});

describe('OrderRateWindow', () => {
  it('timestamps older than window then dropped', () => {
    const w = new OrderRateWindow(1_000);
    w.record(0);
    w.record(500);
    w.record(900);
    expect(w.count(1_000)).toBe(2);
    expect(w.timestamps(1_600)).toEqual([900]);
  });
});
