/**
 * The broker session under failure, on the venue with real worker threads:
 * killed mid-order and restarted by its supervisor; an order POST that fails
 * ambiguously; the venue going away and coming back.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { clientOrderIdFor } from '../../../actors/broker/client-order-id.js';
import { LOCAL_KEY_PAIR } from '../../../src/alpaca/index.js';
import { featuresMsg } from '../../../actors/replay/tick-source.js';
import { TOPICS } from '../../../actors/topics.js';
import { eventually, FAST, intent, intentsMsg, mid, riskAt, startHarness, venuePositions, type Any, type Harness } from './harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** No periodic reconciliation: the only REST calls are the ones a test provokes. */
const QUIET_BROKER = { trading: { broker: { ...FAST.broker, reconcileEveryMs: 60_000 } } };

async function ready(h: Harness, symbol: string): Promise<number> {
  await h.brokerReady();
  const px = mid(h.venue, symbol);
  await h.publish([{ topic: TOPICS.features, msg: featuresMsg(symbol, px, Date.now(), 1) }]);
  await riskAt(h, 'NORMAL');
  await eventually(async () => {
    const [info] = await h.sys.inspect('risk');
    return (info?.state_detail as { lastPrices: Record<string, number> }).lastPrices[symbol] === px;
  }, 15_000, 'risk has the price');
  return px;
}

const venueOrders = async (h: Harness, symbol: string): Promise<Any[]> =>
  (await h.api.orders.getAllOrders({ status: 'all', limit: 500 })).filter((o) => o.symbol === symbol) as unknown as Any[];

describe('broker session failures', () => {
  it('broker killed while its order POST is in flight then restarted: the order is found, never sent twice, positions reconcile', async () => {
    h = await startHarness(QUIET_BROKER);
    const px = await ready(h, 'GLD');
    const cid = clientOrderIdFor('k1:GLD', LOCAL_KEY_PAIR.keyId);
    // The venue takes the order at once but answers only after the client has given up, and tells nothing on
    // trade_updates until the broker is back: the old incarnation must not learn the order's fate before it dies.
    h.venue.faults.setLatency(3000);
    h.venue.engine.holdUpdates();
    h.sys.tell('risk', intentsMsg([intent('k1:GLD', 'GLD', 'buy', 7, px)]));
    await eventually(() => {
      try {
        return h!.venue.engine.getByClientOrderId(cid);
      } catch {
        return null;
      }
    }, 15_000, 'order at the venue');
    const before = h.sys.incarnation('broker');
    const killedAt = Date.now();
    await h.sys.kill('broker');
    h.venue.faults.setLatency(0);

    await eventually(() => h!.sys.incarnation('broker') > before && h!.sys.status('broker') === 'running', 30_000, 'broker restarted');
    // The new incarnation's own word (a status published by the old one just before the kill would also be 'ready').
    await eventually(async () => {
      const [info] = await h!.sys.inspect('broker');
      const d = info?.state_detail as { startupDone?: boolean; connected?: boolean } | undefined;
      return d?.startupDone === true && d.connected === true;
    }, 30_000, 'restarted broker through start-up reconciliation');
    h.venue.engine.releaseUpdates(true);
    const acked = (await eventually(
      () => h!.seen.orders.items.find((m) => m.clientOrderId === cid && m.submission === 'acked' && m.ts > killedAt),
      30_000,
      'order acknowledged after restart',
      async () => ({ orders: h!.seen.orders.items.slice(-6), broker: await h!.ask('broker', { type: 'broker.query' }).catch(String), trading: await h!.explain() }),
    ))!;
    expect(acked.intentId).toBe('k1:GLD');

    await eventually(async () => (await venuePositions(h!.api)).GLD === 7, 8000, 'venue position');
    await eventually(() => h!.brokerPositions().GLD === 7, 8000, 'broker position');
    // Restarted with the order ambiguous in its journal, the session adopted the venue's answer (ack, then the fill).
    expect(h.seen.orders.items.filter((m) => m.clientOrderId === cid && m.ts > killedAt).map((m) => m.event)).toContain('ack');
    expect(h.sys.incarnation('risk')).toBe(2); // rest_for_one: risk restarted after the broker
    const orders = await venueOrders(h, 'GLD');
    expect(orders.map((o) => o.clientOrderId)).toEqual([cid]);
    // Sent once: the only `submitted` is the one before the kill.
    expect(h.seen.orders.items.filter((m) => m.clientOrderId === cid && m.event === 'submitted')).toHaveLength(1);
    const status = await h.ask('broker', { type: 'broker.query' });
    expect(status.stats.refused_duplicate_intent ?? 0).toBe(0);
  });

  it('order POST fails with 503 then looked up by client order id, found missing and resent once with the same id', async () => {
    h = await startHarness(QUIET_BROKER);
    const px = await ready(h, 'SLV');
    const cid = clientOrderIdFor('a1:SLV', LOCAL_KEY_PAIR.keyId);
    h.venue.faults.failNext(1, 503, 'trading');
    h.sys.tell('risk', intentsMsg([intent('a1:SLV', 'SLV', 'buy', 40, px)]));
    await h.seen.orders.waitFor((m) => m.clientOrderId === cid && m.status === 'filled', 8000, 'filled');
    const events = h.seen.orders.items.filter((m) => m.clientOrderId === cid).map((m) => m.event);
    expect(events.slice(0, 3)).toEqual(['submitted', 'submit_failed', 'lookup_not_found']);
    expect((await venueOrders(h, 'SLV')).map((o) => o.clientOrderId)).toEqual([cid]);
    await eventually(async () => (await venuePositions(h!.api)).SLV === 40, 15_000, 'venue position');
  });

  it('order POST answered 429 with Retry-After 2 s then resent once with the same id, not before the venue said', async () => {
    h = await startHarness(QUIET_BROKER);
    const px = await ready(h, 'GDX');
    const cid = clientOrderIdFor('r1:GDX', LOCAL_KEY_PAIR.keyId);
    // The broker's own resend delay is 200 ms here: only the venue's Retry-After can make it wait 2 s.
    h.venue.faults.rateLimitNext(1, 2, 'trading');
    h.sys.tell('risk', intentsMsg([intent('r1:GDX', 'GDX', 'buy', 10, px)]));
    await h.seen.orders.waitFor((m) => m.clientOrderId === cid && m.event === 'submit_failed', 8000, 'refused with 429');
    // Seen a little after the refusal, so the gap measured is a little under the 2 s the venue asked for.
    const refusedSeen = Date.now();
    await h.seen.orders.waitFor((m) => m.clientOrderId === cid && m.status === 'filled', 10_000, 'filled');
    expect(Date.now() - refusedSeen).toBeGreaterThanOrEqual(1200);
    expect((await venueOrders(h, 'GDX')).map((o) => o.clientOrderId)).toEqual([cid]);
    // The refusal is counted where an operator alerts on it, beside the timed calls.
    const metric = async (name: string) => (await h!.sys.metricsJson()).flat().filter((x) => x.name === name).flatMap((x) => x.values);
    expect((await metric('qgtm_broker_request_errors_total')).find((v) => v.labels.op === 'submit' && v.labels.status === '429')?.value).toBe(1);
    expect((await metric('qgtm_broker_request_seconds')).find((v) => v.metricName === 'qgtm_broker_request_seconds_count' && v.labels.op === 'submit')?.value).toBe(2);
    // The order's round trip: each stage once; from the first POST to the accepting answer it waited out the 429.
    const stages = await metric('qgtm_order_stage_seconds');
    const stage = (stage: string, suffix: string) => stages.find((v) => v.metricName === `qgtm_order_stage_seconds_${suffix}` && v.labels.stage === stage)?.value;
    expect(['intent_to_submit', 'submit_to_ack', 'ack_to_fill'].map((x) => stage(x, 'count'))).toEqual([1, 1, 1]);
    expect(stage('submit_to_ack', 'sum')).toBeGreaterThanOrEqual(1.2);
  });

  it('trading stream dropped and logins refused then NO_NEW after the threshold, and back to NORMAL once the venue returns', async () => {
    h = await startHarness();
    const px = await ready(h, 'GLD');
    const t0 = Date.now();
    h.venue.faults.refuseTradingAuth = true;
    expect(h.venue.faults.dropStreams('trading')).toBe(1);

    const down = await h.seen.broker_status.waitFor((m) => !m.connected && m.ts > t0, 8000, 'link declared down');
    expect(down.ts - t0).toBeGreaterThanOrEqual(500); // not before the 600 ms threshold (clock slack allowed)
    expect(down.reason).toMatch(/stream/);
    const noNew = await h.seen.risk.waitFor((m) => m.type === 'risk.tier_changed' && m.to === 'NO_NEW', 15_000, 'NO_NEW');
    expect(noNew.triggers.map((t: Any) => t.trigger)).toContain('broker_disconnected');
    h.sys.tell('risk', intentsMsg([intent('d1:GLD', 'GLD', 'buy', 3, px)]));
    expect((await h.seen.risk.waitFor((m) => m.type === 'risk.intent_denied' && m.intent.intentId === 'd1:GLD', 15_000, 'denied')).code).toBe('broker_not_ready');

    h.venue.faults.refuseTradingAuth = false;
    await h.seen.broker_status.waitFor((m) => m.connected && m.ready && m.ts > down.ts, 8000, 'link back');
    await riskAt(h, 'NORMAL', 30_000);
    h.sys.tell('risk', intentsMsg([intent('d2:GLD', 'GLD', 'buy', 3, px)]));
    await h.seen.orders.waitFor((m) => m.intentId === 'd2:GLD' && m.status === 'filled', 8000, 'order after recovery filled');
  });

  it('venue REST failing with 5xx then NO_NEW after the threshold, and recovery when it answers again', async () => {
    h = await startHarness();
    await ready(h, 'GLD');
    const t0 = Date.now();
    h.venue.faults.failNext(10_000, 503, 'trading');
    const down = await h.seen.broker_status.waitFor((m) => !m.connected && m.ts > t0, 30_000, 'link declared down');
    expect(down.reason).toMatch(/REST failing/);
    await h.seen.risk.waitFor((m) => m.type === 'risk.tier_changed' && m.to === 'NO_NEW', 15_000, 'NO_NEW');
    h.venue.faults.reset();
    await h.seen.broker_status.waitFor((m) => m.connected && m.ts > down.ts, 8000, 'link back');
    await riskAt(h, 'NORMAL', 30_000);
  });
});
