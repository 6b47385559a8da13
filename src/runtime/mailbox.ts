/**
 * A bounded mailbox with a declared overflow policy.
 *
 * - `reject`: a message arriving at a full mailbox is refused; the sender is
 *   told (an ask fails at once, a tell produces a `sys.undelivered` notice).
 * - `drop_oldest`: the oldest queued message makes room and is dead-lettered.
 * - `conflate`: a message whose key (its type plus the value of one field,
 *   e.g. the symbol) matches a queued one replaces it in place, so a lagging
 *   consumer sees the latest value per key without growing its queue; when a
 *   new key meets a full mailbox, the oldest is dropped.
 *
 * Everything that is refused, dropped or replaced is reported to `onDead` with
 * its reason, so nothing leaves without a trace.
 */
import type { Envelope } from './message.js';

export type OverflowPolicy = 'reject' | 'drop_oldest' | 'conflate';

export interface MailboxConfig {
  readonly capacity: number;
  readonly overflow: OverflowPolicy;
  /** With `conflate`: the message field that, with the type, keys conflation (default `symbol`). */
  readonly conflateKey?: string;
}

export const DEFAULT_MAILBOX: MailboxConfig = { capacity: 10_000, overflow: 'reject' };

export type DeadReason = 'mailbox_full' | 'dropped_oldest' | 'conflated';

export type OfferResult = 'queued' | 'rejected';

interface Slot {
  env: Envelope;
  key: string | undefined;
  /** When it was queued (this thread's performance.now()); a conflated replacement keeps the slot's. */
  readonly at: number;
}

/** Ring-buffer deque; conflation indexes slots by key. */
export class Mailbox {
  readonly config: MailboxConfig;
  private ring: (Slot | undefined)[];
  private head = 0;
  private count = 0;
  private readonly byKey: Map<string, Slot> | undefined;
  /** When the envelope `shift` last returned was queued (performance.now() of this thread). */
  lastQueuedAt = 0;

  constructor(config: MailboxConfig, private readonly onDead: (env: Envelope, reason: DeadReason) => void) {
    if (!Number.isInteger(config.capacity) || config.capacity < 1) throw new RangeError(`mailbox capacity must be a positive integer, got ${config.capacity}`);
    this.config = config;
    this.ring = new Array(Math.min(config.capacity, 1024));
    this.byKey = config.overflow === 'conflate' ? new Map() : undefined;
  }

  get depth(): number {
    return this.count;
  }

  /** Queues `env`, which arrived `at` (performance.now() of this thread; the caller may share one reading across a batch). */
  offer(env: Envelope, at = performance.now()): OfferResult {
    let key: string | undefined;
    if (this.byKey) {
      const field = (env.msg as unknown as Record<string, unknown>)[this.config.conflateKey ?? 'symbol'];
      key = field === undefined ? undefined : env.msg.type + '\u0000' + String(field);
      if (key !== undefined) {
        const queued = this.byKey.get(key);
        if (queued) {
          this.onDead(queued.env, 'conflated');
          queued.env = env;
          return 'queued';
        }
      }
    }
    if (this.count >= this.config.capacity) {
      if (this.config.overflow === 'reject') {
        this.onDead(env, 'mailbox_full');
        return 'rejected';
      }
      const oldest = this.shift();
      if (oldest) this.onDead(oldest, 'dropped_oldest');
    }
    this.push({ env, key, at });
    return 'queued';
  }

  shift(): Envelope | undefined {
    if (this.count === 0) return undefined;
    const slot = this.ring[this.head]!;
    this.ring[this.head] = undefined;
    this.head = (this.head + 1) % this.ring.length;
    this.count--;
    if (slot.key !== undefined && this.byKey!.get(slot.key) === slot) this.byKey!.delete(slot.key);
    this.lastQueuedAt = slot.at;
    return slot.env;
  }

  /** Removes and returns everything queued, oldest first. */
  drainAll(): Envelope[] {
    const out: Envelope[] = [];
    for (let e = this.shift(); e; e = this.shift()) out.push(e);
    return out;
  }

  private push(slot: Slot): void {
    if (this.count === this.ring.length) this.grow();
    this.ring[(this.head + this.count) % this.ring.length] = slot;
    this.count++;
    if (slot.key !== undefined) this.byKey!.set(slot.key, slot);
  }

  private grow(): void {
    const next: (Slot | undefined)[] = new Array(Math.min(this.ring.length * 2, Math.max(this.config.capacity, 1)));
    for (let i = 0; i < this.count; i++) next[i] = this.ring[(this.head + i) % this.ring.length];
    this.ring = next;
    this.head = 0;
  }
}

export function validateMailboxConfig(config: unknown, path: string): string[] {
  const errors: string[] = [];
  if (typeof config !== 'object' || config === null) return [`${path} must be an object`];
  const c = config as Record<string, unknown>;
  if (!Number.isInteger(c.capacity) || (c.capacity as number) < 1) errors.push(`${path}.capacity must be a positive integer`);
  if (c.overflow !== 'reject' && c.overflow !== 'drop_oldest' && c.overflow !== 'conflate') {
    errors.push(`${path}.overflow must be one of reject, drop_oldest, conflate`);
  }
  if (c.conflateKey !== undefined && typeof c.conflateKey !== 'string') errors.push(`${path}.conflateKey must be a string`);
  return errors;
}
