/**
 * An order's round trip in stages, for the latency histograms: from the
 * approved intent reaching the broker session to its POST leaving
 * (`intent_to_submit`: the journal's fsync and the batch), from the first
 * POST to the answer that took it (`submit_to_ack`, a rate-limit wait and
 * resend included), and from that answer to the first
 * fill (`ack_to_fill`: the market's part, long for a resting limit order).
 * Times are monotonic milliseconds (real time, whatever clock the actors
 * run on). Each stage is observed once per order: a resend or a second
 * partial fill does not count again. Bounded: past `max` orders in flight
 * the oldest are forgotten.
 */
export type OrderStage = 'intent_to_submit' | 'submit_to_ack' | 'ack_to_fill';
export const ORDER_STAGES: readonly OrderStage[] = ['intent_to_submit', 'submit_to_ack', 'ack_to_fill'];

export class OrderTimings {
  private readonly approved = new Map<string, number>();
  private readonly sent = new Map<string, number>();
  private readonly acked = new Map<string, number>();
  private readonly filledEarly = new Map<string, number>();

  constructor(
    private readonly observe: (stage: OrderStage, seconds: number) => void,
    private readonly max = 10_000,
  ) {}

  /** The approval for the order `cid` arrived at `t`. */
  onApproved(cid: string, t: number): void {
    this.put(this.approved, cid, t);
  }

  /** Its first POST left at `t`. */
  onSent(cid: string, t: number): void {
    const a = this.approved.get(cid);
    if (a === undefined) return;
    this.approved.delete(cid);
    this.observe('intent_to_submit', (t - a) / 1000);
    this.put(this.sent, cid, t);
  }

  /** The venue answered its POST at `t`. */
  onAcked(cid: string, t: number): void {
    const s = this.sent.get(cid);
    if (s === undefined) return;
    this.sent.delete(cid);
    this.observe('submit_to_ack', (t - s) / 1000);
    if (this.filledEarly.delete(cid)) this.observe('ack_to_fill', 0);
    else this.put(this.acked, cid, t);
  }

  /**
   * A fill of it arrived at `t` (the first one counts). A fill on the
   * stream can beat the POST's answer (a marketable order): it is then
   * counted as 0 once the answer comes.
   */
  onFill(cid: string, t: number): void {
    const k = this.acked.get(cid);
    if (k !== undefined) {
      this.acked.delete(cid);
      this.observe('ack_to_fill', (t - k) / 1000);
    } else if (this.sent.has(cid)) this.put(this.filledEarly, cid, t);
  }

  /** It ended without a fill (cancelled, rejected, expired): nothing more to time. */
  forget(cid: string): void {
    this.approved.delete(cid);
    this.sent.delete(cid);
    this.acked.delete(cid);
    this.filledEarly.delete(cid);
  }

  /** Orders being timed (any stage). */
  get size(): number {
    return this.approved.size + this.sent.size + this.acked.size + this.filledEarly.size;
  }

  private put(m: Map<string, number>, cid: string, t: number): void {
    m.set(cid, t);
    if (m.size > this.max) m.delete(m.keys().next().value as string);
  }
}
