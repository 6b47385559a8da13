/**
 * The wire codec for actor traffic: msgpackr with record structures that every
 * thread agrees on up front, and a framing that batches many envelopes into
 * one buffer (one postMessage per destination per turn).
 *
 * Frame layout (little endian):
 *   u32  length of the rest of the frame
 *   u8   recipient id length, then its ASCII bytes
 *   --- payload (everything below; identical for every recipient of a publish) ---
 *   u8   kind
 *   u8   sender id length (255 = no sender), then its ASCII bytes
 *   f64  correlation id
 *   f64  send timestamp (monotonic ns)
 *   u8   topic length (0 = not published), then its ASCII bytes
 *   msgpack of the message (shared record structures)
 *
 * The recipient sits outside the payload so the main thread can route a
 * frame without decoding it, and a payload that fails to decode can still be
 * attributed to its actor as a dead letter. Envelope fields are plain binary:
 * only the message itself goes through msgpack.
 */
import './msgpackr-setup.js';
import { Packr, REUSE_BUFFER_MODE } from 'msgpackr';
import { FastRecordEncoder, type Structure } from './fast-records.js';
import { isMessage, type Envelope, type Kind, type Message } from './message.js';

/** A record structure: the keys of a message shape, in the order they are created. */
export type { Structure };

/** Shapes every qgtm thread knows. Domain shapes are appended by configuration. */
export const CORE_STRUCTURES: readonly Structure[] = [
  ['type', 'to', 'reason', 'originalType'], // sys.undelivered
  ['type', 'code', 'name', 'message'], // sys.error
  ['type', 'ref', 'cause'], // sys.terminated
];

const MAX_SHARED = 8160;

/** msgpackr's reusable output buffer with the range of the last encoding (REUSE_BUFFER_MODE). */
interface PackedRange extends Buffer {
  start: number;
  end: number;
}
const NO_SENDER = 255;
const MAX_KIND = 6;

export interface DecodedFrame {
  readonly to: string;
  readonly env?: Envelope;
  /** Why the frame could not be decoded, when it could not. */
  readonly error?: string;
}

/**
 * Builds the agreed structure list. Duplicates are removed so that two
 * modules declaring the same shape do not waste record slots; the order is
 * deterministic, so every thread that builds it from the same inputs agrees.
 */
export function buildStructures(extra: readonly Structure[] = []): Structure[] {
  const seen = new Set<string>();
  const out: Structure[] = [];
  for (const s of [...CORE_STRUCTURES, ...extra]) {
    const key = s.join('\u0000');
    if (!seen.has(key)) {
      seen.add(key);
      out.push([...s]);
    }
  }
  if (out.length > MAX_SHARED) throw new Error(`too many shared structures: ${out.length} > ${MAX_SHARED}`);
  return out;
}

export class Codec {
  private readonly packr: Packr;
  private readonly idBytes = new Map<string, Uint8Array>();
  /** Scratch writer for payloads that are framed for several recipients. */
  private readonly scratch = new FrameWriter(256);
  private readonly fast: FastRecordEncoder;

  constructor(structures: readonly Structure[]) {
    // The agreed list is frozen: a shape outside it is encoded with an inline
    // record definition (self-describing) instead of being added to the
    // shared list, which other threads would not know about.
    this.packr = new Packr({
      structures: structures.map((s) => [...s]),
      maxSharedStructures: Math.max(structures.length, 1),
      shouldShareStructure: () => false,
      saveStructures: () => false,
    } as ConstructorParameters<typeof Packr>[0]);
    this.fast = new FastRecordEncoder(structures);
  }

  /** Encodes a value with the shared structures (no framing). */
  pack(value: unknown): Uint8Array {
    return this.packr.pack(value);
  }

  unpack(bytes: Uint8Array): unknown {
    return this.packr.unpack(bytes);
  }

  /** The ASCII bytes of an actor id or topic, cached (ids are few and long-lived). */
  idToBytes(id: string): Uint8Array {
    let b = this.idBytes.get(id);
    if (!b) {
      if (id.length > 254) throw new RangeError(`id too long to frame: ${id.length} > 254`);
      b = new Uint8Array(id.length);
      for (let i = 0; i < id.length; i++) b[i] = id.charCodeAt(i) & 0x7f;
      if (this.idBytes.size > 10_000) this.idBytes.clear();
      this.idBytes.set(id, b);
    }
    return b;
  }

  /**
   * The message's msgpack bytes: flat records of agreed shapes by the fast
   * writer, the rest by msgpackr (REUSE_BUFFER_MODE: msgpackr hands back its
   * own buffer with start/end instead of allocating a view per message).
   * Valid until the next encode: the caller copies them at once.
   */
  private encodeMessage(msg: Message): Uint8Array | PackedRange {
    const n = this.fast.encode(msg as unknown as Record<string, unknown>);
    if (n >= 0) return this.fast.range(n);
    return this.packr.pack(msg, REUSE_BUFFER_MODE) as PackedRange;
  }

  /** Appends one framed envelope to `out`. */
  encodeFrame(out: FrameWriter, env: Envelope): void {
    const msg = this.encodeMessage(env.msg);
    out.appendEnvelope(
      this.idToBytes(env.to),
      env.kind,
      env.from === null ? null : this.idToBytes(env.from),
      env.cid,
      env.ts,
      env.topic === undefined ? null : this.idToBytes(env.topic),
      msg,
    );
  }

  /**
   * Encodes an envelope's payload (everything but the recipient) once, for
   * framing to many recipients: how a publish to N subscribers encodes once.
   * The result is a fresh copy.
   */
  encodePayload(env: Omit<Envelope, 'to'>): Uint8Array {
    const msg = this.encodeMessage(env.msg);
    this.scratch.writePayload(env.kind, env.from === null ? null : this.idToBytes(env.from), env.cid, env.ts, env.topic === undefined ? null : this.idToBytes(env.topic), msg);
    return this.scratch.take();
  }

  /**
   * Splits a batch into frames and decodes each; a bad frame does not spoil
   * the rest. A frame whose payload is byte for byte the one before it (one
   * publish framed for several subscribers in the receiving worker) is not
   * decoded again: its envelope shares the message object, as local delivery
   * of a publish does.
   */
  decodeBatch(batch: Uint8Array, onFrame: (frame: DecodedFrame) => void): void {
    const view = new DataView(batch.buffer, batch.byteOffset, batch.byteLength);
    const ids = new IdCache();
    let lastStart = -1;
    let lastLen = 0;
    let last: Envelope | undefined;
    // Payloads are decoded in place (start/end offsets): a view per frame
    // would cost msgpackr a DataView per frame.
    walkFrames(batch, (to, _frameStart, payloadStart, end, error) => {
      if (error) {
        onFrame({ to, error });
        return;
      }
      const len = end - payloadStart;
      if (last !== undefined && len === lastLen && sameBytes(batch, lastStart, payloadStart, len)) {
        onFrame({ to, env: { ...last, to } });
        return;
      }
      const frame = this.decodeAt(to, batch, view, ids, payloadStart, end);
      last = frame.env;
      lastStart = payloadStart;
      lastLen = len;
      onFrame(frame);
    });
  }

  /** Decodes one envelope payload addressed to `to` (the whole of `bytes`, or `start`..`end`). */
  decodePayload(to: string, bytes: Uint8Array, start = 0, end = bytes.length): DecodedFrame {
    return this.decodeAt(to, bytes, new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), new IdCache(), start, end);
  }

  private decodeAt(to: string, b: Uint8Array, view: DataView, ids: IdCache, start: number, end: number): DecodedFrame {
    let p = start;
    if (end - p < 20) return { to, error: `payload of ${end - p} bytes is shorter than an envelope header` };
    const kind = b[p++];
    if (kind > MAX_KIND) return { to, error: `bad envelope kind ${kind}` };
    const fromLen = b[p++];
    let from: string | null = null;
    if (fromLen !== NO_SENDER) {
      if (p + fromLen > end) return { to, error: 'sender id overruns the frame' };
      from = ids.get(b, p, fromLen);
      p += fromLen;
    }
    if (p + 17 > end) return { to, error: 'envelope header overruns the frame' };
    const cid = view.getFloat64(p, true);
    const ts = view.getFloat64(p + 8, true);
    p += 16;
    const topicLen = b[p++];
    let topic: string | undefined;
    if (topicLen > 0) {
      if (p + topicLen > end) return { to, error: 'topic overruns the frame' };
      topic = ids.get(b, p, topicLen);
      p += topicLen;
    }
    if (p >= end) return { to, error: 'frame has no message' };
    let msg: unknown;
    try {
      msg = this.packr.unpack(b, { start: p, end });
    } catch (err) {
      return { to, error: `msgpack: ${(err as Error).message}` };
    }
    if (!isMessage(msg)) return { to, error: 'message has no string type' };
    const env: Envelope =
      topic === undefined ? { to, kind: kind as Kind, from, cid, ts, msg: msg as Message } : { to, kind: kind as Kind, from, cid, ts, msg: msg as Message, topic };
    return { to, env };
  }
}

/** Reuses the last decoded string when the same bytes come again (senders and topics repeat within a batch). */
class IdCache {
  private start = -1;
  private len = 0;
  private value = '';
  private src: Uint8Array | undefined;

  get(b: Uint8Array, start: number, len: number): string {
    if (len === this.len && this.src === b && sameBytes(b, this.start, start, len)) return this.value;
    let s = '';
    for (let i = start; i < start + len; i++) s += String.fromCharCode(b[i]);
    this.src = b;
    this.start = start;
    this.len = len;
    this.value = s;
    return s;
  }
}

/**
 * Walks the frames of a batch without decoding payloads or allocating views:
 * `cb` gets the recipient and the offsets of the frame (length prefix
 * included), of its payload and of its end. `error` is set, and the walk may
 * stop, when the framing itself is broken.
 */
export function walkFrames(
  batch: Uint8Array,
  cb: (to: string, frameStart: number, payloadStart: number, end: number, error?: string) => void,
): void {
  let pos = 0;
  const len = batch.length;
  const ids = new IdCache();
  while (pos < len) {
    if (pos + 5 > len) {
      cb('?', pos, pos, len, `truncated frame header at byte ${pos}`);
      return;
    }
    const frameLen = (batch[pos] | (batch[pos + 1] << 8) | (batch[pos + 2] << 16) | (batch[pos + 3] << 24)) >>> 0;
    const start = pos + 4;
    const end = start + frameLen;
    if (frameLen < 1 || end > len) {
      cb('?', pos, pos, len, `frame length ${frameLen} at byte ${pos} exceeds batch of ${len} bytes`);
      return;
    }
    const idLen = batch[start];
    if (idLen < 1 || start + 1 + idLen > end) {
      cb('?', pos, end, end, `recipient id length ${idLen} out of range`);
      pos = end;
      continue;
    }
    cb(ids.get(batch, start + 1, idLen), pos, start + 1 + idLen, end);
    pos = end;
  }
}

/** walkFrames with views: the whole frame (for forwarding as is) and its payload. */
export function splitBatch(batch: Uint8Array, onFrame: (to: string, frame: Uint8Array, payload: Uint8Array, error?: string) => void): void {
  walkFrames(batch, (to, frameStart, payloadStart, end, error) => onFrame(to, batch.subarray(frameStart, end), batch.subarray(payloadStart, end), error));
}

/** A growable buffer of frames for one destination, flushed as one postMessage. */
export class FrameWriter {
  private buf: Uint8Array;
  private view: DataView;
  private len = 0;
  count = 0;

  constructor(initial = 4096) {
    this.buf = new Uint8Array(initial);
    this.view = new DataView(this.buf.buffer);
  }

  get size(): number {
    return this.len;
  }

  private ensure(need: number): void {
    if (need > this.buf.length) {
      const next = new Uint8Array(Math.max(need, this.buf.length * 2));
      next.set(this.buf.subarray(0, this.len));
      this.buf = next;
      this.view = new DataView(next.buffer);
    }
  }

  private writeU32(p: number, v: number): void {
    const b = this.buf;
    b[p] = v & 0xff;
    b[p + 1] = (v >>> 8) & 0xff;
    b[p + 2] = (v >>> 16) & 0xff;
    b[p + 3] = (v >>> 24) & 0xff;
  }

  /** Appends a frame: recipient plus an already-encoded payload. */
  append(id: Uint8Array, payload: Uint8Array): void {
    const frameLen = 1 + id.length + payload.length;
    this.ensure(this.len + 4 + frameLen);
    let p = this.len;
    this.writeU32(p, frameLen);
    p += 4;
    this.buf[p++] = id.length;
    this.buf.set(id, p);
    p += id.length;
    this.buf.set(payload, p);
    this.len = p + payload.length;
    this.count++;
  }

  /** Appends a whole frame, writing the envelope header in place. */
  appendEnvelope(to: Uint8Array, kind: number, from: Uint8Array | null, cid: number, ts: number, topic: Uint8Array | null, msg: Uint8Array | PackedRange): void {
    const frameStart = this.len;
    this.ensure(this.len + 4 + 1 + to.length + payloadSize(from, topic, msg));
    let p = frameStart + 4;
    this.buf[p++] = to.length;
    this.buf.set(to, p);
    p += to.length;
    this.len = p;
    this.writePayload(kind, from, cid, ts, topic, msg);
    this.writeU32(frameStart, this.len - frameStart - 4);
    this.count++;
  }

  /** Writes an envelope payload at the end of the buffer (no frame header). */
  writePayload(kind: number, from: Uint8Array | null, cid: number, ts: number, topic: Uint8Array | null, msg: Uint8Array | PackedRange): void {
    this.ensure(this.len + payloadSize(from, topic, msg));
    const b = this.buf;
    let p = this.len;
    b[p++] = kind;
    if (from === null) b[p++] = NO_SENDER;
    else {
      b[p++] = from.length;
      b.set(from, p);
      p += from.length;
    }
    this.view.setFloat64(p, cid, true);
    this.view.setFloat64(p + 8, ts, true);
    p += 16;
    if (topic === null) b[p++] = 0;
    else {
      b[p++] = topic.length;
      b.set(topic, p);
      p += topic.length;
    }
    this.len = p + copyMessage(msg, b, p);
  }

  /** Appends frames already framed by another writer (rerouting unsent traffic). */
  appendRaw(frames: Uint8Array, count: number): void {
    this.ensure(this.len + frames.length);
    this.buf.set(frames, this.len);
    this.len += frames.length;
    this.count += count;
  }

  /**
   * Takes the batch as a fresh, exactly-sized buffer and resets the writer.
   * Exactly sized because posting a view clones its whole underlying buffer;
   * fresh so that a large batch can be transferred.
   */
  take(): Uint8Array {
    const out = this.buf.slice(0, this.len);
    this.len = 0;
    this.count = 0;
    return out;
  }
}

function messageLength(msg: Uint8Array | PackedRange): number {
  return 'end' in msg && typeof msg.end === 'number' ? msg.end - msg.start : msg.length;
}

/** Copies an encoded message into `dst` at `at`; returns its length. */
function copyMessage(msg: Uint8Array | PackedRange, dst: Uint8Array, at: number): number {
  if ('end' in msg && typeof msg.end === 'number') return (msg as PackedRange).copy(dst, at, msg.start, msg.end);
  dst.set(msg, at);
  return msg.length;
}

function payloadSize(from: Uint8Array | null, topic: Uint8Array | null, msg: Uint8Array | PackedRange): number {
  return 1 + 1 + (from?.length ?? 0) + 16 + 1 + (topic?.length ?? 0) + messageLength(msg);
}

function sameBytes(b: Uint8Array, a: number, c: number, n: number): boolean {
  if (a < 0) return false;
  for (let i = 0; i < n; i++) if (b[a + i] !== b[c + i]) return false;
  return true;
}
