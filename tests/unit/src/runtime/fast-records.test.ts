import { Packr } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import { buildStructures, Codec } from '../../../../src/runtime/codec.js';
import { FastRecordEncoder } from '../../../../src/runtime/fast-records.js';

const TRADE = ['type', 'symbol', 'price', 'size', 'id', 'ts'];
const FLAGS = ['type', 'ok', 'why', 'n'];

function msgpackrFor(structures: string[][]): Packr {
  return new Packr({ structures: structures.map((s) => [...s]), maxSharedStructures: Math.max(structures.length, 1), shouldShareStructure: () => false, saveStructures: () => false } as never);
}

function fastBytes(enc: FastRecordEncoder, msg: Record<string, unknown>): Buffer | null {
  const n = enc.encode(msg);
  return n < 0 ? null : Buffer.from(enc.range(n).subarray(0, n));
}

describe('fast record encoder', () => {
  it('flat records of agreed shapes then encode to exactly msgpackr\'s bytes', () => {
    const structures = buildStructures([TRADE, FLAGS]);
    const enc = new FastRecordEncoder(structures);
    const packr = msgpackrFor(structures as string[][]);
    const values = [0, 1, 31, 63, 64, 127, 128, 255, 256, 65535, 65536, 2 ** 32 - 1, 2 ** 32, -1, -32, -33, -128, -129, -32768, -32769, -(2 ** 31), 1.5, -0.25, 245.37, 1_764_000_000_123, Number.MAX_SAFE_INTEGER];
    for (const v of values) {
      const msg = { type: 'md.trade', symbol: 'GLD', price: v, size: v, id: 7, ts: v };
      expect(fastBytes(enc, msg), `value ${v}`).toEqual(Buffer.from(packr.pack(msg)));
    }
    for (const why of ['', 'x'.repeat(31), 'y'.repeat(32), 'z'.repeat(255), 'w'.repeat(256), 'v'.repeat(70_000)]) {
      const msg = { type: 't.flags', ok: why.length % 2 === 0, why, n: null };
      const fast = fastBytes(enc, msg);
      if (why.length > 0xffff) expect(fast).toBeNull();
      else expect(fast, `string of ${why.length}`).toEqual(Buffer.from(packr.pack(msg)));
    }
  });

  it('more than 32 structures then two-byte record ids, still msgpackr\'s bytes', () => {
    const many = Array.from({ length: 70 }, (_, i) => ['type', `f${i}`]);
    const structures = buildStructures(many);
    const enc = new FastRecordEncoder(structures);
    const packr = msgpackrFor(structures as string[][]);
    for (const i of [0, 28, 29, 30, 60, 69]) {
      const msg = { type: 'x', [`f${i}`]: i };
      expect(fastBytes(enc, msg), `structure f${i}`).toEqual(Buffer.from(packr.pack(msg)));
    }
  });

  it('anything outside a flat ASCII record of an agreed shape then is left to msgpackr', () => {
    const enc = new FastRecordEncoder(buildStructures([TRADE]));
    expect(enc.encode({ type: 'md.trade', symbol: 'GLD', price: 1, size: 1, id: 1 })).toBe(-1); // shape not agreed
    expect(enc.encode({ symbol: 'GLD', type: 'md.trade', price: 1, size: 1, id: 1, ts: 1 })).toBe(-1); // order differs
    expect(enc.encode({ type: 'md.trade', symbol: 'ÄÖ', price: 1, size: 1, id: 1, ts: 1 })).toBe(-1); // non-ASCII
    expect(enc.encode({ type: 'md.trade', symbol: 'GLD', price: [1], size: 1, id: 1, ts: 1 })).toBe(-1); // nested
    expect(enc.encode({ type: 'md.trade', symbol: 'GLD', price: undefined, size: 1, id: 1, ts: 1 })).toBe(-1);
  });

  it('codec with the fast path then round-trips through msgpackr decoding', () => {
    const codec = new Codec(buildStructures([TRADE]));
    const msg = { type: 'md.trade', symbol: 'GLD', price: 245.37, size: 120, id: 99, ts: 1_764_000_000_123 };
    expect(codec.decodePayload('a', codec.encodePayload({ kind: 0, from: 'b', cid: 0, ts: 1, msg })).env?.msg).toEqual(msg);
    const nested = { type: 'x.other', deep: { a: [1, 'ü'] } };
    expect(codec.decodePayload('a', codec.encodePayload({ kind: 0, from: 'b', cid: 0, ts: 1, msg: nested })).env?.msg).toEqual(nested);
  });
});
