import { describe, expect, it } from 'vitest';
import { buildStructures, Codec, FrameWriter, splitBatch } from '../../../../src/runtime/codec.js';
import { Kind, type Envelope } from '../../../../src/runtime/message.js';

const TRADE = ['type', 'symbol', 'price', 'size', 'id', 'ts'];

function env(to: string, msg: Record<string, unknown> & { type: string }, extra: Partial<Envelope> = {}): Envelope {
  return { to, kind: Kind.Tell, from: 'sender', cid: 0, ts: 123.5, msg, ...extra };
}

describe('codec', () => {
  it('batch of envelopes when encoded and decoded then round-trips every field', () => {
    const codec = new Codec(buildStructures([TRADE]));
    const w = new FrameWriter(8);
    const a = env('feed:GLD', { type: 'md.trade', symbol: 'GLD', price: 201.25, size: 10, id: 7, ts: 1_700_000_000_000 });
    const b = env('risk', { type: 'x.other', nested: { deep: [1, 2, { k: 'v' }] } }, { kind: Kind.Ask, cid: 42, topic: 'ticks' });
    codec.encodeFrame(w, a);
    codec.encodeFrame(w, b);
    expect(w.count).toBe(2);
    const out: Envelope[] = [];
    codec.decodeBatch(w.take(), (f) => out.push(f.env!));
    expect(out).toEqual([a, b]);
    expect(w.count).toBe(0);
  });

  it('shared structures when both sides agree then encode smaller than without', () => {
    const shared = new Codec(buildStructures([TRADE]));
    const plain = new Codec(buildStructures([]));
    const msg = { type: 'md.trade', symbol: 'GLD', price: 201.25, size: 10, id: 7, ts: 1_700_000_000_000 };
    expect(shared.pack(msg).length).toBeLessThan(plain.pack(msg).length);
    expect(shared.unpack(shared.pack(msg))).toEqual(msg);
  });

  it('shape outside the agreed list then decodes on a codec that never saw it', () => {
    const a = new Codec(buildStructures([TRADE]));
    const b = new Codec(buildStructures([TRADE]));
    const msg = { type: 'novel', alpha: 1, beta: 'two' };
    const w = new FrameWriter();
    a.encodeFrame(w, env('x', msg));
    a.encodeFrame(w, env('x', msg));
    const got: unknown[] = [];
    b.decodeBatch(w.take(), (f) => got.push(f.env?.msg));
    expect(got).toEqual([msg, msg]);
  });

  it('corrupt payload in the middle of a batch then only that frame fails, attributed to its recipient', () => {
    const codec = new Codec(buildStructures());
    const w = new FrameWriter();
    codec.encodeFrame(w, env('a', { type: 't.one' }));
    const broken = new FrameWriter();
    broken.writePayload(Kind.Tell, null, 0, 1, null, new Uint8Array([0xc1, 0xc1]));
    w.append(codec.idToBytes('victim'), broken.take());
    codec.encodeFrame(w, env('c', { type: 't.three' }));
    const frames: { to: string; ok: boolean; error?: string }[] = [];
    codec.decodeBatch(w.take(), (f) => frames.push({ to: f.to, ok: !!f.env, error: f.error }));
    expect(frames.map((f) => [f.to, f.ok])).toEqual([
      ['a', true],
      ['victim', false],
      ['c', true],
    ]);
    expect(frames[1].error).toMatch(/msgpack/);
  });

  it('truncated batch then reports a framing error instead of throwing', () => {
    const codec = new Codec(buildStructures());
    const w = new FrameWriter();
    codec.encodeFrame(w, env('a', { type: 't.one' }));
    const bytes = w.take();
    const errors: string[] = [];
    splitBatch(bytes.subarray(0, bytes.length - 2), (_to, _frame, _payload, error) => error && errors.push(error));
    expect(errors[0]).toMatch(/exceeds batch/);
  });

  it('message without a string type then is rejected as malformed', () => {
    const codec = new Codec(buildStructures());
    const w = new FrameWriter();
    w.writePayload(Kind.Tell, null, 0, 1, null, codec.pack({ notype: true }));
    expect(codec.decodePayload('a', w.take()).error).toMatch(/no string type/);
  });

  it('payload shorter than an envelope header then is rejected without reading past it', () => {
    const codec = new Codec(buildStructures());
    expect(codec.decodePayload('a', new Uint8Array([0, 255, 1])).error).toMatch(/shorter than an envelope header/);
  });

  it('bad envelope kind then is rejected', () => {
    const codec = new Codec(buildStructures());
    const w = new FrameWriter();
    w.writePayload(9, null, 0, 1, null, codec.pack({ type: 'x' }));
    expect(codec.decodePayload('a', w.take()).error).toMatch(/bad envelope kind 9/);
  });

  it('publish payload when framed for several recipients then decodes for each with its topic', () => {
    const codec = new Codec(buildStructures());
    const payload = codec.encodePayload({ kind: Kind.Tell, from: 'feed', cid: 0, ts: 5, msg: { type: 't.px' }, topic: 'ticks' });
    const w = new FrameWriter();
    for (const to of ['s1', 's2']) w.append(codec.idToBytes(to), payload);
    const got: Envelope[] = [];
    codec.decodeBatch(w.take(), (f) => got.push(f.env!));
    expect(got.map((e) => [e.to, e.from, e.topic, e.msg.type])).toEqual([
      ['s1', 'feed', 'ticks', 't.px'],
      ['s2', 'feed', 'ticks', 't.px'],
    ]);
  });

  it('one publish framed for several recipients then decoded once, the message shared; other payloads decoded apart', () => {
    const codec = new Codec(buildStructures([TRADE]));
    const trade = (price: number) => ({ type: 'md.trade', symbol: 'GLD', price, size: 10, id: 7, ts: 1 });
    const pub = codec.encodePayload({ kind: Kind.Tell, from: 'feed', cid: 0, ts: 5, msg: trade(201.25), topic: 'ticks' });
    // Same length, one byte apart (the price): must not be taken for the publish.
    const other = codec.encodePayload({ kind: Kind.Tell, from: 'feed', cid: 0, ts: 5, msg: trade(201.5), topic: 'ticks' });
    expect(other.length).toBe(pub.length);
    const w = new FrameWriter();
    for (const to of ['s1', 's2', 's3']) w.append(codec.idToBytes(to), pub);
    w.append(codec.idToBytes('s4'), other);
    w.append(codec.idToBytes('s5'), pub);
    const got: Envelope[] = [];
    codec.decodeBatch(w.take(), (f) => got.push(f.env!));
    expect(got.map((e) => [e.to, e.topic, (e.msg as { price?: number }).price])).toEqual([
      ['s1', 'ticks', 201.25],
      ['s2', 'ticks', 201.25],
      ['s3', 'ticks', 201.25],
      ['s4', 'ticks', 201.5],
      ['s5', 'ticks', 201.25],
    ]);
    expect(got[1]!.msg).toBe(got[0]!.msg);
    expect(got[2]!.msg).toBe(got[0]!.msg);
    expect(got[3]!.msg).not.toBe(got[0]!.msg);
    expect(got[4]!.msg).not.toBe(got[3]!.msg);
  });

  it('duplicate structures when built then appear once, in a stable order', () => {
    expect(buildStructures([TRADE, TRADE, ['a']])).toEqual(buildStructures([TRADE, ['a']]));
  });
});
