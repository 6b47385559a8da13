/**
 * The venue's clock after the real-time driver stalls: market time keeps up
 * with the wall clock (the rest of the gap is skipped silently), so the
 * venue never stamps a fill before the submission it answers, as the daemon
 * (which stamps with wall time) and the venue itself record it.
 */
import { describe, expect, it } from 'vitest';
import { PM_UNIVERSE } from '../../../../src/universe/index.js';
import { SimulatedMarket } from '../../../../venue/market/market.js';
import { RealTimeDriver, type DriverClock } from '../../../../venue/market/scheduler.js';
import { MatchingEngine, type TradeUpdateData } from '../../../../src/matching/engine.js';

const STEP_MS = 100;

function venueWithFakeClock(start: number) {
  let wall = start;
  let fire: (() => void) | undefined;
  const clock: DriverClock = { now: () => wall, setInterval: (fn) => ((fire = fn), 1), clearInterval: () => (fire = undefined) };
  const market = new SimulatedMarket({ seed: 5, instruments: PM_UNIVERSE, start, stepMs: STEP_MS });
  const engine = new MatchingEngine({ market, seed: 5, now: market.now, cash: 10_000_000, accountMode: 'margin', fillLatencyMs: 5 });
  // Wired as venue/index.ts wires them.
  market.onEvents((events, now) => {
    engine.onQuotes(events);
    engine.advance(now);
  });
  const updates: TradeUpdateData[] = [];
  engine.onUpdate((u) => updates.push(u));
  const driver = new RealTimeDriver(market, { speed: 1, clock });
  driver.start();
  return {
    market,
    engine,
    updates,
    driver,
    /** Moves the wall clock by `ms` and fires the driver's timer once. */
    pass(ms: number) {
      wall += ms;
      fire!();
    },
    get wall() {
      return wall;
    },
  };
}

describe('venue clock after a driver stall', () => {
  it('stalls forcing resyncs then every fill is stamped at or after its order, by the venue and by the wall clock', () => {
    const v = venueWithFakeClock(Date.UTC(2026, 0, 6, 15, 0, 0));
    const submitted = new Map<string, { wall: number; createdAt: number }>();
    const symbols = ['GLD', 'SLV', 'GDX', 'IAU'];
    for (let round = 0; round < 4; round++) {
      v.pass(500);
      v.pass(10_000 + round * 7_000); // a stall (GC, a paused process): forces a resync
      for (const symbol of symbols) {
        const cid = `c-${round}-${symbol}`;
        const o = v.engine.submit({ symbol, qty: '3000', side: round % 2 === 0 ? 'buy' : 'sell', type: 'market', time_in_force: 'day', client_order_id: cid }, v.market.now);
        submitted.set(cid, { wall: v.wall, createdAt: Date.parse(o.created_at as string) });
      }
      for (let k = 0; k < 10; k++) v.pass(100);
    }
    expect(v.driver.counters.resyncs).toBe(4);
    // Market time never lags the wall clock by more than a step.
    expect(v.market.now).toBeGreaterThan(v.wall - STEP_MS - 1);
    const fills = v.updates.filter((u) => u.event === 'fill' || u.event === 'partial_fill');
    expect(fills.length).toBeGreaterThanOrEqual(symbols.length * 4);
    for (const f of fills) {
      const s = submitted.get(f.order.client_order_id as string)!;
      const at = Date.parse(f.timestamp);
      expect(at, `fill of ${f.order.client_order_id}`).toBeGreaterThanOrEqual(s.createdAt);
      expect(at, `fill of ${f.order.client_order_id} vs the wall-clock submission`).toBeGreaterThanOrEqual(s.wall - STEP_MS);
      expect(Date.parse(f.order.submitted_at as string)).toBeLessThanOrEqual(at);
    }
    // Every update of an order is stamped at or after the one before.
    const last = new Map<string, number>();
    for (const u of v.updates) {
      const cid = u.order.client_order_id as string;
      const at = Date.parse(u.timestamp);
      expect(at).toBeGreaterThanOrEqual(last.get(cid) ?? 0);
      last.set(cid, at);
    }
  });
});
