/**
 * Per-subscriber conflation of feature updates under backpressure.
 *
 * Each subscriber may have at most `maxInFlight` updates unacknowledged.
 * While it is at that limit, newer updates replace the one waiting for it
 * (only the latest features matter to a strategy that lags), and each
 * replaced update is counted. `ack` frees a slot and hands over the waiting
 * update, if any. Bars and status events must not go through here: they are
 * not conflatable and the shell sends them directly.
 *
 * Delivery is by callback so publishing allocates nothing per subscriber.
 */

export type Deliver<M> = (subscriber: string, msg: M) => void;

export interface OutboxStats {
  readonly subscribers: number;
  /** Updates offered to `publish`. */
  readonly published: number;
  /** Deliveries made (to any subscriber). */
  readonly delivered: number;
  /** Updates replaced before delivery, summed over subscribers. */
  readonly conflated: number;
  /** Subscribers holding a waiting update. */
  readonly pending: number;
}

interface Slot<M> {
  inFlight: number;
  pending: M | null;
  conflated: number;
}

export class ConflatingOutbox<M> {
  readonly maxInFlight: number;
  private readonly subs = new Map<string, Slot<M>>();
  private published = 0;
  private delivered = 0;
  private conflated = 0;

  constructor(maxInFlight = 1) {
    if (!Number.isInteger(maxInFlight) || maxInFlight < 1) throw new RangeError(`maxInFlight must be a positive integer, got ${maxInFlight}`);
    this.maxInFlight = maxInFlight;
  }

  subscribe(id: string): void {
    if (!this.subs.has(id)) this.subs.set(id, { inFlight: 0, pending: null, conflated: 0 });
  }

  unsubscribe(id: string): void {
    this.subs.delete(id);
  }

  has(id: string): boolean {
    return this.subs.has(id);
  }

  /** Delivers `msg` to every subscriber with a free slot and parks it for the rest. */
  publish(msg: M, deliver: Deliver<M>): void {
    this.published++;
    for (const [id, s] of this.subs) {
      if (s.inFlight < this.maxInFlight) {
        s.inFlight++;
        this.delivered++;
        deliver(id, msg);
      } else {
        if (s.pending !== null) {
          s.conflated++;
          this.conflated++;
        }
        s.pending = msg;
      }
    }
  }

  /**
   * The subscriber finished one update; its waiting update (if any) is
   * delivered. Unknown subscribers and surplus acks are ignored (an ack may
   * race an unsubscribe).
   */
  ack(id: string, deliver: Deliver<M>): void {
    const s = this.subs.get(id);
    if (!s) return;
    if (s.inFlight > 0) s.inFlight--;
    if (s.pending !== null && s.inFlight < this.maxInFlight) {
      const msg = s.pending;
      s.pending = null;
      s.inFlight++;
      this.delivered++;
      deliver(id, msg);
    }
  }

  /** Updates conflated away for one subscriber (0 when unknown). */
  conflatedFor(id: string): number {
    return this.subs.get(id)?.conflated ?? 0;
  }

  stats(): OutboxStats {
    let pending = 0;
    for (const s of this.subs.values()) if (s.pending !== null) pending++;
    return { subscribers: this.subs.size, published: this.published, delivered: this.delivered, conflated: this.conflated, pending };
  }
}
