/**
 * The opt-in hot path of issue 12, as a benchmark-level pipeline: the
 * `split` placement's three threads (strategies, trading, broker; see
 * bench/lib/hotpath-worker.ts) joined by SharedArrayBuffer rings
 * (src/runtime/spsc-ring.ts) instead of MessagePorts, each polling its rings
 * for a bounded spin before it sleeps on a doorbell. The main thread stands
 * in for the market-data side: it paces the ticks as the actors' tick source
 * does and writes each one, framed by the runtime's codec, to the
 * strategies and trading rings.
 *
 * Not the actor runtime: no mailboxes, supervision or fences; the rings carry
 * the runtime's frames between threads whose loops block in Atomics.wait.
 * What it measures is what the transport and the wake-up cost when the
 * critical threads poll before they sleep, and what that polling costs in
 * CPU.
 */
import { Worker } from 'node:worker_threads';
import { buildStructures, Codec, FrameWriter, type Structure } from '../../src/runtime/codec.js';
import { Kind, monoNs, type Message } from '../../src/runtime/message.js';
import { Doorbell, RingWriter, SpscRing } from '../../src/runtime/spsc-ring.js';
import { CTL, type HotBoot, type HotResult, type HotRole } from './hotpath-protocol.js';
import type { Tick } from './stages.js';

const RING_BYTES = 64 * 1024;

export interface HotPathOptions {
  readonly spinUs: number;
  readonly warmupTicks: number;
  readonly ticks: number;
  readonly intervalMs: number;
  readonly structures: readonly Structure[];
  /** The tick sequence, seeded (the same the other paths replay). */
  readonly sequence: (seed: number) => () => Tick;
  readonly seed: number;
}

export interface HotPathRun {
  /** Tick-to-approval-at-the-broker latencies, µs. */
  readonly samples: number[];
  /** CPU of the whole process (every thread) while the measured ticks streamed: ms per second of wall time. */
  readonly processCpuMsPerS: number;
  /** CPU of each stage thread over the same span, ms per second (NaN without /proc/thread-self/schedstat). */
  readonly threadCpuMsPerS: Record<HotRole, number>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function hotPath(o: HotPathOptions): Promise<HotPathRun> {
  const codec = new Codec(buildStructures(o.structures));
  const control = new SharedArrayBuffer(64);
  const ctl = new Int32Array(control);
  const bells = { strategies: new SharedArrayBuffer(64), trading: new SharedArrayBuffer(64), broker: new SharedArrayBuffer(64) };
  const ring = (): SharedArrayBuffer => SpscRing.allocate(RING_BYTES);
  const [m2s, m2t, s2t, t2b, b2t] = [ring(), ring(), ring(), ring(), ring()];
  const boots: HotBoot[] = [
    { role: 'strategies', structures: o.structures, spinUs: o.spinUs, control, bell: bells.strategies, inputs: [m2s], outputs: { trading: { ring: s2t, bell: bells.trading } } },
    { role: 'trading', structures: o.structures, spinUs: o.spinUs, control, bell: bells.trading, inputs: [m2t, s2t, b2t], outputs: { broker: { ring: t2b, bell: bells.broker } } },
    { role: 'broker', structures: o.structures, spinUs: o.spinUs, control, bell: bells.broker, inputs: [t2b], outputs: { trading: { ring: b2t, bell: bells.trading } } },
  ];
  const url = new URL('./hotpath-worker.js', import.meta.url);
  const workers = boots.map((workerData) => new Worker(url, { workerData }));
  const results = workers.map(
    (w) =>
      new Promise<HotResult>((resolve, reject) => {
        w.once('message', resolve);
        w.once('error', reject);
        w.once('exit', (code) => reject(new Error(`hot path worker exited (${code}) before reporting`)));
      }),
  );
  // A worker that dies early fails the run at once, not after the stream.
  const failed = Promise.race(results.map((r) => r.then(() => new Promise<never>(() => {}))));
  failed.catch(() => {});
  const toStrategies = new RingWriter(new SpscRing(m2s, new Doorbell(bells.strategies)));
  const toTrading = new RingWriter(new SpscRing(m2t, new Doorbell(bells.trading)));
  const w = new FrameWriter(1024);
  const frame = (to: string, tick: Tick, ts: number): Uint8Array => {
    codec.encodeFrame(w, { to, kind: Kind.Tell, from: 'md', cid: 0, ts, msg: tick.features as unknown as Message, topic: 'features' });
    if (tick.bar) codec.encodeFrame(w, { to, kind: Kind.Tell, from: 'md', cid: 0, ts, msg: tick.bar as unknown as Message, topic: 'bars' });
    return w.take();
  };
  const ringAll = (): void => {
    for (const b of Object.values(bells)) new Doorbell(b).ring();
  };
  const stream = async (n: number, seed: number): Promise<void> => {
    const next = o.sequence(seed);
    const start = performance.now();
    for (let i = 0; i < n; i++) {
      const wait = start + i * o.intervalMs - performance.now();
      if (wait > 0) await sleep(wait);
      const tick = next();
      const ts = monoNs();
      toStrategies.send(frame('strategy:0', tick, ts));
      toTrading.send(frame('allocator', tick, ts));
    }
    // The last ticks through: until the broker's count stops moving.
    let last = -1;
    while (Atomics.load(ctl, CTL.count) !== last || toStrategies.pump() + toTrading.pump() > 0) {
      last = Atomics.load(ctl, CTL.count);
      await sleep(100);
    }
  };
  try {
    await Promise.race([stream(o.warmupTicks, o.seed + 1), failed]);
    const epoch = Atomics.add(ctl, CTL.epoch, 1) + 1;
    ringAll();
    const deadline = Date.now() + 10_000;
    while (Object.values(CTL.ack).some((i) => Atomics.load(ctl, i) !== epoch)) {
      if (Date.now() > deadline) throw new Error('hot path: a stage thread never took the new epoch');
      await sleep(5);
    }
    const cpu0 = process.cpuUsage();
    const wall0 = performance.now();
    await Promise.race([stream(o.ticks, o.seed), failed]);
    const cpu = process.cpuUsage(cpu0);
    const wallS = (performance.now() - wall0) / 1000;
    Atomics.store(ctl, CTL.stop, 1);
    ringAll();
    const rs = await Promise.all(results);
    const broker = rs.find((r) => r.role === 'broker')!;
    const perThread = Object.fromEntries(rs.map((r) => [r.role, r.cpuMs / (r.wallMs / 1000)])) as Record<HotRole, number>;
    return { samples: broker.samples.map((ns) => ns / 1000), processCpuMsPerS: (cpu.user + cpu.system) / 1000 / wallS, threadCpuMsPerS: perThread };
  } finally {
    Atomics.store(ctl, CTL.stop, 1);
    ringAll();
    await Promise.all(workers.map((wk) => wk.terminate()));
  }
}
