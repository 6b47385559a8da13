/**
 * The broker session's OMS and journal with every order type and class a
 * desk uses, driven through the real SDK (VenueLink) against the local venue
 * on a manual clock: stop_limit, trailing_stop, bracket, oco and oto orders
 * registered, sent and followed over trade_updates; their legs known as
 * orders of their own, linked to their parent; a leg replaced and another
 * cancelled; reconciliation against the venue's nested listing finding
 * nothing to correct. Then the replace's crash guarantees: a replace is
 * journaled before its PATCH, and after a crash it is settled by looking the
 * replacement up by its client order id (found: adopted as sent; not found:
 * sent then, once).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OrderIntent } from '../../../actors/allocator/intent.js';
import { BrokerSessionCore, type ReplaceRequest } from '../../../actors/broker/session-core.js';
import type { ReconcileReport } from '../../../actors/broker/reconcile.js';
import type { LocalOrder } from '../../../actors/broker/oms.js';
import { VenueLink, type StreamEvent } from '../../../actors/broker/venue-link.js';
import { resolveAlpacaConnection } from '../../../src/alpaca/index.js';
import { startVenue, type VenueHandle } from '../../../venue/index.js';
import { eventually } from '../../helpers/fixtures.js';

const cents = (x: number): number => Math.round(x * 100) / 100;

interface Rig {
  readonly venue: VenueHandle;
  readonly link: VenueLink;
  readonly session: BrokerSessionCore;
  readonly dir: string;
  /** What its start-up reconciliation found. */
  readonly startup: ReconcileReport;
  /** Applies the trade_updates received so far. */
  drain(): void;
  close(): void;
}

const rigs: Rig[] = [];
const dirs: string[] = [];

afterEach(async () => {
  for (const r of rigs.splice(0)) r.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A session on the journal in `dir`, linked to the venue, after its start-up reconciliation (which must pass). */
async function openRig(venue: VenueHandle, dir: string): Promise<Rig> {
  const updates: unknown[] = [];
  const streams: StreamEvent[] = [];
  const link = new VenueLink(resolveAlpacaConnection({ local: venue }), { timeoutMs: 5000, recentOrdersLimit: 500 }, {
    onStream: (ev) => streams.push(ev),
    onTradeUpdate: (u) => updates.push(u),
  });
  link.connectStream();
  await eventually(() => streams.some((e) => e.kind === 'listening'), 5000, 'trade_updates listening');
  const { session, replayErrors } = BrokerSessionCore.open({ journalPath: join(dir, 'broker.wal'), salt: 'classes', periodicGraceMs: 1 });
  expect(replayErrors).toEqual([]);
  const startup = session.reconcile(await link.fetchState(), 'startup', venue.market.now).report;
  expect(session.ready).toBe(true);
  const rig: Rig = {
    venue,
    link,
    session,
    dir,
    startup,
    drain: () => {
      for (const u of updates.splice(0)) {
        const out = session.onTradeUpdate(u, venue.market.now);
        if (out.error) throw new Error(out.error);
      }
    },
    close: () => {
      link.close();
      session.close();
    },
  };
  rigs.push(rig);
  return rig;
}

async function newVenue(): Promise<VenueHandle> {
  const venue = await startVenue({ clockMode: 'manual', stepMs: 1000, historyMinutes: 0, fillLatencyMs: 50, cash: 1_000_000, accountMode: 'margin', seed: 41, volScale: 3 });
  venue.market.step(1);
  return venue;
}

const base = (id: string, symbol: string, side: 'buy' | 'sell', qty: number): Omit<OrderIntent, 'type'> => ({
  intentId: id, symbol, side, qty, timeInForce: 'gtc', refPrice: 0, createdAt: 0, reason: 'test', postureSeq: 0,
});

/** Registers (journals) and sends an intent through the SDK; applies the venue's answer. */
async function place(x: Rig, intent: OrderIntent): Promise<LocalOrder> {
  const d = x.session.submit(intent, x.venue.market.now);
  if (!d.ok) throw new Error(d.reason);
  const out = x.session.onSubmitOk(d.clientOrderId, await x.link.submit(d.request), x.venue.market.now);
  if (out.error) throw new Error(out.error);
  return x.session.oms.order(d.clientOrderId)!;
}

async function replace(x: Rig, cid: string, request: ReplaceRequest, newCid: string): Promise<void> {
  const out = x.session.onSubmitOk(newCid, await x.link.replace(request.orderId, request.patch), x.venue.market.now);
  if (out.error) throw new Error(out.error);
  expect(cid).not.toBe(newCid);
}

/** Steps the venue until the OMS, fed the trade_updates, says `done`. */
async function stepUntilOms(x: Rig, done: () => boolean, what: string): Promise<void> {
  await eventually(() => {
    x.drain();
    if (done()) return true;
    x.venue.market.step(1);
    return false;
  }, 20_000, what);
}

const quote = (x: Rig, symbol: string): { bid: number; ask: number } => x.venue.market.quote(symbol)!;
const statusOf = (x: Rig, cid: string | null | undefined): string | null => (cid ? (x.session.oms.order(cid)?.status ?? null) : null);

describe('order types and classes through the broker session and the real SDK', () => {
  it('stop_limit, trailing_stop, bracket, oco and oto then each tracked with its legs; a leg replaced and one cancelled; reconciliation finds nothing to correct', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qgtm-classes-'));
    dirs.push(dir);
    const venue = await newVenue();
    try {
      const x = await openRig(venue, dir);
      expect(x.startup.items).toEqual([]);
      const gld = quote(x, 'GLD');

      // A bracket with a market entry: its two legs are orders of their own, held until the entry fills.
      const bracket = await place(x, { ...base('b1:GLD', 'GLD', 'buy', 10), type: 'market', orderClass: 'bracket', takeProfit: { limitPrice: cents(gld.ask + 5) }, stopLoss: { stopPrice: cents(gld.ask - 5) } });
      expect(bracket.orderClass).toBe('bracket');
      expect(bracket.legs).toHaveLength(2);
      const [tp, sl] = bracket.legs!.map((cid) => x.session.oms.order(cid)!);
      expect([tp!.parentClientOrderId, sl!.parentClientOrderId]).toEqual([bracket.clientOrderId, bracket.clientOrderId]);
      expect([tp!.type, tp!.side, tp!.status, sl!.type, sl!.status]).toEqual(['limit', 'sell', 'held', 'stop', 'held']);
      // Held legs are not pending exposure: only the entry is.
      expect(x.session.positionsMsg(0).pendingQty.GLD).toBe(10);
      await stepUntilOms(x, () => statusOf(x, bracket.clientOrderId) === 'filled' && statusOf(x, tp!.clientOrderId) === 'new' && statusOf(x, sl!.clientOrderId) === 'new', 'bracket entry filled, legs live');

      // Replace the take profit: journaled first, then the PATCH; the old leg replaced, the parent's legs follow.
      const r = x.session.requestReplace(tp!.clientOrderId, { limitPrice: cents(gld.ask + 4) }, venue.market.now);
      if (!r.ok) throw new Error(r.reason);
      expect(x.session.oms.order(r.clientOrderId)).toMatchObject({ submission: 'pending', replaces: tp!.clientOrderId, parentClientOrderId: bracket.clientOrderId, limitPrice: cents(gld.ask + 4), qty: 10 });
      expect(r.request.patch).toEqual({ limitPrice: String(cents(gld.ask + 4)), clientOrderId: r.clientOrderId });
      await replace(x, tp!.clientOrderId, r.request, r.clientOrderId);
      await stepUntilOms(x, () => statusOf(x, tp!.clientOrderId) === 'replaced', 'take profit replaced');
      expect(x.session.oms.order(bracket.clientOrderId)!.legs).toEqual([r.clientOrderId, sl!.clientOrderId]);
      expect(x.session.oms.order(r.clientOrderId)).toMatchObject({ submission: 'acked', replaces: tp!.clientOrderId });
      // Cancel the stop-loss leg alone.
      const c = x.session.requestCancel(sl!.clientOrderId, venue.market.now);
      await x.link.cancel(c.brokerOrderId!);
      await stepUntilOms(x, () => statusOf(x, sl!.clientOrderId) === 'canceled', 'stop leg canceled');
      expect(statusOf(x, r.clientOrderId)).not.toBe('canceled');

      // An oco on the position: the take profit and its stop-loss leg both work; one filling cancels the other.
      const slv = quote(x, 'SLV');
      const entry = await place(x, { ...base('e1:SLV', 'SLV', 'buy', 20), type: 'market' });
      await stepUntilOms(x, () => statusOf(x, entry.clientOrderId) === 'filled', 'SLV bought');
      const oco = await place(x, { ...base('o1:SLV', 'SLV', 'sell', 20), type: 'limit', limitPrice: cents(slv.bid + 0.05), orderClass: 'oco', takeProfit: { limitPrice: cents(slv.bid + 0.05) }, stopLoss: { stopPrice: cents(slv.bid - 0.05) } });
      const ocoStop = x.session.oms.order(oco.legs![0]!)!;
      expect([oco.orderClass, ocoStop.type, ocoStop.parentClientOrderId]).toEqual(['oco', 'stop', oco.clientOrderId]);
      // One of the pair can trade, so the pair counts once against the 20 held.
      await stepUntilOms(x, () => statusOf(x, oco.clientOrderId) === 'filled' || statusOf(x, ocoStop.clientOrderId) === 'filled', 'an oco side filled');
      await stepUntilOms(x, () => [statusOf(x, oco.clientOrderId), statusOf(x, ocoStop.clientOrderId)].sort().join() === 'canceled,filled', 'the other oco side canceled');
      expect(x.session.oms.position('SLV').qty).toBe(0);

      // An oto whose stop goes live when the entry fills.
      const gdx = quote(x, 'GDX');
      const oto = await place(x, { ...base('t1:GDX', 'GDX', 'buy', 4), type: 'market', orderClass: 'oto', stopLoss: { stopPrice: cents(gdx.bid - 2) } });
      const otoStop = oto.legs![0]!;
      await stepUntilOms(x, () => statusOf(x, oto.clientOrderId) === 'filled' && statusOf(x, otoStop) === 'new', 'oto entry filled, its stop live');

      // A stop_limit and a trailing stop (by percent), each a simple order of its type. Both buy: the oto's stop
      // holds the 4 GDX, and Alpaca refuses a sell of shares a working order holds (insufficient qty available).
      const gdxNow = quote(x, 'GDX');
      const stopLimit = await place(x, { ...base('s1:GDX', 'GDX', 'buy', 2), type: 'stop_limit', stopPrice: cents(gdxNow.ask + 50), limitPrice: cents(gdxNow.ask + 51) });
      const trailing = await place(x, { ...base('s2:GDX', 'GDX', 'buy', 4), type: 'trailing_stop', trailPercent: 5 });
      const venueTrail = await x.link.lookup(trailing.clientOrderId) as { type: string; trailPercent: string | null; hwm: string | null };
      expect([stopLimit.type, stopLimit.stopPrice, stopLimit.limitPrice, trailing.type, trailing.trailPercent]).toEqual(['stop_limit', cents(gdxNow.ask + 50), cents(gdxNow.ask + 51), 'trailing_stop', 5]);
      expect([venueTrail.type, Number(venueTrail.trailPercent)]).toEqual(['trailing_stop', 5]);

      // Reconciliation against the venue (recent orders nested: legs under their parents) finds nothing to correct.
      await stepUntilOms(x, () => true, 'drained');
      const rec = x.session.reconcile(await x.link.fetchState(), 'periodic', venue.market.now + 10_000);
      expect(rec.report.items).toEqual([]);
      // No trade_update landed on an order the OMS did not know.
      expect(Object.keys(x.session.oms.stats()).filter((k) => k.startsWith('anomaly_') || k.startsWith('error_'))).toEqual([]);
    } finally {
      await venue.close();
    }
  });

  it('replace journaled then the process dies before its PATCH: on restart the replacement is looked up, not found, sent once; dies after its PATCH: found and adopted as sent', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qgtm-replace-crash-'));
    dirs.push(dir);
    const venue = await newVenue();
    try {
      let x: Rig = await openRig(venue, dir);
      const bid = quote(x, 'GLD').bid;
      const order = await place(x, { ...base('l1:GLD', 'GLD', 'buy', 3), type: 'limit', limitPrice: cents(bid - 20) });
      await stepUntilOms(x, () => statusOf(x, order.clientOrderId) === 'new', 'limit working');

      // Journaled, never sent: the "crash" is closing the session without sending.
      const r1 = x.session.requestReplace(order.clientOrderId, { qty: 5 }, venue.market.now);
      if (!r1.ok) throw new Error(r1.reason);
      x.close();
      rigs.splice(rigs.indexOf(x), 1);
      x = await openRig(venue, dir);
      // The venue does not list it: nothing to correct, and the replacement waits for its lookup.
      expect(x.startup.items).toEqual([]);
      expect(x.session.oms.order(r1.clientOrderId)).toMatchObject({ submission: 'ambiguous', replaces: order.clientOrderId });
      expect(x.session.oms.order(order.clientOrderId)!.replacement).toBe(r1.clientOrderId);
      // Never sent blind: the lookup by the replacement's client order id settles it.
      x.session.onLookup(r1.clientOrderId, await x.link.lookup(r1.clientOrderId), venue.market.now);
      expect(x.session.oms.order(r1.clientOrderId)!.submission).toBe('pending');
      const again = x.session.replaceRequest(r1.clientOrderId);
      expect(again).toEqual({ orderId: order.brokerOrderId, patch: { qty: '5', clientOrderId: r1.clientOrderId }, restBody: { qty: '5', client_order_id: r1.clientOrderId } });
      await replace(x, order.clientOrderId, again!, r1.clientOrderId);
      await stepUntilOms(x, () => statusOf(x, order.clientOrderId) === 'replaced' && statusOf(x, r1.clientOrderId) === 'new', 'replaced after the restart');
      const listed = venue.engine.list({ status: 'all', limit: 500 }).filter((o) => o.client_order_id === r1.clientOrderId);
      expect(listed).toHaveLength(1);
      expect(Number(listed[0]!.qty)).toBe(5);

      // Sent, and the process dies before the answer is applied: start-up reconciliation finds it by client order id.
      const r2 = x.session.requestReplace(r1.clientOrderId, { limitPrice: cents(bid - 19) }, venue.market.now);
      if (!r2.ok) throw new Error(r2.reason);
      await x.link.replace(r2.request.orderId, r2.request.patch);
      x.close();
      rigs.splice(rigs.indexOf(x), 1);
      x = await openRig(venue, dir);
      // The venue lists the replacement under its client order id: acked by reconciliation; its predecessor's
      // `replaced`, never applied before the crash, corrected.
      expect(x.startup.items).toEqual([{ kind: 'status_mismatch', clientOrderId: r1.clientOrderId, symbol: 'GLD', local: 'new', broker: 'replaced', corrected: true }]);
      expect(x.session.oms.order(r2.clientOrderId)).toMatchObject({ submission: 'acked', replaces: r1.clientOrderId, limitPrice: cents(bid - 19), qty: 5 });
      expect(statusOf(x, r1.clientOrderId)).toBe('replaced');
      expect(x.session.oms.pendingAmbiguous()).toEqual([]);
      // One working order at the venue for the chain, and the OMS counts it once.
      expect(venue.engine.list({ status: 'open', limit: 500 }).map((o) => o.client_order_id)).toEqual([r2.clientOrderId]);
      expect(x.session.positionsMsg(0).pendingQty.GLD).toBe(5);
      // A replace of an order that no longer works is refused before anything is journaled.
      const refused = x.session.requestReplace(r1.clientOrderId, { qty: 1 }, venue.market.now);
      expect(refused.ok ? 'accepted' : refused.reason.split(':')[0]).toBe('not_open');
    } finally {
      await venue.close();
    }
  });
});
