import { describe, expect, it } from 'vitest';
import { AllocatorDesk, type AllocatorDeskSnapshot } from '../../../../actors/allocator/desk.js';
import type { Signal } from '../../../../actors/strategy/signal.js';

const MIN = 60_000;
const sig = (strategyId: string, symbol: string, ts: number): Signal => ({
  strategyId, symbol, direction: 1, strength: 1, confidence: 1, horizonMs: 86_400_000, ts, reason: 'test',
});

/** Two strategies long one instrument each: GLD rises every minute, SLV falls. Fills at the mark. */
function trade(d: AllocatorDesk, minutes: number): void {
  let gld = 100;
  let slv = 100;
  d.onFeatures({ symbol: 'GLD', price: gld, vol: 0.2, ts: 0 });
  d.onFeatures({ symbol: 'SLV', price: slv, vol: 0.2, ts: 0 });
  d.onSignal(sig('winner', 'GLD', 0), 0);
  d.onSignal(sig('loser', 'SLV', 0), 0);
  d.onPositions({ type: 'broker.positions', positions: [], pendingQty: {}, ts: 0 }, 0);
  d.onAccount({ type: 'broker.account', equity: 100_000, lastEquity: 100_000, cash: 100_000, buyingPower: 100_000, status: 'ACTIVE', ts: 0 }, 0);
  const r = d.rebalance(0);
  for (const i of r.intents.intents) d.onFill(i.symbol, i.side === 'buy' ? i.qty : -i.qty, i.symbol === 'GLD' ? gld : slv);
  for (let k = 1; k <= minutes; k++) {
    gld *= 1.001;
    slv *= 0.999;
    d.onFeatures({ symbol: 'GLD', price: gld, vol: 0.2, ts: k * MIN });
    d.onFeatures({ symbol: 'SLV', price: slv, vol: 0.2, ts: k * MIN });
  }
}

const options = { config: { combine: { flatPrior: 0 }, intents: { noTradeBand: 0, hysteresis: 0, maxTurnover: 5 } }, learning: { periodMs: 5 * MIN } };

describe('AllocatorDesk learning', () => {
  it('a strategy whose trades win then gains learned weight, the losing one loses it, and the core applies them', () => {
    const d = new AllocatorDesk(options);
    trade(d, 120);
    const st = d.learningState(0);
    expect(st.strategies.winner!.pnl).toBeGreaterThan(0);
    expect(st.strategies.loser!.pnl).toBeLessThan(0);
    expect(st.strategies.winner!.hitRate).toBe(1);
    expect(st.strategies.winner!.learnedWeight).toBeGreaterThan(1.2);
    expect(st.strategies.loser!.learnedWeight).toBeLessThan(0.8);
    expect(d.core.snapshot().weights).toEqual({ loser: st.strategies.loser!.learnedWeight, winner: st.strategies.winner!.learnedWeight });
    expect(st.history.length).toBeGreaterThan(10);
  });

  it('frozen then trading moves attribution but not the weights', () => {
    const d = new AllocatorDesk(options);
    expect(d.setLearningFrozen(true)).toBe(true);
    trade(d, 120);
    const st = d.learningState(0);
    expect(st.frozen).toBe(true);
    expect(st.strategies.winner!.pnl).toBeGreaterThan(0);
    expect(st.strategies.winner!.learnedWeight).toBe(1);
  });

  it('learning disabled then no weights are learned, hit rates still settle, and the freeze command is refused', () => {
    const d = new AllocatorDesk({ ...options, learning: { enabled: false } });
    trade(d, 60);
    expect(d.setLearningFrozen(true)).toBe(false);
    expect(d.learningState(0).enabled).toBe(false);
    expect(d.core.snapshot().weights).toEqual({});
    // Periods still settle: hit rates are shown with learning off.
    expect(d.learningState(0).strategies.winner).toMatchObject({ hitRate: 1, learnedWeight: 1 });
  });

  it('a desk restored from a snapshot then keeps the learned weights, the frozen flag and the attribution', () => {
    const d = new AllocatorDesk(options);
    trade(d, 60);
    d.setLearningFrozen(true);
    const snap = JSON.parse(JSON.stringify(d.snapshot())) as AllocatorDeskSnapshot;
    const r = new AllocatorDesk(options, snap);
    expect(r.restoreError).toBeNull();
    expect(r.learningState(0)).toEqual(d.learningState(0));
    expect(r.core.snapshot().weights).toEqual(d.core.snapshot().weights);
  });

  it('a snapshot with a corrupt learning part then the posture is restored and learning starts fresh with a reason', () => {
    const d = new AllocatorDesk(options);
    trade(d, 30);
    const snap = { ...d.snapshot(), learning: { weights: { winner: 'x' } } } as unknown as AllocatorDeskSnapshot;
    const r = new AllocatorDesk(options, snap);
    expect(r.restoreError).toMatch(/weights\.winner/);
    expect(r.core.seq).toBe(d.core.seq);
    expect(r.learningState(0).updates).toBe(0);
  });
});
