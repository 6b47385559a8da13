import { describe, expect, it } from 'vitest';
import { AllocatorDesk } from '../../../../actors/allocator/desk.js';
import type { BrokerAccountMsg, BrokerPositionsMsg } from '../../../../actors/broker/messages.js';
import type { Signal } from '../../../../actors/strategy/signal.js';

const sig = (over: Partial<Signal> = {}): Signal => ({
  strategyId: 's1', symbol: 'GLD', direction: 1, strength: 0.8, confidence: 0.9, horizonMs: 3_600_000, ts: 1_000, reason: 'r', ...over,
});
const positions = (pos: Record<string, number>, pendingQty: Record<string, number> = {}): BrokerPositionsMsg => ({
  type: 'broker.positions', positions: Object.entries(pos).map(([symbol, qty]) => ({ symbol, qty, avgPrice: 100, realizedPnl: 0 })), pendingQty, ts: 0,
});
const account = (equity: number): BrokerAccountMsg => ({ type: 'broker.account', equity, lastEquity: equity, cash: equity, buyingPower: equity, status: 'ACTIVE', ts: 0 });

function desk(intents: Record<string, number> = {}): AllocatorDesk {
  const d = new AllocatorDesk({ config: { combine: { flatPrior: 0 }, sizing: { maxWeight: 0.5 }, intents: { maxTurnover: 5, noTradeBand: 0, hysteresis: 0, ...intents } } });
  d.onFeatures({ symbol: 'GLD', price: 200, vol: 0.2, ts: 1_000 });
  return d;
}

describe('AllocatorDesk', () => {
  // This test used to assert a flip 200 ms after a rebalance waited 800 ms more (minIntervalMs):
  // that throttle is gone (issue 12: tick-to-intent), so a flip is due at once.
  it('first signal then due now; a repeat within the threshold is no change; a flip right after a rebalance is due at once', () => {
    const d = desk();
    expect(d.due).toBe(false);
    expect(d.onSignal(sig(), 1_000, 111)).toEqual({ accepted: true, changed: true });
    expect(d.due).toBe(true);
    d.rebalance(1_000);
    expect(d.onSignal(sig({ strength: 0.82, ts: 1_100 }), 1_100)).toEqual({ accepted: true, changed: false });
    expect(d.due).toBe(false);
    expect(d.onSignal(sig({ direction: -1, ts: 1_200 }), 1_200)).toMatchObject({ changed: true });
    expect(d.due).toBe(true);
  });

  it('rebalance then the intents carry the earliest trace stamp since the last one', () => {
    const d = desk();
    d.onPositions(positions({}), 1_000);
    d.onAccount(account(100_000), 1_000);
    d.onSignal(sig({ ts: 1_000 }), 1_000, 500);
    d.onSignal(sig({ symbol: 'GLD', strategyId: 's2', ts: 1_000 }), 1_000, 300);
    const r = d.rebalance(1_000);
    expect(r.originNs).toBe(300);
    expect(r.intents.originNs).toBe(300);
    expect(r.intents.intents.length).toBe(1);
    expect(d.rebalance(1_001).originNs).toBe(0);
  });

  it('working orders count as held: the same target is not bought twice', () => {
    const d = desk();
    d.onSignal(sig({ direction: 1, strength: 1, confidence: 1 }), 1_000);
    d.onPositions(positions({}), 1_000);
    d.onAccount(account(100_000), 1_000);
    const first = d.rebalance(1_000).intents.intents;
    expect(first.map((i) => [i.side, i.qty])).toEqual([['buy', 250]]);
    // The order is working: the broker reports it as pending, not filled.
    d.onPositions(positions({}, { GLD: 250 }), 1_100);
    expect(d.rebalance(1_100).intents.intents).toEqual([]);
    d.onPositions(positions({ GLD: 100 }, { GLD: 150 }), 1_200);
    expect(d.rebalance(1_200).intents.intents).toEqual([]);
  });

  it('book known for the first time then due (signals waited for it); later books are not a reason', () => {
    const d = desk();
    d.onSignal(sig(), 1_000);
    d.rebalance(1_000); // no book yet: nothing to trade
    expect(d.onPositions(positions({}), 1_100)).toBe(false);
    expect(d.onAccount(account(100_000), 1_100)).toBe(true);
    expect(d.due).toBe(true);
    d.rebalance(1_100);
    expect(d.onAccount(account(101_000), 1_200)).toBe(false);
    expect(d.due).toBe(false);
  });

  it('cold desk (no signal yet) with a book then never due: it must not liquidate before strategies speak', () => {
    const d = desk();
    expect(d.warm).toBe(false);
    d.onPositions(positions({ GLD: 100 }), 1_000);
    d.onAccount(account(100_000), 1_000);
    expect(d.due).toBe(false);
  });

  it('restarted from a snapshot then the sequence resumes past both the snapshot and the floor', () => {
    const d = desk();
    d.onSignal(sig(), 1_000);
    d.rebalance(1_000);
    d.rebalance(1_001);
    const snap = d.snapshot();
    expect(snap.core.seq).toBe(2);
    const again = new AllocatorDesk({}, snap, 0);
    expect(again.core.seq).toBe(2);
    expect(again.warm).toBe(true);
    expect(again.rebalance(2_000).posture.seq).toBe(3);
    const later = new AllocatorDesk({}, snap, 1_700_000_000_000);
    expect(later.rebalance(2_000).posture.seq).toBe(1_700_000_000_001);
    expect(new AllocatorDesk({}, { bogus: true } as never, 5).core.seq).toBe(5);
  });

  it('threshold 0 and the same signal re-issued then no change; the smallest move then a change', () => {
    const d = new AllocatorDesk({ changeThreshold: 0 });
    expect(d.onSignal(sig(), 1_000).changed).toBe(true);
    expect(d.onSignal(sig({ ts: 1_001 }), 1_001).changed).toBe(false);
    expect(d.onSignal(sig({ ts: 1_002, strength: 0.8000001 }), 1_002).changed).toBe(true);
  });

  it('invalid signal then refused with the reason and no change', () => {
    const d = desk();
    const r = d.onSignal(sig({ strength: 2 }), 1_000);
    expect(r.accepted).toBe(false);
    expect(r.reason).toMatch(/^invalid_signal/);
    expect(d.dirty).toBe(false);
  });

  it('signal that overtook its features then the first volatility is a reason to rebalance, and sizes it', () => {
    const d = desk();
    d.onPositions(positions({}), 1_000);
    d.onAccount(account(100_000), 1_000);
    d.onSignal(sig({ symbol: 'SLV', direction: 1, strength: 1, confidence: 1 }), 1_000);
    const blind = d.rebalance(1_000);
    expect(blind.posture.weights.SLV ?? 0).toBe(0);
    expect(d.due).toBe(false);
    // Features without a volatility, or for a symbol no signal speaks for: no reason.
    expect(d.onFeatures({ symbol: 'SLV', price: 25, vol: null, ts: 1_100 }, 1_100)).toBe(false);
    expect(d.onFeatures({ symbol: 'PPLT', price: 90, vol: 0.3, ts: 1_100 }, 1_100)).toBe(false);
    expect(d.onFeatures({ symbol: 'SLV', price: 25, vol: 0.3, ts: 1_100 }, 1_100)).toBe(true);
    expect(d.due).toBe(true);
    expect(d.rebalance(1_100).posture.weights.SLV).toBeGreaterThan(0);
    // Later features of the same symbol are no new reason.
    expect(d.onFeatures({ symbol: 'SLV', price: 25.1, vol: 0.31, ts: 1_200 }, 1_200)).toBe(false);
  });
});
