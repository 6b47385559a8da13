/**
 * The actor system's options (and their validation: every violation, each
 * naming its path), and the shapes of the failures it reports.
 */
import type { ErrorInfo } from './errors.js';
import type { Structure } from './codec.js';
import type { LogLevel, LogSink } from './logger.js';
import type { WorkerEndReason } from './worker-host.js';

export interface SystemOptions {
  /** `virtual` for deterministic tests: time moves only with `advance`. */
  readonly clock?: 'real' | 'virtual';
  /** Virtual clock start, epoch ms. */
  readonly startTime?: number;
  /** Record structures of the domain messages, agreed by every worker. */
  readonly structures?: readonly Structure[];
  readonly logLevel?: LogLevel;
  readonly logSink?: LogSink;
  /** Deadline of every control-plane call (default 5000 ms). */
  readonly controlTimeoutMs?: number;
  /** Deadline for an actor's `init` (default 10000 ms). */
  readonly initTimeoutMs?: number;
  /** How often workers stamp their heartbeat (default 100 ms). */
  readonly heartbeatIntervalMs?: number;
  /** A worker whose heartbeat is older than this is hung: terminated, its actors failed (default 5000 ms). */
  readonly hangDeadlineMs?: number;
  /** Allow fault injection through the control plane (default false). */
  readonly faults?: boolean;
  /** The opt-in hot path (default off): see HotPathOptions. */
  readonly hotPath?: HotPathOptions;
}

/**
 * The opt-in hot path (issue 12): the direct channels into the workers of the
 * named placement groups carry their frame batches through SharedArrayBuffer
 * rings, and those workers, after handling what arrived, poll their rings
 * for `spinUs` before they return to their event loop (src/runtime/worker/rings.ts).
 * It trades CPU for the wake-up of a sleeping thread.
 */
export interface HotPathOptions {
  /** Placement groups whose workers' inbound direct channels get rings, and which poll them. */
  readonly workers: readonly string[];
  /** Polling after the last record, µs (default 50; 0: rings without polling). */
  readonly spinUs?: number;
  /** Data bytes of each ring, a power of two (default 1 MiB). */
  readonly ringBytes?: number;
}

export type ActorStatus = 'starting' | 'running' | 'failed' | 'suspended' | 'down' | 'stopping' | 'stopped';

export type FailureReason = 'crash' | 'init_error' | WorkerEndReason;

/** A failed incarnation, as reported to the failure handler. */
export interface ActorFailure {
  readonly id: string;
  readonly incarnation: number;
  readonly reason: FailureReason;
  readonly error: ErrorInfo;
  readonly worker: string;
  /** Epoch ms (system clock). */
  readonly at: number;
}

/** An actor that stopped itself (`ctx.stopSelf`). */
export interface ActorExit {
  readonly id: string;
  readonly incarnation: number;
  readonly reason: string;
}

export type FailureHandler = (failure: ActorFailure) => void;
export type ExitHandler = (exit: ActorExit) => void;


export function validateSystemOptions(o: SystemOptions): string[] {
  const errors: string[] = [];
  const positive = (v: unknown, path: string): void => {
    if (v !== undefined && (typeof v !== 'number' || !(v > 0) || !Number.isFinite(v))) errors.push(`${path} must be a positive number`);
  };
  if (o.clock !== undefined && o.clock !== 'real' && o.clock !== 'virtual') errors.push('system.clock must be real or virtual');
  positive(o.controlTimeoutMs, 'system.controlTimeoutMs');
  positive(o.initTimeoutMs, 'system.initTimeoutMs');
  positive(o.heartbeatIntervalMs, 'system.heartbeatIntervalMs');
  positive(o.hangDeadlineMs, 'system.hangDeadlineMs');
  if (o.hotPath !== undefined) {
    const h = o.hotPath;
    if (!Array.isArray(h.workers) || h.workers.some((w) => typeof w !== 'string' || w.length === 0)) errors.push('system.hotPath.workers must be a list of placement group names');
    if (h.spinUs !== undefined && (typeof h.spinUs !== 'number' || !(h.spinUs >= 0) || h.spinUs > 1_000_000)) errors.push('system.hotPath.spinUs must be 0-1000000 µs');
    if (h.ringBytes !== undefined && (!Number.isInteger(h.ringBytes) || h.ringBytes < 64 || (h.ringBytes & (h.ringBytes - 1)) !== 0 || h.ringBytes > 2 ** 30)) {
      errors.push('system.hotPath.ringBytes must be a power of two in 64..2^30');
    }
  }
  if (o.heartbeatIntervalMs !== undefined && o.hangDeadlineMs !== undefined && o.hangDeadlineMs <= o.heartbeatIntervalMs) {
    errors.push('system.hangDeadlineMs must be greater than system.heartbeatIntervalMs');
  }
  return errors;
}
