import { describe, expect, it } from 'vitest';
import { planFlatten } from '../../../../actors/risk/flatten.js';
import { check } from '../../../../actors/risk/pre-trade.js';

describe('planFlatten', () => {
  it('open orders and positions then cancel all and liquidate each', () => {
    const plan = planFlatten(
      [
        { clientOrderId: 'b', brokerOrderId: 'x2', symbol: 'SLV' },
        { clientOrderId: 'a', brokerOrderId: null, symbol: 'GLD' },
      ],
      [
        { symbol: 'SLV', qty: -40, avgPrice: 24 },
        { symbol: 'GLD', qty: 15, avgPrice: 190 },
        { symbol: 'GDX', qty: 0, avgPrice: 30 },
      ],
      { GLD: 201 },
      3,
      5_000,
    );
    expect(plan.cancels.map((c) => c.clientOrderId)).toEqual(['a', 'b']);
    expect(plan.liquidations.map((l) => [l.intentId, l.side, l.qty, l.type, l.refPrice, l.liquidation])).toEqual([
      ['flat:3:GLD', 'sell', 15, 'market', 201, true],
      ['flat:3:SLV', 'buy', 40, 'market', 24, true],
    ]);
  });

  it('liquidations under FLATTEN then pass the pre-trade check', () => {
    const plan = planFlatten([], [{ symbol: 'GLD', qty: 15, avgPrice: 190 }], {}, 1, 0);
    const r = check(plan.liquidations[0]!, {
      tier: 'FLATTEN', lastPrices: {}, positions: { GLD: 15 }, buyingPower: 0, recentOrders: [], now: 0,
    });
    expect(r.approved).toBe(true);
  });
});
