/**
 * Protective stops at a multiple of volatility, and trailing: the distance
 * per symbol, the trailing intent (journaled and resent: in
 * protective-stops.test.ts), the policy as the broker session takes it
 * (validated, older ones ignored, only notable changes reported).
 */
import { describe, expect, it } from 'vitest';
import { roundPrice } from '../../../../actors/allocator/intent.js';
import { clientOrderIdFor } from '../../../../actors/broker/client-order-id.js';
import { Oms } from '../../../../actors/broker/oms.js';
import { isProtectiveStop, isStopType, stopDistanceBps, trailPercentFor, volStopDistanceBps } from '../../../../actors/broker/protective-stops.js';
import { StopKeeper } from '../../../../actors/broker/stop-keeper.js';
import type { RiskStopsPolicyMsg } from '../../../../actors/risk/messages.js';
import { planStopsWith, stopOrder, stopsPolicyMsg } from './fixtures.js';

const T = 1_000;
const order = stopOrder;
const plan = planStopsWith;
const policy = stopsPolicyMsg;
const LONGS = [{ symbol: 'GLD', qty: 10, avgPrice: 200 }, { symbol: 'SLV', qty: 5, avgPrice: 30 }];

describe('protective stops: the distance', () => {
  it('volatility known then the multiple of daily vol in whole bps; unknown or multiple 0 then none', () => {
    // 0.2 a year is 0.2 / sqrt(252) = 1.26 % a day: 3 of them, 377.96 bps.
    expect(volStopDistanceBps(0.2, 3)).toBe(378);
    expect(volStopDistanceBps(0.2, 1)).toBe(126);
    for (const vol of [null, undefined, 0, -0.1, Number.NaN, Number.POSITIVE_INFINITY]) expect(volStopDistanceBps(vol, 3)).toBeNull();
    expect(volStopDistanceBps(0.2, 0)).toBeNull();
  });

  it('volatility very low or very high then clamped to 10 and 5000 bps', () => {
    expect(volStopDistanceBps(0.001, 1)).toBe(10);
    expect(volStopDistanceBps(2, 50)).toBe(5000);
  });

  it('a symbol with a volatility distance then its stop there; one without then the fixed distance', () => {
    const p = { enabled: true, distanceBps: 200, distanceBpsBySymbol: { GLD: 378 } };
    expect([stopDistanceBps(p, 'GLD'), stopDistanceBps(p, 'SLV'), stopDistanceBps(p, 'constructor')]).toEqual([378, 200, 200]);
    const a = plan({ policy: p, positions: LONGS });
    expect(a.map((x) => (x.kind === 'place' ? [x.intent.symbol, x.intent.type, x.intent.stopPrice, x.intent.reason] : x))).toEqual([
      ['GLD', 'stop', roundPrice(200 * (1 - 0.0378)), 'protective stop 378 bps for 10 GLD'],
      ['SLV', 'stop', 29.4, 'protective stop 200 bps for 5 SLV'],
    ]);
  });

  it('a stop working when the volatility distance changes then kept at the price it was placed at', () => {
    const working = order({ stopPrice: 196 });
    expect(plan({ policy: { enabled: true, distanceBps: 200, distanceBpsBySymbol: { GLD: 900 } }, positions: [LONGS[0]!], openOrders: [working] })).toEqual([]);
  });
});

describe('protective stops: trailing', () => {
  it('trailing then a trailing_stop trailing by the distance in percent, no stop price, good till cancelled', () => {
    const a = plan({ policy: { enabled: true, distanceBps: 200, trailing: true, distanceBpsBySymbol: { GLD: 378 } }, positions: LONGS });
    expect(a.map((x) => (x.kind === 'place' ? x.intent : x))).toEqual([
      expect.objectContaining({ symbol: 'GLD', side: 'sell', qty: 10, type: 'trailing_stop', trailPercent: 3.78, timeInForce: 'gtc', reason: 'protective trailing stop 378 bps for 10 GLD' }),
      expect.objectContaining({ symbol: 'SLV', side: 'sell', qty: 5, type: 'trailing_stop', trailPercent: 2, timeInForce: 'gtc' }),
    ]);
    for (const x of a) if (x.kind === 'place') expect(x.intent.stopPrice).toBeUndefined();
    expect([trailPercentFor(12.5), trailPercentFor(0.33333)]).toEqual([0.125, 0.0033]);
  });

  it('a trailing stop of ours working then recognised as our stop and kept; other stop types and orders are not ours', () => {
    const trailing = order({ type: 'trailing_stop', stopPrice: 196.5, trailPercent: 2 });
    expect(isProtectiveStop(trailing)).toBe(true);
    expect(plan({ policy: { enabled: true, distanceBps: 200, trailing: true }, positions: [LONGS[0]!], openOrders: [trailing] })).toEqual([]);
    expect(plan({ positions: [], openOrders: [trailing] })).toEqual([{ kind: 'cancel', clientOrderId: 'c-1', symbol: 'GLD', reason: 'position closed' }]);
    expect(['stop', 'trailing_stop', 'stop_limit', 'limit', 'market'].map(isStopType)).toEqual([true, true, false, false, false]);
    expect(isProtectiveStop(order({ type: 'stop_limit' }))).toBe(false);
  });

  it('a trailing stop request then never held; a sell behind a working trailing stop of ours then held', () => {
    const oms = new Oms();
    oms.apply({ kind: 'fill', ts: T, fill: { executionId: 'x-1', clientOrderId: 'entry', brokerOrderId: 'b-entry', symbol: 'GLD', side: 'buy', qty: 10, price: 200, ts: T, synthetic: false }, order: null });
    const k = new StopKeeper(oms, 5000);
    k.setPolicy(policy(T, { trailing: true }));
    const stop = k.plan(T).places[0]!;
    expect(stop).toMatchObject({ type: 'trailing_stop', trailPercent: 2 });
    const cid = clientOrderIdFor(stop.intentId, 's');
    oms.apply({ kind: 'intent', ts: T, intent: stop, clientOrderId: cid });
    expect(k.hold(cid, { symbol: 'GLD', qty: '10', side: 'sell', type: 'trailing_stop', timeInForce: 'gtc', trailPercent: '2', clientOrderId: cid })).toBe(false);
    expect(k.hold('sell-1', { symbol: 'GLD', qty: '4', side: 'sell', type: 'market', timeInForce: 'day', clientOrderId: 'sell-1' })).toBe(true);
  });
});

describe('protective stops: the policy the session takes', () => {
  it('malformed policy then refused with every field named, never thrown, and the policy held stays in force', () => {
    const k = new StopKeeper(new Oms(), 5000);
    expect(k.setPolicy(policy(T))).toEqual({ kind: 'taken', notable: true });
    const bad = { ...policy(T + 1), distanceBpsBySymbol: { GLD: 'wide', SLV: 3 }, hold: 'no', at: Number.NaN } as unknown as RiskStopsPolicyMsg;
    expect(k.setPolicy(bad)).toEqual({
      kind: 'malformed',
      errors: [
        'risk.stops_policy.distanceBpsBySymbol.GLD must be a number from 10 to 5000 (got "wide")',
        'risk.stops_policy.distanceBpsBySymbol.SLV must be a number from 10 to 5000 (got 3)',
        'risk.stops_policy.hold must be true or false (got no)',
        'risk.stops_policy.at must be a finite number (got NaN)',
      ],
    });
    const { trailing: _t, distanceBpsBySymbol: _d, ...old } = policy(T + 2);
    expect(k.setPolicy(old as RiskStopsPolicyMsg)).toEqual({ kind: 'malformed', errors: ['risk.stops_policy.trailing is missing', 'risk.stops_policy.distanceBpsBySymbol is missing'] });
    expect(k.setPolicy({ ...policy(T + 3), distanceBpsBySymbol: [400] } as unknown as RiskStopsPolicyMsg)).toMatchObject({ kind: 'malformed', errors: ['risk.stops_policy.distanceBpsBySymbol must be an object of symbol to basis points (got [400])'] });
    expect(k.setPolicy(null as unknown as RiskStopsPolicyMsg)).toEqual({ kind: 'malformed', errors: ['risk.stops_policy must be an object (got null)'] });
    expect(k.policy).toEqual(policy(T));
  });

  it('volatility drifting bar by bar then not notable until a distance moves 25 % from the last one reported; mode changes always notable', () => {
    const k = new StopKeeper(new Oms(), 5000);
    const at = (n: number, over: Partial<RiskStopsPolicyMsg>) => k.setPolicy(policy(T + n, over));
    expect(at(1, { distanceBpsBySymbol: { GLD: 400 } })).toEqual({ kind: 'taken', notable: true });
    // The same policy again (every state publication) and small moves: taken, not worth a log line.
    expect(at(2, { distanceBpsBySymbol: { GLD: 400 } })).toEqual({ kind: 'taken', notable: false });
    expect(at(3, { distanceBpsBySymbol: { GLD: 440 } })).toEqual({ kind: 'taken', notable: false });
    expect(at(4, { distanceBpsBySymbol: { GLD: 490 } })).toEqual({ kind: 'taken', notable: false });
    expect(k.policy!.distanceBpsBySymbol).toEqual({ GLD: 490 });
    // Drift adds up against the last one reported (400), not the last one taken.
    expect(at(5, { distanceBpsBySymbol: { GLD: 500 } })).toEqual({ kind: 'taken', notable: true });
    expect(at(6, { distanceBpsBySymbol: { GLD: 380 } })).toEqual({ kind: 'taken', notable: false });
    expect(at(7, { distanceBpsBySymbol: { GLD: 380, SLV: 300 } })).toEqual({ kind: 'taken', notable: true });
    expect(at(8, { distanceBpsBySymbol: { SLV: 300, PPLT: 300 } })).toEqual({ kind: 'taken', notable: true });
    const base = { distanceBpsBySymbol: { SLV: 300, PPLT: 300 } };
    expect(at(9, { ...base, trailing: true })).toEqual({ kind: 'taken', notable: true });
    expect(at(10, { ...base, trailing: true, hold: true, tier: 'FLATTEN' })).toEqual({ kind: 'taken', notable: true });
    expect(at(11, { ...base, trailing: true, hold: true, tier: 'FLATTEN', enabled: false })).toEqual({ kind: 'taken', notable: true });
    expect(at(12, { ...base, trailing: true, hold: true, tier: 'FLATTEN', enabled: false, distanceBps: 250 })).toEqual({ kind: 'taken', notable: true });
    expect(at(0, {})).toEqual({ kind: 'older' });
  });
});
