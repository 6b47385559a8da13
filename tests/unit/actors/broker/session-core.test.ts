import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BrokerSessionCore, type RawBrokerState } from '../../../../actors/broker/session-core.js';
import type { BrokerFillMsg, BrokerMsg, BrokerReconciledMsg } from '../../../../actors/broker/messages.js';
import { intent, wireOrder, wireUpdate } from './fixtures.js';

let dir = '';
let path = '';
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'qgtm-session-'));
  path = join(dir, 'broker.wal');
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const account = { equity: '100000', cash: '100000', buying_power: '200000', status: 'ACTIVE' };
const empty: RawBrokerState = { openOrders: [], recentOrders: [], positions: [], account };
const of = <T extends BrokerMsg['type']>(msgs: readonly BrokerMsg[], type: T) => msgs.filter((m) => m.type === type) as Extract<BrokerMsg, { type: T }>[];

function readySession(): BrokerSessionCore {
  const { session } = BrokerSessionCore.open({ journalPath: path, salt: 'acct-1' });
  session.reconcile(empty, 'startup', 0);
  expect(session.ready).toBe(true);
  return session;
}

describe('BrokerSessionCore', () => {
  it('start-up reconciliation not passed then submit refused', () => {
    const { session } = BrokerSessionCore.open({ journalPath: path, salt: 'acct-1' });
    const d = session.submit(intent(), 1_000);
    expect(d.ok).toBe(false);
    if (!d.ok) expect(d.reason).toMatch(/^not_ready/);
    session.close();
  });

  it('submit then intent durable on disk before the request is handed out', () => {
    const s = readySession();
    const d = s.submit(intent(), 1_000);
    expect(d.ok).toBe(true);
    if (!d.ok) return;
    const onDisk = readFileSync(path, 'utf8');
    expect(onDisk).toContain(`"clientOrderId":"${d.clientOrderId}"`);
    expect(onDisk).toContain('"kind":"intent"');
    expect(d.request).toMatchObject({ symbol: 'GLD', qty: '100', side: 'buy', type: 'market', clientOrderId: d.clientOrderId });
    expect(of(d.messages, 'broker.order_update')[0]).toMatchObject({ event: 'submitted', submission: 'pending', intentId: 'p1:GLD' });
    expect(s.submit(intent(), 1_001).ok).toBe(false);
    s.close();
  });

  it('a review of three intents, one a repeat, then one write for the two, both on disk before either request, the repeat refused', () => {
    const s = readySession();
    const before = readFileSync(path, 'utf8').split('\n').length;
    const ds = s.submitBatch([intent({ intentId: 'p1:GLD' }), intent({ intentId: 'p1:SLV', symbol: 'SLV' }), intent({ intentId: 'p1:GLD' })], 1_000);
    expect(ds.map((d) => d.ok)).toEqual([true, true, false]);
    const onDisk = readFileSync(path, 'utf8');
    for (const d of ds) if (d.ok) expect(onDisk).toContain(`"clientOrderId":"${d.clientOrderId}"`);
    expect(onDisk.split('\n').length - before).toBe(2);
    const third = ds[2]!;
    if (!third.ok) expect(third.reason).toMatch(/^duplicate_intent/);
    // The batch is the same as two submits: a later submit of either is a duplicate.
    expect(s.submit(intent({ intentId: 'p1:SLV', symbol: 'SLV' }), 1_001).ok).toBe(false);
    s.close();
  });

  it('timeout then looked up by client order id before any resubmission', () => {
    const s = readySession();
    const d = s.submit(intent(), 1_000);
    if (!d.ok) throw new Error('submit refused');
    const r = s.onSubmitError(d.clientOrderId, new Error('The operation was aborted due to timeout'), 1_100);
    expect(r.outcome).toBe('ambiguous');
    expect(s.oms.pendingAmbiguous().map((o) => o.clientOrderId)).toEqual([d.clientOrderId]);
    expect(s.resendRequest(d.clientOrderId)).toBeNull(); // not before the lookup
    s.onLookup(d.clientOrderId, null, 1_200);
    expect(s.resendRequest(d.clientOrderId)).toEqual(d.request);
    s.close();
  });

  it('fill lifecycle over trade_updates then fills deduplicated and positions published', () => {
    const s = readySession();
    const d = s.submit(intent(), 1_000);
    if (!d.ok) throw new Error('submit refused');
    const cid = d.clientOrderId;
    s.onSubmitOk(cid, wireOrder({ client_order_id: cid, status: 'accepted' }), 1_010);
    s.onTradeUpdate(wireUpdate('new', wireOrder({ client_order_id: cid, status: 'new' })), 1_020);
    const p1 = s.onTradeUpdate(wireUpdate('partial_fill', wireOrder({ client_order_id: cid, status: 'partially_filled', filled_qty: '40', filled_avg_price: '200' }), { execution_id: 'e1', price: '200', qty: '40', position_qty: '40' }), 1_030);
    expect(of(p1.messages, 'broker.fill')[0]).toMatchObject({ executionId: 'e1', qty: 40, price: 200, positionQty: 40, synthetic: false });
    const dup = s.onTradeUpdate(wireUpdate('partial_fill', wireOrder({ client_order_id: cid, status: 'partially_filled', filled_qty: '40', filled_avg_price: '200' }), { execution_id: 'e1', price: '200', qty: '40' }), 1_031);
    expect(dup.messages).toEqual([]);
    const p2 = s.onTradeUpdate(wireUpdate('fill', wireOrder({ client_order_id: cid, status: 'filled', filled_qty: '100', filled_avg_price: '202.4' }), { execution_id: 'e2', price: '204', qty: '60' }), 1_040);
    const fill = of(p2.messages, 'broker.fill')[0] as BrokerFillMsg;
    expect(fill.positionQty).toBe(100);
    expect(fill.positionAvgPrice).toBeCloseTo(202.4, 9);
    expect(of(p2.messages, 'broker.positions')[0]!.positions).toEqual([{ symbol: 'GLD', qty: 100, avgPrice: fill.positionAvgPrice, realizedPnl: 0 }]);
    expect(s.stats().duplicate_execution).toBe(1);
    s.close();
  });

  it('process killed then reopened session rebuilds the same OMS from the journal', () => {
    const s = readySession();
    const d = s.submit(intent(), 1_000);
    if (!d.ok) throw new Error('submit refused');
    s.onSubmitOk(d.clientOrderId, wireOrder({ client_order_id: d.clientOrderId, status: 'new' }), 1_010);
    s.onTradeUpdate(wireUpdate('partial_fill', wireOrder({ client_order_id: d.clientOrderId, status: 'partially_filled', filled_qty: '40', filled_avg_price: '200' }), { execution_id: 'e1', price: '200', qty: '40' }), 1_030);
    const before = s.oms.snapshot();
    // No close(), no compaction: as after kill -9.
    const { session: again, replayErrors } = BrokerSessionCore.open({ journalPath: path, salt: 'acct-1' });
    expect(replayErrors).toEqual([]);
    expect(again.oms.snapshot()).toEqual(before);
    expect(again.ready).toBe(false); // must reconcile again before trading
    s.close();
    again.close();
  });

  it('crash after journaling an intent then order is ambiguous on restart', () => {
    const s = readySession();
    const d = s.submit(intent(), 1_000);
    if (!d.ok) throw new Error('submit refused');
    s.close();
    const { session } = BrokerSessionCore.open({ journalPath: path, salt: 'acct-1' });
    expect(session.oms.pendingAmbiguous().map((o) => o.clientOrderId)).toEqual([d.clientOrderId]);
    session.onLookup(d.clientOrderId, wireOrder({ client_order_id: d.clientOrderId, status: 'filled', filled_qty: '100', filled_avg_price: '200' }), 2_000);
    expect(session.oms.order(d.clientOrderId)).toMatchObject({ submission: 'acked', status: 'filled' });
    session.close();
  });

  it('start-up with broker positions we lack then corrected, drift reported and ready', () => {
    const { session } = BrokerSessionCore.open({ journalPath: path, salt: 'acct-1' });
    const r = session.reconcile({ ...empty, positions: [{ symbol: 'GDX', qty: '30', side: 'long', avg_entry_price: '40', current_price: '40' }] }, 'startup', 0);
    const msg = of(r.messages, 'broker.reconciled')[0] as BrokerReconciledMsg;
    expect(msg).toMatchObject({ phase: 'startup', passed: true, ready: true, corrections: 1 });
    expect(msg.magnitude).toBeCloseTo(0.012, 12);
    expect(session.oms.position('GDX').qty).toBe(30);
    session.close();
  });

  it('start-up with drift that cannot be corrected then not ready', () => {
    const s = readySession();
    const d = s.submit(intent(), 1_000);
    if (!d.ok) throw new Error('submit refused');
    s.onSubmitOk(d.clientOrderId, wireOrder({ client_order_id: d.clientOrderId, status: 'new' }), 1_010);
    s.onTradeUpdate(wireUpdate('canceled', wireOrder({ client_order_id: d.clientOrderId, status: 'canceled' })), 1_020);
    s.close();
    const { session } = BrokerSessionCore.open({ journalPath: path, salt: 'acct-1' });
    // The broker claims the order we saw cancelled is working again: not a move we can adopt.
    const r = session.reconcile({ ...empty, openOrders: [wireOrder({ client_order_id: d.clientOrderId, status: 'new' })] }, 'startup', 5_000);
    expect(session.ready).toBe(false);
    expect(of(r.messages, 'broker.reconciled')[0]).toMatchObject({ passed: false, ready: false });
    expect(session.submit(intent({ intentId: 'p2:GLD' }), 5_001).ok).toBe(false);
    session.close();
  });

  it('garbage trade update then rejected with reason and counted', () => {
    const s = readySession();
    const r = s.onTradeUpdate({ event: 'fill', order: { id: 'x' } }, 1_000);
    expect(r.error).toBe('bad_trade_update: trade_update: order.status undefined is not a known order status');
    expect(s.stats().bad_trade_update).toBe(1);
    s.close();
  });

  it('compacted then reopened with same state', () => {
    const s = readySession();
    for (let k = 0; k < 5; k++) {
      const d = s.submit(intent({ intentId: `p${k}:GLD` }), 1_000 + k);
      if (d.ok) s.onSubmitOk(d.clientOrderId, wireOrder({ id: `b-${k}`, client_order_id: d.clientOrderId, status: 'new' }), 1_100 + k);
    }
    const before = s.oms.snapshot();
    s.compact(2_000);
    s.close();
    const { session, replay } = BrokerSessionCore.open({ journalPath: path, salt: 'acct-1' });
    expect(replay.records).toHaveLength(1);
    expect(session.oms.snapshot()).toEqual(before);
    session.close();
  });
});

describe('BrokerSessionCore paper-first gate', () => {
  const paperOnly = (n: string | null): string | null => (n !== null && /^PA/.test(n) ? null : `live trading refused: account ${n}`);

  it('start-up against a live-looking account then not ready and submit refused', () => {
    const { session } = BrokerSessionCore.open({ journalPath: path, salt: 'acct-1', accountRefusal: paperOnly });
    const r = session.reconcile({ ...empty, account: { ...account, account_number: '123456789' } }, 'startup', 0);
    expect(session.ready).toBe(false);
    expect(r.error).toContain('live trading refused: account 123456789');
    expect(of(r.messages, 'broker.reconciled')[0]!.passed).toBe(false);
    const d = session.submit(intent(), 1);
    expect(d.ok).toBe(false);
  });

  it('start-up against a paper account then ready', () => {
    const { session } = BrokerSessionCore.open({ journalPath: path, salt: 'acct-1', accountRefusal: paperOnly });
    session.reconcile({ ...empty, account: { ...account, account_number: 'PA0001' } }, 'startup', 0);
    expect(session.ready).toBe(true);
  });
});
