/**
 * The contract between the main thread and its workers: what a worker is
 * booted with, the events it reports on its parent port, and the control
 * API it exposes over comlink on a dedicated channel.
 *
 * Three kinds of traffic, three channels:
 * - actor messages: msgpack frame batches (ArrayBuffers) on direct worker-to-worker
 *   MessagePorts, and on the parent port for traffic to or through the main thread;
 * - events (failures, snapshots, dead-letter counts, requests): plain objects on the parent port;
 * - control (start/stop actors, wiring, inspect, pause, clock): comlink calls on the control port.
 */
import type { MessagePort } from 'node:worker_threads';
import type { ErrorInfo } from './errors.js';
import type { Structure } from './codec.js';
import type { DeadLetter, DeadLetterCount } from './dead-letters.js';
import type { LogLevel } from './logger.js';
import type { MetricJson } from './metrics.js';
import type { ActorSpec } from './spec.js';
import type { ChannelRings } from './worker/rings.js';

export interface WorkerBoot {
  readonly workerId: string;
  /** Keeps correlation ids of different threads apart. */
  readonly cidBase: number;
  readonly structures: readonly Structure[];
  readonly clock: { readonly kind: 'real' } | { readonly kind: 'virtual'; readonly shared: SharedArrayBuffer };
  /** One Float64 slot the worker stamps with monotonic ms every `intervalMs`; a stale stamp means a blocked event loop. */
  readonly heartbeat: { readonly shared: SharedArrayBuffer; readonly intervalMs: number };
  readonly logLevel: LogLevel;
  readonly controlPort: MessagePort;
  /** Whether the `fault` control call is allowed (off by default; tests and chaos runs turn it on). */
  readonly faults: boolean;
}

export type FailurePhase = 'init' | 'receive' | 'stop';

export type WorkerEvent =
  | { readonly k: 'ready' }
  | { readonly k: 'failed'; readonly actor: string; readonly incarnation: number; readonly phase: FailurePhase; readonly error: ErrorInfo }
  | { readonly k: 'stopped'; readonly actor: string; readonly incarnation: number; readonly reason: string }
  | { readonly k: 'snapshot'; readonly actor: string; readonly incarnation: number; readonly data: unknown }
  | { readonly k: 'connect'; readonly peer: string }
  | { readonly k: 'subscribe'; readonly actor: string; readonly topic: string; readonly on: boolean }
  | { readonly k: 'watch'; readonly watcher: string; readonly target: string; readonly on: boolean }
  | { readonly k: 'dead'; readonly counts: DeadLetterCount[]; readonly samples: DeadLetter[] };

export interface StartRequest {
  readonly spec: ActorSpec;
  readonly incarnation: number;
  readonly snapshot?: unknown;
  /** Messages held while the actor was down, as one frame batch, delivered before anything else. */
  readonly buffered?: Uint8Array;
}

export type StartResult = { readonly ok: true } | { readonly ok: false; readonly error: ErrorInfo };

export type CellState = 'starting' | 'running' | 'paused' | 'failed' | 'stopping' | 'stopped';

export interface ActorInfo {
  readonly id: string;
  readonly worker: string;
  readonly state: CellState;
  readonly incarnation: number;
  readonly mailboxDepth: number;
  readonly mailboxCapacity: number;
  readonly overflow: string;
  readonly received: number;
  readonly handled: number;
  readonly params: Readonly<Record<string, unknown>>;
  readonly timers: readonly string[];
  readonly state_detail?: unknown;
}

export interface TrafficCounters {
  /** Frames this thread posted, per destination thread (`$main` for the main thread). */
  readonly sentTo: Readonly<Record<string, number>>;
  /** Frames this thread received, per source thread. */
  readonly receivedFrom: Readonly<Record<string, number>>;
  /** No runnable queued message, no handler in progress, nothing unflushed. */
  readonly idle: boolean;
}

/** A worker's own health figures (event-loop delay over a rolling window, heap). */
export interface WorkerVitals {
  readonly worker: string;
  readonly eventLoopDelayP50Ms: number;
  readonly eventLoopDelayP99Ms: number;
  readonly eventLoopDelayMaxMs: number;
  readonly heapUsedBytes: number;
}

export type FaultKind = 'crash' | 'exit' | 'hang' | 'oom' | 'slow' | 'reject_promise';

/** The worker's control API (comlink). Every call is made with a timeout by the main thread. */
export interface WorkerControlApi {
  ping(): string;
  startActor(req: StartRequest): Promise<StartResult>;
  /**
   * Graceful stop after the current message: the final snapshot, then the
   * behaviour's `stop`. With `forRestart` the mailbox is kept (and keeps
   * filling) for the next incarnation; otherwise queued messages become dead letters.
   */
  stopActor(id: string, reason: string, forRestart: boolean): Promise<{ snapshot?: unknown }>;
  /** A direct channel to another worker; with `rings`, batches go through SharedArrayBuffer rings (SystemOptions.hotPath). */
  connect(peer: string, port: MessagePort, rings?: ChannelRings): void;
  /** The peer is gone: unsent frames for it go to the main thread for rerouting. */
  disconnect(peer: string): void;
  /** Where actors live: worker id, or null when not routable (messages go via the main thread). */
  setRoutes(routes: readonly (readonly [string, string | null])[]): void;
  setTopic(topic: string, subscribers: readonly string[]): void;
  inspect(id?: string): ActorInfo[];
  pause(id: string): void;
  resume(id: string): void;
  setParams(id: string, params: Record<string, unknown>): Readonly<Record<string, unknown>>;
  counters(): TrafficCounters;
  metrics(): MetricJson[];
  vitals(): WorkerVitals;
  /** Virtual clock: the earliest timer due in this worker. */
  nextDue(): number | null;
  /** Virtual clock: fires every timer due at the shared time. */
  fireDue(): number;
  /** Hands a MessagePort to an actor's `attachPort`. */
  attachPort(id: string, name: string, port: MessagePort): void;
  /** Test aid: hands raw payload bytes to `to` as if they had arrived on a channel. */
  injectFrame(to: string, payload: Uint8Array): void;
  /** Hands raw bytes to the worker as a frame batch from a peer (tests, fuzzing): the path every peer's batch takes. */
  injectBatch(bytes: Uint8Array): void;
  flushDeadLetters(): void;
  /** Fault injection (tests and chaos runs). */
  fault(id: string, kind: FaultKind, arg?: number): void;
}
