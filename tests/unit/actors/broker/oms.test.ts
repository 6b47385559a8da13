import { describe, expect, it } from 'vitest';
import { Oms, type OmsEvent } from '../../../../actors/broker/oms.js';
import type { BrokerOrder } from '../../../../actors/broker/alpaca-mapping.js';
import { brokerOrder, intent } from './fixtures.js';

const CID = 'c-1';
const fillEv = (execId: string, qty: number, price: number, order: Partial<BrokerOrder> | null, synthetic = false): OmsEvent => ({
  kind: 'fill',
  ts: 2_000,
  fill: { executionId: execId, clientOrderId: CID, brokerOrderId: 'b-1', symbol: 'GLD', side: 'buy', qty, price, ts: 2_000, synthetic },
  order: order === null ? null : brokerOrder(order),
});

function submitted(): Oms {
  const oms = new Oms();
  expect(oms.apply({ kind: 'intent', ts: 1_000, intent: intent(), clientOrderId: CID }).ok).toBe(true);
  return oms;
}

describe('Oms', () => {
  it('lifecycle with partial fills then status, average price and position follow', () => {
    const oms = submitted();
    expect(oms.order(CID)).toMatchObject({ submission: 'pending', status: null, intentId: 'p1:GLD' });
    oms.apply({ kind: 'ack', ts: 1_100, clientOrderId: CID, order: brokerOrder({ status: 'accepted' }) });
    expect(oms.order(CID)).toMatchObject({ submission: 'acked', status: 'accepted', brokerOrderId: 'b-1' });
    oms.apply({ kind: 'update', ts: 1_200, event: 'new', order: brokerOrder({ status: 'new' }) });
    const r1 = oms.apply(fillEv('e1', 40, 200, { status: 'partially_filled', filledQty: 40 }));
    expect(r1.ok && r1.kind).toBe('applied');
    expect(oms.order(CID)).toMatchObject({ status: 'partially_filled', filledQty: 40, filledAvgPrice: 200 });
    oms.apply(fillEv('e2', 60, 205, { status: 'filled', filledQty: 100 }));
    const o = oms.order(CID)!;
    expect(o.status).toBe('filled');
    expect(o.filledQty).toBe(100);
    expect(o.filledAvgPrice).toBeCloseTo((40 * 200 + 60 * 205) / 100, 12);
    expect(oms.position('GLD')).toMatchObject({ qty: 100 });
    expect(oms.position('GLD').avgPrice).toBeCloseTo(203, 12);
    expect(oms.openOrders()).toHaveLength(0);
    expect(oms.orderByBrokerId('b-1')?.clientOrderId).toBe(CID);
  });

  it('duplicate execution id then ignored', () => {
    const oms = submitted();
    oms.apply(fillEv('e1', 40, 200, { status: 'partially_filled', filledQty: 40 }));
    const dup = oms.apply(fillEv('e1', 40, 200, { status: 'partially_filled', filledQty: 40 }));
    expect(dup.ok && dup.kind).toBe('duplicate');
    expect(oms.order(CID)!.filledQty).toBe(40);
    expect(oms.position('GLD').qty).toBe(40);
    expect(oms.stats().duplicate_fill).toBe(1);
  });

  it('invalid state transition then rejected with error and state kept', () => {
    const oms = submitted();
    oms.apply({ kind: 'update', ts: 1_200, event: 'canceled', order: brokerOrder({ status: 'canceled' }) });
    const r = oms.apply({ kind: 'update', ts: 1_300, event: 'new', order: brokerOrder({ status: 'new' }) });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toBe('invalid_transition: order c-1 canceled -> new (new)');
    expect(oms.order(CID)!.status).toBe('canceled');
    expect(oms.stats().error_update).toBe(1);
  });

  it('fill after cancel then money kept and anomaly reported', () => {
    const oms = submitted();
    oms.apply({ kind: 'update', ts: 1_200, event: 'canceled', order: brokerOrder({ status: 'canceled' }) });
    const r = oms.apply(fillEv('e1', 10, 200, null));
    expect(r.ok && r.kind).toBe('applied');
    if (r.ok && r.kind === 'applied') expect(r.anomaly).toMatch(/^fill_status/);
    expect(oms.position('GLD').qty).toBe(10);
  });

  it('same intent twice then refused: never two live orders', () => {
    const oms = submitted();
    expect(oms.refuseIntent(intent(), 'c-2')).toMatch(/^duplicate_intent/);
    const r = oms.apply({ kind: 'intent', ts: 1_000, intent: intent(), clientOrderId: 'c-2' });
    expect(r.ok).toBe(false);
    expect(oms.orders()).toHaveLength(1);
  });

  it('timeout then ambiguous until lookup, not found then resendable', () => {
    const oms = submitted();
    oms.apply({ kind: 'submit_failed', ts: 1_100, clientOrderId: CID, outcome: 'ambiguous', reason: 'timeout' });
    expect(oms.pendingAmbiguous().map((o) => o.clientOrderId)).toEqual([CID]);
    expect(oms.sendable()).toHaveLength(0);
    oms.apply({ kind: 'lookup_not_found', ts: 1_200, clientOrderId: CID });
    expect(oms.pendingAmbiguous()).toHaveLength(0);
    expect(oms.sendable().map((o) => o.clientOrderId)).toEqual([CID]);
  });

  it('timeout then lookup finds it then acked without resubmission', () => {
    const oms = submitted();
    oms.apply({ kind: 'submit_failed', ts: 1_100, clientOrderId: CID, outcome: 'ambiguous', reason: 'timeout' });
    oms.apply({ kind: 'ack', ts: 1_200, clientOrderId: CID, order: brokerOrder({ status: 'new' }) });
    expect(oms.order(CID)).toMatchObject({ submission: 'acked', status: 'new' });
    expect(oms.sendable()).toHaveLength(0);
  });

  it('stream event before HTTP ack then late ack does not rewind status', () => {
    const oms = submitted();
    oms.apply(fillEv('e1', 100, 200, { status: 'filled', filledQty: 100 }));
    oms.apply({ kind: 'ack', ts: 1_500, clientOrderId: CID, order: brokerOrder({ status: 'new' }) });
    expect(oms.order(CID)).toMatchObject({ status: 'filled', submission: 'acked' });
  });

  it('synthetic reconciliation fill then late real fill not double counted', () => {
    const oms = submitted();
    oms.apply(fillEv('recon:b-1:40', 40, 200, { status: 'partially_filled', filledQty: 40 }, true));
    const late = oms.apply(fillEv('e1', 40, 200, { status: 'partially_filled', filledQty: 40 }));
    expect(late.ok && late.kind).toBe('duplicate');
    oms.apply(fillEv('e2', 60, 201, { status: 'filled', filledQty: 100 }));
    expect(oms.position('GLD').qty).toBe(100);
  });

  it('fills out of order then both counted', () => {
    const oms = submitted();
    oms.apply(fillEv('e2', 60, 201, { status: 'partially_filled', filledQty: 60 }));
    oms.apply(fillEv('e1', 30, 200, { status: 'partially_filled', filledQty: 30 }));
    expect(oms.order(CID)!.filledQty).toBe(90);
  });

  it('fill for an order we never sent then adopted and position kept', () => {
    const oms = new Oms();
    const r = oms.apply(fillEv('e1', 5, 200, { clientOrderId: 'manual-1', id: 'b-7', status: 'filled', qty: 5, filledQty: 5 }));
    expect(r.ok && r.kind === 'applied' && r.anomaly).toMatch(/^adopted_unknown_order/);
    expect(oms.order('manual-1')).toMatchObject({ intentId: null, filledQty: 5, status: 'filled' });
    expect(oms.position('GLD').qty).toBe(5);
  });

  it('position reduce and flip then realised pnl and new average', () => {
    const oms = new Oms();
    oms.apply({ kind: 'intent', ts: 0, intent: intent({ intentId: 'a', qty: 10 }), clientOrderId: 'a' });
    oms.apply({ kind: 'intent', ts: 0, intent: intent({ intentId: 'b', side: 'sell', qty: 15 }), clientOrderId: 'b' });
    oms.apply({ kind: 'fill', ts: 1, fill: { executionId: 'x1', clientOrderId: 'a', brokerOrderId: null, symbol: 'GLD', side: 'buy', qty: 10, price: 100, ts: 1, synthetic: false }, order: null });
    oms.apply({ kind: 'fill', ts: 2, fill: { executionId: 'x2', clientOrderId: 'b', brokerOrderId: null, symbol: 'GLD', side: 'sell', qty: 15, price: 110, ts: 2, synthetic: false }, order: null });
    expect(oms.position('GLD')).toEqual({ symbol: 'GLD', qty: -5, avgPrice: 110, realizedPnl: 100 });
  });

  it('open orders then pending quantity signed per symbol', () => {
    const oms = new Oms();
    oms.apply({ kind: 'intent', ts: 0, intent: intent({ intentId: 'a', qty: 10 }), clientOrderId: 'a' });
    oms.apply({ kind: 'intent', ts: 0, intent: intent({ intentId: 'b', symbol: 'SLV', side: 'sell', qty: 7 }), clientOrderId: 'b' });
    expect(oms.pendingQty()).toEqual({ GLD: 10, SLV: -7 });
  });

  it('snapshot event then state restored exactly', () => {
    const oms = submitted();
    oms.apply(fillEv('e1', 40, 200, { status: 'partially_filled', filledQty: 40 }));
    const copy = new Oms();
    copy.apply({ kind: 'snapshot', ts: 3_000, state: oms.snapshot() });
    expect(copy.snapshot()).toEqual(oms.snapshot());
    expect(copy.hasExecution('e1')).toBe(true);
    expect(copy.orderForIntent('p1:GLD')?.clientOrderId).toBe(CID);
  });

  it('replace asked, refused by the broker, then its predecessor works as it was; asked again, acked, replaced: the chain and the pending exposure counted once', () => {
    const oms = submitted();
    oms.apply({ kind: 'ack', ts: 1_100, clientOrderId: CID, order: brokerOrder({ status: 'new', type: 'limit', limitPrice: 190 }) });
    expect(oms.refuseReplace(CID, 'r-1', {})).toMatch(/^nothing_to_change/);
    expect(oms.refuseReplace(CID, CID, { qty: 5 })).toMatch(/^duplicate_client_order_id/);
    expect(oms.refuseReplace(CID, 'r-1', { qty: -1 })).toMatch(/^bad_change: qty/);
    expect(oms.apply({ kind: 'replace_requested', ts: 1_200, clientOrderId: CID, newClientOrderId: 'r-1', changes: { limitPrice: 191 } }).ok).toBe(true);
    expect(oms.order('r-1')).toMatchObject({ submission: 'pending', replaces: CID, qty: 100, limitPrice: 191, intentId: 'p1:GLD' });
    expect(oms.order(CID)!.replacement).toBe('r-1');
    // One order in two states: its 100 count once.
    expect(oms.pendingQty()).toEqual({ GLD: 100 });
    expect(oms.refuseReplace(CID, 'r-2', { qty: 5 })).toMatch(/^replace_in_flight/);
    oms.apply({ kind: 'submit_failed', ts: 1_300, clientOrderId: 'r-1', outcome: 'rejected', reason: 'HTTP 422: order is not replaceable' });
    expect([oms.order('r-1')!.submission, oms.order(CID)!.replacement]).toEqual(['rejected', null]);
    expect(oms.apply({ kind: 'replace_requested', ts: 1_400, clientOrderId: CID, newClientOrderId: 'r-2', changes: { qty: 60 } }).ok).toBe(true);
    oms.apply({ kind: 'ack', ts: 1_500, clientOrderId: 'r-2', order: brokerOrder({ id: 'b-2', clientOrderId: 'r-2', qty: 60, status: 'accepted', type: 'limit', limitPrice: 190, replaces: 'b-1' }) });
    oms.apply({ kind: 'update', ts: 1_600, event: 'replaced', order: brokerOrder({ status: 'replaced', type: 'limit', limitPrice: 190, replacedBy: 'b-2' }) });
    expect([oms.order(CID)!.status, oms.order('r-2')!.submission, oms.orderForIntent('p1:GLD')!.clientOrderId]).toEqual(['replaced', 'acked', 'r-2']);
    expect(oms.pendingQty()).toEqual({ GLD: 60 });
    // The snapshot keeps the chain.
    const copy = new Oms();
    copy.apply({ kind: 'snapshot', ts: 2_000, state: oms.snapshot() });
    expect(copy.order('r-2')).toMatchObject({ replaces: CID });
  });

  it('a parent acked with nested legs then each leg is an order of its own under it; held legs and an oco stop are not pending exposure; a leg replaced then the parent lists its replacement', () => {
    const oms = new Oms();
    oms.apply({ kind: 'intent', ts: 1_000, intent: intent({ orderClass: 'bracket', takeProfit: { limitPrice: 210 }, stopLoss: { stopPrice: 190 } }), clientOrderId: CID });
    const tp = brokerOrder({ id: 'b-tp', clientOrderId: 'tp', side: 'sell', type: 'limit', limitPrice: 210, status: 'held' });
    const sl = brokerOrder({ id: 'b-sl', clientOrderId: 'sl', side: 'sell', type: 'stop', stopPrice: 190, status: 'held' });
    oms.apply({ kind: 'ack', ts: 1_100, clientOrderId: CID, order: brokerOrder({ status: 'accepted', orderClass: 'bracket', legs: [tp, sl] }) });
    expect(oms.order(CID)).toMatchObject({ orderClass: 'bracket', legs: ['tp', 'sl'], takeProfit: { limitPrice: 210 } });
    expect([oms.order('tp')!.parentClientOrderId, oms.order('sl')!.parentClientOrderId, oms.order('sl')!.brokerOrderId]).toEqual([CID, CID, 'b-sl']);
    expect(oms.pendingQty()).toEqual({ GLD: 100 });
    // Entry filled, legs live: both legs close the same shares (Alpaca cancels the other when one fills).
    oms.apply(fillEv('e1', 100, 200, { status: 'filled', filledQty: 100 }));
    oms.apply({ kind: 'update', ts: 2_100, event: 'new', order: { ...tp, status: 'new' } });
    expect(oms.stats()).not.toHaveProperty('anomaly_adopted_unknown_order');
    expect(oms.apply({ kind: 'replace_requested', ts: 2_200, clientOrderId: 'tp', newClientOrderId: 'tp-2', changes: { limitPrice: 209 } }).ok).toBe(true);
    expect(oms.order('tp-2')!.parentClientOrderId).toBe(CID);
    oms.apply({ kind: 'update', ts: 2_300, event: 'replaced', order: { ...tp, status: 'replaced' } });
    expect(oms.order(CID)!.legs).toEqual(['tp-2', 'sl']);
    // An oco: the take profit is the order, its one leg the stop; only one of the two can trade.
    const oco = new Oms();
    oco.apply({ kind: 'adopt_order', ts: 1, order: brokerOrder({ id: 'o', clientOrderId: 'o', side: 'sell', type: 'limit', limitPrice: 210, orderClass: 'oco', legs: [{ ...sl, id: 'o-sl', clientOrderId: 'o-sl', status: 'new' }] }) });
    expect([oco.order('o-sl')!.parentClientOrderId, oco.pendingQty()]).toEqual(['o', { GLD: -100 }]);
  });
});
