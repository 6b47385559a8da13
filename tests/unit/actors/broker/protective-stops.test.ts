import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clientOrderIdFor } from '../../../../actors/broker/client-order-id.js';
import { Oms, type LocalOrder } from '../../../../actors/broker/oms.js';
import type { OrderIntent } from '../../../../actors/allocator/intent.js';
import { parseOrder, type BrokerOrder } from '../../../../actors/broker/alpaca-mapping.js';
import { StopKeeper } from '../../../../actors/broker/stop-keeper.js';
import { isProtectiveStop, protectiveStopSeq, stopIntentId, stopPriceFor, stopsPolicyErrors, type StopsPolicy } from '../../../../actors/broker/protective-stops.js';
import { BrokerSessionCore } from '../../../../actors/broker/session-core.js';
import { resolveRiskConfig } from '../../../../actors/risk/config.js';
import { planStopsWith, stopOrder, stopsPolicyMsg, wireOrder, wireUpdate } from './fixtures.js';

const T = 1_000;
const parseOrderOk = (raw: unknown): BrokerOrder => {
  const p = parseOrder(raw);
  if (!p.ok) throw new Error(p.error);
  return p.value;
};
const order = stopOrder;
const plan = planStopsWith;

describe('protective stops: the plan', () => {
  it('long position without a stop then one sell stop for the full quantity 200 bps under entry', () => {
    const a = plan({ positions: [{ symbol: 'GLD', qty: 10, avgPrice: 200 }], nextSeq: () => 3 });
    expect(a).toEqual([{ kind: 'place', intent: expect.objectContaining({ intentId: 'pstop:GLD:3', symbol: 'GLD', side: 'sell', qty: 10, type: 'stop', stopPrice: 196, timeInForce: 'gtc' }) }]);
  });

  it('short position then a buy stop above entry; the last fill nearer the market moves the reference', () => {
    expect(plan({ positions: [{ symbol: 'SLV', qty: -5, avgPrice: 30 }] })[0]).toMatchObject({ intent: { side: 'buy', qty: 5, stopPrice: 30.6 } });
    expect(stopPriceFor(10, 200, 190, 200)).toBe(186.2);
    expect(stopPriceFor(10, 200, 210, 200)).toBe(196);
    expect(stopPriceFor(-10, 200, 210, 200)).toBe(214.2);
  });

  it('the matching stop working then nothing to do', () => {
    expect(plan({ positions: [{ symbol: 'GLD', qty: 10, avgPrice: 200 }], openOrders: [order()] })).toEqual([]);
  });

  it('position grown then the working stop is resized by a replace; its replacement in flight stands for it; refused, it comes back', () => {
    const positions = [{ symbol: 'GLD', qty: 15, avgPrice: 201 }];
    expect(plan({ positions, openOrders: [order()] })).toEqual([{ kind: 'replace', clientOrderId: 'c-1', symbol: 'GLD', qty: 15, reason: 'position needs 15 sell, stop is 10 sell' }]);
    const replacement = order({ clientOrderId: 'c-1r', brokerOrderId: null, qty: 15, status: null, submission: 'pending', replaces: 'c-1' });
    expect(plan({ positions, openOrders: [order({ replacement: 'c-1r' }), replacement] })).toEqual([]);
    // The replace refused (its replacement rejected, not open): the stop is resized again.
    expect(plan({ positions, openOrders: [order({ replacement: null })] })[0]).toMatchObject({ kind: 'replace', qty: 15 });
  });

  it('position grown with a stop that cannot be replaced (not acked, or its symbol backing off after a refused replace) then cancel and new once the cancel is confirmed', () => {
    const positions = [{ symbol: 'GLD', qty: 15, avgPrice: 201 }];
    expect(plan({ positions, openOrders: [order({ submission: 'ambiguous' })] })).toEqual([{ kind: 'cancel', clientOrderId: 'c-1', symbol: 'GLD', reason: 'position needs 15 sell, stop is 10 sell' }]);
    expect(plan({ positions, openOrders: [order()], blocked: new Set(['GLD']) })).toEqual([{ kind: 'cancel', clientOrderId: 'c-1', symbol: 'GLD', reason: 'position needs 15 sell, stop is 10 sell' }]);
    // Cancel requested, not confirmed: the stop can still trigger, so no second stop yet.
    expect(plan({ positions, openOrders: [order({ cancelRequested: true })] })).toEqual([]);
    expect(plan({ positions, openOrders: [] })[0]).toMatchObject({ kind: 'place', intent: { qty: 15, side: 'sell' } });
  });

  it('position closed then its stop is cancelled; a stop half filled counts its unfilled part', () => {
    expect(plan({ openOrders: [order()] })).toEqual([{ kind: 'cancel', clientOrderId: 'c-1', symbol: 'GLD', reason: 'position closed' }]);
    expect(plan({ positions: [{ symbol: 'GLD', qty: 6, avgPrice: 200 }], openOrders: [order({ filledQty: 4, status: 'partially_filled' })] })).toEqual([]);
  });

  it('a reducing order working then the stop covers only the rest; the whole position being sold then no stop at all', () => {
    const sell = order({ clientOrderId: 'm-1', intentId: 'p9:GLD', type: 'market', qty: 4, stopPrice: null, status: 'new' });
    expect(plan({ positions: [{ symbol: 'GLD', qty: 10, avgPrice: 200 }], openOrders: [sell] })[0]).toMatchObject({ intent: { qty: 6 } });
    const all = order({ clientOrderId: 'm-2', intentId: 'flat:1:GLD', type: 'market', qty: 10, stopPrice: null, status: 'new' });
    expect(plan({ positions: [{ symbol: 'GLD', qty: 10, avgPrice: 200 }], openOrders: [all, order()] })).toEqual([{ kind: 'cancel', clientOrderId: 'c-1', symbol: 'GLD', reason: 'position already being closed by working orders' }]);
  });

  it('two stops for one position (a duplicate) then all but one are cancelled', () => {
    const a = plan({ positions: [{ symbol: 'GLD', qty: 10, avgPrice: 200 }], openOrders: [order(), order({ clientOrderId: 'c-2', intentId: 'pstop:GLD:2' })] });
    expect(a).toEqual([{ kind: 'cancel', clientOrderId: 'c-2', symbol: 'GLD', reason: 'position needs 10 sell, stop is 10 sell' }]);
  });

  it('policy disabled then our stops are cancelled and none placed; a manual stop is never touched; a blocked symbol waits', () => {
    const manual = order({ clientOrderId: 'manual-1', intentId: null });
    expect(plan({ policy: { enabled: false, distanceBps: 200 }, positions: [{ symbol: 'GLD', qty: 10, avgPrice: 200 }], openOrders: [order(), manual] })).toEqual([
      { kind: 'cancel', clientOrderId: 'c-1', symbol: 'GLD', reason: 'protective stops disabled' },
    ]);
    expect(plan({ positions: [{ symbol: 'GLD', qty: 10, avgPrice: 200 }], blocked: new Set(['GLD']) })).toEqual([]);
  });

  it('ids then our own recognised from the intent id or, adopted, from the client order id', () => {
    const cid = clientOrderIdFor(stopIntentId('GLD', 7), 'acct');
    expect(protectiveStopSeq({ intentId: null, clientOrderId: cid, symbol: 'GLD' })).toBe(7);
    expect(protectiveStopSeq({ intentId: null, clientOrderId: cid, symbol: 'SLV' })).toBeNull();
    expect(protectiveStopSeq({ intentId: 'p1:GLD', clientOrderId: 'x', symbol: 'GLD' })).toBeNull();
    expect(isProtectiveStop({ intentId: 'pstop:GLD:2', clientOrderId: 'x', symbol: 'GLD', type: 'market' })).toBe(false);
  });

  it('bad policy then every violation names its option', () => {
    expect(stopsPolicyErrors({ enabled: 'yes' as unknown as boolean, distanceBps: 0 })).toEqual([
      'risk.protectiveStops.enabled must be true or false (got yes)',
      'risk.protectiveStops.distanceBps must be a number above 0 and at most 5000 (got 0)',
    ]);
    expect(() => resolveRiskConfig({ protectiveStops: { enabled: true, distanceBps: -1 } })).toThrow(/risk\.protectiveStops\.distanceBps/);
    expect(resolveRiskConfig({ protectiveStops: { enabled: true } }).protectiveStops).toEqual({ enabled: true, distanceBps: 200, volMultiple: 0, trailing: false });
  });
});

describe('protective stops: the session journals and replays stop orders', () => {
  let dir = '';
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'qgtm-stops-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** A ready session journals and registers the stop planned for 10 GLD at 200 under `policy`, then crashes; returns the decision and the session reopened on its journal. */
  const submitThenCrash = (policy?: StopsPolicy) => {
    const journalPath = join(dir, 'broker.wal');
    const { session } = BrokerSessionCore.open({ journalPath, salt: 'acct' });
    session.reconcile({ openOrders: [], recentOrders: [], positions: [], account: { equity: '1', cash: '1', buying_power: '1', status: 'ACTIVE' } }, 'startup', T);
    const a = plan({ ...(policy ? { policy } : {}), positions: [{ symbol: 'GLD', qty: 10, avgPrice: 200 }] })[0]!;
    if (a.kind !== 'place') throw new Error('expected a place');
    const d = session.submit(a.intent, T);
    if (!d.ok) throw new Error(d.reason);
    session.close();
    return { d, again: BrokerSessionCore.open({ journalPath, salt: 'acct' }).session };
  };

  it('stop intent then journaled with its stop price, sent as type stop, and after a crash ambiguous with the same request', () => {
    const { d, again } = submitThenCrash();
    expect(d.request).toMatchObject({ type: 'stop', stopPrice: '196', side: 'sell', qty: '10', timeInForce: 'gtc' });
    expect(d.restBody).toMatchObject({ type: 'stop', stop_price: '196' });
    const o = again.oms.order(d.clientOrderId)!;
    expect([o.type, o.stopPrice, o.submission]).toEqual(['stop', 196, 'ambiguous']);
    // Looked up and not found: resent with the same client order id and the same stop.
    again.onLookup(d.clientOrderId, null, T + 1);
    expect(again.resendRequest(d.clientOrderId)).toEqual(d.request);
    // The venue's stop: accepted until a trade triggers it, then filled as a market order.
    const wire = wireOrder({ client_order_id: d.clientOrderId, id: 'b-9', type: 'stop', order_type: 'stop', side: 'sell', qty: '10', stop_price: '196', time_in_force: 'gtc', status: 'accepted' });
    again.onSubmitOk(d.clientOrderId, wire, T + 2);
    expect(again.oms.order(d.clientOrderId)!.status).toBe('accepted');
    again.onTradeUpdate(wireUpdate('fill', { ...wire, status: 'filled', filled_qty: '10', filled_avg_price: '195.9' }, { execution_id: 'x-1', price: '195.9', qty: '10' }), T + 3);
    expect(again.oms.order(d.clientOrderId)!.status).toBe('filled');
    expect(again.oms.position('GLD').qty).toBe(-10);
    again.close();
  });

  it('trailing stop journaled then sent with trail_percent; after a crash not found then resent as the same trailing stop', () => {
    const { d, again } = submitThenCrash({ enabled: true, distanceBps: 200, trailing: true, distanceBpsBySymbol: { GLD: 378 } });
    expect(d.request).toEqual({ symbol: 'GLD', qty: '10', side: 'sell', type: 'trailing_stop', timeInForce: 'gtc', trailPercent: '3.78', clientOrderId: d.clientOrderId });
    expect(d.restBody).toMatchObject({ type: 'trailing_stop', trail_percent: '3.78' });
    expect(d.restBody).not.toHaveProperty('stop_price');
    const o = again.oms.order(d.clientOrderId)!;
    expect([o.type, o.trailPercent, o.submission]).toEqual(['trailing_stop', 3.78, 'ambiguous']);
    again.onLookup(d.clientOrderId, null, T + 1);
    expect(again.resendRequest(d.clientOrderId)).toEqual(d.request);
    again.close();
  });
});

describe('protective stops: the keeper', () => {
  const policy = stopsPolicyMsg;
  const wire = (cid: string, over: Record<string, unknown>) => wireOrder({ client_order_id: cid, id: `b-${cid}`, ...over });
  const buy = (oms: Oms, qty: number): void => {
    oms.apply({ kind: 'fill', ts: T, fill: { executionId: `x-${qty}`, clientOrderId: 'entry', brokerOrderId: 'b-entry', symbol: 'GLD', side: 'buy', qty, price: 200, ts: T, synthetic: false }, order: null });
  };
  const register = (oms: Oms, intent: OrderIntent): string => {
    const cid = clientOrderIdFor(intent.intentId, 's');
    oms.apply({ kind: 'intent', ts: T, intent, clientOrderId: cid });
    return cid;
  };
  /** A long of 10 GLD, its keeper under the policy, and the stop it placed, acked: the stop's client order id. */
  const withStop = (): { oms: Oms; k: StopKeeper; stop: string } => {
    const oms = new Oms();
    buy(oms, 10);
    const k = new StopKeeper(oms, 5000);
    k.setPolicy(policy(T));
    const stop = register(oms, k.plan(T).places[0]!);
    oms.apply({ kind: 'ack', ts: T, clientOrderId: stop, order: parseOrderOk(wire(stop, { type: 'stop', side: 'sell', qty: '10', status: 'accepted' })) });
    return { oms, k, stop };
  };

  it('a stop sized before the position grew then a sell of the growth is not held (the free shares cover it); a sell of one share more is', () => {
    const { oms, k, stop } = withStop();
    oms.apply({ kind: 'fill', ts: T, fill: { executionId: 'x-grow', clientOrderId: 'entry', brokerOrderId: 'b-entry', symbol: 'GLD', side: 'buy', qty: 5, price: 200, ts: T, synthetic: false }, order: null });
    const sell = (id: string, qty: number): string => register(oms, { intentId: id, symbol: 'GLD', side: 'sell', qty, type: 'market', timeInForce: 'day', refPrice: 200, createdAt: T, reason: 't', postureSeq: 2 });
    const five = sell('p2:GLD', 5);
    expect(k.hold(five, { symbol: 'GLD', qty: '5', side: 'sell', type: 'market', timeInForce: 'day', clientOrderId: five })).toBe(false);
    // Those 5 are now reserved by the sell on its way: one more share is the stop's.
    const one = sell('p3:GLD', 1);
    expect(k.hold(one, { symbol: 'GLD', qty: '1', side: 'sell', type: 'market', timeInForce: 'day', clientOrderId: one })).toBe(true);
  });

  it('no policy, or a policy that holds, then nothing planned; an older policy never replaces a newer one', () => {
    const oms = new Oms();
    buy(oms, 10);
    const k = new StopKeeper(oms, 5000);
    expect(k.plan(T).places).toEqual([]);
    expect(k.setPolicy(policy(T + 10, { hold: true, tier: 'FLATTEN' }))).toEqual({ kind: 'taken', notable: true });
    expect(k.plan(T).places).toEqual([]);
    expect(k.setPolicy(policy(T + 5))).toEqual({ kind: 'older' });
    expect(k.policy!.hold).toBe(true);
    k.setPolicy(policy(T + 20));
    expect(k.plan(T).places.map((i) => [i.intentId, i.qty, i.stopPrice])).toEqual([['pstop:GLD:1', 10, 196]]);
  });

  it('a stop working then a reducing sell is held until that stop is gone, not behind the stop placed after it; cancelled while held then never sent', () => {
    const { oms, k, stop } = withStop();
    const sell = register(oms, { intentId: 'p2:GLD', symbol: 'GLD', side: 'sell', qty: 4, type: 'market', timeInForce: 'day', refPrice: 200, createdAt: T, reason: 't', postureSeq: 2 });
    const request = { symbol: 'GLD', qty: '4', side: 'sell' as const, type: 'market' as const, timeInForce: 'day' as const, clientOrderId: sell };
    expect(k.hold(sell, request)).toBe(true);
    expect(k.hold('other', { ...request, side: 'buy' })).toBe(false);
    // The planner resizes the 10-share stop to the 6 the sell leaves; the sell waits until the venue has swapped them.
    const work = k.plan(T + 1);
    expect([work.cancels, work.places, work.replaces.map((r) => [r.clientOrderId, r.qty])]).toEqual([[], [], [[stop, 6]]]);
    expect(oms.apply({ kind: 'replace_requested', ts: T + 1, clientOrderId: stop, newClientOrderId: 'r-1', changes: { qty: 6 } }).ok).toBe(true);
    expect(k.release(T + 2, 30_000)).toEqual({ send: [], drop: [] });
    expect(k.plan(T + 2)).toEqual({ cancels: [], recancels: [], replaces: [], places: [] });
    oms.apply({ kind: 'update', ts: T + 3, event: 'replaced', order: parseOrderOk(wire(stop, { type: 'stop', side: 'sell', qty: '10', status: 'replaced' })) });
    // Its replacement covers the 6 shares and does not hold the sell back: nothing more to place.
    expect(k.plan(T + 4).places).toEqual([]);
    expect(k.release(T + 5, 30_000).send.map((x) => x.cid)).toEqual([sell]);
    // Held, then cancelled (FLATTEN) before its stop was gone: recorded as never sent.
    const again = register(oms, { intentId: 'p3:GLD', symbol: 'GLD', side: 'sell', qty: 6, type: 'market', timeInForce: 'day', refPrice: 200, createdAt: T, reason: 't', postureSeq: 3 });
    expect(k.hold(again, { ...request, clientOrderId: again })).toBe(true);
    oms.apply({ kind: 'cancel_requested', ts: T + 6, clientOrderId: again });
    expect(k.release(T + 7, 30_000).drop.map((x) => [x.cid, x.why.split(' (')[0]])).toEqual([[again, 'cancelled before it was sent']]);
  });

  it('no stop, a flip\'s closing sell working then its opening sell is held until the close has filled (Alpaca refuses it meanwhile), then sent', () => {
    const oms = new Oms();
    buy(oms, 10);
    const k = new StopKeeper(oms, 5000);
    const sell = (id: string, qty: number) => {
      const cid = register(oms, { intentId: id, symbol: 'GLD', side: 'sell', qty, type: 'market', timeInForce: 'day', refPrice: 200, createdAt: T, reason: 't', postureSeq: 2 });
      return { cid, request: { symbol: 'GLD', qty: String(qty), side: 'sell' as const, type: 'market' as const, timeInForce: 'day' as const, clientOrderId: cid } };
    };
    const close = sell('p2:GLD:close', 10);
    const open = sell('p2:GLD:open', 5);
    // Nothing else works: the closing leg goes; with it working, the opening leg waits (a buy does not).
    expect(k.hold(close.cid, close.request)).toBe(false);
    expect(k.hold(open.cid, open.request)).toBe(true);
    expect(k.hold('b-1', { ...open.request, side: 'buy', clientOrderId: 'b-1' })).toBe(false);
    oms.apply({ kind: 'ack', ts: T, clientOrderId: close.cid, order: parseOrderOk(wire(close.cid, { side: 'sell', qty: '10', status: 'accepted' })) });
    expect(k.release(T + 1, 30_000)).toEqual({ send: [], drop: [] });
    const fill = (cid: string, qty: number, total: number, status: string): void => {
      oms.apply({
        kind: 'fill', ts: T + 2,
        fill: { executionId: `x-${cid}-${total}`, clientOrderId: cid, brokerOrderId: `b-${cid}`, symbol: 'GLD', side: 'sell', qty, price: 200, ts: T + 2, synthetic: false },
        order: parseOrderOk(wire(cid, { side: 'sell', qty: String(total), filled_qty: String(qty), filled_avg_price: '200', status })),
      });
    };
    // The close fills 4, is cancelled, and what is left goes at market (limit-timeouts.ts) after the opening leg was
    // held: that remainder holds the 6 shares now, so the opening leg still waits.
    fill(close.cid, 4, 10, 'partially_filled');
    oms.apply({ kind: 'update', ts: T + 3, event: 'canceled', order: parseOrderOk(wire(close.cid, { side: 'sell', qty: '10', filled_qty: '4', filled_avg_price: '200', status: 'canceled' })) });
    const rest = sell('p2:GLD:close:mkt', 6);
    expect(k.hold(rest.cid, rest.request)).toBe(false);
    expect(k.release(T + 4, 30_000)).toEqual({ send: [], drop: [] });
    fill(rest.cid, 6, 6, 'filled');
    expect(k.release(T + 5, 30_000).send.map((x) => x.cid)).toEqual([open.cid]);
    // Flat now: a sell goes at once (it opens a short).
    const more = sell('p3:GLD', 3);
    expect(k.hold(more.cid, more.request)).toBe(false);
  });
});
