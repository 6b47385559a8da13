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
  if (o.heartbeatIntervalMs !== undefined && o.hangDeadlineMs !== undefined && o.hangDeadlineMs <= o.heartbeatIntervalMs) {
    errors.push('system.hangDeadlineMs must be greater than system.heartbeatIntervalMs');
  }
  return errors;
}
