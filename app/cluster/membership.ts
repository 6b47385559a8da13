/**
 * Which node owns which slot, decided through Redis (issue 16): every node
 * announces itself with a heartbeat key that expires, counts the live
 * nodes, and holds at most its fair share of the slots (`ceil(slots /
 * nodes)`) through `SlotLeases`.
 *
 * One `tick` (run every `leaseMs / 3` by `start`):
 * 1. renew every lease held; a lease that cannot be renewed is lost: the
 *    caller's `onLost` runs at once (stop that slot's actors before
 *    anything else: fail closed), and the slot is forgotten;
 * 2. announce this node (`<prefix>node:<id>`, PX 3 x the tick);
 * 3. over its fair share (a node joined): release the highest slots held,
 *    each after `onLost` stopped it, so the newcomer can take them without
 *    waiting out a lease;
 * 4. under its fair share: try the free slots, lowest first; each taken
 *    runs `onGained` with its fencing token before the slot is counted as
 *    held (the caller starts the slot's actors, and claims what a dead
 *    owner left pending on the slot's stream).
 *
 * A node that stops ticking (killed, paused) stops renewing: its leases
 * lapse after `leaseMs` and the others take its slots on their next tick.
 * So a slot moves within `leaseMs + tick` of its owner's death, plus the
 * caller's start time. A node paused past its lease finds, on its next
 * tick, every renewal refused, and stops those slots first.
 */
import type { Redis } from 'ioredis';
import { SlotLeases } from './leases.js';

export interface MembershipOptions {
  readonly prefix: string;
  readonly node: string;
  /** How many slots the desk has (fixed for its life). */
  readonly slots: number;
  readonly leaseMs: number;
  /** A slot was taken: start its actors (with `token` on everything they send). */
  readonly onGained: (slot: number, token: number) => Promise<void> | void;
  /** A slot was lost or given up: stop its actors now. */
  readonly onLost: (slot: number, token: number, why: 'lease_lost' | 'rebalance' | 'leaving') => Promise<void> | void;
  /** Errors talking to Redis (a tick that failed is retried on the next). */
  readonly onError?: (err: unknown) => void;
}

/** The nodes whose heartbeat key (`<prefix>node:<id>`) has not expired, sorted. */
export async function liveNodes(redis: Redis, prefix: string): Promise<string[]> {
  const out: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}node:*`, 'COUNT', 200);
    cursor = next;
    for (const k of keys) out.push(k.slice(`${prefix}node:`.length));
  } while (cursor !== '0');
  return [...new Set(out)].sort();
}

export class Membership {
  readonly leases: SlotLeases;
  private readonly held = new Map<number, number>();
  private timer: NodeJS.Timeout | null = null;
  private ticking: Promise<void> | null = null;
  private stopped = false;

  constructor(
    private readonly redis: Redis,
    private readonly opts: MembershipOptions,
  ) {
    if (!Number.isInteger(opts.slots) || opts.slots < 1 || opts.slots > 4096) throw new Error(`slots must be an integer in 1..4096, got ${opts.slots}`);
    this.leases = new SlotLeases(redis, { prefix: opts.prefix, node: opts.node, leaseMs: opts.leaseMs });
  }

  /** The tick period: a third of the lease, so two ticks can fail before it lapses. */
  get tickMs(): number {
    return Math.max(30, Math.floor(this.opts.leaseMs / 3));
  }

  /** Slots held now, with their tokens. */
  owned(): ReadonlyMap<number, number> {
    return this.held;
  }

  /** Ticks now and then every `tickMs` until `leave`. */
  start(): void {
    if (this.timer) return;
    const run = (): void => {
      if (this.stopped || this.ticking) return;
      this.ticking = this.tick()
        .catch((err: unknown) => this.opts.onError?.(err))
        .finally(() => {
          this.ticking = null;
        });
    };
    run();
    this.timer = setInterval(run, this.tickMs);
    this.timer.unref();
  }

  /** Live nodes (their heartbeat keys), this one included once it has announced itself. */
  nodes(): Promise<string[]> {
    return liveNodes(this.redis, this.opts.prefix);
  }

  /** One round: renew, announce, shed or take (see the file's comment). */
  async tick(): Promise<void> {
    for (const [slot, token] of [...this.held]) {
      if (await this.leases.renew(slot, token)) continue;
      this.held.delete(slot);
      await this.opts.onLost(slot, token, 'lease_lost');
    }
    if (this.stopped) return;
    await this.redis.set(`${this.opts.prefix}node:${this.opts.node}`, String(Date.now()), 'PX', this.tickMs * 3);
    const live = Math.max(1, (await this.nodes()).length);
    const share = Math.ceil(this.opts.slots / live);
    if (this.held.size > share) {
      for (const slot of [...this.held.keys()].sort((a, b) => b - a).slice(0, this.held.size - share)) {
        const token = this.held.get(slot)!;
        this.held.delete(slot);
        await this.opts.onLost(slot, token, 'rebalance');
        await this.leases.release(slot, token);
      }
      return;
    }
    for (let slot = 0; slot < this.opts.slots && this.held.size < share; slot++) {
      if (this.held.has(slot)) continue;
      const token = await this.leases.acquire(slot);
      if (token === null) continue;
      try {
        await this.opts.onGained(slot, token);
        this.held.set(slot, token);
      } catch (err) {
        // The slot could not start here: give it back for another node.
        await this.leases.release(slot, token);
        this.opts.onError?.(err);
      }
    }
  }

  /** Leaves in order: stops every slot, gives its lease back, and withdraws the heartbeat. */
  async leave(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.ticking;
    for (const [slot, token] of [...this.held]) {
      this.held.delete(slot);
      await this.opts.onLost(slot, token, 'leaving');
      await this.leases.release(slot, token).catch(() => false);
    }
    await this.redis.del(`${this.opts.prefix}node:${this.opts.node}`).catch(() => 0);
  }

  /** Stops ticking, holding what it holds, until `start` again: what SIGSTOP looks like (tests). */
  pause(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Stops ticking without releasing anything: what a crash looks like to the others (tests). */
  halt(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
