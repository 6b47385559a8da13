/**
 * The main thread's handle on one worker thread: spawning it, its comlink
 * control client (every call with a timeout; every pending call rejected the
 * moment the worker dies), its heartbeat slot, and how it ended.
 */
import * as Comlink from 'comlink';
import { EventEmitter } from 'node:events';
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import { ControlTimeoutError, QgtmError, WorkerDiedError } from './errors.js';
import type { Structure } from './codec.js';
import { nodeEndpoint } from './comlink-node.js';
import type { LogLevel } from './logger.js';
import { monoNs } from './message.js';
import type { WorkerBoot, WorkerControlApi, WorkerEvent } from './protocol.js';
import type { ChannelRings } from './worker/rings.js';
import type { WorkerLimits } from './spec.js';
import { fromWire, wire } from './outboxes.js';

export type WorkerEndReason = 'exit' | 'crash' | 'oom' | 'hang' | 'killed';

export interface WorkerEnd {
  readonly reason: WorkerEndReason;
  readonly code: number;
  readonly error?: Error;
}

export interface WorkerHostOptions {
  readonly id: string;
  readonly placement: string;
  readonly cidBase: number;
  readonly structures: readonly Structure[];
  readonly clock: WorkerBoot['clock'];
  readonly heartbeatIntervalMs: number;
  readonly logLevel: LogLevel;
  readonly faults: boolean;
  readonly limits?: WorkerLimits;
  readonly controlTimeoutMs: number;
  readonly readyTimeoutMs?: number;
}

type Method = keyof WorkerControlApi;
type Args<M extends Method> = Parameters<WorkerControlApi[M]>;
type Result<M extends Method> = Awaited<ReturnType<WorkerControlApi[M]>>;

const ENTRY = new URL('./worker/main.js', import.meta.url);

/**
 * Events: 'event' (WorkerEvent), 'batch' (Uint8Array of frames), 'end' (WorkerEnd), once.
 */
export class WorkerHost extends EventEmitter {
  readonly id: string;
  readonly placement: string;
  readonly startedAt = Date.now();
  private readonly worker: Worker;
  private readonly control: Comlink.Remote<WorkerControlApi>;
  private readonly controlPort: MessagePort;
  private readonly heartbeat: Float64Array;
  private readonly pending = new Set<(err: Error) => void>();
  private readonly controlTimeoutMs: number;
  private ended: WorkerEnd | undefined;
  private endReasonOverride: WorkerEndReason | undefined;
  private lastError: Error | undefined;
  private readonly ready: Promise<void>;

  constructor(opts: WorkerHostOptions) {
    super();
    this.id = opts.id;
    this.placement = opts.placement;
    this.controlTimeoutMs = opts.controlTimeoutMs;
    const { port1, port2 } = new MessageChannel();
    this.controlPort = port1;
    const hb = new SharedArrayBuffer(8);
    this.heartbeat = new Float64Array(hb);
    this.heartbeat[0] = monoNs() / 1e6;
    const boot: WorkerBoot = {
      workerId: opts.id,
      cidBase: opts.cidBase,
      structures: opts.structures,
      clock: opts.clock,
      heartbeat: { shared: hb, intervalMs: opts.heartbeatIntervalMs },
      logLevel: opts.logLevel,
      controlPort: port2,
      faults: opts.faults,
    };
    this.worker = new Worker(ENTRY, {
      workerData: boot,
      transferList: [port2],
      name: `qgtm:${opts.id}`,
      resourceLimits: opts.limits ? { ...opts.limits } : undefined,
    });
    this.control = Comlink.wrap<WorkerControlApi>(nodeEndpoint(port1));

    let readyResolve!: () => void;
    let readyReject!: (e: Error) => void;
    this.ready = new Promise<void>((res, rej) => {
      readyResolve = res;
      readyReject = rej;
    });
    const readyTimer = setTimeout(() => {
      readyReject(new QgtmError('QGTM_ERR_WORKER_BOOT', `worker ${opts.id} did not boot within ${opts.readyTimeoutMs ?? 10_000} ms`));
      void this.terminate('killed');
    }, opts.readyTimeoutMs ?? 10_000);
    readyTimer.unref();

    this.worker.on('message', (data: unknown) => {
      const bytes = fromWire(data);
      if (bytes) {
        this.emit('batch', bytes);
        return;
      }
      const ev = data as WorkerEvent;
      if (ev.k === 'ready') {
        clearTimeout(readyTimer);
        readyResolve();
        return;
      }
      this.emit('event', ev);
    });
    this.worker.on('error', (err: Error) => {
      this.lastError = err;
    });
    this.worker.on('exit', (code: number) => {
      clearTimeout(readyTimer);
      const err = this.lastError;
      const reason: WorkerEndReason =
        this.endReasonOverride ??
        ((err as { code?: string } | undefined)?.code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'oom' : err ? 'crash' : 'exit');
      this.ended = { reason, code, error: err };
      const died = new WorkerDiedError(this.id, `${reason} (exit code ${code})${err ? `: ${err.message}` : ''}`);
      readyReject(died);
      for (const reject of this.pending) reject(died);
      this.pending.clear();
      this.controlPort.close();
      this.emit('end', this.ended);
    });
    // A rejected ready promise nobody awaits must not become an unhandled rejection.
    this.ready.catch(() => undefined);
  }

  whenReady(): Promise<void> {
    return this.ready;
  }

  get alive(): boolean {
    return this.ended === undefined;
  }

  get end(): WorkerEnd | undefined {
    return this.ended;
  }

  get threadId(): number {
    return this.worker.threadId;
  }

  /** Milliseconds since the worker last stamped its heartbeat. */
  heartbeatAgeMs(): number {
    return monoNs() / 1e6 - this.heartbeat[0];
  }

  /** Posts a frame batch to the worker (cloned when small, transferred when large). */
  postBatch(bytes: Uint8Array): void {
    if (!this.alive) return;
    const [payload, transfer] = wire(bytes);
    this.worker.postMessage(payload, transfer);
  }

  /**
   * Calls the worker's control API. Rejects with ControlTimeoutError after
   * the timeout and with WorkerDiedError as soon as the worker dies.
   */
  call<M extends Method>(method: M, args: Args<M>, options: { timeoutMs?: number; transfer?: boolean } = {}): Promise<Result<M>> {
    if (!this.alive) return Promise.reject(new WorkerDiedError(this.id, `${this.ended!.reason} (exit code ${this.ended!.code})`));
    const timeoutMs = options.timeoutMs ?? this.controlTimeoutMs;
    return new Promise<Result<M>>((resolve, reject) => {
      const settle = (err: Error): void => {
        clearTimeout(timer);
        this.pending.delete(settle);
        reject(err);
      };
      const timer = setTimeout(() => settle(new ControlTimeoutError(this.id, method, timeoutMs)), timeoutMs);
      this.pending.add(settle);
      const fn = this.control[method] as unknown as (...a: unknown[]) => Promise<Result<M>>;
      fn(...(args as unknown[])).then(
        (value) => {
          clearTimeout(timer);
          this.pending.delete(settle);
          resolve(value);
        },
        (err: unknown) => settle(err instanceof Error ? err : new QgtmError('QGTM_ERR_CONTROL', String(err))),
      );
    });
  }

  /** Hands one end of a channel to the worker. */
  connect(peer: string, port: MessagePort, rings?: ChannelRings): Promise<void> {
    return this.call('connect', [peer, Comlink.transfer(port, [port as never]), rings]);
  }

  /** Terminates the thread; the 'end' event reports `reason`. */
  async terminate(reason: WorkerEndReason): Promise<void> {
    if (!this.alive) return;
    this.endReasonOverride ??= reason;
    await this.worker.terminate();
  }
}
