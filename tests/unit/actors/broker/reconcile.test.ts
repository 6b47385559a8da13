import { describe, expect, it } from 'vitest';
import { Oms, type OmsEvent } from '../../../../actors/broker/oms.js';
import { reconcile, type BrokerSnapshot } from '../../../../actors/broker/reconcile.js';
import type { BrokerPosition } from '../../../../actors/broker/alpaca-mapping.js';
import { brokerOrder, intent } from './fixtures.js';

const NOW = 100_000;
const pos = (symbol: string, qty: number, price: number): BrokerPosition => ({ symbol, qty, avgEntryPrice: price, currentPrice: price, marketValue: qty * price });
const snap = (over: Partial<BrokerSnapshot> = {}): BrokerSnapshot => ({ openOrders: [], recentOrders: [], positions: [], equity: 100_000, ...over });

/** An OMS with one acked GLD buy of 100, 40 filled at 200. */
function withPartial(): Oms {
  const oms = new Oms();
  oms.apply({ kind: 'intent', ts: 1_000, intent: intent(), clientOrderId: 'c-1' });
  oms.apply({ kind: 'ack', ts: 1_000, clientOrderId: 'c-1', order: brokerOrder({ status: 'new' }) });
  oms.apply({
    kind: 'fill', ts: 1_000,
    fill: { executionId: 'e1', clientOrderId: 'c-1', brokerOrderId: 'b-1', symbol: 'GLD', side: 'buy', qty: 40, price: 200, ts: 1_000, synthetic: false },
    order: brokerOrder({ status: 'partially_filled', filledQty: 40, filledAvgPrice: 200, updatedAt: 1_000 }),
  });
  return oms;
}

function applyAll(oms: Oms, evs: readonly OmsEvent[]): void {
  for (const e of evs) expect(oms.apply(e).ok).toBe(true);
}

describe('reconcile', () => {
  it('local and broker agree then passed with zero drift', () => {
    const oms = withPartial();
    const r = reconcile(oms, snap({ openOrders: [brokerOrder({ status: 'partially_filled', filledQty: 40, filledAvgPrice: 200 })], positions: [pos('GLD', 40, 200)] }), NOW);
    expect(r).toMatchObject({ passed: true, magnitude: 0, items: [], corrections: [] });
  });

  it('missed fills then drift reported, synthetic fill priced to broker average', () => {
    const oms = withPartial();
    const b = brokerOrder({ status: 'filled', filledQty: 100, filledAvgPrice: 203, updatedAt: 2_000 });
    const r = reconcile(oms, snap({ recentOrders: [b], positions: [pos('GLD', 100, 205)] }), NOW);
    expect(r.passed).toBe(false);
    expect(r.items).toEqual([{ kind: 'fill_mismatch', clientOrderId: 'c-1', symbol: 'GLD', localFilled: 40, brokerFilled: 100, corrected: true }]);
    expect(r.driftNotional).toBeCloseTo(60 * 205, 9);
    expect(r.magnitude).toBeCloseTo((60 * 205) / 100_000, 12);
    const fill = r.corrections[0] as Extract<OmsEvent, { kind: 'fill' }>;
    expect(fill.fill).toMatchObject({ executionId: 'recon:b-1:100', qty: 60, synthetic: true });
    expect(fill.fill.price).toBeCloseTo((203 * 100 - 200 * 40) / 60, 9);
    applyAll(oms, r.corrections);
    expect(oms.order('c-1')).toMatchObject({ filledQty: 100, status: 'filled' });
    expect(oms.order('c-1')!.filledAvgPrice).toBeCloseTo(203, 9);
    expect(reconcile(oms, snap({ recentOrders: [b], positions: [pos('GLD', 100, 205)] }), NOW).passed).toBe(true);
  });

  it('local open order unknown to broker then missing and marked lost', () => {
    const oms = withPartial();
    const r = reconcile(oms, snap({ positions: [pos('GLD', 40, 200)] }), NOW);
    expect(r.items).toEqual([{ kind: 'missing_at_broker', clientOrderId: 'c-1', symbol: 'GLD', status: 'partially_filled' }]);
    expect(r.corrections).toEqual([{ kind: 'mark_lost', ts: NOW, clientOrderId: 'c-1', reason: 'broker does not list this order' }]);
    applyAll(oms, r.corrections);
    expect(oms.openOrders()).toHaveLength(0);
  });

  it('broker order we do not know then adopted with its fills', () => {
    const oms = new Oms();
    const manual = brokerOrder({ id: 'b-9', clientOrderId: 'manual', symbol: 'SLV', side: 'sell', qty: 50, filledQty: 20, filledAvgPrice: 25, status: 'partially_filled', updatedAt: 5_000 });
    const r = reconcile(oms, snap({ openOrders: [manual], positions: [pos('SLV', -20, 25)] }), NOW);
    expect(r.items.map((i) => i.kind)).toEqual(['unknown_order', 'fill_mismatch']);
    applyAll(oms, r.corrections);
    expect(oms.order('manual')).toMatchObject({ intentId: null, filledQty: 20, status: 'partially_filled' });
    expect(oms.position('SLV').qty).toBe(-20);
    expect(reconcile(oms, snap({ openOrders: [manual], positions: [pos('SLV', -20, 25)] }), NOW).passed).toBe(true);
  });

  it('position differs with no order to explain it then position drift and broker truth adopted', () => {
    const oms = new Oms();
    const r = reconcile(oms, snap({ positions: [pos('GDX', 30, 40)] }), NOW);
    expect(r.items).toEqual([{ kind: 'position_drift', symbol: 'GDX', localQty: 0, brokerQty: 30, notional: 1_200 }]);
    expect(r.magnitude).toBeCloseTo(0.012, 12);
    applyAll(oms, r.corrections);
    expect(oms.position('GDX')).toMatchObject({ qty: 30, avgPrice: 40 });
  });

  it('fill activity we never saw then applied with the broker execution id', () => {
    const oms = withPartial();
    const r = reconcile(
      oms,
      snap({
        openOrders: [brokerOrder({ status: 'partially_filled', filledQty: 70, filledAvgPrice: 201, updatedAt: 3_000 })],
        recentFills: [
          { executionId: 'e1', orderId: 'b-1', symbol: 'GLD', side: 'buy', qty: 40, price: 200, ts: 1_000 },
          { executionId: 'e2', orderId: 'b-1', symbol: 'GLD', side: 'buy', qty: 30, price: 202 + 1 / 3, ts: 3_000 },
        ],
        positions: [pos('GLD', 70, 201)],
      }),
      NOW,
    );
    expect(r.items).toEqual([{ kind: 'missed_fill', executionId: 'e2', clientOrderId: 'c-1', symbol: 'GLD', qty: 30 }]);
    applyAll(oms, r.corrections);
    expect(oms.hasExecution('e2')).toBe(true);
    expect(oms.position('GLD').qty).toBe(70);
  });

  it('status differs then update adopted; impossible status then reported only', () => {
    const oms = withPartial();
    const canceled = brokerOrder({ status: 'canceled', filledQty: 40, filledAvgPrice: 200, updatedAt: 2_000 });
    const r = reconcile(oms, snap({ recentOrders: [canceled], positions: [pos('GLD', 40, 200)] }), NOW);
    expect(r.items).toEqual([{ kind: 'status_mismatch', clientOrderId: 'c-1', symbol: 'GLD', local: 'partially_filled', broker: 'canceled', corrected: true }]);
    applyAll(oms, r.corrections);
    expect(oms.order('c-1')!.status).toBe('canceled');
    const later = NOW + 60_000;
    const back = reconcile(oms, snap({ openOrders: [brokerOrder({ status: 'new', filledQty: 40, filledAvgPrice: 200, updatedAt: 2_000 })], positions: [pos('GLD', 40, 200)] }), later);
    expect(back.items).toEqual([{ kind: 'status_mismatch', clientOrderId: 'c-1', symbol: 'GLD', local: 'canceled', broker: 'new', corrected: false }]);
    expect(back.corrections).toEqual([]);
  });

  it('order updated within grace then deferred, not drift', () => {
    const oms = withPartial();
    const r = reconcile(
      oms,
      snap({ openOrders: [brokerOrder({ status: 'filled', filledQty: 100, filledAvgPrice: 203, updatedAt: NOW - 1_000 })], positions: [pos('GLD', 100, 203)] }),
      NOW,
      { graceMs: 5_000 },
    );
    expect(r.items).toEqual([]);
    expect(r.deferred).toBeGreaterThan(0);
    expect(r.corrections).toEqual([]);
  });

  it('ambiguous submission listed by broker then acked', () => {
    const oms = new Oms();
    oms.apply({ kind: 'intent', ts: 1_000, intent: intent(), clientOrderId: 'c-1' });
    oms.apply({ kind: 'submit_failed', ts: 1_000, clientOrderId: 'c-1', outcome: 'ambiguous', reason: 'timeout' });
    const r = reconcile(oms, snap({ openOrders: [brokerOrder({ status: 'new' })] }), NOW);
    expect(r.corrections.map((c) => c.kind)).toEqual(['ack']);
    applyAll(oms, r.corrections);
    expect(oms.pendingAmbiguous()).toHaveLength(0);
  });

  it('a bracket placed by hand: parent and legs nested in the recent listing, the working legs also flat in the open one, then all adopted with each leg under its parent', () => {
    const oms = new Oms();
    const tp = brokerOrder({ id: 'b-tp', clientOrderId: 'tp', side: 'sell', type: 'limit', limitPrice: 210, status: 'new' });
    const sl = brokerOrder({ id: 'b-sl', clientOrderId: 'sl', side: 'sell', type: 'stop', stopPrice: 190, status: 'new' });
    const parent = brokerOrder({ id: 'b-p', clientOrderId: 'p', status: 'filled', filledQty: 100, filledAvgPrice: 200, orderClass: 'bracket', legs: [tp, sl] });
    const recent = [parent, { ...tp, parentId: 'b-p' }, { ...sl, parentId: 'b-p' }];
    const r = reconcile(oms, snap({ recentOrders: recent, openOrders: [tp, sl], positions: [pos('GLD', 100, 200)] }), NOW);
    applyAll(oms, r.corrections);
    expect(oms.order('p')!.legs).toEqual(['tp', 'sl']);
    expect([oms.order('tp')!.parentClientOrderId, oms.order('sl')!.parentClientOrderId]).toEqual(['p', 'p']);
    expect(oms.position('GLD').qty).toBe(100);
    expect(reconcile(oms, snap({ recentOrders: recent, openOrders: [tp, sl], positions: [pos('GLD', 100, 200)] }), NOW).items).toEqual([]);
  });
});
