/**
 * The opt-in hot path inside a worker runtime (SystemOptions.hotPath): frame
 * batches to a peer worker go through a SharedArrayBuffer ring
 * (../spsc-ring.ts) instead of the MessagePort, and a hot worker, after
 * handling what arrived, polls its inbound rings for a bounded spin before it
 * returns to its event loop. A worker woken by the ring while it spins skips
 * the event loop's wake-up; one that stopped polling is woken by a small
 * message on the port (WAKE), so nothing waits for the next poll.
 *
 * Order per pair is the port's: every batch to a peer with a ring goes
 * through the ring, in order, and one too large for it goes on the port with
 * a marker (an empty record) at its place in the ring: the receiver takes
 * port batches only at their markers. Frames the ring cannot take yet are
 * kept, in order, and retried (back-pressure, never a second path).
 *
 * Races: the receiver marks its rings asleep and then reads them once more,
 * and a sender publishes and then reads the mark; with sequentially
 * consistent atomics one of the two sees the other's record, so a record is
 * never left unread with no wake-up on its way.
 */
import type { MessagePort } from 'node:worker_threads';
import { SpscRing } from '../spsc-ring.js';

/** The port message that says "read the ring". */
export const WAKE = 0;

/** The rings of one direct channel, as the main thread hands them out. */
export interface ChannelRings {
  /** Batches this worker sends to the peer. */
  readonly send?: SharedArrayBuffer;
  /** Batches the peer sends to this worker. */
  readonly recv?: SharedArrayBuffer;
  /** How long this worker polls its rings after the last record, µs (0: not at all). */
  readonly spinUs: number;
}

const MARKER = new Uint8Array(0);
const RETRY_MS = 1;

interface Outbound {
  readonly ring: SpscRing;
  readonly port: MessagePort;
  /** Records the ring could not take yet, in order, with their frame counts (a marker counts 0). */
  readonly kept: { readonly bytes: Uint8Array; readonly count: number }[];
}

interface Inbound {
  readonly ring: SpscRing;
  /** Port batches that arrived before their marker was read. */
  readonly early: Uint8Array[];
  /** A marker was read and its batch has not come yet: the ring waits for it. */
  awaitingPort: boolean;
}

export class PeerRings {
  private readonly out = new Map<string, Outbound>();
  private readonly inb = new Map<string, Inbound>();
  private spinUs = 0;
  private retry: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly onBatch: (bytes: Uint8Array, peer: string) => void,
    private readonly toPort: (port: MessagePort, bytes: Uint8Array) => void,
  ) {}

  /** The channel to `peer` is wired, with these rings. */
  attach(peer: string, port: MessagePort, rings: ChannelRings): void {
    this.detach(peer);
    if (rings.send) this.out.set(peer, { ring: new SpscRing(rings.send), port, kept: [] });
    if (rings.recv) {
      const ring = new SpscRing(rings.recv);
      ring.bell.setAsleep(true);
      this.inb.set(peer, { ring, early: [], awaitingPort: false });
    }
    this.spinUs = Math.max(this.spinUs, rings.spinUs);
  }

  /** The peer is gone: what it sent is read, what was kept for it is returned (for rerouting). */
  detach(peer: string): { readonly bytes: Uint8Array; readonly count: number }[] {
    const i = this.inb.get(peer);
    if (i) {
      this.read(peer, i);
      this.inb.delete(peer);
    }
    const o = this.out.get(peer);
    this.out.delete(peer);
    return o ? o.kept.filter((k) => k.count > 0) : [];
  }

  /** Sends a batch to `peer` by its ring; false when the channel has none (use the port). */
  post(peer: string, bytes: Uint8Array, count: number): boolean {
    const o = this.out.get(peer);
    if (!o) return false;
    if (bytes.byteLength > o.ring.maxRecord) {
      // Too large for the ring: the port carries it, the marker keeps its place.
      this.toPort(o.port, bytes);
      this.enqueue(o, MARKER, 0);
    } else this.enqueue(o, bytes, count);
    if (o.ring.bell.asleep()) o.port.postMessage(WAKE);
    return true;
  }

  private enqueue(o: Outbound, bytes: Uint8Array, count: number): void {
    if (o.kept.length === 0 && o.ring.tryWrite(bytes)) return;
    // Kept until the peer frees room; a retry timer moves them, the peer woken each time.
    o.kept.push({ bytes, count });
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    if (this.retry) return;
    this.retry = setTimeout(() => {
      this.retry = null;
      let left = false;
      for (const o of this.out.values()) {
        let n = 0;
        while (n < o.kept.length && o.ring.tryWrite(o.kept[n]!.bytes)) n++;
        if (n > 0) o.kept.splice(0, n);
        if (n > 0 || o.kept.length > 0) o.port.postMessage(WAKE);
        if (o.kept.length > 0) left = true;
      }
      if (left) this.scheduleRetry();
    }, RETRY_MS);
  }

  /** A batch came on the port from `peer` with a ring: handled at its marker. */
  portBatch(peer: string, bytes: Uint8Array): boolean {
    const i = this.inb.get(peer);
    if (!i) return false;
    i.early.push(bytes);
    this.read(peer, i);
    return true;
  }

  /** Reads every inbound ring, then polls them for the spin budget after the last record. */
  poll(): void {
    if (this.inb.size === 0) return;
    for (const i of this.inb.values()) i.ring.bell.setAsleep(false);
    const budget = this.spinUs / 1000;
    let end = performance.now() + budget;
    for (;;) {
      if (this.readAll()) end = performance.now() + budget;
      else if (performance.now() >= end) break;
    }
    for (const i of this.inb.values()) i.ring.bell.setAsleep(true);
    // Published before the sender saw the mark: its wake-up may not come.
    this.readAll();
  }

  private readAll(): boolean {
    let got = false;
    for (const [peer, i] of this.inb) if (this.read(peer, i)) got = true;
    return got;
  }

  /** Hands over what the ring holds, in order, stopping at a marker whose port batch is not here yet. */
  private read(peer: string, i: Inbound): boolean {
    let got = false;
    for (;;) {
      if (i.awaitingPort) {
        const b = i.early.shift();
        if (!b) return got;
        i.awaitingPort = false;
        got = true;
        this.onBatch(b, peer);
        continue;
      }
      const rec = i.ring.read();
      if (!rec) return got;
      got = true;
      if (rec.byteLength === 0) i.awaitingPort = true;
      else this.onBatch(rec, peer);
    }
  }

  /** Nothing kept for a peer. */
  get idle(): boolean {
    for (const o of this.out.values()) if (o.kept.length > 0) return false;
    return true;
  }

  close(): void {
    if (this.retry) clearTimeout(this.retry);
    this.retry = null;
  }
}
