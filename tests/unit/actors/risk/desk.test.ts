import { describe, expect, it } from 'vitest';
import type { OrderIntent } from '../../../../actors/allocator/intent.js';
import type { AllocatorIntentsMsg } from '../../../../actors/allocator/messages.js';
import type { BrokerOrderUpdateMsg } from '../../../../actors/broker/messages.js';
import { RiskDesk, tradingDay } from '../../../../actors/risk/desk.js';
import type { RiskCommandMsg } from '../../../../actors/risk/messages.js';
import { configError } from '../../../helpers/errors.js';

const T0 = Date.UTC(2025, 0, 6, 15, 0);

const intent = (id: string, side: 'buy' | 'sell', qty: number, over: Partial<OrderIntent> = {}): OrderIntent => ({
  intentId: id, symbol: 'GLD', side, qty, type: 'market', timeInForce: 'day', refPrice: 200, createdAt: T0, reason: 't', postureSeq: 1, ...over,
});
const batch = (...intents: OrderIntent[]): AllocatorIntentsMsg => ({ type: 'allocator.intents', seq: 1, ts: T0, intents, skipped: [], turnover: 0, originNs: 42 });
const set = (tier: 'WARN' | 'THROTTLE' | 'NO_NEW' | 'FLATTEN'): RiskCommandMsg => ({ type: 'risk.command', action: 'set', tier, reason: 't', by: 'op', at: T0 });
const update = (cid: string, intentId: string | null, status: BrokerOrderUpdateMsg['status'], over: Partial<BrokerOrderUpdateMsg> = {}): BrokerOrderUpdateMsg => ({
  type: 'broker.order_update', clientOrderId: cid, brokerOrderId: `b-${cid}`, intentId, symbol: 'GLD', side: 'buy', qty: 10, filledQty: 0, filledAvgPrice: null,
  orderType: 'market', orderClass: null, limitPrice: null, stopPrice: null, trailPercent: null, parentClientOrderId: null, replaces: null,
  status, submission: 'acked', event: 'new', reason: null, ts: T0, ...over,
});

/** A desk armed at T0: broker ready, 100k account, GLD at 200, GLD position as given. */
function armed(position = 0, options: ConstructorParameters<typeof RiskDesk>[0] = {}): RiskDesk {
  const d = new RiskDesk({ risk: { coolDownMs: 1000 }, ...options }, null, T0);
  const b = d.book;
  b.onConnection({ type: 'broker.connection', connected: true, ready: true, stream: 'listening', restFailures: 0, reason: null, since: T0, ts: T0 });
  b.onAccount({ type: 'broker.account', equity: 100_000, lastEquity: 100_000, cash: 100_000, buyingPower: 100_000, status: 'ACTIVE', ts: T0 });
  b.onPrice('GLD', 200, T0);
  b.onPositions({ type: 'broker.positions', positions: position ? [{ symbol: 'GLD', qty: position, avgPrice: 190, realizedPnl: 0 }] : [], pendingQty: {}, ts: T0 });
  d.noteAccount(T0);
  return d;
}

describe('RiskDesk', () => {
  it('broker never ready then not armed: no evaluation and every intent denied broker_not_ready', () => {
    const d = new RiskDesk({}, null, T0);
    expect(d.armed).toBe(false);
    expect(d.evaluate(T0 + 60_000).changes).toEqual([]);
    const r = d.review(batch(intent('a', 'buy', 1)), T0);
    expect(r.denied.map((x) => x.code)).toEqual(['broker_not_ready']);
    expect(r.denied[0]!.reason).toMatch(/not heard from yet/);
  });

  it('armed at NORMAL then an intent is approved with the trace stamp and counted in the rate window', () => {
    const d = armed();
    const r = d.review(batch(intent('a', 'buy', 10)), T0 + 10);
    expect(r.approved).toHaveLength(1);
    expect(r.approved[0]).toMatchObject({ type: 'risk.intent_approved', originNs: 42, tier: 'NORMAL', resized: null });
    expect(d.rate.count(T0 + 10)).toBe(1);
    expect(d.inputs(T0 + 10)!.orderTimestamps).toEqual([T0 + 10]);
  });

  it('two sells back to back under NO_NEW then the second sees the first: no flip through the overlay', () => {
    const d = armed(10);
    d.command(set('NO_NEW'), T0);
    const r = d.review(batch(intent('s1', 'sell', 6), intent('s2', 'sell', 6)), T0 + 1);
    expect(r.approved.map((a) => [a.intent.intentId, a.intent.qty])).toEqual([['s1', 6], ['s2', 4]]);
    expect(r.approved[1]!.resized).toMatch(/clipped/);
    // Once the broker reports the order, the overlay gives way to the broker's own pending quantity.
    d.book.onOrderUpdate(update('c1', 's1', null, { submission: 'pending', side: 'sell', qty: 6 }));
    expect(d.book.pendingQty(T0 + 2)).toEqual({ GLD: -4 });
  });

  it('an allocator intent claiming to be a liquidation then denied', () => {
    const d = armed(10);
    const r = d.review(batch(intent('x', 'sell', 10, { liquidation: true })), T0);
    expect(r.denied[0]).toMatchObject({ code: 'invalid_intent' });
    expect(r.denied[0]!.reason).toMatch(/only the risk governor/);
  });

  it('broker link lost while armed then NO_NEW from the broker trigger, and intents denied broker_not_ready', () => {
    const d = armed();
    d.book.onBrokerGone('crash: boom');
    const e = d.evaluate(T0 + 100);
    expect(e.changes.map((c) => [c.from, c.to])).toEqual([['NORMAL', 'NO_NEW']]);
    expect(e.changes[0]!.triggers.map((t) => t.trigger)).toContain('broker_disconnected');
    expect(d.review(batch(intent('a', 'sell', 1)), T0 + 101).denied[0]!.code).toBe('broker_not_ready');
  });

  it('FLATTEN with a working order then the pass cancels it and the liquidation waits for the cancel; the next pass waits for the liquidation', () => {
    const d = armed(10);
    d.book.onOrderUpdate(update('w1', 'p1:GLD', 'new'));
    d.command(set('FLATTEN'), T0);
    const p1 = d.flattenPass(T0 + 10)!;
    expect(p1.cancels.map((c) => [c.clientOrderId, c.brokerOrderId])).toEqual([['w1', 'b-w1']]);
    expect(p1.approved).toEqual([]);
    expect(p1.report).toMatchObject({ type: 'risk.flatten', cancels: 1, liquidations: 0, waiting: 1, openPositions: 1 });
    // The cancel is not confirmed: nothing to do until it is (or it is due again).
    expect(d.flattenPass(T0 + 20)).toBeNull();
    d.book.onOrderUpdate(update('w1', 'p1:GLD', 'canceled'));
    const p2 = d.flattenPass(T0 + 30)!;
    expect(p2.cancels).toEqual([]);
    expect(p2.approved.map((a) => [a.intent.side, a.intent.qty, a.intent.liquidation])).toEqual([['sell', 10, true]]);
    expect(p2.approved[0]!.intent.intentId).toBe(`flat:${T0 + 30}:GLD`);
    expect(p2.report).toMatchObject({ liquidations: 1, waiting: 0, openPositions: 1 });
    // The liquidation is approved but not reported yet: no second pass.
    expect(d.flattenPass(T0 + 40)).toBeNull();
    d.book.onOrderUpdate(update('l1', p2.approved[0]!.intent.intentId, 'new', { side: 'sell' }));
    expect(d.flattenPass(T0 + 50)).toBeNull();
    d.book.onOrderUpdate(update('l1', p2.approved[0]!.intent.intentId, 'filled', { side: 'sell' }));
    d.book.onPositions({ type: 'broker.positions', positions: [], pendingQty: {}, ts: T0 });
    expect(d.flattenPass(T0 + 60)).toBeNull();
  });

  it('FLATTEN with a protective stop that fills while its cancel is on the wire then nothing is liquidated: no short', () => {
    const d = armed(10);
    d.book.onOrderUpdate(update('s1', 'pstop:GLD:1', 'accepted', { side: 'sell' }));
    d.command(set('FLATTEN'), T0);
    const p1 = d.flattenPass(T0 + 10)!;
    expect(p1.cancels.map((c) => c.clientOrderId)).toEqual(['s1']);
    expect(p1.approved).toEqual([]);
    // The stop triggers before the cancel lands: it fills, the position is gone, the cancel is refused.
    d.book.onOrderUpdate(update('s1', 'pstop:GLD:1', 'filled', { side: 'sell', filledQty: 10 }));
    d.book.onPositions({ type: 'broker.positions', positions: [], pendingQty: {}, ts: T0 });
    expect(d.flattenPass(T0 + 20)).toBeNull();
    expect(d.flattenPass(T0 + 10_000)).toBeNull();
  });

  it('FLATTEN with a protective stop that fills in part before its cancel then only the rest is liquidated', () => {
    const d = armed(10);
    d.book.onOrderUpdate(update('s1', 'pstop:GLD:1', 'accepted', { side: 'sell' }));
    d.command(set('FLATTEN'), T0);
    d.flattenPass(T0 + 10);
    d.book.onOrderUpdate(update('s1', 'pstop:GLD:1', 'partially_filled', { side: 'sell', filledQty: 4 }));
    d.book.onPositions({ type: 'broker.positions', positions: [{ symbol: 'GLD', qty: 6, avgPrice: 190, realizedPnl: 0 }], pendingQty: {}, ts: T0 });
    expect(d.flattenPass(T0 + 20)).toBeNull();
    d.book.onOrderUpdate(update('s1', 'pstop:GLD:1', 'canceled', { side: 'sell', filledQty: 4 }));
    const p = d.flattenPass(T0 + 30)!;
    expect(p.approved.map((a) => [a.intent.side, a.intent.qty])).toEqual([['sell', 6]]);
  });

  it('stops policy then the configured one, held under FLATTEN', () => {
    const d = armed(0, { risk: { coolDownMs: 1000, protectiveStops: { enabled: true, distanceBps: 150 } } });
    expect(d.stopsPolicy(T0)).toMatchObject({ type: 'risk.stops_policy', enabled: true, distanceBps: 150, hold: false, tier: 'NORMAL' });
    d.command(set('NO_NEW'), T0);
    expect(d.stopsPolicy(T0).hold).toBe(false);
    d.command(set('FLATTEN'), T0);
    expect(d.stopsPolicy(T0)).toMatchObject({ hold: true, tier: 'FLATTEN' });
    expect(armed().stopsPolicy(T0)).toMatchObject({ enabled: false, distanceBps: 200, trailing: false, distanceBpsBySymbol: {} });
  });

  it('stops policy with volMultiple then each symbol with a known volatility at its multiple, the rest left to the fixed distance', () => {
    const d = armed(0, { risk: { protectiveStops: { enabled: true, distanceBps: 150, volMultiple: 3, trailing: true } } });
    expect(d.stopsPolicy(T0).distanceBpsBySymbol).toEqual({});
    // 3 x 0.2 / sqrt(252) = 3.78 %; a feed with too few bars (null) or a zero vol adds nothing; a later null keeps the last vol.
    d.book.onVol('GLD', 0.2);
    d.book.onVol('SLV', null);
    d.book.onVol('PPLT', 0);
    expect(d.stopsPolicy(T0)).toMatchObject({ enabled: true, distanceBps: 150, trailing: true, distanceBpsBySymbol: { GLD: 378 } });
    d.book.onVol('GLD', null);
    d.book.onVol('SLV', 0.0001);
    d.book.onVol('GDX', 80);
    expect(d.stopsPolicy(T0).distanceBpsBySymbol).toEqual({ GLD: 378, SLV: 10, GDX: 5000 });
    // volMultiple 0 (the default): a fixed distance whatever the feeds say.
    const fixed = armed(0, { risk: { protectiveStops: { enabled: true } } });
    fixed.book.onVol('GLD', 0.2);
    expect(fixed.stopsPolicy(T0)).toMatchObject({ distanceBps: 200, trailing: false, distanceBpsBySymbol: {} });
  });

  it('protectiveStops volMultiple negative or trailing not a boolean then refused, each naming its option', () => {
    expect(configError(() => new RiskDesk({ risk: { protectiveStops: { volMultiple: -1, trailing: 'yes' as unknown as boolean } } }, null, T0)).violations).toEqual([
      'risk.protectiveStops.trailing must be true or false (got yes)',
      'risk.protectiveStops.volMultiple must be a finite number >= 0 (got -1)',
    ]);
  });

  it('no market data since arming then the age counts from arming, not from never', () => {
    const d = new RiskDesk({ heartbeatSources: ['strategy:0'] }, null, T0);
    d.book.onConnection({ type: 'broker.connection', connected: true, ready: true, stream: 'listening', restFailures: 0, reason: null, since: T0, ts: T0 });
    d.book.onAccount({ type: 'broker.account', equity: 100_000, lastEquity: null, cash: 100_000, buyingPower: 100_000, status: 'ACTIVE', ts: T0 });
    d.noteAccount(T0);
    const i = d.inputs(T0 + 2_000)!;
    expect(i.marketDataAgeMs).toBe(2_000);
    expect(i.heartbeatAgeMs).toBe(2_000);
    d.book.onHeartbeat('strategy:0', T0 + 1_500);
    expect(d.inputs(T0 + 2_000)!.heartbeatAgeMs).toBe(500);
    expect(d.evaluate(T0 + 2_000).changes).toEqual([]);
  });

  it('restored from a snapshot then tier, floor, equity marks and the rate window survive', () => {
    const d = armed();
    d.command(set('THROTTLE'), T0);
    d.review(batch(intent('a', 'buy', 10)), T0 + 5);
    const snap = d.snapshot();
    const again = new RiskDesk({ risk: { coolDownMs: 1000 } }, snap, T0 + 100);
    expect(again.tier).toBe('THROTTLE');
    expect(again.governor.floor).toBe('THROTTLE');
    expect(again.equity.current?.peakEquity).toBe(100_000);
    expect(again.rate.timestamps(T0 + 100)).toEqual([T0 + 5]);
  });

  it('trading day then the New York date, which changes at midnight there', () => {
    expect(tradingDay(Date.UTC(2025, 0, 7, 4, 59))).toBe('2025-01-06');
    expect(tradingDay(Date.UTC(2025, 0, 7, 5, 1))).toBe('2025-01-07');
  });
});
