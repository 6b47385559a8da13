/**
 * Dead letters: every message that was refused, dropped, replaced, could not
 * be decoded, had no handler or no recipient. Counted per actor and reason,
 * with the most recent kept for inspection.
 */

export type DeadLetterReason =
  | 'mailbox_full'
  | 'dropped_oldest'
  | 'conflated'
  | 'unhandled'
  /** An actor's internal message (its timer's, its own async result) from another sender. */
  | 'internal'
  | 'decode_error'
  | 'no_such_actor'
  | 'actor_stopped'
  | 'handler_error'
  | 'restart_buffer_full'
  | 'lost_with_worker'
  | 'undelivered_notice'
  | 'late_reply'
  | 'encode_error';

/**
 * The reasons that mean work was lost or refused: overload (a full mailbox,
 * the oldest dropped, a restart buffer overrun), bad bytes (decode, encode),
 * a throwing handler, a worker that died with messages in it, a message to
 * an actor that does not exist. Every surface treats these alike: their
 * counters exist at 0 per actor (so a rate alert has a series), the daemon
 * writes them to the audit trail, the Watchdog shows them red. The rest
 * (conflated, unhandled, internal, actor_stopped, late_reply,
 * undelivered_notice) are counted and shown, not alarmed on.
 */
export const LOST_WORK_REASONS: readonly DeadLetterReason[] = [
  'mailbox_full',
  'dropped_oldest',
  'restart_buffer_full',
  'decode_error',
  'encode_error',
  'handler_error',
  'lost_with_worker',
  'no_such_actor',
];

const LOST_WORK: ReadonlySet<string> = new Set(LOST_WORK_REASONS);

/** Whether a dead letter's reason means lost or refused work (LOST_WORK_REASONS). */
export function isLostWork(reason: string): boolean {
  return LOST_WORK.has(reason);
}

export interface DeadLetter {
  readonly actor: string;
  readonly reason: DeadLetterReason;
  /** Message type, or '?' when it could not be decoded. */
  readonly type: string;
  readonly from: string | null;
  readonly detail?: string;
  /** Epoch ms when it was recorded. */
  readonly at: number;
}

export interface DeadLetterCount {
  readonly actor: string;
  readonly reason: DeadLetterReason;
  readonly count: number;
}

const RECENT = 200;

export class DeadLetterLog {
  private readonly counts = new Map<string, DeadLetterCount>();
  private recentRing: DeadLetter[] = [];
  /** Samples ever added to the ring (a reader's cursor: what arrived since it last looked). */
  private added = 0;

  record(d: DeadLetter, n = 1): void {
    const key = d.actor + '\u0000' + d.reason;
    const c = this.counts.get(key);
    this.counts.set(key, { actor: d.actor, reason: d.reason, count: (c?.count ?? 0) + n });
    this.recentRing.push(d);
    this.added++;
    if (this.recentRing.length > RECENT) this.recentRing = this.recentRing.slice(-RECENT / 2);
  }

  /** Adds counts reported by another thread (its samples are recorded once each). */
  merge(counts: readonly DeadLetterCount[], samples: readonly DeadLetter[]): void {
    for (const c of counts) {
      const key = c.actor + '\u0000' + c.reason;
      const prev = this.counts.get(key);
      this.counts.set(key, { actor: c.actor, reason: c.reason, count: (prev?.count ?? 0) + c.count });
    }
    this.recentRing.push(...samples);
    this.added += samples.length;
    if (this.recentRing.length > RECENT) this.recentRing = this.recentRing.slice(-RECENT / 2);
  }

  countsList(): DeadLetterCount[] {
    return [...this.counts.values()];
  }

  count(actor?: string, reason?: DeadLetterReason): number {
    let n = 0;
    for (const c of this.counts.values()) {
      if ((actor === undefined || c.actor === actor) && (reason === undefined || c.reason === reason)) n += c.count;
    }
    return n;
  }

  recent(): readonly DeadLetter[] {
    return this.recentRing;
  }

  /** How many samples were ever recorded; `recent().slice(-(added - cursor))` are those after `cursor`. */
  get addedTotal(): number {
    return this.added;
  }

  /** Takes everything recorded since the last call (for shipping to the main thread). */
  takeDelta(): { counts: DeadLetterCount[]; samples: DeadLetter[] } {
    const out = { counts: this.countsList(), samples: this.recentRing };
    this.counts.clear();
    this.recentRing = [];
    return out;
  }
}
