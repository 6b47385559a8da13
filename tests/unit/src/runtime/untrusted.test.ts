import { pack, unpack } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import { UntrustedInputError, describe as describeValue, jsonDepth, msgpackDepth, parseJsonBounded, unpackBounded } from '../../../../src/runtime/untrusted.js';

const reason = (f: () => unknown): string => {
  try {
    f();
  } catch (err) {
    if (err instanceof UntrustedInputError) return err.reason;
    throw err;
  }
  return 'accepted';
};

describe('bounded decoding of untrusted input', () => {
  it('JSON brackets inside strings then not counted as depth', () => {
    expect(jsonDepth('{"a":"[[[[{{{{","b":[1,[2]]}')).toBe(3);
    expect(jsonDepth('{"a":"\\"[[[["}')).toBe(1);
  });

  it('JSON nested 100000 deep then too_deep before parsing, and the message does not echo it', () => {
    const text = `{"op":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
    expect(reason(() => parseJsonBounded(text, { maxDepth: 64, maxBytes: 1e6 }))).toBe('too_deep');
    try {
      parseJsonBounded('{"secret-value":', {});
    } catch (err) {
      expect((err as Error).message).not.toContain('secret-value');
    }
  });

  it('prototype keys anywhere then prototype_key; ordinary keys then accepted', () => {
    expect(reason(() => parseJsonBounded('{"__proto__":{"x":1},"reason":"x"}'))).toBe('prototype_key');
    expect(reason(() => parseJsonBounded('{"a":[{"constructor":1}]}'))).toBe('prototype_key');
    expect(reason(() => parseJsonBounded('{"a":{"prototype":1}}'))).toBe('prototype_key');
    expect(parseJsonBounded('{"proto":1,"construct":"constructor"}')).toEqual({ proto: 1, construct: 'constructor' });
    expect(reason(() => unpackBounded(pack(new Map([['__proto__', 1]])), unpack))).toBe('prototype_key');
  });

  it('oversized, invalid UTF-8, malformed then too_large, bad_utf8, bad_json', () => {
    expect(reason(() => parseJsonBounded('[1]', { maxBytes: 2 }))).toBe('too_large');
    expect(reason(() => parseJsonBounded(Uint8Array.from([0x22, 0xff, 0x22])))).toBe('bad_utf8');
    expect(reason(() => parseJsonBounded('{"a":'))).toBe('bad_json');
  });

  it('msgpack depth by pre-scan: flat, nested, truncated, reserved byte', () => {
    expect(msgpackDepth(pack({ a: [1, { b: 2 }], c: 'x' }))).toBe(3);
    expect(msgpackDepth(pack(1))).toBe(0);
    const deep = new Uint8Array(50_001).fill(0x91);
    deep[50_000] = 0x90;
    expect(msgpackDepth(deep, 64)).toBe(65);
    expect(reason(() => unpackBounded(deep, unpack))).toBe('too_deep');
    expect(msgpackDepth(pack([1, 2, 3]).subarray(0, 2))).toBe(-1);
    expect(msgpackDepth(Uint8Array.from([0xc1]))).toBe(-1);
    expect(unpackBounded(pack({ op: 'ping', id: 3 }), unpack)).toEqual({ op: 'ping', id: 3 });
  });

  it('a value described then its type and size only', () => {
    expect(describeValue('abc')).toBe('string (3 chars)');
    expect(describeValue([1, 2])).toBe('array (2 items)');
    expect(describeValue({ a: 1 })).toBe('object (1 keys)');
    expect(describeValue(null)).toBe('null');
  });
});
