/**
 * Worker thread entry: boots a WorkerRuntime from `workerData`, starts the
 * heartbeat, and exposes the control API on the dedicated control port.
 */
import * as Comlink from 'comlink';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import { RealClock, VirtualClock, type Clock } from '../clock.js';
import { Codec } from '../codec.js';
import { nodeEndpoint } from '../comlink-node.js';
import { createLogger } from '../logger.js';
import { monoNs } from '../message.js';
import type { WorkerBoot, WorkerEvent, WorkerVitals } from '../protocol.js';

const LOOP_WINDOW_MS = 10_000;
import { createControlApi } from './control.js';
import { fromWire } from '../outboxes.js';
import { WorkerRuntime } from './runtime.js';

const boot = workerData as WorkerBoot;
if (!parentPort) throw new Error('worker/main.js must run in a worker thread');
const parent = parentPort;

const virtualClock = boot.clock.kind === 'virtual' ? new VirtualClock(boot.clock.shared) : undefined;
const clock: Clock = virtualClock ?? new RealClock();
const log = createLogger(boot.logLevel, { worker: boot.workerId });

const runtime = new WorkerRuntime({
  workerId: boot.workerId,
  cidBase: boot.cidBase,
  codec: new Codec(boot.structures),
  clock,
  log,
  toMain: (value: WorkerEvent | ArrayBuffer, transfer?: ArrayBuffer[]) => parent.postMessage(value, transfer),
});

parent.on('message', (data: unknown) => {
  const bytes = fromWire(data);
  if (bytes) runtime.onBatch(bytes, '$main');
  runtime.pollRings();
});

// Heartbeat: the main thread reads this slot without a message; a stamp that
// stops moving means this thread's event loop is blocked (a hung actor).
const beat = new Float64Array(boot.heartbeat.shared);
const stamp = (): void => {
  beat[0] = monoNs() / 1e6;
};
stamp();
setInterval(stamp, boot.heartbeat.intervalMs).unref();

const LOOP_RESOLUTION_MS = 10;
const loopDelay = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
loopDelay.enable();
/** The histogram records the interval between its timer's ticks; the delay is what exceeds the resolution. */
const beyondResolution = (ns: number): number => Math.max(0, ns / 1e6 - LOOP_RESOLUTION_MS);
const loopGauge = runtime.registry.gauge('qgtm_worker_event_loop_delay_seconds', 'Event-loop delay of a worker thread over the last 10-20 s', ['worker', 'stat'], 'max');
const heapGauge = runtime.registry.gauge('qgtm_worker_heap_used_bytes', 'V8 heap used by a worker thread', ['worker']);

// The delay histogram covers a rolling window, so any number of readers
// (scrapes, the operator's health view) see the same recent figures.
setInterval(() => loopDelay.reset(), LOOP_WINDOW_MS).unref();
const vitals = (): WorkerVitals => ({
  worker: boot.workerId,
  eventLoopDelayP50Ms: loopDelay.count > 0 ? beyondResolution(loopDelay.percentile(50)) : 0,
  eventLoopDelayP99Ms: loopDelay.count > 0 ? beyondResolution(loopDelay.percentile(99)) : 0,
  eventLoopDelayMaxMs: loopDelay.count > 0 ? beyondResolution(loopDelay.max) : 0,
  heapUsedBytes: process.memoryUsage().heapUsed,
});

const api = createControlApi({
  runtime,
  virtualClock,
  faultsEnabled: boot.faults,
  vitals,
  refreshWorkerMetrics: () => {
    const w = boot.workerId;
    const v = vitals();
    loopGauge.set({ worker: w, stat: 'p50' }, v.eventLoopDelayP50Ms / 1e3);
    loopGauge.set({ worker: w, stat: 'p99' }, v.eventLoopDelayP99Ms / 1e3);
    loopGauge.set({ worker: w, stat: 'max' }, v.eventLoopDelayMaxMs / 1e3);
    heapGauge.set({ worker: w }, v.heapUsedBytes);
  },
});
Comlink.expose(api, nodeEndpoint(boot.controlPort));
parent.postMessage({ k: 'ready' } satisfies WorkerEvent);
