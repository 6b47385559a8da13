/**
 * A cluster node (`qgtm node`, issue 16): runs the strategy shards of the
 * slots it owns, fed from the slots' streams, and sends their signals and
 * status back to the coordinator (`qgtm daemon` with `cluster.enabled`).
 *
 * - Ownership: `Membership` (leases with fencing tokens). A slot gained
 *   starts its shard actor (`strategy:<k>`, the same module and arguments
 *   the daemon runs) and its link; a slot lost stops its link and its shard
 *   before anything else (fail closed).
 * - In: one reader per slot takes the slot's `in` stream through the `shard`
 *   group. It first claims what a dead owner left unacknowledged, then reads
 *   new entries. Inputs are told to the shard; commands are asked of it and
 *   answered on `out`. A batch is acknowledged once the shard has handled
 *   it: a `strategy.query` asked after the batch is answered only after the
 *   shard's mailbox has reached it (mailboxes are FIFO).
 * - Out: the shard's `signals` and `strategy_status`, batched per turn, are
 *   appended to the slot's `out` stream stamped with the slot's token, and a
 *   `cluster.beacon` every quarter lease. The coordinator admits only the
 *   current owner's token.
 * - The operator's state: the shards keep their records (enables, meta
 *   weights) in this node's state folder, mirrored through Redis both ways
 *   (`state-mirror.ts`): before a slot starts, the newer of its record and
 *   the daemon's runtime entries in Redis and on disk is taken, and what the
 *   shards write is put back. An operator's command is answered only once
 *   the shard's record is in Redis. A
 *   slot that moves to another node therefore keeps the operator's
 *   decisions and the daemon's runtime entries.
 * - Supervision: the node's actor system restarts a failed shard with
 *   backoff (its default policy); a shard that cannot start gives its slot
 *   back for another node.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hostname } from 'node:os';
import { Redis } from 'ioredis';
import { MARKET_DATA_STRUCTURES } from '../../actors/market-data/structures.js';
import type { StrategyShardArgs } from '../../actors/strategy/actor.js';
import { RUNTIME_RECORD } from '../../actors/strategy/runtime.js';
import { TOPICS } from '../../actors/topics.js';
import { ActorSystem, type Logger, type Message } from '../../src/runtime/index.js';
import { RedisBus } from '../bus/redis.js';
import { shardChild } from '../daemon/topology.js';
import { TRADING_STRUCTURES } from '../daemon/structures.js';
import { startMirror, takeNewer } from '../daemon/state-mirror.js';
import { Membership } from './membership.js';
import { SlotStream, type StreamEntry } from './slot-stream.js';
import { CLUSTER_READER, CLUSTER_REDIS, clusterPrefix, decodeBatch, encodeBatch, IN_GROUP, OUT_GROUP, type ClusterBeaconMsg, type ClusterCommandMsg, type ClusterReplyMsg } from './wire.js';

export interface NodeOptions {
  readonly redisUrl: string;
  /** The desk's Redis prefix (`redis.prefix`). */
  readonly redisPrefix: string;
  /** This node's id: 1-64 characters of [A-Za-z0-9_.:-]; default `<host>-<pid>`. */
  readonly nodeId?: string;
  /** How many slots the desk has (`strategies.shards`, the same on every process). */
  readonly slots: number;
  readonly leaseMs: number;
  /** Where this node's shards keep their records. */
  readonly stateDir: string;
  /** Every shard's settings but its index (parameter overrides, configured disables, ...). */
  readonly shard: Omit<StrategyShardArgs, 'shard' | 'shardCount' | 'stateDir'>;
  readonly strategyHeapMb: number;
  readonly logLevel?: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  readonly log: Logger;
}

export interface SlotInfo {
  readonly slot: number;
  readonly token: number;
  readonly since: number;
  /** Inputs told to the shard, commands answered, messages sent back. */
  readonly handled: number;
  readonly answered: number;
  readonly sent: number;
}

export interface NodeHandle {
  readonly id: string;
  readonly system: ActorSystem;
  readonly membership: Membership;
  slots(): SlotInfo[];
  /** Leaves in order (slots stopped and released at once), then stops everything. */
  close(): Promise<void>;
}

/** The records a node's shards write (`actors/strategy/durable.ts`); they also read the daemon's runtime entries (RUNTIME_RECORD). */
const SHARD_RECORD = /^strategies-\d+$/;


/** One owned slot: its reader, its outbox and its shard. */
class SlotLink {
  readonly since = Date.now();
  handled = 0;
  answered = 0;
  sent = 0;
  private running = true;
  private readonly reader: Redis;
  private readonly inbox: SlotStream;
  private readonly outbox: SlotStream;
  private outgoing: Message[] = [];
  private flushQueued = false;
  private readonly beacon: NodeJS.Timeout;
  private loop: Promise<void> = Promise.resolve();

  constructor(
    readonly slot: number,
    readonly token: number,
    private readonly node: string,
    private readonly system: ActorSystem,
    private readonly bus: RedisBus,
    private readonly stateDir: string,
    writer: Redis,
    redisUrl: string,
    prefix: string,
    leaseMs: number,
    private readonly log: Logger,
  ) {
    this.reader = new Redis(redisUrl, CLUSTER_READER);
    this.reader.on('error', () => undefined);
    this.inbox = new SlotStream(this.reader, { prefix, slot, group: IN_GROUP, stream: 'in' });
    this.outbox = new SlotStream(writer, { prefix, slot, group: OUT_GROUP, stream: 'out' });
    this.beacon = setInterval(() => this.sendBeacon(), Math.max(50, Math.floor(leaseMs / 4)));
    this.beacon.unref();
  }

  get actor(): string {
    return `strategy:${this.slot}`;
  }

  private sendBeacon(): void {
    const beacon: ClusterBeaconMsg = { type: 'cluster.beacon', node: this.node, slot: this.slot, pid: process.pid, at: Date.now() };
    this.send(beacon);
  }

  start(): void {
    this.sendBeacon();
    this.loop = this.read();
  }

  /** A message for the coordinator, sent with the others of this turn. */
  send(msg: Message): void {
    if (!this.running) return;
    this.outgoing.push(msg);
    if (this.flushQueued) return;
    this.flushQueued = true;
    setImmediate(() => this.flush());
  }

  private flush(): void {
    this.flushQueued = false;
    const batch = this.outgoing;
    this.outgoing = [];
    if (batch.length === 0 || !this.running) return;
    this.outbox.send(this.token, encodeBatch(batch)).then(
      () => {
        this.sent += batch.length;
      },
      (err: unknown) => this.log.warn('slot out stream append failed: dropped', { slot: this.slot, messages: batch.length, error: (err as Error).message }),
    );
  }

  private read(): Promise<void> {
    return this.inbox.consume(this.node, {
      running: () => this.running,
      setup: async () => {
        await this.inbox.ensureGroup();
        await this.outbox.ensureGroup();
      },
      handle: (entries, bad) => this.handle(entries, bad),
      onError: (err) => this.log.debug('slot in stream read failed; retrying', { slot: this.slot, error: err.message }),
    });
  }

  private async handle(entries: readonly StreamEntry[], bad: readonly string[]): Promise<void> {
    if (bad.length > 0) this.log.warn('slot in stream entries without token or payload: acknowledged and dropped', { slot: this.slot, ids: bad.slice(0, 5) });
    if (entries.length === 0) return;
    const asked: Promise<void>[] = [];
    for (const e of entries) {
      const d = decodeBatch(e.payload);
      if (!d.ok) {
        this.log.warn('slot in stream entry refused', { slot: this.slot, id: e.id, error: d.error });
        continue;
      }
      for (const msg of d.msgs) {
        if (msg.type === 'cluster.command') asked.push(this.answer(msg as ClusterCommandMsg));
        else {
          this.system.tell(this.actor, msg);
          this.handled++;
        }
      }
    }
    await Promise.all(asked);
    // Handled before acknowledged: the shard answers this only after everything told before it.
    await this.system.ask(this.actor, { type: 'strategy.query' }, { timeoutMs: 10_000 });
    if (!this.running) return;
    await this.inbox.ack(entries.map((e) => e.id));
  }

  private async answer(cmd: ClusterCommandMsg): Promise<void> {
    let reply: ClusterReplyMsg['reply'];
    try {
      reply = await this.system.ask<ClusterReplyMsg['reply']>(this.actor, cmd.msg, { timeoutMs: 2000 });
      // A decision the shard took is in Redis before the operator hears it was done: this node's
      // disk may never come back, and the slot's next owner reads the record from Redis.
      if (reply.type === 'strategy.command_result' && reply.ok) await this.keepRecord();
    } catch (err) {
      reply = { type: 'cluster.error', message: `${(err as Error).message} (the shard may have applied it; its record is not in Redis yet)` };
    }
    this.answered++;
    const answer: ClusterReplyMsg = { type: 'cluster.reply', corr: cmd.corr, reply };
    this.send(answer);
  }

  private async keepRecord(): Promise<void> {
    const name = `strategies-${this.slot}`;
    const text = readFileSync(join(this.stateDir, `${name}.json`), 'utf8');
    await this.bus.putRecord(name, text);
  }

  /** Stops reading and sending; what was read and not acknowledged stays pending for the next owner. */
  async stop(): Promise<void> {
    this.running = false;
    clearInterval(this.beacon);
    this.outgoing = [];
    this.reader.disconnect();
    // A read queued while Redis was away may never settle after disconnect(); it can do nothing
    // once `running` is false (nothing more is told or acknowledged), so it is not waited for long.
    await Promise.race([this.loop.catch(() => undefined), new Promise((res) => setTimeout(res, 500).unref())]);
  }
}

export async function startNode(o: NodeOptions): Promise<NodeHandle> {
  const id = o.nodeId ?? `${hostname().replace(/[^A-Za-z0-9_.:-]/g, '-').slice(0, 40)}-${process.pid}`;
  const prefix = clusterPrefix(o.redisPrefix);
  const log = o.log;
  mkdirSync(o.stateDir, { recursive: true });
  const system = await ActorSystem.start({ structures: [...MARKET_DATA_STRUCTURES, ...TRADING_STRUCTURES], logLevel: o.logLevel ?? 'info' });
  const writer = new Redis(o.redisUrl, CLUSTER_REDIS);
  writer.on('error', () => undefined);
  // The state records go through the desk's bus keys, as the daemon's do (state-mirror.ts).
  const bus = new RedisBus({ url: o.redisUrl, prefix: o.redisPrefix });
  await bus.ready(3000);
  const links = new Map<number, SlotLink>();
  // A node writes only its shards' records; it reads those and the daemon's runtime entries.
  const stopMirror = startMirror(o.stateDir, bus, 500, (name) => SHARD_RECORD.test(name));

  const toSlot = (from: string | null, msg: Message): void => {
    const k = from?.startsWith('strategy:') ? Number(from.slice('strategy:'.length)) : NaN;
    links.get(k)?.send(msg);
  };
  const offSignals = await system.subscribe(TOPICS.signals, (msg, env) => toSlot(env.from, msg));
  const offStatus = await system.subscribe(TOPICS.strategy_status, (msg, env) => toSlot(env.from, msg));

  const membership = new Membership(writer, {
    prefix,
    node: id,
    slots: o.slots,
    leaseMs: o.leaseMs,
    onGained: async (slot, token) => {
      // The newest operator records first (enables, runtime entries): the shard reads them at its start.
      const taken = await takeNewer(o.stateDir, bus, log, 2000, (name) => SHARD_RECORD.test(name) || name === RUNTIME_RECORD);
      const spec = shardChild({ ...o.shard, stateDir: o.stateDir, shard: slot, shardCount: o.slots }, { placement: 'strategies', limits: { maxOldGenerationSizeMb: o.strategyHeapMb } });
      if (spec.type !== 'worker') throw new Error('a shard is a worker');
      const link = new SlotLink(slot, token, id, system, bus, o.stateDir, writer, o.redisUrl, prefix, o.leaseMs, log);
      links.set(slot, link);
      try {
        await system.spawn(spec.start);
      } catch (err) {
        links.delete(slot);
        await link.stop();
        throw err;
      }
      link.start();
      log.info('slot gained', { node: id, slot, token, recordsFromRedis: taken.length });
    },
    onLost: async (slot, token, why) => {
      const link = links.get(slot);
      links.delete(slot);
      // Fail closed: nothing more leaves for the coordinator, then the shard stops.
      await link?.stop();
      await system.stop(`strategy:${slot}`, { reason: `slot ${why}` }).catch(() => undefined);
      log.warn('slot given up', { node: id, slot, token, why });
    },
    onError: (err) => log.debug('membership tick failed; retried on the next', { node: id, error: (err as Error).message }),
  });
  membership.start();
  log.info('cluster node started', { node: id, slots: o.slots, leaseMs: o.leaseMs, prefix, stateDir: o.stateDir });

  let closed = false;
  return {
    id,
    system,
    membership,
    slots: () => [...links.values()].map((l) => ({ slot: l.slot, token: l.token, since: l.since, handled: l.handled, answered: l.answered, sent: l.sent })),
    async close() {
      if (closed) return;
      closed = true;
      await membership.leave().catch((err: unknown) => log.warn('leaving the cluster failed: the leases lapse by themselves', { error: (err as Error).message }));
      await offSignals();
      await offStatus();
      stopMirror();
      await system.shutdown();
      writer.disconnect();
      await bus.close();
    },
  };
}
