/**
 * The coordinator's side of a strategy slot that runs on a node (issue 16):
 * an actor with the shard's own id (`strategy:<k>`), so for the rest of the
 * desk a remote shard is a ref like any other. The risk governor hears its
 * heartbeats (the node's `strategy.status`) from `strategy:<k>`, the
 * allocator its signals, and the bridge asks it the operator's commands.
 *
 * - In: the shard's inputs (`features`, `bars`, `feed_status`, `macro`), as
 *   the coordinator's feeds publish them, are batched per turn and appended
 *   to the slot's `in` stream. Each carries `originNs`, the coordinator's
 *   stamp of when it was published, so the shard's signal carries a stamp of
 *   this process's clock and tick-to-intent is measured as in one process.
 * - Commands (enable, disable, runtime entries, query) are asked of the
 *   node through the stream and answered when its reply comes back; when no
 *   node answers within `commandTimeoutMs`, the command fails with
 *   `QGTM_ERR_SLOT_UNAVAILABLE` (a query is answered with the last status
 *   heard) rather than the actor failing.
 * - Out: a reader (its own Redis connection) takes the `out` stream through
 *   the `coord` group. An entry is admitted only when its fencing token is
 *   the slot's current one (`FenceGate`): a paused or replaced owner's late
 *   messages are refused and counted (`qgtm_cluster_fenced_total`).
 *   Admitted signals and status are published as this actor's own, then the
 *   entries are acknowledged: handled before acknowledged. A batch that does
 *   not decode is acknowledged, counted and logged, never redelivered.
 *
 * Redis down: inputs are dropped and counted (features are re-sent every
 * tick; the shard's heartbeat stops, which the risk governor sees), the
 * reader retries every 250 ms, and nothing here fails the actor.
 */
import { Redis } from 'ioredis';
import { defineActor, type ActorContext, type Message } from '../../src/runtime/index.js';
import type { FeedMsg } from '../../actors/feed/messages.js';
import type { MacroMsg } from '../../actors/macro/messages.js';
import type { StrategyCommandMsg, StrategyCommandResultMsg, StrategyRuntimeCommandMsg, StrategySignalMsg, StrategyStatusMsg } from '../../actors/strategy/messages.js';
import { TOPICS } from '../../actors/topics.js';
import { SHARD_INPUTS } from '../../actors/strategy/actor.js';
import { SlotLeases } from './leases.js';
import { FenceGate, SlotStream, type StreamEntry } from './slot-stream.js';
import { CLUSTER_READER, CLUSTER_REDIS, decodeBatch, encodeBatch, IN_GROUP, OUT_GROUP, type ClusterBeaconMsg, type ClusterCommandMsg, type ClusterReplyMsg } from './wire.js';

export interface RemoteShardArgs {
  readonly shard: number;
  readonly shardCount: number;
  readonly redisUrl: string;
  /** The cluster's key prefix (`clusterPrefix(redis.prefix)`). */
  readonly prefix: string;
  /** The slot leases' length (only used to read tokens; the nodes hold the leases). */
  readonly leaseMs: number;
  /** How long a command waits for the node's answer. Default 2500 ms. */
  readonly commandTimeoutMs?: number;
  /** Cap of the `in` stream (entries nobody took). Default 10 000. */
  readonly inMaxLen?: number;
}

/** What the actor knows of the slot's owner, for `inspect` (and the Watchdog, through the node records in Redis). */
export interface RemoteSlotView {
  readonly slot: number;
  readonly token: number;
  readonly owner: string | null;
  readonly lastHeardAt: number | null;
  readonly fenced: number;
  readonly malformed: number;
  readonly dropped: number;
}

type Inbound = { readonly type: 'cluster.inbound'; readonly ids: readonly string[]; readonly msgs: readonly Message[] };
type In = FeedMsg | MacroMsg | StrategyCommandMsg | StrategyRuntimeCommandMsg | { readonly type: 'strategy.query' } | Inbound;


export default defineActor<In, RemoteShardArgs>(() => {
  let args: RemoteShardArgs;
  let w: Redis;
  let r: Redis;
  let inbox: SlotStream;
  let outbox: SlotStream;
  let gate: FenceGate;
  let running = true;
  let outgoing: Message[] = [];
  let flushQueued = false;
  let seq = 0;
  let lastStatus: StrategyStatusMsg | null = null;
  let owner: string | null = null;
  let lastHeardAt: number | null = null;
  const counts = { fenced: 0, malformed: 0, dropped: 0 };
  const waiting = new Map<string, (reply: ClusterReplyMsg['reply'] | null) => void>();
  let m: ReturnType<typeof metrics>;

  const metrics = (ctx: ActorContext, slot: string) => {
    const c = (name: string, help: string, labels: string[] = ['slot']) => ctx.metrics.counter(name, help, labels);
    return {
      sent: c('qgtm_cluster_sent_total', 'Messages the coordinator appended to slot streams, by slot').labels({ slot }),
      received: c('qgtm_cluster_received_total', 'Messages the coordinator admitted from slot owners, by slot').labels({ slot }),
      fenced: c('qgtm_cluster_fenced_total', 'Stream entries refused because their fencing token was not the slot owner\'s current one').labels({ slot }),
      malformed: c('qgtm_cluster_malformed_total', 'Stream entries that did not decode (acknowledged, counted, dropped)').labels({ slot }),
      dropped: c('qgtm_cluster_dropped_total', 'Messages for a slot not sent, by reason (redis_down, send_failed)', ['slot', 'reason']),
      commandFailures: c('qgtm_cluster_command_failures_total', 'Operator commands for a remote slot that no owner answered in time').labels({ slot }),
      token: ctx.metrics.gauge('qgtm_cluster_slot_token', 'The fencing token of the slot\'s current owner as the coordinator last read it', ['slot']),
      readErrors: c('qgtm_cluster_read_errors_total', 'Failed reads of a slot\'s out stream (Redis unreachable), retried').labels({ slot }),
    };
  };

  const drop = (reason: string, n: number): void => {
    counts.dropped += n;
    m.dropped.inc({ slot: String(args.shard), reason }, n);
  };

  const flush = (ctx: ActorContext): void => {
    flushQueued = false;
    const batch = outgoing;
    outgoing = [];
    if (batch.length === 0) return;
    if (w.status !== 'ready') {
      drop('redis_down', batch.length);
      return;
    }
    inbox.send(0, encodeBatch(batch)).then(
      () => m.sent.inc(batch.length),
      (err: unknown) => {
        drop('send_failed', batch.length);
        ctx.log.warn('slot stream append failed', { slot: args.shard, error: (err as Error).message });
      },
    );
  };

  const enqueue = (ctx: ActorContext, msg: Message, now = false): void => {
    outgoing.push(msg);
    if (now) return flush(ctx);
    if (flushQueued) return;
    flushQueued = true;
    setImmediate(() => flush(ctx));
  };

  /** Asks the node; null when no answer came in time. */
  const remote = (ctx: ActorContext, msg: ClusterCommandMsg['msg']): Promise<ClusterReplyMsg['reply'] | null> => {
    const corr = `${ctx.incarnation}-${++seq}`;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        waiting.delete(corr);
        resolve(null);
      }, args.commandTimeoutMs ?? 2500);
      waiting.set(corr, (reply) => {
        clearTimeout(timer);
        waiting.delete(corr);
        resolve(reply);
      });
      const command: ClusterCommandMsg = { type: 'cluster.command', corr, msg };
      enqueue(ctx, command, true);
    });
  };

  const admitted = (ctx: ActorContext, msg: Message): void => {
    switch (msg.type) {
      case 'strategy.signal':
        ctx.publish(TOPICS.signals, msg as StrategySignalMsg);
        return;
      case 'strategy.status':
        lastStatus = msg as StrategyStatusMsg;
        ctx.publish(TOPICS.strategy_status, lastStatus);
        return;
      case 'cluster.beacon':
        owner = (msg as ClusterBeaconMsg).node;
        return;
      default:
        counts.malformed++;
        m.malformed.inc();
        ctx.log.warn('slot owner sent a message the coordinator does not take: dropped', { slot: args.shard, type: msg.type });
    }
  };

  const ackLater = (ctx: ActorContext, ids: readonly string[]): void => {
    if (ids.length === 0) return;
    outbox.ack(ids).catch((err: unknown) => ctx.log.warn('slot stream ack failed (the entries are read again)', { slot: args.shard, error: (err as Error).message }));
  };

  const sort = async (ctx: ActorContext, entries: readonly StreamEntry[], bad: readonly string[]): Promise<void> => {
    if (bad.length > 0) {
      counts.malformed += bad.length;
      m.malformed.inc(bad.length);
      ctx.log.warn('slot stream entries without token or payload: acknowledged and dropped', { slot: args.shard, ids: bad.slice(0, 5) });
    }
    const stale: string[] = [];
    for (const e of entries) {
      const ok = await gate.admit(e.token);
      m.token.set({ slot: String(args.shard) }, gate.token);
      if (!ok) {
        stale.push(e.id);
        continue;
      }
      const d = decodeBatch(e.payload);
      if (!d.ok) {
        counts.malformed++;
        m.malformed.inc();
        ctx.log.warn('slot stream entry refused', { slot: args.shard, id: e.id, error: d.error });
        ackLater(ctx, [e.id]);
        continue;
      }
      // Replies settle their command here, not through the mailbox: the command's turn is waiting for them.
      const rest: Message[] = [];
      for (const x of d.msgs) {
        if (x.type === 'cluster.reply') waiting.get((x as ClusterReplyMsg).corr)?.((x as ClusterReplyMsg).reply);
        else rest.push(x);
      }
      const inbound: Inbound = { type: 'cluster.inbound', ids: [e.id], msgs: rest };
      ctx.tell(ctx.self, inbound);
    }
    if (stale.length > 0) {
      counts.fenced += stale.length;
      m.fenced.inc(stale.length);
      ctx.log.warn('stale slot owner refused (fencing token not current)', { slot: args.shard, entries: stale.length, current: gate.token });
      ackLater(ctx, stale);
    }
  };

  const readLoop = (ctx: ActorContext): Promise<void> =>
    outbox.consume('coordinator', {
      running: () => running,
      setup: async () => {
        await inbox.ensureGroup();
        await outbox.ensureGroup();
      },
      handle: (entries, bad) => sort(ctx, entries, bad),
      onError: (err) => {
        m.readErrors.inc();
        ctx.log.debug('slot stream read failed; retrying', { slot: args.shard, error: err.message });
      },
    });

  const unavailable = (ctx: ActorContext, msg: StrategyCommandMsg | StrategyRuntimeCommandMsg, why: string): StrategyCommandResultMsg => ({
    type: 'strategy.command_result',
    command: msg.type === 'strategy.enable' ? 'enable' : msg.type === 'strategy.disable' ? 'disable' : msg.type === 'strategy.add_runtime' ? 'add_runtime' : 'remove_runtime',
    strategyId: msg.type === 'strategy.add_runtime' ? msg.entry.id : msg.strategyId,
    shard: args.shard,
    ok: false,
    code: 'QGTM_ERR_SLOT_UNAVAILABLE',
    message: `strategy slot ${args.shard} runs on a node and ${why}; try again once a node owns it (GET /api/v1/watchdog shows the owners)`,
    ts: ctx.clock.now(),
  });

  return {
    accepts: {
      ...SHARD_INPUTS,
      'strategy.enable': 'public',
      'strategy.disable': 'public',
      'strategy.add_runtime': 'public',
      'strategy.remove_runtime': 'public',
      'strategy.query': 'public',
      'cluster.inbound': 'internal',
    },

    init(ctx, a) {
      args = a;
      m = metrics(ctx, String(a.shard));
      w = new Redis(a.redisUrl, CLUSTER_REDIS);
      r = new Redis(a.redisUrl, CLUSTER_READER);
      w.on('error', () => undefined);
      r.on('error', () => undefined);
      inbox = new SlotStream(w, { prefix: a.prefix, slot: a.shard, group: IN_GROUP, stream: 'in', maxLen: a.inMaxLen ?? 10_000 });
      outbox = new SlotStream(r, { prefix: a.prefix, slot: a.shard, group: OUT_GROUP, stream: 'out' });
      // Tokens are read on the writer connection: a blocked read must not delay a fencing check.
      const leases = new SlotLeases(w, { prefix: a.prefix, node: 'coordinator', leaseMs: a.leaseMs });
      gate = new FenceGate(() => leases.currentToken(a.shard));
      void readLoop(ctx);
      ctx.log.info('remote strategy slot', { slot: a.shard, slots: a.shardCount, prefix: a.prefix });
    },

    receive(msg, ctx) {
      switch (msg.type) {
        case 'cluster.inbound':
          for (const x of msg.msgs) admitted(ctx, x);
          m.received.inc(msg.msgs.length);
          lastHeardAt = ctx.clock.now();
          ackLater(ctx, msg.ids);
          return;
        // The only turns that wait (for the node's answer): inputs queue behind a command meanwhile.
        case 'strategy.query':
          return remote(ctx, msg).then((reply) => {
            const status = reply?.type === 'strategy.status' ? reply : lastStatus ?? { type: 'strategy.status', shard: args.shard, ts: ctx.clock.now(), regime: null, strategies: [] };
            ctx.reply(status);
          });
        case 'strategy.enable':
        case 'strategy.disable':
        case 'strategy.add_runtime':
        case 'strategy.remove_runtime':
          return remote(ctx, msg).then((reply) => {
            if (reply?.type === 'strategy.command_result') return ctx.reply(reply);
            m.commandFailures.inc();
            const why = reply === null ? `no node answered within ${args.commandTimeoutMs ?? 2500} ms` : `its node failed the command: ${reply.type === 'cluster.error' ? reply.message : reply.type}`;
            ctx.reply(unavailable(ctx, msg, why));
          });
        default: {
          // An input for the shard: stamped with when this process published it (see the file's comment).
          const originNs = (msg as { originNs?: number }).originNs ?? ctx.envelope?.ts ?? 0;
          const stamped: Message & { originNs: number } = { ...msg, originNs };
          enqueue(ctx, stamped);
        }
      }
    },

    inspect(): RemoteSlotView {
      return { slot: args.shard, token: gate.token, owner, lastHeardAt, ...counts };
    },

    stop() {
      running = false;
      for (const done of waiting.values()) done(null);
      r.disconnect();
      w.disconnect();
    },
  };
});
