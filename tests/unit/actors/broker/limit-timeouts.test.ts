import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BrokerSessionCore, type RawBrokerState } from '../../../../actors/broker/session-core.js';
import { LimitTimeouts, remainderIntentId } from '../../../../actors/broker/limit-timeouts.js';
import { intent, wireOrder, wireUpdate } from './fixtures.js';

let dir = '';
let path = '';
const open: BrokerSessionCore[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'qgtm-limit-timeouts-'));
  path = join(dir, 'broker.wal');
});
afterEach(() => {
  for (const s of open.splice(0)) s.close();
  rmSync(dir, { recursive: true, force: true });
});

const account = { equity: '100000', cash: '100000', buying_power: '200000', status: 'ACTIVE' };
const empty: RawBrokerState = { openOrders: [], recentOrders: [], positions: [], account };
const OPTIONS = { maxResendAgeMs: 30_000, retryMs: 5_000 };
const NORMAL = { hold: false };
const FLATTEN = { hold: true };
const LIMIT = 199.5;

function session(): BrokerSessionCore {
  const { session: s } = BrokerSessionCore.open({ journalPath: path, salt: 'acct-1' });
  open.push(s);
  return s;
}

/** A ready session with a limit buy of 100 GLD (time limit 10 s) placed at t=1000 and acked by the venue. */
function working(over: Parameters<typeof intent>[0] = {}): { s: BrokerSessionCore; cid: string; order: (o: Record<string, unknown>) => Record<string, unknown> } {
  const s = session();
  s.reconcile(empty, 'startup', 0);
  const d = s.submit(intent({ type: 'limit', limitPrice: LIMIT, marketAfterMs: 10_000, postureSeq: 7, ...over }), 1_000);
  if (!d.ok) throw new Error(`submit refused: ${d.reason}`);
  const cid = d.clientOrderId;
  const order = (o: Record<string, unknown>) => wireOrder({ client_order_id: cid, type: 'limit', order_type: 'limit', limit_price: String(LIMIT), ...o });
  s.onSubmitOk(cid, order({ status: 'new' }), 1_010);
  return { s, cid, order };
}

describe('LimitTimeouts', () => {
  it('acked limit before its time limit then nothing; at the time limit then one cancel, asked again only after retryMs', () => {
    const { s, cid } = working();
    const t = new LimitTimeouts(s.oms, OPTIONS);
    expect(t.plan(10_999, NORMAL).cancels).toEqual([]);
    const due = t.plan(11_000, NORMAL);
    expect(due.cancels).toEqual([{ clientOrderId: cid, brokerOrderId: 'b-1', symbol: 'GLD', afterMs: 10_000 }]);
    s.requestCancel(cid, 11_000, 'market');
    expect(s.oms.order(cid)).toMatchObject({ cancelRequested: true, marketOnCancel: true });
    expect(t.plan(12_000, NORMAL)).toMatchObject({ cancels: [], recancels: [], converts: [] });
    expect(t.plan(16_000, NORMAL).recancels.map((c) => c.clientOrderId)).toEqual([cid]);
    expect(t.plan(17_000, NORMAL).recancels).toEqual([]);
  });

  it('a limit without a time limit, a market order, or one not yet acked then never cancelled', () => {
    const s = session();
    s.reconcile(empty, 'startup', 0);
    s.submit(intent({ intentId: 'p1:GLD', type: 'limit', limitPrice: LIMIT }), 1_000);
    s.submit(intent({ intentId: 'p1:SLV', symbol: 'SLV', type: 'limit', limitPrice: 25, marketAfterMs: 10 }), 1_000);
    s.submit(intent({ intentId: 'p1:IAU', symbol: 'IAU' }), 1_000);
    expect(new LimitTimeouts(s.oms, OPTIONS).plan(1_000_000, NORMAL).cancels).toEqual([]);
  });

  it('cancel landed with nothing filled then the whole order at market, once', () => {
    const { s, cid, order } = working();
    const t = new LimitTimeouts(s.oms, OPTIONS);
    s.requestCancel(cid, 11_000, 'market');
    expect(t.plan(11_100, NORMAL).converts).toEqual([]);
    s.onTradeUpdate(wireUpdate('canceled', order({ status: 'canceled' })), 11_200);
    const work = t.plan(11_300, NORMAL);
    expect(work.converts).toEqual([
      {
        from: cid,
        intent: {
          intentId: 'p1:GLD:mkt',
          symbol: 'GLD',
          side: 'buy',
          qty: 100,
          type: 'market',
          timeInForce: 'day',
          refPrice: LIMIT,
          createdAt: 11_300,
          reason: `limit ${cid} timed out after 10000 ms: the 100 of 100 left at market`,
          postureSeq: 7,
        },
      },
    ]);
    // Registered: never proposed again, and the OMS would refuse a second one.
    const d = s.submit(work.converts[0]!.intent, 11_300);
    expect(d.ok).toBe(true);
    expect(t.plan(11_400, NORMAL)).toMatchObject({ converts: [], skips: [] });
    expect(s.submit(work.converts[0]!.intent, 11_500)).toMatchObject({ ok: false, reason: expect.stringMatching(/^duplicate_intent/) });
  });

  it('partially filled then cancelled then only what is left at market, liquidation kept', () => {
    const { s, cid, order } = working({ side: 'sell', liquidation: true });
    const t = new LimitTimeouts(s.oms, OPTIONS);
    s.onTradeUpdate(wireUpdate('partial_fill', order({ side: 'sell', status: 'partially_filled', filled_qty: '40', filled_avg_price: String(LIMIT) }), { execution_id: 'e1', price: String(LIMIT), qty: '40' }), 5_000);
    expect(t.plan(11_000, NORMAL).cancels.map((c) => c.clientOrderId)).toEqual([cid]);
    s.requestCancel(cid, 11_000, 'market');
    s.onTradeUpdate(wireUpdate('canceled', order({ side: 'sell', status: 'canceled', filled_qty: '40', filled_avg_price: String(LIMIT) })), 11_200);
    const [c] = t.plan(11_300, NORMAL).converts;
    expect(c!.intent).toMatchObject({ intentId: remainderIntentId('p1:GLD'), side: 'sell', qty: 60, type: 'market', liquidation: true });
  });

  it('filled before the cancel landed then no market order, said once as filled_first', () => {
    const { s, cid, order } = working();
    const t = new LimitTimeouts(s.oms, OPTIONS);
    s.requestCancel(cid, 11_000, 'market');
    s.onTradeUpdate(wireUpdate('fill', order({ status: 'filled', filled_qty: '100', filled_avg_price: String(LIMIT) }), { execution_id: 'e1', price: String(LIMIT), qty: '100' }), 11_050);
    const work = t.plan(11_100, NORMAL);
    expect(work.converts).toEqual([]);
    expect(work.skips).toEqual([{ clientOrderId: cid, outcome: 'filled_first', detail: 'filled 100 of 100 before the cancel landed' }]);
    expect(t.plan(11_200, NORMAL).skips).toEqual([]);
  });

  it('FLATTEN holds then no cancel for the time limit, and a cancel landing meanwhile is never converted, even after FLATTEN ends', () => {
    const { s, cid, order } = working();
    const t = new LimitTimeouts(s.oms, OPTIONS);
    expect(t.plan(11_000, FLATTEN).cancels).toEqual([]);
    // Cancelled for its time limit just before FLATTEN.
    expect(t.plan(11_000, NORMAL).cancels.map((c) => c.clientOrderId)).toEqual([cid]);
    s.requestCancel(cid, 11_000, 'market');
    s.onTradeUpdate(wireUpdate('canceled', order({ status: 'canceled' })), 11_100);
    const held = t.plan(11_200, FLATTEN);
    expect(held.converts).toEqual([]);
    expect(held.skips.map((x) => [x.clientOrderId, x.outcome])).toEqual([[cid, 'skipped_hold']]);
    expect(t.plan(11_300, NORMAL)).toMatchObject({ converts: [], skips: [] });
  });

  it('no stops policy heard yet then nothing is done at all', () => {
    const { s, cid, order } = working();
    const t = new LimitTimeouts(s.oms, OPTIONS);
    expect(t.plan(11_000, null)).toMatchObject({ cancels: [], converts: [] });
    s.requestCancel(cid, 11_000, 'market');
    s.onTradeUpdate(wireUpdate('canceled', order({ status: 'canceled' })), 11_100);
    expect(t.plan(11_200, null).converts).toEqual([]);
    expect(t.plan(11_200, NORMAL).converts.map((c) => c.intent.qty)).toEqual([100]);
  });

  it('cancel ended longer ago than maxResendAgeMs then not sent, said once as skipped_stale', () => {
    const { s, cid, order } = working();
    s.requestCancel(cid, 11_000, 'market');
    s.onTradeUpdate(wireUpdate('canceled', order({ status: 'canceled' })), 11_100);
    const t = new LimitTimeouts(s.oms, OPTIONS);
    const work = t.plan(11_100 + 30_001, NORMAL);
    expect(work.converts).toEqual([]);
    expect(work.skips).toEqual([{ clientOrderId: cid, outcome: 'skipped_stale', detail: 'cancel ended 30001 ms ago (maxResendAgeMs 30000): the 100 left is not sent' }]);
    expect(t.plan(11_100 + 30_002, NORMAL).skips).toEqual([]);
  });

  it('an order cancelled by somebody else (no then) then never converted', () => {
    const { s, cid, order } = working();
    s.requestCancel(cid, 11_000);
    s.onTradeUpdate(wireUpdate('canceled', order({ status: 'canceled' })), 11_100);
    expect(new LimitTimeouts(s.oms, OPTIONS).plan(11_200, NORMAL)).toMatchObject({ cancels: [], converts: [], skips: [] });
  });

  it('journal replayed after a crash then the same decision, and once the remainder is journaled no second one', () => {
    const { s, cid, order } = working();
    s.onTradeUpdate(wireUpdate('partial_fill', order({ status: 'partially_filled', filled_qty: '30', filled_avg_price: String(LIMIT) }), { execution_id: 'e1', price: String(LIMIT), qty: '30' }), 5_000);
    s.requestCancel(cid, 11_000, 'market');
    s.onTradeUpdate(wireUpdate('canceled', order({ status: 'canceled', filled_qty: '30', filled_avg_price: String(LIMIT) })), 11_200);
    const before = new LimitTimeouts(s.oms, OPTIONS).plan(12_000, NORMAL);
    expect(before.converts.map((c) => c.intent.qty)).toEqual([70]);
    // kill -9: no close, a new session on the same journal.
    const again = session();
    const after = new LimitTimeouts(again.oms, OPTIONS).plan(12_000, NORMAL);
    expect(after).toEqual(before);
    again.reconcile(empty, 'startup', 12_000);
    const d = again.submit(after.converts[0]!.intent, 12_000);
    if (!d.ok) throw new Error(`remainder refused: ${d.reason}`);
    // And again, now that the remainder's intent is in the journal.
    const third = session();
    expect(third.oms.orderForIntent('p1:GLD:mkt')?.clientOrderId).toBe(d.clientOrderId);
    expect(new LimitTimeouts(third.oms, OPTIONS).plan(12_100, NORMAL)).toMatchObject({ cancels: [], converts: [], skips: [] });
  });
});
