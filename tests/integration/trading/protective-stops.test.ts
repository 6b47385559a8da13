/**
 * Protective stops (risk.protectiveStops) with the real worker threads, the
 * real SDK and the venue on a manual clock: the test steps the market, so
 * when a stop can trigger is the test's choice. Positions get their stop at
 * the configured distance, resized and cancelled as they change; a stop that
 * triggers closes its position through the fill path and is not replaced;
 * FLATTEN cancels the stops before it liquidates, including when the market
 * trades through a stop while its cancel is on the wire; a broker session
 * killed and restarted keeps exactly one stop per position. A trailing stop
 * follows the price up at the venue; a volatility-multiple distance comes
 * from the volatility the feed published and is set when the stop is placed.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { trading } from '@alpacahq/alpaca-trade-api';
import { roundPrice } from '../../../actors/allocator/intent.js';
import { volStopDistanceBps } from '../../../actors/broker/protective-stops.js';
import type { RiskStopsPolicyMsg } from '../../../actors/risk/messages.js';
import type { ProtectiveStopsConfig } from '../../../actors/risk/config.js';
import { eventually, FAST, intent, intentsMsg, publishPrices as prices, riskAt, riskCommand, startHarness, venuePositions, type Any, type Harness } from './harness.js';

let h: Harness | undefined;
let stepper: ReturnType<typeof setInterval> | undefined;
afterEach(async () => {
  if (stepper) clearInterval(stepper);
  stepper = undefined;
  const x = h;
  h = undefined;
  try {
    // The venue refuses, as Alpaca does, an order for shares a working stop holds: the session's hold
    // (StopKeeper.hold) must have kept every such order back, so no order of the run was rejected.
    if (x) expect(rejectedOrders(x)).toEqual([]);
  } finally {
    await x?.close();
  }
});

/** The broker's updates of orders refused (by the venue, or dropped while held back), as [intent, client order id, reason]. */
const rejectedOrders = (x: Harness): unknown[] =>
  x.seen.orders.items.filter((m) => m.type === 'broker.order_update' && (m.submission === 'rejected' || m.status === 'rejected')).map((m) => [m.intentId, m.clientOrderId, m.reason ?? null]);

/** A harness whose venue runs on a manual clock, stepped in the background (so market orders fill) until `pause`. */
async function start(distanceBps: number, stops: Partial<ProtectiveStopsConfig> = {}, journalDir?: string): Promise<Harness> {
  const risk = FAST.risk!;
  h = await startHarness({
    // Margin, which can go short: the venue still refuses (as Alpaca does) a sell of shares a working stop holds.
    venue: { clockMode: 'manual', startTime: Date.now(), stepMs: 100, volScale: 2, accountMode: 'margin' },
    trading: { risk: { ...risk, risk: { ...risk.risk, protectiveStops: { enabled: true, distanceBps, ...stops } } }, broker: { ...FAST.broker, stopRetryMs: 500 } },
    ...(journalDir ? { journalDir } : {}),
  });
  h.venue.market.step(1);
  resume(h);
  await h.brokerReady();
  return h;
}

function resume(x: Harness): void {
  if (!stepper) stepper = setInterval(() => x.venue.market.step(1), 20);
}

function pause(): void {
  if (stepper) clearInterval(stepper);
  stepper = undefined;
}

/**
 * Steps the market (synchronously: nothing else on this thread runs
 * meanwhile) with the gold complex falling (rising, direction 1) until
 * `done`; the trend is forced again every 5000 steps, since the regime
 * chain may leave it.
 */
function stepDownUntil(x: Harness, done: () => boolean, what: string, maxSteps = 200_000, direction: 1 | -1 = -1): void {
  for (let k = 0; k < maxSteps; k++) {
    if (k % 5000 === 0) x.venue.market.forceRegime('trending', direction);
    x.venue.market.step(1);
    if (done()) return;
  }
  throw new Error(`${what}: not reached within ${maxSteps} market steps`);
}

const filled = (x: Harness, intentId: string): Promise<Any> =>
  x.seen.orders.waitFor((m) => m.type === 'broker.order_update' && m.intentId === intentId && m.status === 'filled', 10_000, `${intentId} filled`);

const openAt = async (x: Harness): Promise<trading.Order[]> => x.api.orders.getAllOrders({ status: 'open', limit: 500 });
const allAt = async (x: Harness): Promise<trading.Order[]> => x.api.orders.getAllOrders({ status: 'all', limit: 500 });
const isStopOf = (symbol: string) => (o: trading.Order): boolean => o.symbol === symbol && String(o.clientOrderId).startsWith(`q-pstop_${symbol}_`);

/** Waits until the venue has exactly one open order for `symbol`, our stop, for `qty` on `side`; returns it. */
async function oneStop(x: Harness, symbol: string, side: 'buy' | 'sell', qty: number): Promise<trading.Order> {
  let last: trading.Order[] = [];
  await eventually(async () => {
    last = (await openAt(x)).filter((o) => o.symbol === symbol);
    return last.length === 1 && isStopOf(symbol)(last[0]!) && last[0]!.side === side && Number(last[0]!.qty) === qty;
  }, 15_000, `one ${side} stop for ${qty} ${symbol}`, () => ({ open: last.map((o) => [o.clientOrderId, o.type, o.side, o.qty, o.stopPrice, o.status]) }));
  return last[0]!;
}

/** The venue's position and what its stop price must be: `bps` under (over, for a short) the entry. */
async function expectedStop(x: Harness, symbol: string, bps: number): Promise<number> {
  const p = await x.api.positions.getOpenPosition({ symbolOrAssetId: symbol });
  const qty = Number(p.qty);
  const entry = Number(p.avgEntryPrice);
  return roundPrice(entry * (qty > 0 ? 1 - bps / 10_000 : 1 + bps / 10_000));
}

/** Buys GLD and SLV in one rebalance and waits until each has its stop. */
async function longBoth(x: Harness, tag: string, gld: number, slv: number): Promise<{ gld: trading.Order; slv: trading.Order }> {
  const px = await prices(x, ['GLD', 'SLV']);
  await riskAt(x, 'NORMAL');
  x.sys.tell('risk', intentsMsg([intent(`${tag}:GLD`, 'GLD', 'buy', gld, px.GLD), intent(`${tag}:SLV`, 'SLV', 'buy', slv, px.SLV)]));
  await filled(x, `${tag}:GLD`);
  await filled(x, `${tag}:SLV`);
  return { gld: await oneStop(x, 'GLD', 'sell', gld), slv: await oneStop(x, 'SLV', 'sell', slv) };
}

async function buy(x: Harness, id: string, symbol: string, qty: number, px: number, side: 'buy' | 'sell' = 'buy'): Promise<void> {
  x.sys.tell('risk', intentsMsg([intent(id, symbol, side, qty, px)]));
  await filled(x, id);
}

/** Buys `qty` GLD and waits until it has its stop; returns the stop and the price the intent was sized at. */
async function longGld(x: Harness, id: string, qty: number): Promise<{ stop: trading.Order; px: number }> {
  const px = (await prices(x, ['GLD'])).GLD!;
  await riskAt(x, 'NORMAL');
  await buy(x, id, 'GLD', qty, px);
  return { stop: await oneStop(x, 'GLD', 'sell', qty), px };
}

/** Where in the broker's order updates a stop was reported cancelled (-1: not yet). */
const canceledIndex = (x: Harness, stop: trading.Order): number => x.seen.orders.items.findIndex((m) => m.clientOrderId === stop.clientOrderId && m.status === 'canceled');

/**
 * Records, for every order the venue takes, the unfilled shares of our stops
 * then working at the venue on its symbol and side (read inside the venue, as
 * the POST is handled).
 */
function stopsAtSubmit(x: Harness): Map<string, number> {
  const seen = new Map<string, number>();
  const engine = x.venue.engine;
  const submit = engine.submit.bind(engine);
  engine.submit = (body: unknown, now: number): Record<string, unknown> => {
    const b = body as { client_order_id?: string; symbol?: string; side?: string; type?: string };
    if (b.type !== 'stop' && b.client_order_id) {
      const open = engine.list({ status: 'open', symbols: [String(b.symbol)], side: b.side });
      const ours = open.filter((o) => String(o.client_order_id).startsWith('q-pstop_'));
      seen.set(b.client_order_id, ours.reduce((n, o) => n + Number(o.qty) - Number(o.filled_qty), 0));
    }
    return submit(body, now);
  };
  return seen;
}

/** Waits until the broker session holds a protective-stop policy that passes `ok` (what its inspect reports); returns it. */
async function brokerPolicy(x: Harness, ok: (p: RiskStopsPolicyMsg) => boolean, what: string): Promise<RiskStopsPolicyMsg> {
  let last: RiskStopsPolicyMsg | null = null;
  await eventually(async () => {
    const [info] = await x.sys.inspect('broker');
    last = (info?.state_detail as { stopsPolicy?: RiskStopsPolicyMsg | null } | undefined)?.stopsPolicy ?? null;
    return last !== null && ok(last);
  }, 10_000, what, () => ({ policy: last }));
  return last!;
}

/** Whether every broker.positions message seen so far was free of shorts. */
const neverShort = (x: Harness): boolean => x.seen.positions.items.filter((m) => m.type === 'broker.positions').every((m) => m.positions.every((p: Any) => p.qty >= 0));

describe('protective stops on the venue', () => {
  it('position opened, grown, reduced, then closed: its stop placed at the distance, resized by replace (an answer lost on the way settled without a second PATCH), sells wait for the stop on their shares, and cancelled', async () => {
    const x = await start(500);
    const atSubmit = stopsAtSubmit(x);
    const { stop: s1, px } = await longGld(x, 'a1:GLD', 10);
    expect([s1.type, s1.side, s1.timeInForce]).toEqual(['stop', 'sell', 'gtc']);
    expect(Number(s1.stopPrice)).toBeCloseTo(await expectedStop(x, 'GLD', 500), 2);

    // Growing it: the stop is replaced (PATCH), not cancelled, so the position is never without one.
    await buy(x, 'a2:GLD', 'GLD', 5, px);
    const s2 = await oneStop(x, 'GLD', 'sell', 15);
    expect([s2.id === s1.id, s2.replaces, s2.stopPrice]).toEqual([false, s1.id, s1.stopPrice]);
    expect((await x.api.orders.getOrderByOrderID({ orderId: String(s1.id) })).status).toBe('replaced');
    expect(x.seen.orders.items.some((m) => m.clientOrderId === s1.clientOrderId && m.status === 'canceled')).toBe(false);
    // The replace was journaled and published before its PATCH went out; the OMS links the two.
    const s2Events = x.seen.orders.items.filter((m) => m.clientOrderId === s2.clientOrderId).map((m) => [m.event, m.submission]);
    expect(s2Events[0]).toEqual(['replace_requested', 'pending']);
    expect(s2Events.slice(1).every(([, submission]) => submission === 'acked')).toBe(true);

    // Selling part of it: the sell waits until the stop holding its shares is resized to the rest.
    // The venue carries out that replace but its answer is lost (500): the session looks the replacement up by
    // its client order id (or hears the venue's trade_update for it first), and never sends the PATCH twice.
    const engine = x.venue.engine;
    const replace = engine.replace.bind(engine);
    let patches = 0;
    engine.replace = (id: string, body: unknown, now: number): Record<string, unknown> => {
      const out = replace(id, body, now);
      if (id === String(s2.id) && patches++ === 0) throw new Error('answer lost by the test');
      return out;
    };
    await buy(x, 'a3:GLD', 'GLD', 5, px, 'sell');
    const s3 = await oneStop(x, 'GLD', 'sell', 10);
    expect([patches, s3.replaces]).toEqual([1, s2.id]);
    const s3Events = x.seen.orders.items.filter((m) => m.clientOrderId === s3.clientOrderId).map((m) => [m.event, m.submission]);
    // Whichever came first, the lost answer (ambiguous, then the lookup) or the venue's own trade_update for the
    // replacement, it ends acked, never rejected and never sent twice.
    expect(s3Events[0]).toEqual(['replace_requested', 'pending']);
    expect(s3Events.some(([, submission]) => submission === 'rejected')).toBe(false);
    expect(s3Events.at(-1)?.[1]).toBe('acked');
    const cidOf = (intentId: string): string => x.seen.orders.items.find((m) => m.intentId === intentId)!.clientOrderId;
    // When the venue took the sell of 5 out of 15, our stops held at most the other 10.
    expect(atSubmit.get(cidOf('a3:GLD'))).toBeLessThanOrEqual(10);
    // Selling the rest: the stop is cancelled first, then the sell goes, and nothing is left working.
    await buy(x, 'a4:GLD', 'GLD', 10, px, 'sell');
    await eventually(async () => !(await venuePositions(x.api)).GLD && (await openAt(x)).length === 0, 15_000, 'flat with no open order', async () => ({ open: await openAt(x) }));
    expect(atSubmit.get(cidOf('a4:GLD'))).toBe(0);
    expect((await x.api.orders.getOrderByOrderID({ orderId: String(s3.id) })).status).toBe('canceled');
    const stops = (await allAt(x)).filter(isStopOf('GLD'));
    expect(stops.map((o) => o.status).sort()).toEqual(['canceled', 'replaced', 'replaced']);
  });

  it('the market trades through the stop then the position closes through the fill path and no stop is placed again', async () => {
    const x = await start(40);
    const { stop } = await longGld(x, 'b1:GLD', 8);
    pause();
    stepDownUntil(x, () => x.venue.engine.get(String(stop.id)).status === 'filled', 'stop filled');
    resume(x);
    const fill = await x.seen.fills.waitFor((m) => m.type === 'broker.fill' && m.clientOrderId === stop.clientOrderId, 10_000, 'stop fill reported');
    expect([fill.side, fill.qty, fill.positionQty]).toEqual(['sell', 8, 0]);
    expect(fill.price).toBeLessThanOrEqual(Number(stop.stopPrice));
    await eventually(() => !x.brokerPositions().GLD, 10_000, 'broker book flat');
    // Two reconciliations after the fill: the session has re-planned many times and placed nothing.
    const after = Date.now();
    await x.seen.reconciled.waitFor((m) => m.phase === 'periodic' && m.ts > after + 600, 10_000, 'reconciliations after the fill');
    expect(await openAt(x)).toEqual([]);
    expect((await allAt(x)).filter(isStopOf('GLD')).map((o) => o.status)).toEqual(['filled']);
    expect(await venuePositions(x.api)).toEqual({});
  });

  it('FLATTEN with working stops then the stops are cancelled before anything is liquidated: flat, no open order, no short', async () => {
    const x = await start(500);
    const { gld, slv } = await longBoth(x, 'c1', 12, 30);

    expect(await riskCommand(x, 'set', 'FLATTEN')).toMatchObject({ ok: true, tier: 'FLATTEN' });
    await eventually(async () => Object.keys(await venuePositions(x.api)).length === 0 && (await openAt(x)).length === 0, 20_000, 'flat with no open order', async () => ({
      positions: await venuePositions(x.api),
      open: await openAt(x),
    }));
    const all = await allAt(x);
    for (const [symbol, s] of [['GLD', gld], ['SLV', slv]] as const) {
      const st = all.find((o) => o.id === s.id)!;
      expect(st.status).toBe('canceled');
      const liq = all.filter((o) => o.symbol === symbol && String(o.clientOrderId).startsWith('q-flat_'));
      expect(liq.map((o) => [o.side, Number(o.filledQty), o.status])).toEqual([['sell', symbol === 'GLD' ? 12 : 30, 'filled']]);
      // Cancelled first: the broker reported the stop cancelled before it registered the liquidation.
      const updates = x.seen.orders.items;
      const canceledAt = updates.findIndex((m) => m.clientOrderId === s.clientOrderId && m.status === 'canceled');
      const submittedAt = updates.findIndex((m) => m.symbol === symbol && String(m.intentId).startsWith('flat:') && m.event === 'submitted');
      expect(canceledAt).toBeGreaterThanOrEqual(0);
      expect(submittedAt).toBeGreaterThan(canceledAt);
    }
    const passes = x.seen.risk.items.filter((m) => m.type === 'risk.flatten');
    expect(passes[0]).toMatchObject({ cancels: 2, liquidations: 0, waiting: 2 });
    // No stop was placed again while FLATTEN held.
    expect(all.filter((o) => String(o.clientOrderId).startsWith('q-pstop_')).length).toBe(2);
    expect(neverShort(x)).toBe(true);
  });

  it('FLATTEN while the market trades through a stop as its cancel is on the wire then the stop closes the position, the cancel is refused, nothing is sold twice', async () => {
    const x = await start(40);
    const { stop } = await longGld(x, 'd1:GLD', 9);
    // The race, made to happen: when the stop's DELETE reaches the venue, the market first trades through the stop.
    const engine = x.venue.engine;
    const cancel = engine.cancel.bind(engine);
    let raced = 0;
    engine.cancel = (id: string, now: number): void => {
      if (id === String(stop.id) && raced === 0) {
        raced++;
        pause();
        stepDownUntil(x, () => engine.get(id).status === 'filled', 'stop filled before its cancel');
        resume(x);
      }
      cancel(id, now);
    };
    expect(await riskCommand(x, 'set', 'FLATTEN')).toMatchObject({ ok: true, tier: 'FLATTEN' });
    await eventually(() => raced === 1, 10_000, 'the stop cancel reached the venue');
    await eventually(async () => !(await venuePositions(x.api)).GLD && (await openAt(x)).length === 0 && !x.brokerPositions().GLD, 15_000, 'flat with no open order');
    // Give FLATTEN passes time to act on anything they wrongly still saw: two more broker reconciliations.
    const after = Date.now();
    await x.seen.reconciled.waitFor((m) => m.phase === 'periodic' && m.ts > after + 600, 10_000, 'reconciliations after the race');
    const all = await allAt(x);
    expect(all.find((o) => o.id === stop.id)!.status).toBe('filled');
    expect(all.filter((o) => String(o.clientOrderId).startsWith('q-flat_'))).toEqual([]);
    expect(await venuePositions(x.api)).toEqual({});
    expect(neverShort(x)).toBe(true);
  });

  it('broker session killed and restarted then exactly one stop per position, none placed twice', async () => {
    const x = await start(500);
    await longBoth(x, 'e1', 6, 20);
    for (let round = 1; round <= 2; round++) {
      const before = x.sys.incarnation('broker');
      const killedAt = Date.now();
      await x.sys.kill('broker');
      await eventually(() => x.sys.incarnation('broker') > before && x.sys.status('broker') === 'running', 30_000, 'broker restarted');
      await x.seen.broker_status.waitFor((m) => m.ready && m.connected && m.ts > killedAt, 30_000, 'restarted broker ready');
      await x.seen.reconciled.waitFor((m) => m.phase === 'periodic' && m.ts > killedAt + 1000, 10_000, 'reconciliations after the restart');
      await oneStop(x, 'GLD', 'sell', 6);
      await oneStop(x, 'SLV', 'sell', 20);
    }
    const all = await allAt(x);
    expect(all.filter((o) => String(o.clientOrderId).startsWith('q-pstop_')).map((o) => [o.symbol, o.status === 'accepted' || o.status === 'new']).sort()).toEqual([['GLD', true], ['SLV', true]]);
    expect(new Set(all.map((o) => o.clientOrderId)).size).toBe(all.length);
  });

  it('trailing then the venue holds a trailing_stop with the configured trail_percent whose stop follows the price up, and the stop it raised closes the position', async () => {
    const x = await start(100, { trailing: true });
    const { stop } = await longGld(x, 'f1:GLD', 7);
    expect([stop.type, stop.side, stop.timeInForce, Number(stop.trailPercent)]).toEqual(['trailing_stop', 'sell', 'gtc', 1]);
    // The OMS took it as our protective stop: intent pstop:GLD:1, acked by the venue.
    const acked = await x.seen.orders.waitFor((m) => m.clientOrderId === stop.clientOrderId && m.submission === 'acked', 10_000, 'stop acked in the OMS');
    expect(acked).toMatchObject({ intentId: 'pstop:GLD:1', symbol: 'GLD', side: 'sell', qty: 7 });
    pause();
    const engine = x.venue.engine;
    const id = String(stop.id);
    // The venue keeps the high-water mark and the stop 1 % under it.
    const at0 = engine.get(id);
    const hwm0 = Number(at0.hwm);
    const stop0 = Number(at0.stop_price);
    expect(stop0).toBeCloseTo(Math.round(hwm0 * 0.99 * 100) / 100, 2);
    stepDownUntil(x, () => Number(engine.get(id).stop_price) >= stop0 + 0.02 || engine.get(id).status === 'filled', 'stop raised', 200_000, 1);
    const raised = engine.get(id);
    expect(['new', 'accepted']).toContain(raised.status);
    expect(Number(raised.hwm)).toBeGreaterThan(hwm0);
    expect(Number(raised.stop_price)).toBeCloseTo(Math.round(Number(raised.hwm) * 0.99 * 100) / 100, 2);
    // The session leaves it alone while it trails: the same order, still the only one.
    resume(x);
    const after = Date.now();
    await x.seen.reconciled.waitFor((m) => m.phase === 'periodic' && m.ts > after + 600, 10_000, 'reconciliations after the rise');
    expect((await oneStop(x, 'GLD', 'sell', 7)).id).toBe(stop.id);
    pause();
    stepDownUntil(x, () => engine.get(id).status === 'filled', 'trailing stop filled', 400_000);
    const triggeredAt = Number(engine.get(id).stop_price);
    expect(triggeredAt).toBeGreaterThan(stop0);
    resume(x);
    const fill = await x.seen.fills.waitFor((m) => m.type === 'broker.fill' && m.clientOrderId === stop.clientOrderId, 10_000, 'trailing stop fill reported');
    expect([fill.side, fill.qty, fill.positionQty]).toEqual(['sell', 7, 0]);
    expect(fill.price).toBeLessThanOrEqual(triggeredAt);
    await eventually(async () => !x.brokerPositions().GLD && (await openAt(x)).length === 0, 10_000, 'flat with no open order');
    expect((await allAt(x)).filter(isStopOf('GLD')).map((o) => [o.type, o.status])).toEqual([['trailing_stop', 'filled']]);
  });

  it('volMultiple then the stop placed at that multiple of the volatility the feed published, a symbol with none at distanceBps, and a later volatility re-prices nothing', async () => {
    const x = await start(200, { volMultiple: 3 });
    // The features the harness publishes carry vol 0.2 (annualised): 3 daily vols are 378 bps.
    const want = volStopDistanceBps(0.2, 3)!;
    expect(want).toBe(378);
    const px = await prices(x, ['GLD']);
    await brokerPolicy(x, (p) => p.distanceBpsBySymbol.GLD === want, `broker policy with GLD at ${want} bps`);
    // SLV's feed has too few bars for a volatility yet.
    const slvPx = await prices(x, ['SLV'], null);
    await riskAt(x, 'NORMAL');
    await buy(x, 'g1:GLD', 'GLD', 10, px.GLD!);
    await buy(x, 'g1:SLV', 'SLV', 20, slvPx.SLV!);
    const gld = await oneStop(x, 'GLD', 'sell', 10);
    const slv = await oneStop(x, 'SLV', 'sell', 20);
    expect(gld.type).toBe('stop');
    expect(Number(gld.stopPrice)).toBeCloseTo(await expectedStop(x, 'GLD', want), 2);
    expect(Number(slv.stopPrice)).toBeCloseTo(await expectedStop(x, 'SLV', 200), 2);
    expect(x.seen.orders.items.find((m) => m.clientOrderId === gld.clientOrderId && m.event === 'submitted')).toMatchObject({ intentId: 'pstop:GLD:1', qty: 10 });

    // The volatility doubles: the policy says 756 bps now, and the working stop stays where it was placed.
    await prices(x, ['GLD'], 0.4);
    const p = await brokerPolicy(x, (q) => q.distanceBpsBySymbol.GLD === volStopDistanceBps(0.4, 3), 'broker policy with the new GLD distance');
    expect(p.distanceBpsBySymbol).toEqual({ GLD: 756 });
    const after = Date.now();
    await x.seen.reconciled.waitFor((m) => m.phase === 'periodic' && m.ts > after + 600, 10_000, 'reconciliations after the new volatility');
    const still = await oneStop(x, 'GLD', 'sell', 10);
    expect([still.id, still.stopPrice]).toEqual([gld.id, gld.stopPrice]);
    expect((await allAt(x)).filter((o) => String(o.clientOrderId).startsWith('q-pstop_')).length).toBe(2);
  });
});
