/**
 * The control API a worker exposes to the main thread over comlink.
 */
import { QgtmError } from '../errors.js';
import type { VirtualClock } from '../clock.js';
import { Kind } from '../message.js';
import type { ActorInfo, FaultKind, WorkerControlApi, WorkerVitals } from '../protocol.js';
import type { Cell } from './cell.js';
import type { WorkerRuntime } from './runtime.js';

export interface ControlDeps {
  readonly runtime: WorkerRuntime;
  readonly virtualClock: VirtualClock | undefined;
  readonly faultsEnabled: boolean;
  /** Worker-level gauges refreshed before metrics are read. */
  readonly refreshWorkerMetrics: () => void;
  readonly vitals: () => WorkerVitals;
}

export function createControlApi(deps: ControlDeps): WorkerControlApi {
  const rt = deps.runtime;
  const cellOf = (id: string): Cell => {
    const cell = rt.cells.get(id);
    if (!cell) throw new QgtmError('QGTM_ERR_NO_SUCH_ACTOR', `no actor ${id} in worker ${rt.workerId}`);
    return cell;
  };
  const info = (cell: Cell): ActorInfo => ({
    id: cell.id,
    worker: rt.workerId,
    state: cell.state,
    incarnation: cell.incarnation,
    mailboxDepth: cell.mailbox.depth,
    mailboxCapacity: cell.mailbox.config.capacity,
    overflow: cell.mailbox.config.overflow,
    received: cell.receivedCount,
    handled: cell.handledCount,
    params: { ...cell.params },
    timers: cell.timers?.keys() ?? [],
    state_detail: safeInspect(cell),
  });

  return {
    ping: () => 'pong',
    startActor: (req) => rt.startActor(req),
    stopActor: (id, reason, forRestart) => rt.stopActor(id, reason, forRestart),
    connect: (peer, port, rings) => rt.connect(peer, port, rings),
    disconnect: (peer) => rt.disconnect(peer),
    setRoutes: (routes) => rt.setRoutes(routes),
    setTopic: (topic, subs) => rt.setTopic(topic, subs),
    inspect: (id) => (id === undefined ? [...rt.cells.values()].map(info) : [info(cellOf(id))]),
    pause: (id) => {
      const cell = cellOf(id);
      if (cell.state === 'running') cell.state = 'paused';
    },
    resume: (id) => {
      const cell = cellOf(id);
      if (cell.state === 'paused') {
        cell.state = 'running';
        rt.wake(cell);
      }
    },
    setParams: (id, params) => {
      const cell = cellOf(id);
      if (typeof params !== 'object' || params === null || Array.isArray(params)) throw new QgtmError('QGTM_ERR_BAD_PARAMS', 'params must be an object');
      const next = { ...cell.params, ...params };
      cell.behaviour?.configure?.(next, cell.ctx);
      cell.params = next;
      return { ...next };
    },
    counters: () => rt.counters(),
    metrics: () => {
      deps.refreshWorkerMetrics();
      return rt.registry.toJson();
    },
    vitals: () => deps.vitals(),
    attachPort: (id, name, port) => {
      const cell = cellOf(id);
      if (!cell.behaviour?.attachPort) throw new QgtmError('QGTM_ERR_NO_PORT_HANDLER', `actor ${id} does not take ports`);
      cell.behaviour.attachPort(name, port, cell.ctx);
    },
    nextDue: () => deps.virtualClock?.nextDue() ?? null,
    fireDue: () => deps.virtualClock?.fireDue() ?? 0,
    injectFrame: (to, payload) => {
      const frame = rt.codec.decodePayload(to, payload);
      if (frame.env) rt.deliver(frame.env, true);
      else rt.deadLetter({ to, kind: Kind.Tell, from: null, cid: 0, ts: 0, msg: { type: '?' } }, to, 'decode_error', frame.error);
    },
    injectBatch: (bytes) => rt.onBatch(bytes, '$injected'),
    flushDeadLetters: () => rt.flushDeadLetters(),
    fault: (id, kind, arg) => injectFault(deps, id, kind, arg),
  };
}

function safeInspect(cell: Cell): unknown {
  try {
    return cell.behaviour?.inspect?.();
  } catch (err) {
    return { inspectError: (err as Error).message };
  }
}

/** Faults run on the next turn, so the control call that asked for them still returns. */
function injectFault(deps: ControlDeps, id: string, kind: FaultKind, arg?: number): void {
  if (!deps.faultsEnabled) throw new QgtmError('QGTM_ERR_FAULTS_DISABLED', 'fault injection is disabled (enable it in the system options)');
  const rt = deps.runtime;
  const cell = rt.cells.get(id);
  if (!cell) throw new QgtmError('QGTM_ERR_NO_SUCH_ACTOR', `no actor ${id} in worker ${rt.workerId}`);
  switch (kind) {
    case 'crash':
      setImmediate(() => rt.failed(cell, 'receive', new QgtmError('QGTM_ERR_INJECTED', 'injected crash')));
      return;
    case 'exit':
      setImmediate(() => process.exit(arg ?? 3));
      return;
    case 'hang':
      setImmediate(() => {
        for (;;) {
          // Injected hang: blocks the worker's event loop until it is terminated.
        }
      });
      return;
    case 'oom': {
      // Injected runaway allocation, in slices with the event loop turning between them: the
      // worker keeps heartbeating, so it ends at its heap cap (oom), never as a hang, however
      // slowly a loaded machine runs it.
      const hog: number[][] = [];
      const grow = (): void => {
        for (let i = 0; i < 4; i++) hog.push(new Array(1 << 20).fill(hog.length));
        setImmediate(grow);
      };
      setImmediate(grow);
      return;
    }
    case 'slow':
      cell.slowMs = arg ?? 50;
      return;
    case 'reject_promise':
      setImmediate(() => {
        void Promise.reject(new QgtmError('QGTM_ERR_INJECTED', 'injected unhandled rejection'));
      });
      return;
  }
}
