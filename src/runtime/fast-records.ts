/**
 * A small encoder for the hot path: flat messages whose shape is one of the
 * agreed record structures, written byte for byte as msgpackr writes them
 * (record id, then each value in structure order). msgpackr decodes them on
 * the other side, and anything this encoder does not handle (a shape
 * outside the agreed list, nested objects or arrays, non-ASCII or long
 * strings, undefined, bigint) is left to msgpackr's own `pack`.
 *
 * Why: msgpackr's `pack` is general (bundled strings, transitions, extensions,
 * buffer management), and on a thread that wakes up for one message its
 * code path costs tens of microseconds cold (measured: ~25 µs for a two-field
 * record after 5 ms idle, against ~4 µs for this writer); warm, it is about
 * five times slower per record than this writer. The equality of the bytes
 * with msgpackr's is checked by tests/unit/src/runtime/fast-records.test.ts.
 */
/** The keys of one record structure, in order (agreed by every worker up front). */
export type Structure = readonly string[];

interface Shape {
  readonly keys: readonly string[];
  /** The record header: one byte, or two for ids from 0x60 with two-byte records. */
  readonly header: readonly number[];
}

const MAX_STRING = 0xffff;

export class FastRecordEncoder {
  private readonly byKeyList = new Map<string, Shape>();
  /** Last shape seen per message type: most types have one shape. */
  private readonly byType = new Map<string, Shape>();
  private buf: Buffer = Buffer.allocUnsafeSlow(1024);
  private view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);

  constructor(structures: readonly Structure[]) {
    // msgpackr's rule: two-byte record ids when more than 32 structures are shared.
    const twoByte = structures.length > 32;
    structures.forEach((keys, i) => {
      const id = 0x40 + i;
      const header = id >= 0x60 && twoByte ? [((id - 0x60) & 0x1f) + 0x60, (id - 0x60) >> 5] : [id];
      this.byKeyList.set(keys.join('\u0000'), { keys: [...keys], header });
    });
  }

  /**
   * Encodes `msg` into the internal buffer and returns its length, or -1
   * when the message is not a flat record of an agreed shape (use msgpackr).
   * The bytes stay valid until the next call (`range`).
   */
  encode(msg: Record<string, unknown>): number {
    const shape = this.shapeOf(msg);
    if (!shape) return -1;
    let p = 0;
    for (const b of shape.header) this.buf[p++] = b;
    const keys = shape.keys;
    for (let i = 0; i < keys.length; i++) {
      p = this.value(msg[keys[i]], p);
      if (p < 0) return -1;
    }
    return p;
  }

  /** The encoding buffer, with `start`/`end` of the last encoding (msgpackr's REUSE_BUFFER_MODE shape). */
  range(length: number): Buffer & { start: number; end: number } {
    const r = this.buf as Buffer & { start: number; end: number };
    r.start = 0;
    r.end = length;
    return r;
  }

  private shapeOf(msg: Record<string, unknown>): Shape | undefined {
    const type = msg.type;
    if (typeof type !== 'string') return undefined;
    const cached = this.byType.get(type);
    if (cached && sameKeys(msg, cached.keys)) return cached;
    const shape = this.byKeyList.get(Object.keys(msg).join('\u0000'));
    if (shape) this.byType.set(type, shape);
    return shape;
  }

  private ensure(need: number): void {
    if (need <= this.buf.length) return;
    const next = Buffer.allocUnsafeSlow(Math.max(need, this.buf.length * 2));
    next.set(this.buf);
    this.buf = next;
    this.view = new DataView(next.buffer, next.byteOffset, next.byteLength);
  }

  /** Writes one value at `p`; returns the new position, or -1 for a value left to msgpackr. */
  private value(v: unknown, p: number): number {
    this.ensure(p + 9);
    const b = this.buf;
    switch (typeof v) {
      case 'number':
        if (v >>> 0 === v) {
          // Positive integers: 0x40-0x7f are record ids in record mode, so fixints stop at 0x3f.
          if (v < 0x40) b[p++] = v;
          else if (v < 0x100) {
            b[p++] = 0xcc;
            b[p++] = v;
          } else if (v < 0x10000) {
            b[p++] = 0xcd;
            b[p++] = v >> 8;
            b[p++] = v & 0xff;
          } else {
            b[p++] = 0xce;
            this.view.setUint32(p, v);
            p += 4;
          }
        } else if (v >> 0 === v) {
          if (v >= -0x20) b[p++] = 0x100 + v;
          else if (v >= -0x80) {
            b[p++] = 0xd0;
            b[p++] = v + 0x100;
          } else if (v >= -0x8000) {
            b[p++] = 0xd1;
            this.view.setInt16(p, v);
            p += 2;
          } else {
            b[p++] = 0xd2;
            this.view.setInt32(p, v);
            p += 4;
          }
        } else {
          b[p++] = 0xcb;
          this.view.setFloat64(p, v);
          p += 8;
        }
        return p;
      case 'string': {
        const n = v.length;
        if (n > MAX_STRING) return -1;
        this.ensure(p + 3 + n);
        const s = this.buf;
        const start = p + (n < 0x20 ? 1 : n < 0x100 ? 2 : 3);
        for (let i = 0; i < n; i++) {
          const c = v.charCodeAt(i);
          if (c >= 0x80) return -1;
          s[start + i] = c;
        }
        if (n < 0x20) s[p] = 0xa0 | n;
        else if (n < 0x100) {
          s[p] = 0xd9;
          s[p + 1] = n;
        } else {
          s[p] = 0xda;
          s[p + 1] = n >> 8;
          s[p + 2] = n & 0xff;
        }
        return start + n;
      }
      case 'boolean':
        b[p++] = v ? 0xc3 : 0xc2;
        return p;
      case 'object':
        if (v === null) {
          b[p++] = 0xc0;
          return p;
        }
        return -1;
      default:
        return -1;
    }
  }
}

function sameKeys(msg: Record<string, unknown>, keys: readonly string[]): boolean {
  let i = 0;
  for (const k in msg) {
    if (keys[i] !== k) return false;
    i++;
  }
  return i === keys.length;
}
