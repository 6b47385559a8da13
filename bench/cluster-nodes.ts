/**
 * cluster, on real `qgtm node` processes (issue 16), with this process as
 * the coordinator's side of the slot streams:
 *
 * - throughput from 1 to 3 nodes: six slots; once every slot is owned, a
 *   fixed load of closed bars (every PM instrument, one bar a minute, the
 *   msgpack records the feeds publish, batched per entry as the coordinator
 *   batches per turn) is appended to the slots' `in` streams at once, and
 *   the clock stops when every slot's group has nothing left undelivered or
 *   unacknowledged: a node acknowledges an entry only after its shard
 *   handled it. Bars per second, and the ratio to one node in the same run.
 * - failover: `kill -9` of the node that owns slot 0, to the first message
 *   of slot 0 stamped with a newer fencing token (the new owner's beacon),
 *   read from the `out` stream as the coordinator reads it. Median of
 *   several kills, against the lease length.
 */
import { Redis } from 'ioredis';
import { launch, type Launched } from './lib/launch.js';
import { SlotLeases } from '../app/cluster/leases.js';
import { SlotStream } from '../app/cluster/slot-stream.js';
import { clusterPrefix, decodeBatch, encodeBatch, IN_GROUP, OUT_GROUP } from '../app/cluster/wire.js';
import { universe } from '../src/universe/index.js';
import type { FeedBarMsg } from '../actors/feed/messages.js';
import { printFigures, printTable, round, summary } from './lib/report.js';

const SLOTS = 6;
const LEASE_MS = 1000;
const MINUTES = 240;
const PER_ENTRY = 20;
const KILLS = 5;

function bars(): FeedBarMsg[] {
  const out: FeedBarMsg[] = [];
  const symbols = universe('pm').map((i) => i.symbol);
  const price = new Map(symbols.map((s, k) => [s, 20 + 10 * k]));
  let seed = 7;
  const rnd = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) - 0.5;
  const t0 = Date.UTC(2026, 0, 5, 14, 30);
  for (let m = 0; m < MINUTES; m++) {
    for (const s of symbols) {
      const prev = price.get(s)!;
      const close = prev * (1 + rnd() * 0.004);
      price.set(s, close);
      out.push({ type: 'feed.bar', symbol: s, ts: t0 + m * 60_000, intervalMs: 60_000, open: prev, high: Math.max(prev, close) * 1.0005, low: Math.min(prev, close) * 0.9995, close, volume: 1000, vwap: (prev + close) / 2, trades: 10, ret: Math.log(close / prev), vol: 0.2 });
    }
  }
  return out;
}

async function until(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`bench cluster: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function nodeEnv(url: string, prefix: string): Record<string, string> {
  return { REDIS_URL: url, QGTM_REDIS_PREFIX: prefix, QGTM_STRATEGIES_SHARDS: String(SLOTS), QGTM_CLUSTER_LEASE_MS: String(LEASE_MS), QGTM_LOG_LEVEL: 'warn', QGTM_DAEMON_METRICS_PORT: '0' };
}

async function startNodes(n: number, url: string, prefix: string, dir: string, leases: SlotLeases): Promise<Launched[]> {
  const nodes: Launched[] = [];
  for (let k = 0; k < n; k++) nodes.push(launch(['node', '--node-id', `b${k}`], { ...nodeEnv(url, prefix), QGTM_NODE_STATE_DIR: `${dir}/b${k}` }));
  const share = Math.ceil(SLOTS / n);
  await until(
    async () => {
      const owners = await Promise.all(Array.from({ length: SLOTS }, (_, s) => leases.owner(s)));
      const per = new Map<string, number>();
      for (const o of owners) if (o) per.set(o.node, (per.get(o.node) ?? 0) + 1);
      return owners.every((o) => o !== null) && per.size === n && [...per.values()].every((c) => c <= share);
    },
    60_000,
    `${SLOTS} slots owned by ${n} nodes`,
  );
  return nodes;
}

/** Bars per second through `n` nodes: the load appended at once, timed until every slot acknowledged it. */
async function throughput(n: number, url: string, dir: string, load: readonly FeedBarMsg[]): Promise<number> {
  const redisPrefix = `benchnodes${n}:`;
  const prefix = clusterPrefix(redisPrefix);
  const w = new Redis(url);
  const leases = new SlotLeases(w, { prefix, node: 'bench', leaseMs: LEASE_MS });
  const nodes = await startNodes(n, url, redisPrefix, dir, leases);
  try {
    const streams = Array.from({ length: SLOTS }, (_, slot) => new SlotStream(w, { prefix, slot, group: IN_GROUP, stream: 'in', maxLen: 1_000_000 }));
    for (const s of streams) await s.ensureGroup();
    const entries: Uint8Array[] = [];
    for (let i = 0; i < load.length; i += PER_ENTRY) entries.push(encodeBatch(load.slice(i, i + PER_ENTRY)));
    const t0 = process.hrtime.bigint();
    const pipe = w.pipeline();
    for (const s of streams) for (const e of entries) pipe.xadd(s.key, '*', 'tok', '0', 'p', Buffer.from(e));
    await pipe.exec();
    await until(
      async () => {
        for (const s of streams) {
          const b = await s.backlog();
          if (b.pending > 0 || (b.lag ?? 1) > 0) return false;
        }
        return true;
      },
      300_000,
      `${n} nodes to handle the load`,
    );
    const secs = Number(process.hrtime.bigint() - t0) / 1e9;
    return (load.length * SLOTS) / secs;
  } finally {
    for (const p of nodes) await p.stop();
    w.disconnect();
  }
}

/** ms from kill -9 of slot 0's owner to slot 0's first message under a newer token, `KILLS` times. */
async function failover(url: string, dir: string): Promise<number[]> {
  const redisPrefix = 'benchfail:';
  const prefix = clusterPrefix(redisPrefix);
  const w = new Redis(url);
  const r = new Redis(url);
  const leases = new SlotLeases(w, { prefix, node: 'bench', leaseMs: LEASE_MS });
  const out = new SlotStream(r, { prefix, slot: 0, group: OUT_GROUP, stream: 'out' });
  await out.ensureGroup();
  const nodes = new Map<string, Launched>();
  let next = 0;
  const start = (): void => {
    const id = `f${next++}`;
    nodes.set(id, launch(['node', '--node-id', id], { ...nodeEnv(url, redisPrefix), QGTM_NODE_STATE_DIR: `${dir}/${id}` }));
  };
  for (let k = 0; k < 3; k++) start();
  const times: number[] = [];
  try {
    for (let i = 0; i < KILLS; i++) {
      await until(async () => (await leases.owner(0)) !== null && nodes.has((await leases.owner(0))!.node), 60_000, 'slot 0 owned');
      const owner = (await leases.owner(0))!;
      // Drain what is there, so the clock reads only what comes after the kill.
      for (;;) {
        const got = await out.read('bench', 1000, 10);
        if (got.entries.length === 0) break;
        await out.ack(got.entries.map((e) => e.id));
      }
      const t0 = performance.now();
      await nodes.get(owner.node)!.kill();
      nodes.delete(owner.node);
      let done = false;
      while (!done) {
        const got = await out.read('bench', 1000, 200);
        for (const e of got.entries) {
          const d = decodeBatch(e.payload);
          if (e.token > owner.token && d.ok && d.msgs.some((m) => m.type === 'cluster.beacon')) done = true;
        }
        if (got.entries.length > 0) await out.ack(got.entries.map((e) => e.id));
        if (performance.now() - t0 > 30_000) throw new Error('bench cluster: slot 0 not taken over in 30 s');
      }
      times.push(performance.now() - t0);
      start();
    }
  } finally {
    for (const p of nodes.values()) await p.stop();
    w.disconnect();
    r.disconnect();
  }
  return times;
}

export async function runNodes(url: string, dir: string): Promise<Record<string, unknown>> {
  const load = bars();
  const rates: number[] = [];
  for (const n of [1, 2, 3]) rates.push(await throughput(n, url, dir, load));
  const fail = await failover(url, dir);
  const f = summary(fail);
  printTable(`cluster: ${load.length * SLOTS} closed bars over ${SLOTS} slots on real qgtm node processes, this machine`, [1, 2, 3].map((n, k) => ({ nodes: n, bars_per_s: Math.round(rates[k]!), vs_one_node: round(rates[k]! / rates[0]!, 2) })));
  printTable(`cluster: failover, kill -9 of slot 0's owner to its first message under the new owner (lease ${LEASE_MS} ms, ${KILLS} kills)`, [
    { p50_ms: Math.round(f.p50), max_ms: Math.round(Math.max(...fail)), lease_ms: LEASE_MS, p50_over_lease: round(f.p50 / LEASE_MS, 2) },
  ]);
  return {
    nodes_bars_per_s: rates.map((x) => Math.round(x)),
    nodes_scaling_3_over_1: round(rates[2]! / rates[0]!, 2),
    failover_p50_ms: Math.round(f.p50),
    failover_max_ms: Math.round(Math.max(...fail)),
    failover_lease_ms: LEASE_MS,
  };
}
