/**
 * The wire between processes for one slot (issue 16): a Redis Stream, read
 * through a consumer group, so that
 * - messages of one slot keep their order (one stream per slot);
 * - a message is acknowledged (XACK) only after the receiving actor handled
 *   it: a reader that dies leaves it pending, and the node that takes the
 *   slot over claims it (XAUTOCLAIM) and handles it again. Delivery is at
 *   least once; the deterministic client order ids and idempotent intents
 *   downstream make each order happen once.
 * - every entry carries the sender's fencing token for the slot (see
 *   leases.ts); `FenceGate` refuses one stamped with a token older than the
 *   slot's current owner's.
 *
 * Entries are `tok <token> p <msgpack bytes>`: the same records the actors
 * exchange in process. Streams are capped (MAXLEN ~) so a slot nobody reads
 * cannot grow without bound; what the cap drops is what no owner acked for
 * that long, and is counted by the reader as lost (`lag` in XINFO).
 */
import type { Redis } from 'ioredis';

export interface StreamEntry {
  /** The stream id (`<ms>-<seq>`). */
  readonly id: string;
  /** The sender's fencing token for the slot. */
  readonly token: number;
  readonly payload: Buffer;
}

export interface SlotStreamOptions {
  readonly prefix: string;
  readonly slot: number;
  /** Consumer group: one per receiving role (e.g. `shard` for what the slot's owner reads). */
  readonly group: string;
  /** The stream's name within the slot (one per direction: `in` to the owner, `out` from it). Default `stream`. */
  readonly stream?: string;
  /** Approximate cap on the stream's length. Default 100 000. */
  readonly maxLen?: number;
}

/** An entry as ioredis returns it in Buffer mode: [id, [field, value, ...]] (null fields: trimmed away while pending). */
type RawEntry = [Buffer, Buffer[] | null];

function parse(raw: RawEntry): StreamEntry | null {
  const [id, fields] = raw;
  if (!fields) return null;
  let token = Number.NaN;
  let payload: Buffer | null = null;
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const k = fields[i].toString();
    if (k === 'tok') token = Number(fields[i + 1].toString());
    else if (k === 'p') payload = fields[i + 1];
  }
  return Number.isInteger(token) && payload ? { id: id.toString(), token, payload } : null;
}

export class SlotStream {
  readonly key: string;

  constructor(
    private readonly redis: Redis,
    private readonly opts: SlotStreamOptions,
  ) {
    if (!Number.isInteger(opts.slot) || opts.slot < 0) throw new Error(`slot must be an integer >= 0, got ${opts.slot}`);
    this.key = `${opts.prefix}{slot:${opts.slot}}:${opts.stream ?? 'stream'}`;
  }

  /** Creates the consumer group (from the stream's start, so nothing sent before the first reader is lost); idempotent. */
  async ensureGroup(): Promise<void> {
    try {
      await this.redis.xgroup('CREATE', this.key, this.opts.group, '0', 'MKSTREAM');
    } catch (err) {
      if (!String((err as Error).message).includes('BUSYGROUP')) throw err;
    }
  }

  /** Appends one message stamped with the sender's token; returns its id. */
  async send(token: number, payload: Uint8Array): Promise<string> {
    const id = await this.redis.xadd(this.key, 'MAXLEN', '~', String(this.opts.maxLen ?? 100_000), '*', 'tok', String(token), 'p', Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength));
    return String(id);
  }

  /**
   * New entries for `consumer` (never delivered to anyone), oldest first;
   * waits up to `blockMs` when there are none. Entries that do not parse are
   * acknowledged at once and returned in `bad` (counted by the caller).
   */
  async read(consumer: string, count: number, blockMs: number): Promise<{ entries: StreamEntry[]; bad: string[] }> {
    const r = (await this.redis.xreadgroupBuffer('GROUP', this.opts.group, consumer, 'COUNT', count, 'BLOCK', blockMs, 'STREAMS', this.key, '>')) as [Buffer, RawEntry[]][] | null;
    return this.sort(r?.[0]?.[1] ?? []);
  }

  /** Acknowledges handled entries (after the actor handled them, never before). */
  async ack(ids: readonly string[]): Promise<number> {
    if (ids.length === 0) return 0;
    return this.redis.xack(this.key, this.opts.group, ...ids);
  }

  /**
   * Takes over what other consumers of the group left unacknowledged for at
   * least `minIdleMs` (a dead owner's in-flight work), for `consumer`.
   */
  async claimStale(consumer: string, minIdleMs: number, count = 100): Promise<{ entries: StreamEntry[]; bad: string[] }> {
    const r = (await this.redis.callBuffer('XAUTOCLAIM', this.key, this.opts.group, consumer, minIdleMs, '0-0', 'COUNT', count)) as [Buffer, RawEntry[], Buffer[]?];
    return this.sort((r?.[1] ?? []).filter((e): e is RawEntry => Array.isArray(e)));
  }

  /**
   * The reading side of a slot, until `running()` says stop: at every
   * (re)start it runs `setup` (groups), then takes over what is left
   * unacknowledged in the group (a dead reader's, or this consumer's earlier
   * incarnation's) until none is left, then reads new entries, each batch
   * handed to `handle` (which acknowledges what it handled). A failure
   * (Redis away) is reported to `onError` and the loop starts over after
   * 250 ms, claiming again: what was taken and not acknowledged is not lost.
   */
  async consume(consumer: string, o: { running: () => boolean; setup: () => Promise<void>; handle: (entries: StreamEntry[], bad: string[]) => Promise<void>; onError: (err: Error) => void }): Promise<void> {
    const BATCH = 500;
    let resync = true;
    while (o.running()) {
      try {
        if (resync) {
          await o.setup();
          for (;;) {
            const claimed = await this.claimStale(consumer, 0, BATCH);
            if (!o.running() || claimed.entries.length + claimed.bad.length === 0) break;
            await o.handle(claimed.entries, claimed.bad);
            if (claimed.entries.length + claimed.bad.length < BATCH) break;
          }
          resync = false;
        }
        const got = await this.read(consumer, BATCH, 1000);
        await o.handle(got.entries, got.bad);
      } catch (err) {
        if (!o.running()) return;
        resync = true;
        o.onError(err as Error);
        await new Promise((res) => setTimeout(res, 250));
      }
    }
  }

  /** Entries delivered and not yet acknowledged, and the group's lag (entries never delivered). */
  async backlog(): Promise<{ pending: number; lag: number | null }> {
    const p = (await this.redis.xpending(this.key, this.opts.group)) as [number, ...unknown[]];
    const groups = (await this.redis.xinfo('GROUPS', this.key)) as unknown[][];
    let lag: number | null = null;
    for (const g of groups) {
      const o: Record<string, unknown> = {};
      for (let i = 0; i + 1 < g.length; i += 2) o[String(g[i])] = g[i + 1];
      if (o.name === this.opts.group) lag = typeof o.lag === 'number' ? o.lag : null;
    }
    return { pending: Number(p[0] ?? 0), lag };
  }

  private async sort(raw: RawEntry[]): Promise<{ entries: StreamEntry[]; bad: string[] }> {
    const entries: StreamEntry[] = [];
    const bad: string[] = [];
    for (const e of raw) {
      const x = parse(e);
      if (x) entries.push(x);
      else bad.push(e[0].toString());
    }
    // A malformed entry would otherwise be redelivered forever.
    if (bad.length > 0) await this.ack(bad);
    return { entries, bad };
  }
}

/**
 * The receiver's fencing check for one slot: refuses an entry stamped with
 * a token older than the slot's current owner's. It reads the current token
 * when it sees a newer one than it knows (a new owner), and again at most
 * every `refreshMs`, so a takeover is noticed even before the new owner
 * sends anything.
 */
export class FenceGate {
  private known = 0;
  private readAt = -Infinity;

  constructor(
    private readonly current: () => Promise<number>,
    private readonly refreshMs = 1000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Whether an entry stamped `token` may be handled. */
  async admit(token: number): Promise<boolean> {
    if (token > this.known || this.now() - this.readAt >= this.refreshMs) {
      this.known = await this.current();
      this.readAt = this.now();
    }
    return token === this.known && token > 0;
  }

  /** The token it last read. */
  get token(): number {
    return this.known;
  }
}
