import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { StateCorruptError } from '../../../src/durable/index.js';
import { MatchingEngine, type TradeUpdateData } from '../../../src/matching/engine.js';
import { accountRecord, openKeptAccount } from '../../../venue/persist.js';
import { FakeMarket } from '../src/matching/fake-market.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const fresh = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'qgtm-venue-keep-'));
  dirs.push(d);
  return d;
};

function market(): FakeMarket {
  const m = new FakeMarket();
  m.set('GLD', 239.9, 240.0);
  m.set('SLV', 27.9, 28.0);
  return m;
}

describe('kept paper account', () => {
  it('engine with fills and a resting order exported and restored then the same account, orders and ids continue', () => {
    const m = market();
    const a = new MatchingEngine({ market: m, seed: 7, now: m.now, cash: 100_000, accountMode: 'margin' });
    a.submit({ symbol: 'GLD', qty: '10', side: 'buy', type: 'market', time_in_force: 'day', client_order_id: 'c1' }, m.now);
    a.submit({ symbol: 'SLV', qty: '5', side: 'buy', type: 'limit', limit_price: '20', time_in_force: 'gtc', client_order_id: 'c2' }, m.now);
    const state = JSON.parse(JSON.stringify(a.exportState())) as ReturnType<MatchingEngine['exportState']>;

    const b = new MatchingEngine({ market: m, seed: 7, now: m.now, cash: 1, restore: state });
    expect(b.account.id).toBe(a.account.id);
    expect(b.account.cash).toBeCloseTo(a.account.cash, 9);
    expect(b.positions()).toEqual(a.positions());
    expect(b.accountWire(m.now)).toEqual(a.accountWire(m.now));
    expect(b.getByClientOrderId('c1')).toEqual(a.getByClientOrderId('c1'));
    expect(b.list({ status: 'open' }).map((o) => o.client_order_id)).toEqual(['c2']);
    expect(b.fills).toBe(a.fills);
    // A reused client order id is still refused, and new ids never repeat old ones.
    expect(() => b.submit({ symbol: 'GLD', qty: '1', side: 'buy', type: 'market', time_in_force: 'day', client_order_id: 'c1' }, m.now)).toThrow(/unique/);
    const next = b.submit({ symbol: 'GLD', qty: '1', side: 'buy', type: 'market', time_in_force: 'day' }, m.now);
    const old = new Set(a.list({ status: 'all' }).flatMap((o) => [o.id, o.client_order_id]));
    expect(old.has(next.id as string)).toBe(false);
    expect(old.has(next.client_order_id as string)).toBe(false);
    // The restored resting limit still fills when the market trades through it.
    const updates: TradeUpdateData[] = [];
    b.onUpdate((u) => updates.push(u));
    b.onQuotes([m.set('SLV', 19.5, 19.9)]);
    expect(updates.some((u) => u.event === 'fill' && (u.order as { client_order_id: string }).client_order_id === 'c2')).toBe(true);
  });

  it('record written then reopened then the kept state comes back; fresh then set aside and a new account', () => {
    const dir = fresh();
    const m = market();
    const a = new MatchingEngine({ market: m, seed: 7, now: m.now });
    accountRecord(dir).write({ seed: 7, accountMode: 'cash', engine: a.exportState() });
    const kept = openKeptAccount(dir, false, 1);
    expect(kept.kept?.engine.account.id).toBe(a.account.id);
    const replaced = openKeptAccount(dir, true, 99);
    expect(replaced.kept).toBeNull();
    expect(replaced.replaced).toBe(join(dir, 'account.json.replaced-99'));
    expect(readdirSync(dir)).toEqual(['account.json.replaced-99']);
  });

  it('kept record corrupt then opening refuses with StateCorruptError instead of a silent new account', () => {
    const dir = fresh();
    writeFileSync(join(dir, 'account.json'), '{"format":1,"name":"account","seq":1');
    expect(() => openKeptAccount(dir, false, 1)).toThrow(StateCorruptError);
    // --fresh is the way out.
    expect(openKeptAccount(dir, true, 2).kept).toBeNull();
  });
});
