/**
 * The open-order indexes (the OMS's `openOrders`, the matching engine's
 * open set behind `list({status: 'open'})`, held quantities and reserved
 * buying power) against a scan of every order, over a seeded random life:
 * orders of both sides and types placed through the broker session into the
 * engine, quotes that fill some of them in parts, cancels, expiries.
 */
import { describe, expect, it } from 'vitest';
import { BrokerSessionCore } from '../../../../actors/broker/session-core.js';
import { isOpenOrder } from '../../../../actors/broker/oms.js';
import type { OrderIntent } from '../../../../actors/allocator/intent.js';
import { MatchingEngine, type TradeUpdateData } from '../../../../src/matching/engine.js';
import { Prng } from '../../../../src/prng.js';
import { FakeMarket } from '../../src/matching/fake-market.js';

describe('open-order indexes', () => {
  it('a seeded life of orders, fills and cancels then every index equals the scan of all orders', () => {
    const rng = new Prng(17);
    const market = new FakeMarket();
    for (const s of ['GLD', 'SLV', 'GDX']) market.set(s, 99.9, 100.1, 50);
    const engine = new MatchingEngine({ market, seed: 3, now: market.now, cash: 1e7, accountMode: 'margin' });
    const updates: TradeUpdateData[] = [];
    engine.onUpdate((u) => updates.push(u));
    const session = BrokerSessionCore.inMemory({ salt: 't' });
    session.reconcile({ openOrders: [], recentOrders: [], positions: [], account: engine.accountWire(market.now) }, 'startup', market.now);
    const settle = (): void => {
      for (const u of updates.splice(0)) session.onTradeUpdate(u, market.now);
    };
    let seq = 0;
    for (let step = 0; step < 600; step++) {
      const symbol = ['GLD', 'SLV', 'GDX'][rng.int(0, 2)]!;
      const r = rng.next();
      if (r < 0.45) {
        const limit = rng.chance(0.6);
        const side = rng.chance(0.5) ? 'buy' : 'sell';
        const intent: OrderIntent = {
          intentId: `p${++seq}:${symbol}`,
          symbol,
          side,
          qty: rng.int(1, 120),
          type: limit ? 'limit' : 'market',
          ...(limit ? { limitPrice: Math.round((100 + (side === 'buy' ? -1 : 1) * rng.next() * 0.5) * 100) / 100 } : {}),
          timeInForce: rng.chance(0.1) ? 'ioc' : 'day',
          refPrice: 100,
          createdAt: market.now,
          reason: 'test',
          postureSeq: seq,
        };
        const [d] = session.submitBatch([intent], market.now);
        if (d?.ok) {
          try {
            session.onSubmitOk(d.clientOrderId, engine.submit(d.restBody, market.now), market.now);
          } catch (err) {
            session.onSubmitError(d.clientOrderId, err, market.now);
          }
        }
      } else if (r < 0.85) {
        const mid = 100 + (rng.next() - 0.5) * 1.2;
        engine.onQuotes([market.set(symbol, Math.round((mid - 0.1) * 100) / 100, Math.round((mid + 0.1) * 100) / 100, rng.int(0, 80))]);
      } else {
        const open = engine.list({ status: 'open', limit: 500 });
        if (open.length > 0) engine.cancel(String(open[rng.int(0, open.length - 1)]!.id), market.now);
      }
      settle();
      if (step % 25 === 0 || step === 599) {
        const all = engine.list({ status: 'all', limit: 500, direction: 'asc' });
        const scanned = all.filter((o) => ['accepted', 'pending_new', 'new', 'partially_filled', 'pending_cancel'].includes(String(o.status)));
        expect(engine.list({ status: 'open', limit: 500, direction: 'asc' }).map((o) => o.id)).toEqual(scanned.map((o) => o.id));
        expect(session.oms.openOrders().map((o) => o.clientOrderId)).toEqual(session.oms.orders().filter(isOpenOrder).map((o) => o.clientOrderId));
        // Buying power: margin equity x 2 less what the open orders hold (buys at their limit or the price).
        const held = scanned.reduce((sum, o) => sum + (o.side === 'buy' ? (Number(o.qty) - Number(o.filled_qty)) * Number(o.limit_price ?? market.price(String(o.symbol))) : 0), 0);
        const acct = engine.accountWire(market.now);
        expect(Number(acct.buying_power)).toBeLessThanOrEqual(2 * Number(acct.equity) - held + 0.01);
      }
    }
    expect(session.oms.orders().length).toBeGreaterThan(200);
    expect(session.oms.openOrders().length).toBeLessThan(session.oms.orders().length);
  });
});
