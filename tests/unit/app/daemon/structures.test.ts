/**
 * Each record structure in TRADING_STRUCTURES must be the key list of a
 * message the code really builds, in creation order; otherwise the shape
 * silently travels self-described (bigger, slower) instead.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AllocatorDesk } from '../../../../actors/allocator/desk.js';
import { ConnectionMonitor } from '../../../../actors/broker/connection.js';
import { accountMsg, intentRefusedMsg } from '../../../../actors/broker/publish.js';
import { BrokerSessionCore } from '../../../../actors/broker/session-core.js';
import { RiskDesk } from '../../../../actors/risk/desk.js';
import { CATALOG } from '../../../../actors/strategy/registry.js';
import { ShardCore } from '../../../../actors/strategy/shard-core.js';
import { barMsg } from '../../../../actors/replay/tick-source.js';
import { TRADING_STRUCTURES } from '../../../../app/daemon/structures.js';
import { intent, wireOrder, wireUpdate } from '../../actors/broker/fixtures.js';

const T0 = Date.UTC(2025, 0, 6, 15, 0);
const keysOf = (o: object): string[] => Object.keys(o);

function samples(): Record<string, object> {
  const out: Record<string, object> = {};
  // strategy.signal, as the shard shell publishes it
  const shard = new ShardCore({ shard: 0, strategies: CATALOG.filter((s) => s.id === 'trend_ma_cross'), paramOverrides: { trend_ma_cross: { fast: 2, slow: 4 } } });
  for (let i = 0; i < 8; i++) shard.onMessage(barMsg('GLD', 100 + i + (i % 2) * 0.3, T0 + i * 60_000));
  const [sig] = shard.evaluate(T0 + 9 * 60_000);
  out.signal = { ...sig!, originNs: 1 };

  // allocator.intents with a market and a limit intent and a skipped symbol
  for (const orderType of ['market', 'limit'] as const) {
    const d = new AllocatorDesk({ config: { intents: { orderType, maxTurnover: 5 } } });
    d.onFeatures({ symbol: 'GLD', price: 100, vol: 0.2, ts: T0 });
    d.onSignal({ ...sig!, ts: T0 }, T0, 1);
    // A held symbol without a price is skipped.
    d.onPositions({ type: 'broker.positions', positions: [{ symbol: 'PALL', qty: 3, avgPrice: 90, realizedPnl: 0 }], pendingQty: {}, ts: T0 }, T0);
    d.onAccount({ type: 'broker.account', equity: 100_000, lastEquity: null, cash: 100_000, buyingPower: 100_000, status: 'ACTIVE', ts: T0 }, T0);
    const r = d.rebalance(T0);
    out.intents = r.intents;
    out[`intent_${orderType}`] = r.intents.intents[0]!;
    out.skipped = r.intents.skipped[0]!;
  }

  // risk verdicts, cancel and liquidation
  const risk = new RiskDesk({}, null, T0);
  risk.book.onConnection({ type: 'broker.connection', connected: true, ready: true, stream: 'listening', restFailures: 0, reason: null, since: T0, ts: T0 });
  risk.book.onAccount({ type: 'broker.account', equity: 100_000, lastEquity: null, cash: 100_000, buyingPower: 100_000, status: 'ACTIVE', ts: T0 });
  risk.book.onPrice('GLD', 200, T0);
  risk.book.onPositions({ type: 'broker.positions', positions: [{ symbol: 'GLD', qty: 5, avgPrice: 190, realizedPnl: 0 }], pendingQty: {}, ts: T0 });
  risk.noteAccount(T0);
  const v = risk.review({ type: 'allocator.intents', seq: 1, ts: T0, intents: [intent({ qty: 1 }), intent({ intentId: 'x', qty: 0 })], skipped: [], turnover: 0, originNs: 1 }, T0);
  out.approved = v.approved[0]!;
  out.denied = v.denied[0]!;
  risk.book.onOrderUpdate({ type: 'broker.order_update', clientOrderId: 'c', brokerOrderId: 'b', intentId: 'p1:GLD', symbol: 'GLD', side: 'buy', qty: 1, orderType: 'market', orderClass: null, limitPrice: null, stopPrice: null, trailPercent: null, parentClientOrderId: null, replaces: null, filledQty: 0, filledAvgPrice: null, status: 'new', submission: 'acked', event: 'new', reason: null, ts: T0 });
  risk.command({ type: 'risk.command', action: 'set', tier: 'FLATTEN', reason: 't', by: 't', at: T0 }, T0);
  risk.book.onIntentRefused({ type: 'broker.intent_refused', intentId: 'p1:GLD', symbol: 'GLD', reason: 'x', ts: T0 });
  const pass = risk.flattenPass(T0 + 1)!;
  out.cancel = pass.cancels[0]!;
  // A symbol is liquidated once its working order is confirmed gone.
  risk.book.onOrderUpdate({ type: 'broker.order_update', clientOrderId: 'c', brokerOrderId: 'b', intentId: 'p1:GLD', symbol: 'GLD', side: 'buy', qty: 1, orderType: 'market', orderClass: null, limitPrice: null, stopPrice: null, trailPercent: null, parentClientOrderId: null, replaces: null, filledQty: 0, filledAvgPrice: null, status: 'canceled', submission: 'acked', event: 'canceled', reason: null, ts: T0 });
  out.liquidation = risk.flattenPass(T0 + 2)!.approved[0]!.intent;

  // execution messages
  const dir = mkdtempSync(join(tmpdir(), 'qgtm-structures-'));
  try {
    const { session } = BrokerSessionCore.open({ journalPath: join(dir, 'wal'), salt: 's' });
    const rec = session.reconcile({ openOrders: [], recentOrders: [], positions: [], account: { equity: '1', cash: '1', buying_power: '1' } }, 'startup', T0);
    out.reconciled = rec.messages.find((m) => m.type === 'broker.reconciled')!;
    const d = session.submit(intent(), T0);
    if (!d.ok) throw new Error(d.reason);
    out.order_update = d.messages[0]!;
    const filled = session.onTradeUpdate(wireUpdate('fill', wireOrder({ client_order_id: d.clientOrderId, status: 'filled', filled_qty: '100', filled_avg_price: '200' }), { execution_id: 'e1', price: '200', qty: '100' }), T0);
    out.fill = filled.messages.find((m) => m.type === 'broker.fill')!;
    const positions = session.positionsMsg(T0);
    out.positions = positions;
    out.position = positions.positions[0]!;
    session.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const acct = accountMsg({ equity: '1', cash: '1', buying_power: '1', last_equity: '1', status: 'ACTIVE' }, T0);
  if (!acct.ok) throw new Error(acct.error);
  out.account = acct.value;
  out.connection = new ConnectionMonitor({ disconnectAfterMs: 1, restFailureLimit: 1 }, T0).message(T0);
  out.refused = intentRefusedMsg('i', 'GLD', 'r', T0);
  return out;
}

describe('TRADING_STRUCTURES', () => {
  it('every hot message the trading actors build then has its exact key list declared', () => {
    const declared = new Set(TRADING_STRUCTURES.map((s) => s.join(',')));
    const s = samples();
    const skipped = ['reconciled']; // once per reconciliation: not worth a record slot
    for (const [name, msg] of Object.entries(s)) {
      if (skipped.includes(name)) continue;
      expect([name, typeof msg]).toEqual([name, 'object']);
      expect([name, declared.has(keysOf(msg).join(','))]).toEqual([name, true]);
    }
  });

  it('every declared structure then matches a message the code builds (none is dead)', () => {
    const built = new Set(Object.values(samples()).map((m) => keysOf(m).join(',')));
    for (const s of TRADING_STRUCTURES) expect([s.join(','), built.has(s.join(','))]).toEqual([s.join(','), true]);
  });
});
