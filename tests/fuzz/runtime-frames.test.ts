/**
 * Malformed frames into an actor's mailbox through the path a peer's batch
 * takes (the worker's `onBatch`: framing walk, envelope header, msgpack with
 * the shared record structures). Each becomes a counted dead letter
 * (`decode_error`), the worker keeps running and the actor still answers.
 */
import { pack } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import type { Message } from '../../src/runtime/index.js';
import { fixture } from '../helpers/fixtures.js';
import { useSystem } from '../helpers/system.js';
import { Gen, SEED, deepMsgpack, deepMsgpackMaps, scaled } from './gen.js';

type Any = Message & Record<string, any>;
const startSystem = useSystem();
const FRAMES = scaled(10_000);
const BROKEN = scaled(2_000);
const PER_BATCH = 100;

/** An envelope header (kind, no sender, cid, ts, no topic) before `body`; `kind` may be out of range. */
function payload(kind: number, body: Uint8Array): Uint8Array {
  const b = new Uint8Array(2 + 16 + 1 + body.length);
  b[0] = kind;
  b[1] = 255;
  new DataView(b.buffer).setFloat64(2, 1, true);
  new DataView(b.buffer).setFloat64(10, 2, true);
  b[18] = 0;
  b.set(body, 19);
  return b;
}

/** One well-framed frame to `to` around `p`. */
function frame(to: string, p: Uint8Array): Uint8Array {
  const b = new Uint8Array(4 + 1 + to.length + p.length);
  new DataView(b.buffer).setUint32(0, 1 + to.length + p.length, true);
  b[4] = to.length;
  for (let i = 0; i < to.length; i++) b[5 + i] = to.charCodeAt(i);
  b.set(p, 5 + to.length);
  return b;
}

/** A payload that cannot become an envelope with a message. */
function badPayload(g: Gen): Uint8Array {
  const valid = pack({ type: 't.ping', n: 1 });
  switch (g.int(0, 8)) {
    case 0:
      return g.bytes(g.int(0, 19)); // shorter than a header
    case 1:
      return payload(g.int(7, 255), pack({ type: 't.ping' })); // bad kind
    case 2:
      return payload(0, g.bytes(g.int(1, 300)).map((x, i) => (i === 0 ? 0xc1 : x))); // reserved msgpack byte first
    case 3:
      return payload(0, deepMsgpack(g.int(1000, 20_000), 'type'));
    case 4:
      return payload(0, deepMsgpackMaps(g.int(1000, 10_000)));
    case 5:
      return payload(0, valid.subarray(0, g.int(1, valid.length - 1))); // truncated
    case 6:
      // Record references (0x40-0x7f) that no structure defines, followed by junk.
      return payload(0, Uint8Array.from([g.int(0x60, 0x7f), ...g.bytes(g.int(0, 40))]).map((x, i) => (i === 1 ? 0xc1 : x)));
    case 7:
      return payload(0, pack(g.pick([[1, 2, 3], { n: 1 }, { type: 5 }, { type: null }, 'x', 42, null])));
    default: {
      // A sender id or topic that overruns the frame.
      const p = payload(0, new Uint8Array(0));
      if (g.float() < 0.5) p[1] = 200;
      else p[18] = 250;
      return p;
    }
  }
}

/** A batch whose framing itself is broken: bad length prefixes, truncated headers, recipients overrunning. */
function brokenBatch(g: Gen): Uint8Array {
  switch (g.int(0, 3)) {
    case 0:
      return g.bytes(g.int(1, 4)); // truncated length prefix
    case 1: {
      const f = frame('a', payload(0, pack({ type: 't.ping' })));
      new DataView(f.buffer).setUint32(0, g.pick([0, f.length * 10, 0xffffffff, 1]), true);
      return f;
    }
    case 2: {
      const f = frame('a', payload(0, pack({ type: 't.ping' })));
      f[4] = 250; // recipient length past the frame
      return f;
    }
    default:
      return frame('a', payload(0, pack({ type: 't.ping' }))).subarray(0, g.int(5, 20));
  }
}

const deadCount = (counts: { actor: string; reason: string; count: number }[], reason: string, actor?: string): number =>
  counts.filter((c) => c.reason === reason && (actor === undefined || c.actor === actor)).reduce((a, c) => a + c.count, 0);

describe('runtime frame fuzz', () => {
  it(`${FRAMES} malformed frames and ${BROKEN} broken batches into a worker then each a counted dead letter and the actor still answers`, async () => {
    const system = await startSystem();
    await system.spawn({ id: 'a', module: fixture('probe') });
    const g = new Gen(SEED);
    for (let sent = 0; sent < FRAMES; ) {
      const n = Math.min(PER_BATCH, FRAMES - sent);
      const frames = Array.from({ length: n }, () => frame('a', badPayload(g)));
      const batch = new Uint8Array(frames.reduce((s, f) => s + f.length, 0));
      let o = 0;
      for (const f of frames) {
        batch.set(f, o);
        o += f.length;
      }
      await system.injectBatch('a', batch);
      sent += n;
    }
    const mid = await system.deadLetters();
    expect(deadCount(mid.counts, 'decode_error', 'a')).toBe(FRAMES);
    for (let i = 0; i < BROKEN; i++) await system.injectBatch('a', brokenBatch(g));
    expect(await system.ask<Any>('a', { type: 't.ping', n: 7 } as Any, { timeoutMs: 5000 })).toMatchObject({ n: 7 });
    const dead = await system.deadLetters();
    const total = deadCount(dead.counts, 'decode_error');
    // A broken batch is at least one dead letter (the walk stops at the break).
    expect(total - FRAMES).toBeGreaterThanOrEqual(BROKEN);
    const metrics = (await system.metricsJson()).flat().find((m) => m.name === 'qgtm_dead_letters_total');
    const metricTotal = (metrics?.values ?? []).filter((v) => v.labels?.reason === 'decode_error').reduce((a, v) => a + v.value, 0);
    expect(metricTotal).toBe(total);
    console.log(`runtime fuzz: seed ${SEED}, ${FRAMES} malformed frames in ${Math.ceil(FRAMES / PER_BATCH)} batches and ${BROKEN} broken batches; decode_error dead letters ${total} (metric ${metricTotal}); actor answered`);
  }, 120_000);
});
