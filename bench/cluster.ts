/**
 * cluster (issue 16): a message between two processes over a slot's Redis
 * Stream (XADD, XREADGROUP through the consumer group, XACK after handling),
 * against a message between two threads of one process over a MessagePort,
 * measured in the same run on the same machine.
 *
 * - one-way latency: ping-pong, half the round trip, p50 and p99;
 * - throughput: the parent sends a burst (pipelined XADDs), the other
 *   process reads in batches of 500 and acknowledges each batch.
 *
 * Then, on real `qgtm node` processes (cluster-nodes.ts): throughput from
 * 1 to 3 nodes, and failover from `kill -9` of a node to its slot's first
 * message under the new owner; and many nodes simulated (cluster-sim.ts):
 * the ownership protocol of 32 nodes over 64 slots on one Redis.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { MessageChannel, Worker } from 'node:worker_threads';
import { Redis } from 'ioredis';
import { SlotStream } from '../app/cluster/slot-stream.js';
import { freePort } from '../src/net/free-port.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { printFigures, printTable, round, summary } from './lib/report.js';
import { runNodes } from './cluster-nodes.js';
import { runSim } from './cluster-sim.js';

const PINGS = 2000;
const WARMUP = 200;
const BURST = 50_000;

async function startRedis(): Promise<{ url: string; stop(): void }> {
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--loglevel', 'warning'], { stdio: 'ignore' });
  const probe = new Redis(`redis://127.0.0.1:${port}`, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  // Refused while the server starts: expected, and retried below.
  probe.on('error', () => undefined);
  const deadline = Date.now() + 5000;
  for (;;) {
    try {
      await probe.connect();
      await probe.ping();
      break;
    } catch {
      probe.disconnect();
      if (Date.now() > deadline) throw new Error('redis-server did not start in 5 s (Debian package redis-server)');
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  probe.disconnect();
  return { url: `redis://127.0.0.1:${port}`, stop: () => child.kill('SIGKILL') };
}

/** One-way µs over a MessagePort between this thread and a worker that echoes. */
async function threadBaseline(): Promise<number[]> {
  const w = new Worker(`const { parentPort } = require('node:worker_threads'); parentPort.once('message', (port) => port.on('message', (m) => port.postMessage(m)));`, { eval: true });
  const { port1, port2 } = new MessageChannel();
  w.postMessage(port2, [port2]);
  const out: number[] = [];
  const payload = Buffer.alloc(64, 1);
  for (let i = 0; i < PINGS + WARMUP; i++) {
    const t0 = process.hrtime.bigint();
    await new Promise<void>((resolve) => {
      port1.once('message', () => resolve());
      port1.postMessage(payload);
    });
    if (i >= WARMUP) out.push(Number(process.hrtime.bigint() - t0) / 2000);
  }
  port1.close();
  await w.terminate();
  return out;
}

export async function run(): Promise<Record<string, unknown>> {
  const redis = await startRedis();
  const prefix = `bench:${Date.now()}:`;
  const child: ChildProcess = fork(new URL('./cluster-echo.js', import.meta.url), [redis.url, prefix], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  await new Promise<void>((resolve) => child.once('message', () => resolve()));
  const w = new Redis(redis.url);
  const r = new Redis(redis.url);
  const out = new SlotStream(w, { prefix, slot: 0, group: 'node' });
  const back = new SlotStream(r, { prefix, slot: 1, group: 'coordinator' });
  await back.ensureGroup();
  const ping = Buffer.alloc(64, 1);
  ping[0] = 1;
  const streamUs: number[] = [];
  for (let i = 0; i < PINGS + WARMUP; i++) {
    const t0 = process.hrtime.bigint();
    await out.send(1, ping);
    let got = 0;
    while (got === 0) {
      const { entries } = await back.read('coord', 10, 1000);
      got = entries.length;
      if (got > 0) await back.ack(entries.map((e) => e.id));
    }
    if (i >= WARMUP) streamUs.push(Number(process.hrtime.bigint() - t0) / 2000);
  }
  // Throughput: a pipelined burst, then a marker the other side answers with its count.
  const count = Buffer.alloc(64, 2);
  count[0] = 2;
  const t0 = process.hrtime.bigint();
  const pipe = w.pipeline();
  for (let i = 0; i < BURST; i++) pipe.xadd(out.key, 'MAXLEN', '~', '1000000', '*', 'tok', '1', 'p', count);
  pipe.xadd(out.key, '*', 'tok', '1', 'p', Buffer.from([3]));
  await pipe.exec();
  let counted = 0;
  while (counted === 0) {
    const { entries } = await back.read('coord', 10, 5000);
    for (const e of entries) counted = (JSON.parse(e.payload.toString()) as { counted: number }).counted;
    if (entries.length > 0) await back.ack(entries.map((e) => e.id));
  }
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  const streamRate = counted / secs;
  await out.send(1, Buffer.from([9]));
  await new Promise((resolve) => child.once('exit', resolve));
  w.disconnect();
  r.disconnect();
  const nodeDir = mkdtempSync(join(tmpdir(), 'qgtm-bench-nodes-'));
  let nodes: Record<string, unknown>;
  try {
    nodes = { ...(await runNodes(redis.url, nodeDir)), ...(await runSim(redis.url)) };
  } finally {
    redis.stop();
    rmSync(nodeDir, { recursive: true, force: true });
  }

  const threadUs = await threadBaseline();
  const s = summary(streamUs);
  const t = summary(threadUs);
  printTable('cluster: one message between two processes over a slot stream vs two threads over a MessagePort (µs one-way, msg/s)', [
    { path: 'Redis Stream, two processes', p50_us: round(s.p50, 1), p99_us: round(s.p99, 1), msgs_per_s: Math.round(streamRate) },
    { path: 'MessagePort, two threads', p50_us: round(t.p50, 1), p99_us: round(t.p99, 1), msgs_per_s: '' },
  ]);
  const figures = {
    stream_p50_us: round(s.p50, 1),
    stream_p99_us: round(s.p99, 1),
    thread_p50_us: round(t.p50, 1),
    thread_p99_us: round(t.p99, 1),
    stream_over_thread_p50: round(s.p50 / t.p50, 2),
    stream_msgs_per_s: Math.round(streamRate),
    burst: BURST,
    counted,
    ...nodes,
  };
  printFigures('cluster', figures);
  return figures;
}
