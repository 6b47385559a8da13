/**
 * The coordinator's picture of the cluster for the Watchdog
 * (`/api/v1/watchdog`'s `cluster`): the live nodes, and per slot its owner,
 * fencing token, lease time left, and each stream's pending entries
 * (delivered, not acknowledged) and lag (never delivered). Read from Redis
 * every `everyMs` on a connection of its own; a failed read keeps the last
 * picture and says when it was taken.
 */
import { Redis } from 'ioredis';
import { SlotLeases } from './leases.js';
import { liveNodes } from './membership.js';
import { SlotStream } from './slot-stream.js';
import { CLUSTER_REDIS, IN_GROUP, OUT_GROUP } from './wire.js';

export interface SlotRow {
  readonly slot: number;
  readonly owner: string | null;
  readonly token: number;
  readonly leaseLeftMs: number | null;
  /** Inputs waiting for the owner: delivered not acknowledged, and never delivered. */
  readonly inPending: number | null;
  readonly inLag: number | null;
  /** The owner's messages waiting for the coordinator. */
  readonly outPending: number | null;
  readonly outLag: number | null;
}

export interface ClusterSnapshot {
  readonly prefix: string;
  readonly slots: readonly SlotRow[];
  readonly nodes: readonly { readonly id: string; readonly slots: readonly number[] }[];
  /** Slots no node owns now (the risk governor sees their shards' heartbeats stop). */
  readonly unowned: readonly number[];
  readonly readAt: number | null;
  readonly error: string | null;
}

export class ClusterView {
  private readonly redis: Redis;
  private readonly leases: SlotLeases;
  private last: ClusterSnapshot;
  private timer: NodeJS.Timeout | null = null;
  private busy = false;
  private readonly streams: readonly { readonly in: SlotStream; readonly out: SlotStream }[];

  constructor(
    url: string,
    private readonly prefix: string,
    private readonly slots: number,
    leaseMs: number,
    private readonly everyMs = 1000,
  ) {
    this.redis = new Redis(url, CLUSTER_REDIS);
    this.redis.on('error', () => undefined);
    this.leases = new SlotLeases(this.redis, { prefix, node: 'coordinator', leaseMs });
    this.streams = Array.from({ length: slots }, (_, slot) => ({
      in: new SlotStream(this.redis, { prefix, slot, group: IN_GROUP, stream: 'in' }),
      out: new SlotStream(this.redis, { prefix, slot, group: OUT_GROUP, stream: 'out' }),
    }));
    this.last = { prefix, slots: [], nodes: [], unowned: Array.from({ length: slots }, (_, k) => k), readAt: null, error: 'not read yet' };
  }

  start(): void {
    const run = (): void => {
      if (this.busy) return;
      this.busy = true;
      void this.read().finally(() => {
        this.busy = false;
      });
    };
    run();
    this.timer = setInterval(run, this.everyMs);
    this.timer.unref();
  }

  snapshot(): ClusterSnapshot {
    return this.last;
  }

  async read(): Promise<ClusterSnapshot> {
    try {
      const rows: SlotRow[] = [];
      for (let slot = 0; slot < this.slots; slot++) {
        const lease = await this.leases.owner(slot);
        const token = lease?.token ?? (await this.leases.currentToken(slot));
        const inb = await backlog(this.streams[slot]!.in);
        const outb = await backlog(this.streams[slot]!.out);
        rows.push({ slot, owner: lease?.node ?? null, token, leaseLeftMs: lease?.ttlMs ?? null, inPending: inb.pending, inLag: inb.lag, outPending: outb.pending, outLag: outb.lag });
      }
      const live = await liveNodes(this.redis, this.prefix);
      const nodes = [...new Set([...live, ...rows.flatMap((r) => (r.owner ? [r.owner] : []))])].sort().map((id) => ({ id, slots: rows.filter((r) => r.owner === id).map((r) => r.slot) }));
      this.last = { prefix: this.prefix, slots: rows, nodes, unowned: rows.filter((r) => r.owner === null).map((r) => r.slot), readAt: Date.now(), error: null };
    } catch (err) {
      this.last = { ...this.last, error: (err as Error).message };
    }
    return this.last;
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.redis.disconnect();
  }
}

/** A stream's backlog, or nulls while the stream or its group does not exist yet. */
async function backlog(s: SlotStream): Promise<{ pending: number | null; lag: number | null }> {
  try {
    return await s.backlog();
  } catch (err) {
    if (/no such key|NOGROUP/i.test((err as Error).message)) return { pending: null, lag: null };
    throw err;
  }
}
