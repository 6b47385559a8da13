import { pack } from 'msgpackr';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../helpers/fixtures.js';
import { scrapeValues, startTestGateway, type TestGateway } from '../../helpers/gateway.js';
import { connectWs, type WsMessage, type WsProbe } from '../../helpers/ws-client.js';

const isEvent = (topic: string) => (m: WsMessage) => m.type === 'event' && m.topic === topic;

describe('gateway WebSocket telemetry', () => {
  let t: TestGateway;
  let ws: string;
  const open: WsProbe[] = [];
  const connect = async (path = '/ws', protocols?: string | string[]): Promise<WsProbe> => {
    const p = await connectWs(`${ws}${path}`, protocols);
    open.push(p);
    return p;
  };

  beforeAll(async () => {
    t = await startTestGateway({ limits: { wsMaxPayloadBytes: 1024, wsMaxBackpressureBytes: 64 * 1024, wsSweepMs: 20 } });
    ws = t.url.replace(/^http/, 'ws');
  });
  afterAll(async () => {
    for (const p of open) p.ws.terminate();
    await t.close();
  });

  it('connect then a welcome listing the topics, JSON by default', async () => {
    const c = await connect();
    expect(await c.next()).toEqual({ type: 'welcome', format: 'json', topics: ['health', 'ticks', 'signals', 'risk', 'orders', 'fills', 'supervisor', 'positions', 'posture', 'strategy_status', 'dead_letters', 'research'], maxPayloadBytes: 1024 });
  });

  it('subscribe then events of that topic only, with per-topic sequence numbers', async () => {
    const c = await connect();
    c.sendJson({ op: 'subscribe', topics: ['ticks'] });
    expect(await c.next((m) => m.type === 'subscribed')).toEqual({ type: 'subscribed', topics: ['ticks'], added: ['ticks'], unknown: [] });
    t.bus.publish('risk', { tier: 'WARN' });
    t.bus.publish('ticks', { symbol: 'GLD', price: 1 });
    t.bus.publish('ticks', { symbol: 'GLD', price: 2 });
    const a = await c.next(isEvent('ticks'));
    const b = await c.next(isEvent('ticks'));
    expect(a.data).toEqual({ symbol: 'GLD', price: 1 });
    expect(b.seq).toBe((a.seq as number) + 1);
    expect(c.messages.some(isEvent('risk'))).toBe(false);
  });

  it('unsubscribe then no more events of that topic', async () => {
    const c = await connect();
    c.sendJson({ op: 'subscribe', topics: ['ticks', 'fills'] });
    await c.next((m) => m.type === 'subscribed');
    c.sendJson({ op: 'unsubscribe', topics: ['ticks'] });
    expect(await c.next((m) => m.type === 'unsubscribed')).toEqual({ type: 'unsubscribed', topics: ['fills'], removed: ['ticks'], unknown: [] });
    t.bus.publish('ticks', { n: 1 });
    t.bus.publish('fills', { n: 2 });
    expect((await c.next((m) => m.type === 'event')).topic).toBe('fills');
  });

  it('topics in the query then subscribed at connect', async () => {
    const c = await connect('/ws?topics=orders,supervisor');
    await c.next((m) => m.type === 'subscribed');
    t.bus.publish('supervisor', { report: 'restart' });
    expect((await c.next(isEvent('supervisor'))).data).toEqual({ report: 'restart' });
  });

  it.each([
    ['query', '/ws?format=msgpack', undefined],
    ['subprotocol', '/ws', ['qgtm.msgpack']],
  ])('msgpack asked by %s then binary msgpack frames', async (_how, path, protocols) => {
    const c = await connect(path, protocols);
    expect((await c.next()).format).toBe('msgpack');
    if (protocols) expect(c.ws.protocol).toBe('qgtm.msgpack');
    c.ws.send(pack({ op: 'subscribe', topics: ['signals'] }));
    await c.next((m) => m.type === 'subscribed');
    t.bus.publish('signals', { strategyId: 's1', strength: 0.5 });
    expect((await c.next(isEvent('signals'))).data).toEqual({ strategyId: 's1', strength: 0.5 });
  });

  it('a subscribe naming one unknown topic then the valid ones subscribed and the unknown reported', async () => {
    const c = await connect();
    await c.next();
    c.sendJson({ op: 'subscribe', topics: ['ticks', 'gossip', 'fills', 'ticks'] });
    expect(await c.next((m) => m.type === 'subscribed')).toEqual({ type: 'subscribed', topics: ['ticks', 'fills'], added: ['ticks', 'fills'], unknown: ['gossip'] });
    // Subscribing again adds nothing; unsubscribing reports what went and skips what was never there.
    c.sendJson({ op: 'subscribe', topics: ['fills', 'orders'] });
    expect(await c.next((m) => m.type === 'subscribed' && (m.added as string[]).length === 1)).toEqual({ type: 'subscribed', topics: ['ticks', 'fills', 'orders'], added: ['orders'], unknown: [] });
    c.sendJson({ op: 'unsubscribe', topics: ['ticks', 'risk', 'nope'] });
    expect(await c.next((m) => m.type === 'unsubscribed')).toEqual({ type: 'unsubscribed', topics: ['fills', 'orders'], removed: ['ticks'], unknown: ['nope'] });
    const counted = await scrapeValues(t.url);
    expect(counted.get('qgtm_gateway_ws_errors_total{reason="unknown_topic"}')).toBeGreaterThanOrEqual(2);
  });

  it('unknown names in the connect query then the valid ones subscribed and the unknown reported', async () => {
    const c = await connect('/ws?topics=orders,gossip');
    expect(await c.next((m) => m.type === 'subscribed')).toEqual({ type: 'subscribed', topics: ['orders'], added: ['orders'], unknown: ['gossip'] });
  });

  it('a new subscriber then the topic\'s latest state first, flagged snapshot, then live events from the next seq', async () => {
    const state = (tier: string) => ({ type: 'risk.state', tier, floor: tier === 'THROTTLE' ? 'THROTTLE' : null, at: 1 });
    t.bus.publish('risk', state('WARN'));
    t.bus.publish('risk', state('THROTTLE'));
    // A denial rides the same topic but is not the state.
    t.bus.publish('risk', { type: 'risk.intent_denied', code: 'TIER' });
    t.bus.publish('ticks', { type: 'ticks', at: 1, items: [{ symbol: 'GLD', price: 1 }, { symbol: 'SLV', price: 2 }] });
    t.bus.publish('ticks', { type: 'ticks', at: 2, items: [{ symbol: 'GLD', price: 3 }] });
    const c = await connect();
    await c.next();
    c.sendJson({ op: 'subscribe', topics: ['risk', 'ticks'] });
    // In this order, nothing between: the reply, each topic's latest state, then live events.
    expect((await c.next()).type).toBe('subscribed');
    const risk = await c.next();
    expect(risk).toMatchObject({ type: 'event', topic: 'risk', snapshot: true, data: state('THROTTLE') });
    const ticks = await c.next();
    expect(ticks).toMatchObject({ type: 'event', topic: 'ticks', snapshot: true });
    expect((ticks.data as { items: unknown[] }).items).toEqual([{ symbol: 'SLV', price: 2 }, { symbol: 'GLD', price: 3 }]);
    t.bus.publish('risk', state('NORMAL'));
    const live = await c.next();
    expect(live).toMatchObject({ type: 'event', topic: 'risk', data: state('NORMAL') });
    expect(live.snapshot).toBeUndefined();
    // The denial in between kept its number: a client sees the gap.
    expect(live.seq).toBe((risk.seq as number) + 2);
  });

  it('a ping then a pong with its id', async () => {
    const c = await connect();
    c.sendJson({ op: 'ping', id: 7 });
    expect(await c.next((m) => m.type === 'pong')).toMatchObject({ type: 'pong', id: 7 });
  });

  it('malformed messages then error replies saying what was wrong, connection kept', async () => {
    const c = await connect();
    await c.next();
    c.ws.send('{nope');
    expect((await c.next((m) => m.type === 'error')).code).toBe('QGTM_ERR_WS_BAD_JSON');
    c.ws.send(new Uint8Array([0xc1, 0xc1, 0xc1]));
    expect((await c.next((m) => m.type === 'error')).code).toBe('QGTM_ERR_WS_BAD_MSGPACK');
    c.sendJson({ op: 'subscribe', topics: ['gossip', 7] });
    expect(await c.next((m) => m.type === 'error')).toEqual({
      type: 'error',
      code: 'QGTM_ERR_WS_UNKNOWN_TOPIC',
      message: 'unknown topic(s) "gossip", number; topics are health, ticks, signals, risk, orders, fills, supervisor, positions, posture, strategy_status, dead_letters, research',
    });
    c.sendJson({ op: 'dance' });
    expect((await c.next((m) => m.type === 'error')).code).toBe('QGTM_ERR_WS_BAD_OP');
    c.sendJson([1, 2]);
    expect((await c.next((m) => m.type === 'error')).code).toBe('QGTM_ERR_WS_BAD_MESSAGE');
    c.sendJson({ op: 'ping', id: 'still-here' });
    expect((await c.next((m) => m.type === 'pong')).id).toBe('still-here');
  });

  it('a client that keeps sending garbage then disconnected with 1008', async () => {
    const c = await connect();
    for (let i = 0; i < 10; i++) c.ws.send('garbage');
    expect(await c.closed).toEqual({ code: 1008, reason: 'too many protocol errors' });
  });

  it('an oversized frame then the connection is closed and counted, the gateway lives on', async () => {
    const c = await connect();
    await c.next();
    c.ws.send('x'.repeat(5000));
    expect((await c.closed).code).toBe(1006);
    await eventually(async () => (await scrapeValues(t.url)).get('qgtm_gateway_ws_dropped_clients_total{reason="oversized_frame"}') === 1, 3000, 'oversized drop counted');
    expect((await connect()).ws.readyState).toBe(1);
  });

  it.each([
    ['/ws?format=xml', undefined, 'format must be json or msgpack'],
    ['/ws', ['chat'], 'no supported subprotocol'],
    ['/ws?topics=gossip,rumour', undefined, 'unknown topic'],
  ])('bad upgrade %s %s then refused with 400', async (path, protocols, _why) => {
    await expect(connectWs(`${ws}${path}`, protocols)).rejects.toThrow('upgrade refused: 400');
  });
});

describe('gateway WebSocket backpressure', () => {
  it('a slow client then dropped while the others keep receiving every message', async () => {
    // Bursts (8 x 16 KiB) stay well under the limit (256 KiB), so a client that reads between bursts never nears it.
    const t = await startTestGateway({ limits: { wsMaxBackpressureBytes: 256 * 1024, wsSweepMs: 20 } });
    const ws = t.url.replace(/^http/, 'ws');
    const fast = await connectWs(`${ws}/ws?topics=ticks`);
    const fast2 = await connectWs(`${ws}/ws?format=msgpack&topics=ticks`);
    const slow = await connectWs(`${ws}/ws?topics=ticks`);
    try {
      await Promise.all([fast, fast2, slow].map((c) => c.next((m) => m.type === 'subscribed')));
      // The slow client stops reading: its kernel buffers fill, then uWS's backlog for it.
      slow.ws._socket.pause();
      let got = 0;
      let got2 = 0;
      let lastSeq = 0;
      let gaps = 0;
      fast.ws.on('message', (d) => {
        const m = JSON.parse(d.toString()) as WsMessage;
        if (m.type !== 'event') return;
        if (lastSeq !== 0 && m.seq !== lastSeq + 1) gaps++;
        lastSeq = m.seq as number;
        got++;
      });
      fast2.ws.on('message', () => got2++);
      const payload = 'p'.repeat(16 * 1024);
      let sent = 0;
      // Bounded: at most 4000 x 16 KiB (64 MiB) before giving up.
      while (sent < 4000 && t.gw.stats().wsClients === 3) {
        for (let i = 0; i < 8; i++, sent++) t.bus.publish('ticks', { i: sent, payload });
        await new Promise((r) => setTimeout(r, 2));
      }
      for (let i = 0; i < 50; i++, sent++) t.bus.publish('ticks', { i: sent, payload });
      await eventually(() => got === sent && got2 === sent, 10_000, `fast clients to receive all ${sent}`);
      expect(gaps).toBe(0);
      expect(fast.ws.readyState).toBe(1);
      expect(t.gw.stats().wsClients).toBe(2);
      const v = await scrapeValues(t.url);
      expect(v.get('qgtm_gateway_ws_dropped_clients_total{reason="slow"}')).toBe(1);
      expect(v.get('qgtm_gateway_ws_clients{format="json"}')).toBe(1);
    } finally {
      for (const c of [fast, fast2, slow]) c.ws.terminate();
      await t.close();
    }
  });
});
