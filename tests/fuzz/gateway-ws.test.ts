/**
 * WebSocket fuzz against the real gateway (uWS, over the in-memory bus with a
 * live fake daemon): at least 10,000 malformed frames of many shapes, sent
 * without any token. Afterwards the process is alive, /api/v1/health answers
 * 200, the daemon saw no command, and every rejected frame is counted in
 * `qgtm_gateway_ws_errors_total` (or, for frames uWS refuses itself, in
 * `qgtm_gateway_ws_dropped_clients_total`).
 */
import { pack } from 'msgpackr';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OperatorCommand } from '../../app/bus/commands.js';
import { scrapeValues, startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { connectWs, type WsProbe } from '../helpers/ws-client.js';
import { Gen, SEED, WRONG_SHAPES, deepJson, deepMsgpack, deepMsgpackMaps, protoJson, protoMsgpack, scaled } from './gen.js';

const MAX_PAYLOAD = 16 * 1024;
const FRAMES = scaled(10_000);
const PER_CONNECTION = 9;
const PARALLEL = 8;

type Frame = { data: string | Uint8Array; binary: boolean };

/** One malformed frame that the gateway answers with an error reply (the connection stays open). */
function malformed(g: Gen): Frame {
  const text = (data: string): Frame => ({ data, binary: false });
  const bin = (data: Uint8Array): Frame => ({ data, binary: true });
  const valid = JSON.stringify({ op: 'subscribe', topics: ['ticks', 'risk'] });
  switch (g.int(0, 12)) {
    case 0:
      return bin(g.bytes(g.int(1, 2000)));
    case 1:
      return text(g.ascii(g.int(1, 2000)));
    case 2: {
      // Deep objects, left open (truncated): 5 bytes a level, so at most 3000 levels fit a frame.
      return text(deepJson(g.int(5, 3000), 'op', '{"a":', ''));
    }
    case 3:
      return text(deepJson(g.int(5, 8000)));
    case 4:
      return bin(deepMsgpack(g.int(5, MAX_PAYLOAD - 10)));
    case 5:
      return bin(deepMsgpackMaps(g.int(5, Math.floor((MAX_PAYLOAD - 10) / 3))));
    case 6:
      return text(valid.slice(0, g.int(0, valid.length - 1)) || '{');
    case 7: {
      const b = pack({ op: 'subscribe', topics: ['ticks', 'risk'] });
      return bin(b.subarray(0, g.int(0, b.length - 1)));
    }
    case 8:
      return text(JSON.stringify(g.pick(WRONG_SHAPES)));
    case 9:
      return bin(pack(g.pick(WRONG_SHAPES)));
    case 10:
      return text(protoJson(g.pick(['__proto__', 'constructor', 'prototype'] as const), '"op":"ping"'));
    case 11:
      return bin(protoMsgpack(g.pick(['__proto__', 'constructor', 'prototype'])));
    default:
      // Deep `topics` (the same pattern as `op`).
      return text(`{"op":"subscribe","topics":[${'['.repeat(g.int(5, 7000))}`);
  }
}

const sum = (m: Map<string, number>, prefix: string): number => [...m].filter(([k]) => k.startsWith(prefix)).reduce((a, [, v]) => a + v, 0);

describe('gateway WebSocket fuzz', () => {
  let t: TestGateway;
  let wsUrl: string;
  const commands: OperatorCommand[] = [];

  beforeAll(async () => {
    t = await startTestGateway({
      limits: { wsMaxPayloadBytes: MAX_PAYLOAD },
      handler: async (cmd) => {
        commands.push(cmd);
        return { id: cmd.id, ok: true, at: Date.now() };
      },
    });
    wsUrl = `${t.url.replace(/^http/, 'ws')}/ws`;
  });
  afterAll(async () => {
    await t.close();
  });

  const send = (p: WsProbe, f: Frame): void => (p.ws.send as (d: unknown, o: object) => void)(f.data, { binary: f.binary });

  it('op nested 8000 deep in JSON and 10000 deep in msgpack without a token then rejected, counted, and the gateway alive', async () => {
    const before = await scrapeValues(t.url);
    const p = await connectWs(wsUrl);
    await p.next((m) => m.type === 'welcome');
    send(p, { data: deepJson(8000), binary: false });
    send(p, { data: deepMsgpack(10_000), binary: true });
    send(p, { data: '{"op":"subscribe","topics":' + '['.repeat(7000) + ']'.repeat(7000) + '}', binary: false });
    for (let i = 0; i < 3; i++) {
      const e = await p.next((m) => m.type === 'error');
      expect(e.code).toBe('QGTM_ERR_WS_TOO_DEEP');
      expect(String(e.message).length).toBeLessThan(200);
    }
    p.sendJson({ op: 'ping', id: 1 });
    expect((await p.next((m) => m.type === 'pong')).id).toBe(1);
    p.ws.close();
    expect((await fetch(`${t.url}/api/v1/health`)).status).toBe(200);
    const after = await scrapeValues(t.url);
    expect((after.get('qgtm_gateway_ws_errors_total{reason="too_deep"}') ?? 0) - (before.get('qgtm_gateway_ws_errors_total{reason="too_deep"}') ?? 0)).toBe(3);
  });

  it(`${FRAMES} malformed frames of many shapes without a token then each rejected and counted, no command, health 200`, async () => {
    const g = new Gen(SEED);
    const before = await scrapeValues(t.url);
    // Build the plan first (deterministic for the seed), then run it on PARALLEL connections.
    const plans: Frame[][] = [];
    let planned = 0;
    while (planned < FRAMES) {
      const n = Math.min(PER_CONNECTION, FRAMES - planned);
      plans.push(Array.from({ length: n }, () => malformed(g)));
      planned += n;
    }
    // Connections that end: oversized frames (uWS closes) and one that makes too many errors.
    const oversized = Math.max(2, Math.round(plans.length / 50));
    const tooMany = Math.max(2, Math.round(plans.length / 50));
    let errorsSeen = 0;
    let pongs = 0;
    let next = 0;
    const runOne = async (frames: Frame[], id: number): Promise<void> => {
      // Half the clients get their replies in msgpack (by plan index, so the run is the same for a seed).
      const p = await connectWs(wsUrl, id % 2 === 1 ? 'qgtm.msgpack' : undefined);
      await p.next((m) => m.type === 'welcome');
      for (const f of frames) send(p, f);
      p.sendJson({ op: 'ping', id });
      const pong = await p.next((m) => m.type === 'pong', 10_000);
      expect(pong.id).toBe(id);
      const errs = p.messages.filter((m) => m.type === 'error');
      expect(errs.length).toBe(frames.length);
      for (const e of errs) expect(String(e.message).length).toBeLessThan(300);
      errorsSeen += errs.length;
      pongs++;
      p.ws.close();
      await p.closed;
    };
    const worker = async (): Promise<void> => {
      while (next < plans.length) {
        const i = next++;
        await runOne(plans[i], i);
      }
    };
    await Promise.all(Array.from({ length: PARALLEL }, worker));
    for (let i = 0; i < oversized; i++) {
      const p = await connectWs(wsUrl);
      send(p, { data: i % 2 ? g.bytes(MAX_PAYLOAD + g.int(1, 4096)) : 'x'.repeat(MAX_PAYLOAD + g.int(1, 4096)), binary: i % 2 === 1 });
      await p.closed;
    }
    // Text frames of invalid UTF-8 (uWS closes the connection before the gateway sees them).
    const badUtf8 = Math.max(2, Math.round(plans.length / 50));
    for (let i = 0; i < badUtf8; i++) {
      const p = await connectWs(wsUrl);
      await p.next((m) => m.type === 'welcome');
      const b = Buffer.from(deepJson(g.int(1, 50)));
      b[g.int(0, b.length - 1)] = g.pick([0xff, 0xfe, 0xc0, 0x80]);
      send(p, { data: b, binary: false });
      await p.closed;
    }
    for (let i = 0; i < tooMany; i++) {
      const p = await connectWs(wsUrl);
      for (let k = 0; k < 10; k++) send(p, malformed(g));
      expect((await p.closed).code).toBe(1008);
    }
    expect(errorsSeen).toBe(FRAMES);
    expect(pongs).toBe(plans.length);
    const health = await fetch(`${t.url}/api/v1/health`);
    expect(health.status).toBe(200);
    expect(commands).toEqual([]);
    const after = await scrapeValues(t.url);
    const wsErrors = sum(after, 'qgtm_gateway_ws_errors_total') - sum(before, 'qgtm_gateway_ws_errors_total');
    // Every frame answered with an error, plus the ten of each too-many-errors connection.
    expect(wsErrors).toBe(FRAMES + tooMany * 10);
    expect(after.get('qgtm_gateway_ws_errors_total{reason="handler_message"}') ?? 0).toBe(0);
    const drop = (m: Map<string, number>, r: string): number => m.get(`qgtm_gateway_ws_dropped_clients_total{reason="${r}"}`) ?? 0;
    expect(drop(after, 'oversized_frame') - drop(before, 'oversized_frame')).toBe(oversized);
    expect(drop(after, 'protocol_errors') - drop(before, 'protocol_errors')).toBe(tooMany);
    expect(drop(after, 'invalid_utf8') - drop(before, 'invalid_utf8')).toBe(badUtf8);
    expect(sum(after, 'qgtm_gateway_http_errors_total{status="5')).toBe(0);
    console.log(`ws fuzz: seed ${SEED}, ${FRAMES + tooMany * 10 + oversized + badUtf8} malformed frames on ${plans.length + oversized + tooMany + badUtf8} connections; ws errors counted ${wsErrors}, oversized ${oversized}, invalid UTF-8 ${badUtf8}, dropped for errors ${tooMany}; commands accepted ${commands.length}; health ${health.status}`);
  }, 120_000);
});
