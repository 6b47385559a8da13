/**
 * hop: one actor to another on another worker. One-way latency (p50/p99) and
 * throughput, against raw MessagePort postMessage of the same object measured
 * in the same run. Throughput is sustained throughput: both paths send under
 * the same flow-control window (see bench/actors/hop.ts). Targets: hop p50 at most 1.25x raw p50; batched hop
 * throughput at least 3x raw per-message postMessage.
 */
import { MessageChannel } from 'node:worker_threads';
import { ActorSystem, type Message } from '../src/runtime/index.js';
import { printFigures, printTable, round, summary, target } from './lib/report.js';

const LATENCY_N = 4000;
const WARMUP_N = 1000;
const BURST_N = 200_000;
const CHUNK = 1000;
const ROUNDS = 6;

type Any = Message & Record<string, any>;

type Path = 'raw' | 'hop';

interface Pair {
  /** One latency round: one-way latencies in µs. */
  latency(path: Path): Promise<number[]>;
  /** One throughput round: messages per second. */
  burst(path: Path): Promise<number>;
  close(): Promise<void>;
}

/** Two actors in two workers, with a raw MessageChannel between the same two threads. */
async function pair(): Promise<Pair> {
  const module = new URL('./actors/hop.js', import.meta.url).href;
  const tick = ['type', 'symbol', 'price', 'size', 'id', 'ts', 'echo'];
  const sys = await ActorSystem.start({ logLevel: 'warn', structures: [tick, ['type'], ['type', 'values', 'count']] });
  let done: (() => void) | undefined;
  sys.setFailureHandler((f) => console.error('bench actor failed', f));
  const wait = (): Promise<void> => new Promise((r) => (done = r));
  sys.onMessage((m) => {
    if (m.type === 'hop.done') done?.();
  });
  await sys.spawn({ id: 'pinger', module, export: 'pinger', args: { peer: 'ponger' } });
  await sys.spawn({ id: 'ponger', module, export: 'ponger', args: { peer: 'pinger' }, mailbox: { capacity: BURST_N + 10, overflow: 'reject' } });
  const { port1, port2 } = new MessageChannel();
  await sys.attachPort('pinger', 'raw', port1);
  await sys.attachPort('ponger', 'raw', port2);
  const reset = (keep: number, expect = 0, chunk = 0): Promise<unknown> => sys.ask('ponger', { type: 'hop.reset', keep, expect, chunk } as Any, { timeoutMs: 5000 });
  return {
    async latency(path) {
      await reset(LATENCY_N + WARMUP_N);
      const w = wait();
      sys.tell('pinger', { type: path === 'raw' ? 'hop.raw_latency' : 'hop.latency', n: LATENCY_N + WARMUP_N } as Any);
      await w;
      const stats = await sys.ask<Any>('ponger', { type: 'hop.stats' } as Any, { timeoutMs: 5000 });
      return (stats.values as number[]).slice(WARMUP_N).map((ns) => ns / 1000);
    },
    async burst(path) {
      await reset(0, BURST_N, CHUNK);
      const w = wait();
      const t0 = performance.now();
      sys.tell('pinger', { type: 'hop.burst', n: BURST_N, chunk: CHUNK, raw: path === 'raw' } as Any);
      await w;
      return BURST_N / ((performance.now() - t0) / 1000);
    },
    close: () => sys.shutdown(),
  };
}

export async function run(): Promise<Record<string, unknown>> {
  const raw = { latUs: [] as number[], throughput: [] as number[] };
  const hop = { latUs: [] as number[], throughput: [] as number[] };
  // Fresh threads each round (the OS places them anew), and within a round
  // the two paths alternate on the same two threads.
  for (let r = 0; r < ROUNDS; r++) {
    const p = await pair();
    // Warm both paths up (the JIT, the buffers) before anything is measured.
    await p.burst('hop');
    await p.burst('raw');
    raw.latUs.push(...(await p.latency('raw')));
    hop.latUs.push(...(await p.latency('hop')));
    // Alternate which burst goes first, so neither always runs on the other's garbage.
    if (r % 2 === 0) {
      raw.throughput.push(await p.burst('raw'));
      hop.throughput.push(await p.burst('hop'));
    } else {
      hop.throughput.push(await p.burst('hop'));
      raw.throughput.push(await p.burst('raw'));
    }
    await p.close();
  }
  const rs = summary(raw.latUs);
  const hs = summary(hop.latUs);
  const rt = summary(raw.throughput).p50;
  const ht = summary(hop.throughput).p50;
  printTable('hop: one-way latency (µs) and throughput (msg/s)', [
    { path: 'raw MessagePort postMessage (same threads)', p50: round(rs.p50, 1), p90: round(rs.p90, 1), p99: round(rs.p99, 1), 'msg/s (median round)': Math.round(rt), samples: rs.n },
    { path: 'actor hop (msgpack, batched)', p50: round(hs.p50, 1), p90: round(hs.p90, 1), p99: round(hs.p99, 1), 'msg/s (median round)': Math.round(ht), samples: hs.n },
  ]);
  const figures = {
    raw_p50_us: round(rs.p50, 1),
    raw_p99_us: round(rs.p99, 1),
    hop_p50_us: round(hs.p50, 1),
    hop_p99_us: round(hs.p99, 1),
    hop_p50_over_raw: target(hs.p50 / rs.p50, '<=', 1.25),
    raw_per_message_msgs_per_s: Math.round(rt),
    hop_batched_msgs_per_s: Math.round(ht),
    batched_throughput_over_raw: target(ht / rt, '>=', 3),
  };
  printFigures('hop', figures);
  return figures;
}
