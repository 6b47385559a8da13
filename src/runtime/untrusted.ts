/**
 * Bounded decoding of untrusted data: JSON text and msgpack bytes from
 * WebSocket frames, REST bodies, Redis payloads, venue and data-source
 * responses and config files all go through here.
 *
 * - Size is checked before anything is parsed.
 * - JSON depth is checked by a linear pre-scan of the text (brackets outside
 *   strings), before `JSON.parse`; msgpack depth by a linear pre-scan of the
 *   bytes' container headers, before msgpackr (whose reader recurses).
 * - The parsed value is then walked once, iteratively with an explicit stack,
 *   and refused when any object key is `__proto__`, `constructor` or
 *   `prototype`.
 * - Nothing here is recursive on the untrusted structure, and error messages
 *   describe the input (type, length, depth), never echo it.
 *
 * This module imports nothing (it sits in the runtime, which imports nothing
 * of the project, and the venue, which stands apart, may import it as it
 * imports the other leaf modules of src/): callers wrap `UntrustedInputError`
 * in their own error types.
 */

/** What was wrong, as a short metrics label. */
export type UntrustedReason = 'too_large' | 'too_deep' | 'bad_json' | 'bad_msgpack' | 'bad_utf8' | 'prototype_key';

export class UntrustedInputError extends Error {
  readonly code = 'QGTM_ERR_UNTRUSTED_INPUT';
  constructor(
    readonly reason: UntrustedReason,
    message: string,
  ) {
    super(message);
    this.name = 'UntrustedInputError';
  }
}

export interface Bounds {
  /** Most nested containers (objects and arrays); default 64. */
  readonly maxDepth?: number;
  /** Most bytes (or UTF-16 units of a string input); default 1 MiB. */
  readonly maxBytes?: number;
  /** Refuse `__proto__`/`constructor`/`prototype` keys; default true. */
  readonly rejectPrototypeKeys?: boolean;
}

export const DEFAULT_MAX_DEPTH = 64;
export const DEFAULT_MAX_BYTES = 1024 * 1024;
const PROTO_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

export function isPrototypeKey(key: string): boolean {
  return PROTO_KEYS.has(key);
}

/** A description of a value that never contains the value itself: `object (3 keys)`, `string (12 chars)`. */
export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return `array (${v.length} items)`;
  switch (typeof v) {
    case 'string':
      return `string (${v.length} chars)`;
    case 'object':
      return v instanceof Uint8Array ? `bytes (${v.length})` : `object (${Object.keys(v).length} keys)`;
    default:
      return typeof v;
  }
}

/**
 * The deepest bracket nesting of JSON text, counting only brackets outside
 * strings; stops and returns `limit + 1` as soon as `limit` is passed.
 */
export function jsonDepth(text: string, limit = Infinity): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped char
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) {
        max = depth;
        if (max > limit) return max;
      }
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return max;
}

/**
 * The deepest container nesting of msgpack bytes (maps, arrays; an ext
 * payload is skipped as opaque), or -1 when the bytes are truncated or use
 * the reserved byte 0xc1. Stops at `limit + 1`. msgpackr's record extension
 * (bytes 0x40-0x7f as record references) reads as fixints here, so records
 * nest below what this sees: the walk after decoding catches that.
 */
export function msgpackDepth(b: Uint8Array, limit = Infinity): number {
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  // remaining[d]: values still to read in the container at depth d (index 0: the top level, read until the end).
  const remaining: number[] = [Infinity];
  let max = 0;
  let p = 0;
  const n = b.length;
  const open = (items: number): boolean => {
    if (items === 0) return true;
    remaining.push(items);
    if (remaining.length - 1 > max) max = remaining.length - 1;
    return max <= limit;
  };
  while (p < n) {
    // One value starts at p: account for it in its container.
    while (remaining.length > 1 && remaining[remaining.length - 1] === 0) remaining.pop();
    remaining[remaining.length - 1]--;
    const t = b[p++];
    let skip = 0;
    let items = -1;
    if (t <= 0x7f || t >= 0xe0 || t === 0xc0 || t === 0xc2 || t === 0xc3) skip = 0;
    else if (t <= 0x8f) items = (t & 0x0f) * 2;
    else if (t <= 0x9f) items = t & 0x0f;
    else if (t <= 0xbf) skip = t & 0x1f;
    else if (t === 0xc1) return -1;
    else {
      const need = (k: number): boolean => p + k <= n;
      switch (t) {
        case 0xc4:
        case 0xd9:
          if (!need(1)) return -1;
          skip = 1 + b[p];
          break;
        case 0xc5:
        case 0xda:
          if (!need(2)) return -1;
          skip = 2 + view.getUint16(p);
          break;
        case 0xc6:
        case 0xdb:
          if (!need(4)) return -1;
          skip = 4 + view.getUint32(p);
          break;
        case 0xc7:
          if (!need(1)) return -1;
          skip = 2 + b[p];
          break;
        case 0xc8:
          if (!need(2)) return -1;
          skip = 3 + view.getUint16(p);
          break;
        case 0xc9:
          if (!need(4)) return -1;
          skip = 5 + view.getUint32(p);
          break;
        case 0xca:
          skip = 4;
          break;
        case 0xcb:
          skip = 8;
          break;
        case 0xcc:
        case 0xd0:
          skip = 1;
          break;
        case 0xcd:
        case 0xd1:
          skip = 2;
          break;
        case 0xce:
        case 0xd2:
          skip = 4;
          break;
        case 0xcf:
        case 0xd3:
          skip = 8;
          break;
        case 0xd4:
          skip = 2;
          break;
        case 0xd5:
          skip = 3;
          break;
        case 0xd6:
          skip = 5;
          break;
        case 0xd7:
          skip = 9;
          break;
        case 0xd8:
          skip = 17;
          break;
        case 0xdc:
          if (!need(2)) return -1;
          items = view.getUint16(p);
          skip = 2;
          break;
        case 0xdd:
          if (!need(4)) return -1;
          items = view.getUint32(p);
          skip = 4;
          break;
        case 0xde:
          if (!need(2)) return -1;
          items = view.getUint16(p) * 2;
          skip = 2;
          break;
        case 0xdf:
          if (!need(4)) return -1;
          items = view.getUint32(p) * 2;
          skip = 4;
          break;
        default:
          return -1;
      }
    }
    p += skip;
    if (p > n) return -1;
    // A container cannot hold more values than bytes remain.
    if (items > n - p) return -1;
    if (items > 0 && !open(items)) return max;
  }
  while (remaining.length > 1 && remaining[remaining.length - 1] === 0) remaining.pop();
  return remaining.length > 1 ? -1 : max;
}

/**
 * Walks a decoded value iteratively: throws `too_deep` past `maxDepth`, and
 * `prototype_key` on a `__proto__`/`constructor`/`prototype` key when asked.
 */
export function checkStructure(value: unknown, maxDepth = DEFAULT_MAX_DEPTH, rejectPrototypeKeys = true): void {
  if (typeof value !== 'object' || value === null) return;
  const stack: [object, number][] = [[value, 1]];
  let visited = 0;
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (depth > maxDepth) throw new UntrustedInputError('too_deep', `input nests deeper than ${maxDepth} levels`);
    // A shared or cyclic reference (msgpackr structured clone) must not loop forever.
    if (++visited > 1_000_000) throw new UntrustedInputError('too_large', 'input has more than 1000000 containers');
    if (Array.isArray(v)) {
      for (const x of v) if (typeof x === 'object' && x !== null) stack.push([x, depth + 1]);
    } else if (!ArrayBuffer.isView(v)) {
      for (const k of Object.keys(v)) {
        if (rejectPrototypeKeys && PROTO_KEYS.has(k)) throw new UntrustedInputError('prototype_key', `input has a forbidden key (${k.length} chars: __proto__, constructor or prototype)`);
        const x = (v as Record<string, unknown>)[k];
        if (typeof x === 'object' && x !== null) stack.push([x, depth + 1]);
      }
    }
  }
}

/** `JSON.parse` with size, depth and prototype-key bounds. Never echoes the input. */
export function parseJsonBounded(input: string | Uint8Array, bounds: Bounds = {}): unknown {
  const maxBytes = bounds.maxBytes ?? DEFAULT_MAX_BYTES;
  const maxDepth = bounds.maxDepth ?? DEFAULT_MAX_DEPTH;
  if (input.length > maxBytes) throw new UntrustedInputError('too_large', `input of ${input.length} bytes exceeds the limit of ${maxBytes}`);
  let text: string;
  if (typeof input === 'string') text = input;
  else {
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(input);
    } catch {
      throw new UntrustedInputError('bad_utf8', `input of ${input.length} bytes is not valid UTF-8`);
    }
  }
  const depth = jsonDepth(text, maxDepth);
  if (depth > maxDepth) throw new UntrustedInputError('too_deep', `JSON nests deeper than ${maxDepth} levels`);
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch (err) {
    // V8's message quotes a window of the input ("Unexpected token 'x', "...": strip it.
    const at = /position (\d+)/.exec((err as Error).message);
    throw new UntrustedInputError('bad_json', `input of ${text.length} chars is not valid JSON${at ? ` (error at position ${at[1]})` : ''}`);
  }
  checkStructure(value, maxDepth, bounds.rejectPrototypeKeys ?? true);
  return value;
}

/** Unpacks msgpack with size, depth and prototype-key bounds; `unpack` is the decoder to use (msgpackr's). */
export function unpackBounded(bytes: Uint8Array, unpack: (b: Uint8Array) => unknown, bounds: Bounds = {}): unknown {
  const maxBytes = bounds.maxBytes ?? DEFAULT_MAX_BYTES;
  const maxDepth = bounds.maxDepth ?? DEFAULT_MAX_DEPTH;
  if (bytes.length > maxBytes) throw new UntrustedInputError('too_large', `input of ${bytes.length} bytes exceeds the limit of ${maxBytes}`);
  const depth = msgpackDepth(bytes, maxDepth);
  if (depth < 0) throw new UntrustedInputError('bad_msgpack', `input of ${bytes.length} bytes is not valid msgpack`);
  if (depth > maxDepth) throw new UntrustedInputError('too_deep', `msgpack nests deeper than ${maxDepth} levels`);
  // msgpackr renames a `__proto__` key (to `__proto_`) instead of refusing it: look for the string itself.
  if ((bounds.rejectPrototypeKeys ?? true) && hasProtoString(bytes)) {
    throw new UntrustedInputError('prototype_key', 'input has a forbidden key (__proto__)');
  }
  let value: unknown;
  try {
    value = unpack(bytes);
  } catch (err) {
    throw new UntrustedInputError(err instanceof RangeError && /stack/i.test(err.message) ? 'too_deep' : 'bad_msgpack', `input of ${bytes.length} bytes is not valid msgpack`);
  }
  checkStructure(value, maxDepth, bounds.rejectPrototypeKeys ?? true);
  return value;
}

/** `__proto__` as a msgpack fixstr (0xa9 then the 9 bytes) anywhere in the bytes. */
const PROTO_FIXSTR = [0xa9, 0x5f, 0x5f, 0x70, 0x72, 0x6f, 0x74, 0x6f, 0x5f, 0x5f];
function hasProtoString(b: Uint8Array): boolean {
  for (let i = b.indexOf(0xa9); i >= 0 && i + PROTO_FIXSTR.length <= b.length; i = b.indexOf(0xa9, i + 1)) {
    let k = 1;
    while (k < PROTO_FIXSTR.length && b[i + k] === PROTO_FIXSTR[k]) k++;
    if (k === PROTO_FIXSTR.length) return true;
  }
  return false;
}
