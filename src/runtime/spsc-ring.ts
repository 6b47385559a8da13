/**
 * A single-producer single-consumer ring of byte records in a
 * SharedArrayBuffer, with a doorbell to sleep on: the transport of the
 * opt-in hot path (issue 12), where a critical thread polls for its next
 * frame with a bounded spin before it sleeps (the LMAX way) instead of
 * waking from libuv on each postMessage.
 *
 * Layout: a header of three cache lines (the write index, the read index,
 * the doorbell), then `capacity` bytes of data, a power of two. The indices
 * are byte counters that wrap at 2^32 (stored in Int32 slots, read back with
 * `>>> 0`); their difference is the bytes in flight. A record is a 4-byte
 * little-endian length and its bytes, either of which may wrap around the
 * end of the data region.
 *
 * Memory ordering: the producer copies a record in with plain writes, then
 * publishes it with Atomics.store of the write index; the consumer reads the
 * index with Atomics.load before it copies out. Atomics are sequentially
 * consistent in the JavaScript memory model, so the store/load pair orders
 * the plain writes before the reads. The same pair on the read index hands
 * freed space back to the producer.
 *
 * Sleeping: the consumer reads the doorbell's sequence, checks every ring it
 * serves, and only then waits on the sequence; a producer bumps the sequence
 * after publishing and notifies when the consumer said it sleeps. A record
 * published after the check bumped the sequence, so the wait returns at
 * once: no lost wake-up. One doorbell may serve several rings with the same
 * consumer (a thread fed by several producers sleeps on one address).
 */

const HEAD = 0;
const TAIL = 16;
/** Doorbell words, in the ring's own header or in a shared Doorbell buffer. */
const SEQ = 0;
const SLEEPING = 1;
const BELL_IN_HEADER = 32;
export const RING_HEADER_BYTES = 192;

/** Where a consumer sleeps; shared by every ring that feeds it. */
export class Doorbell {
  readonly i32: Int32Array;
  readonly base: number;

  constructor(readonly sab: SharedArrayBuffer = new SharedArrayBuffer(64), base = 0) {
    this.i32 = new Int32Array(sab);
    this.base = base;
  }

  /** Producer side: a record was published. */
  ring(): void {
    Atomics.add(this.i32, this.base + SEQ, 1);
    if (Atomics.load(this.i32, this.base + SLEEPING) !== 0) Atomics.notify(this.i32, this.base + SEQ);
  }

  /** Consumer side: the sequence to pass to sleep(), read before checking the rings. */
  seq(): number {
    return Atomics.load(this.i32, this.base + SEQ);
  }

  /** Producer side: whether the consumer said it is not polling (so a record needs another wake-up). */
  asleep(): boolean {
    return Atomics.load(this.i32, this.base + SLEEPING) !== 0;
  }

  /** Consumer side: says whether it stops polling (true) or polls again (false). */
  setAsleep(asleep: boolean): void {
    Atomics.store(this.i32, this.base + SLEEPING, asleep ? 1 : 0);
  }

  /** Consumer side: blocks until the sequence moves past `seen` or `timeoutMs` passes. */
  sleep(seen: number, timeoutMs: number): void {
    Atomics.store(this.i32, this.base + SLEEPING, 1);
    Atomics.wait(this.i32, this.base + SEQ, seen, timeoutMs);
    Atomics.store(this.i32, this.base + SLEEPING, 0);
  }
}

export class SpscRing {
  readonly capacity: number;
  readonly bell: Doorbell;
  private readonly i32: Int32Array;
  private readonly data: Uint8Array;
  private readonly mask: number;
  /** The producer's copy of the write index (only it moves it). */
  private head: number;
  /** The consumer's copy of the read index (only it moves it). */
  private tail: number;

  /** A buffer for a ring of `capacity` data bytes (a power of two, at least 64). */
  static allocate(capacity: number): SharedArrayBuffer {
    if (!Number.isInteger(capacity) || capacity < 64 || (capacity & (capacity - 1)) !== 0 || capacity > 2 ** 30) {
      throw new RangeError(`ring capacity must be a power of two in 64..2^30 bytes, got ${capacity}`);
    }
    const sab = new SharedArrayBuffer(RING_HEADER_BYTES + capacity);
    // Nobody polls a new ring yet: its first records must come with a wake-up.
    new Doorbell(sab, BELL_IN_HEADER).setAsleep(true);
    return sab;
  }

  /** Either end of the ring in `sab`; `bell` when the consumer sleeps on a shared doorbell. */
  constructor(readonly sab: SharedArrayBuffer, bell?: Doorbell) {
    this.capacity = sab.byteLength - RING_HEADER_BYTES;
    if (this.capacity < 64 || (this.capacity & (this.capacity - 1)) !== 0) throw new RangeError('not a ring buffer (use SpscRing.allocate)');
    this.i32 = new Int32Array(sab, 0, RING_HEADER_BYTES / 4);
    this.data = new Uint8Array(sab, RING_HEADER_BYTES, this.capacity);
    this.mask = this.capacity - 1;
    this.bell = bell ?? new Doorbell(sab, BELL_IN_HEADER);
    this.head = Atomics.load(this.i32, HEAD) >>> 0;
    this.tail = Atomics.load(this.i32, TAIL) >>> 0;
  }

  /** The largest record the ring can ever take. */
  get maxRecord(): number {
    return this.capacity - 4;
  }

  // ---- producer ----------------------------------------------------------

  /** Publishes one record; false when the ring lacks room now (nothing written). */
  tryWrite(bytes: Uint8Array): boolean {
    const n = bytes.byteLength;
    if (n > this.maxRecord) throw new RangeError(`record of ${n} bytes exceeds the ring's ${this.maxRecord}`);
    const tail = Atomics.load(this.i32, TAIL) >>> 0;
    const used = (this.head - tail) >>> 0;
    if (this.capacity - used < n + 4) return false;
    const d = this.data;
    const m = this.mask;
    const h = this.head;
    d[h & m] = n & 0xff;
    d[(h + 1) & m] = (n >>> 8) & 0xff;
    d[(h + 2) & m] = (n >>> 16) & 0xff;
    d[(h + 3) & m] = (n >>> 24) & 0xff;
    const at = (h + 4) & m;
    const first = Math.min(n, this.capacity - at);
    d.set(first === n ? bytes : bytes.subarray(0, first), at);
    if (first < n) d.set(bytes.subarray(first), 0);
    this.head = (h + 4 + n) >>> 0;
    Atomics.store(this.i32, HEAD, this.head | 0);
    this.bell.ring();
    return true;
  }

  // ---- consumer ----------------------------------------------------------

  /** Whether a record is waiting. */
  available(): boolean {
    return (Atomics.load(this.i32, HEAD) >>> 0) !== this.tail;
  }

  /** The next record, copied out (so its space is free at once), or undefined when empty. */
  read(): Buffer | undefined {
    const head = Atomics.load(this.i32, HEAD) >>> 0;
    if (head === this.tail) return undefined;
    const d = this.data;
    const m = this.mask;
    const t = this.tail;
    const n = (d[t & m]! | (d[(t + 1) & m]! << 8) | (d[(t + 2) & m]! << 16) | (d[(t + 3) & m]! << 24)) >>> 0;
    const at = (t + 4) & m;
    // A Buffer: the runtime's codec decodes strings from one faster (see outboxes.fromWire).
    const out = Buffer.allocUnsafe(n);
    const first = Math.min(n, this.capacity - at);
    out.set(d.subarray(at, at + first), 0);
    if (first < n) out.set(d.subarray(0, n - first), first);
    this.tail = (t + 4 + n) >>> 0;
    Atomics.store(this.i32, TAIL, this.tail | 0);
    return out;
  }
}

/**
 * Waits until one of `rings` (all sharing `bell`, one consumer) has a record:
 * polls for `spinUs` first, then sleeps on the doorbell for at most
 * `sleepMs`. Returns whether a record is waiting. Blocks the calling thread,
 * event loop included: only for a thread whose work all arrives by rings.
 */
export function awaitRecord(rings: readonly SpscRing[], bell: Doorbell, spinUs: number, sleepMs: number): boolean {
  const any = (): boolean => {
    for (const r of rings) if (r.available()) return true;
    return false;
  };
  if (any()) return true;
  if (spinUs > 0) {
    const end = performance.now() + spinUs / 1000;
    do {
      if (any()) return true;
    } while (performance.now() < end);
  }
  const seen = bell.seq();
  if (any()) return true;
  bell.sleep(seen, sleepMs);
  return any();
}

/**
 * The producer's side with back-pressure that keeps order: a record the ring
 * cannot take now is kept, and every later one queues behind it until
 * `pump()` (or a later send) gets them in, so the consumer sees them in
 * send order.
 */
export class RingWriter {
  private readonly backlog: Uint8Array[] = [];

  constructor(readonly ring: SpscRing) {}

  /** Sends `bytes` now or keeps a copy for later; true when it went at once. */
  send(bytes: Uint8Array): boolean {
    if (this.backlog.length === 0 && this.ring.tryWrite(bytes)) return true;
    this.backlog.push(Uint8Array.from(bytes));
    this.pump();
    return false;
  }

  /** Moves what the ring now has room for; returns the records still kept. */
  pump(): number {
    let i = 0;
    while (i < this.backlog.length && this.ring.tryWrite(this.backlog[i]!)) i++;
    if (i > 0) this.backlog.splice(0, i);
    return this.backlog.length;
  }

  get pending(): number {
    return this.backlog.length;
  }
}
