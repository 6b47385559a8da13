/**
 * One thread of the opt-in hot path (bench/lib/hotpath.ts): a stage of the
 * tick-to-intent pipeline that takes its frames from SharedArrayBuffer rings
 * (src/runtime/spsc-ring.ts) instead of MessagePorts, polling them for
 * `spinUs` before it sleeps on its doorbell. Frames are the runtime's own
 * (Codec.encodeFrame / decodeBatch, the shared record structures); the stage
 * logic is the benchmark's (bench/lib/stages.ts), placed as the daemon's
 * `split` placement places it:
 * - strategies: features and bars in, the shard's signals out;
 * - trading: features, signals and the broker's reports in, the allocator's
 *   intents reviewed by the risk desk in the same thread, approvals out;
 * - broker: approvals in; the latency is taken on receipt (monoNs minus the
 *   tick's origin stamp, as the broker session takes it), the working order
 *   reported back to trading.
 *
 * This loop owns its thread: it blocks in Atomics.wait, so it takes no
 * MessagePort traffic while it runs. The main thread steers it through a
 * control block (stop, epoch) and it posts its results when stopped.
 */
import { readFileSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { buildStructures, Codec, FrameWriter } from '../../src/runtime/codec.js';
import { Kind, monoNs, type Message } from '../../src/runtime/message.js';
import { awaitRecord, Doorbell, RingWriter, SpscRing } from '../../src/runtime/spsc-ring.js';
import type { AllocatorIntentsMsg } from '../../actors/allocator/messages.js';
import type { BrokerPositionsMsg } from '../../actors/broker/messages.js';
import type { RiskIntentApprovedMsg } from '../../actors/risk/messages.js';
import type { StrategySignalMsg } from '../../actors/strategy/messages.js';
import { allocatorStage, BenchBroker, makeAllocator, makeRisk, makeShard, riskStage, shardStage, type Tick } from './stages.js';
import type { FeedBarMsg, FeedFeaturesMsg } from '../../actors/feed/messages.js';
import { CTL, type HotBoot, type HotResult, type HotRole } from './hotpath-protocol.js';

/** This thread's CPU time in ns: schedstat's first field (time on a CPU); readFileSync runs on the calling thread. */
function threadCpuNs(): number {
  try {
    return Number(readFileSync('/proc/thread-self/schedstat', 'latin1').split(' ')[0]);
  } catch {
    return NaN;
  }
}

const boot = workerData as HotBoot;
const codec = new Codec(buildStructures(boot.structures));
const ctl = new Int32Array(boot.control);
const bell = new Doorbell(boot.bell);
const inputs = boot.inputs.map((sab) => new SpscRing(sab, bell));
const out = (role: HotRole): RingWriter | undefined => {
  const o = boot.outputs[role];
  return o ? new RingWriter(new SpscRing(o.ring, new Doorbell(o.bell))) : undefined;
};
const toTrading = out('trading');
const toBroker = out('broker');
const writer = new FrameWriter(1024);

/** Frames `msgs` for `to` and sends them as one record (one batch, as an outbox flush is). */
function post(ring: RingWriter | undefined, to: string, from: string, msgs: readonly Message[]): void {
  if (!ring || msgs.length === 0) return;
  const ts = monoNs();
  for (const msg of msgs) codec.encodeFrame(writer, { to, kind: Kind.Tell, from, cid: 0, ts, msg });
  ring.send(writer.take());
}

const shard = boot.role === 'strategies' ? makeShard() : null;
const alloc = boot.role === 'trading' ? makeAllocator(Date.now()) : null;
const risk = boot.role === 'trading' ? makeRisk(Date.now()) : null;
const broker = boot.role === 'broker' ? new BenchBroker() : null;
let samples: number[] = [];
let epoch = Atomics.load(ctl, CTL.epoch);
let cpu0 = threadCpuNs();
let wall0 = performance.now();

/** One record: a batch of frames from one producer. */
function onRecord(bytes: Buffer): void {
  // Typed by assertion: assigned inside the callback, which flow analysis does not follow.
  let features = null as FeedFeaturesMsg | null;
  let bar = null as FeedBarMsg | null;
  let origin = 0;
  const signals: StrategySignalMsg[] = [];
  const approvals: RiskIntentApprovedMsg[] = [];
  let book = null as BrokerPositionsMsg | null;
  codec.decodeBatch(bytes, (f) => {
    if (!f.env) throw new Error(`hot path: undecodable frame for ${f.to}: ${f.error}`);
    const m = f.env.msg as Message & Record<string, any>;
    switch (m.type) {
      case 'feed.features':
        features = m as unknown as FeedFeaturesMsg;
        origin = f.env.ts;
        return;
      case 'feed.bar':
        bar = m as unknown as FeedBarMsg;
        return;
      case 'strategy.signal':
        signals.push(m as unknown as StrategySignalMsg);
        return;
      case 'risk.intent_approved':
        if (broker) {
          const o = (m as unknown as RiskIntentApprovedMsg).originNs ?? 0;
          if (o > 0) samples.push(monoNs() - o);
          Atomics.add(ctl, CTL.count, 1);
        }
        approvals.push(m as unknown as RiskIntentApprovedMsg);
        return;
      case 'broker.positions':
        book = m as unknown as BrokerPositionsMsg;
        return;
      case 'broker.intent_refused':
        risk?.book.onIntentRefused(m as never);
        return;
    }
  });
  const now = Date.now();
  if (shard && features) {
    const tick: Tick = { features, bar };
    post(toTrading, 'allocator', 'strategy:0', shardStage(shard, tick, now, origin));
  }
  if (alloc && risk) {
    if (book) {
      risk.book.onPositions(book);
      alloc.onPositions(book, now);
    }
    if (features) {
      alloc.onFeatures(features);
      risk.book.onPrice(features.symbol, features.price, now);
    }
    if (signals.length > 0) {
      const intents: AllocatorIntentsMsg[] = allocatorStage(alloc, null, signals, now);
      post(toBroker, 'broker', 'risk', riskStage(risk, null, intents, now));
    }
  }
  if (broker && approvals.length > 0) {
    const reports: Message[] = [];
    for (const a of approvals) {
      const r = broker.accept(a, now);
      reports.push(r.ack, r.book);
    }
    // Off the measured path, after the receipt, as the broker session's reports are.
    post(toTrading, 'risk', 'broker', reports);
  }
}

const rings = inputs;
const roleAck = CTL.ack[boot.role];
for (;;) {
  if (Atomics.load(ctl, CTL.stop) !== 0) break;
  const e = Atomics.load(ctl, CTL.epoch);
  if (e !== epoch) {
    epoch = e;
    samples = [];
    cpu0 = threadCpuNs();
    wall0 = performance.now();
    Atomics.store(ctl, roleAck, e);
  }
  toTrading?.pump();
  toBroker?.pump();
  // Short sleeps: a stop or a new epoch is noticed within 20 ms even with no traffic.
  if (!awaitRecord(rings, bell, boot.spinUs, 20)) continue;
  for (const r of rings) {
    let rec: Buffer | undefined;
    while ((rec = r.read())) onRecord(rec);
  }
}
const result: HotResult = { role: boot.role, samples, cpuMs: (threadCpuNs() - cpu0) / 1e6, wallMs: performance.now() - wall0 };
parentPort!.postMessage(result);
