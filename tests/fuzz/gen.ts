/**
 * Seeded generators of malformed input for the fuzz suite. `QGTM_FUZZ_SCALE`
 * (default 1) multiplies every count; `QGTM_FUZZ_SEED` picks the seed.
 */
import { pack } from 'msgpackr';
import { mulberry32 } from '../../src/random.js';

export const SCALE = Math.max(0.01, Number(process.env.QGTM_FUZZ_SCALE ?? '1') || 1);
export const SEED = Number(process.env.QGTM_FUZZ_SEED ?? '20261204') >>> 0;

export const scaled = (n: number): number => Math.max(1, Math.round(n * SCALE));

export class Gen {
  private readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  float(): number {
    return this.next();
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.next() * xs.length)];
  }
  bytes(n: number): Uint8Array {
    const b = new Uint8Array(n);
    for (let i = 0; i < n; i++) b[i] = Math.floor(this.next() * 256);
    return b;
  }
  /** Random printable ASCII. */
  ascii(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += String.fromCharCode(32 + Math.floor(this.next() * 95));
    return s;
  }
}

/** `{"op": [[[...]]]}` nested `depth` deep, as JSON text. */
export function deepJson(depth: number, key = 'op', open = '[', close = ']'): string {
  return `{"${key}":${open.repeat(depth)}${close.repeat(depth)}}`;
}

/** `{op: [[[...]]]}` nested `depth` deep, as msgpack (one byte per level). */
export function deepMsgpack(depth: number, key = 'op'): Uint8Array {
  const k = Buffer.from(key);
  const b = new Uint8Array(2 + k.length + depth + 1);
  b[0] = 0x81;
  b[1] = 0xa0 | k.length;
  b.set(k, 2);
  b.fill(0x91, 2 + k.length, 2 + k.length + depth);
  b[b.length - 1] = 0x90;
  return b;
}

/** Deep maps in msgpack: `{a:{a:{...}}}`. */
export function deepMsgpackMaps(depth: number): Uint8Array {
  const b = new Uint8Array(depth * 3 + 1);
  for (let i = 0; i < depth; i++) b.set([0x81, 0xa1, 0x61], i * 3);
  b[b.length - 1] = 0xc0;
  return b;
}

/** Wrong shapes and types for a `{op, topics}` message. */
export const WRONG_SHAPES: readonly unknown[] = [
  null,
  0,
  -1.5,
  'ping',
  true,
  [],
  [{ op: 'ping' }],
  {},
  { op: 5 },
  { op: null },
  { op: ['ping'] },
  { op: { op: 'ping' } },
  { op: 'PING' },
  { op: 'subscribe' },
  { op: 'subscribe', topics: 'ticks' },
  { op: 'subscribe', topics: [] },
  { op: 'subscribe', topics: [{}] },
  { op: 'subscribe', topics: [1, 2, 3] },
  { op: 'subscribe', topics: ['nope'] },
  { op: 'subscribe', topics: Array.from({ length: 40 }, () => 'ticks') },
  { op: 'unsubscribe', topics: [null] },
  { op: 'unsubscribe', topic: { x: 1 } },
  { op: 'x'.repeat(2000) },
];

/** A JSON object with a prototype key first (JSON.stringify cannot write `__proto__` as an own key). */
export function protoJson(key: '__proto__' | 'constructor' | 'prototype', rest: string): string {
  return `{"${key}":{"polluted":true},${rest}}`;
}

export function protoMsgpack(key: string): Uint8Array {
  return pack(new Map<string, unknown>([[key, { polluted: true }], ['op', 'ping']]));
}
