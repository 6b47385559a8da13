/**
 * Supervision specs and reports, with Erlang/OTP semantics.
 */
import { backoffViolations, type ActorSpec, type BackoffPolicy } from '../src/runtime/index.js';

/** permanent: always restarted; transient: restarted only after an abnormal end; temporary: never. */
export type RestartType = 'permanent' | 'transient' | 'temporary';

/**
 * one_for_one: only the failed child restarts. one_for_all: every child is
 * stopped (reverse order) and all restart (in order). rest_for_one: the
 * failed child and those started after it.
 */
export type Strategy = 'one_for_one' | 'one_for_all' | 'rest_for_one';

/** Milliseconds granted for a graceful stop before the worker is terminated, or an immediate kill. */
export type Shutdown = number | 'brutal_kill';

/** A supervisor's restart backoff: the project's one policy (src/runtime/backoff.ts) plus when it resets. */
export interface BackoffSpec extends BackoffPolicy {
  /** A child that stays up this long has its backoff reset. */
  readonly resetAfterMs: number;
  /** Fraction (0..1) of random spread around the delay, so restarts do not synchronise. */
  readonly jitter: number;
}

export interface WorkerChildSpec {
  readonly type: 'worker';
  /** The actor to run; the child's id is the actor's id. */
  readonly start: ActorSpec;
  readonly restart?: RestartType;
  readonly shutdown?: Shutdown;
}

export interface SupervisorChildSpec {
  readonly type: 'supervisor';
  readonly start: SupervisorSpec;
  readonly restart?: RestartType;
  /** A child supervisor stops its own children, each within its own shutdown. */
  readonly shutdown?: Shutdown;
}

export type ChildSpec = WorkerChildSpec | SupervisorChildSpec;

export interface SupervisorSpec {
  readonly id: string;
  readonly strategy: Strategy;
  /** More than `intensity` restarts within `periodMs` and the supervisor gives up and fails to its parent. */
  readonly intensity: number;
  readonly periodMs: number;
  readonly backoff?: Partial<BackoffSpec>;
  readonly children: readonly ChildSpec[];
}

export const DEFAULT_BACKOFF: BackoffSpec = { minMs: 10, maxMs: 5000, resetAfterMs: 30_000, jitter: 0.2 };
export const DEFAULT_SHUTDOWN_MS = 5000;

export function childId(spec: ChildSpec): string {
  return spec.type === 'worker' ? spec.start.id : spec.start.id;
}

/**
 * start_error: a child failed to start. child_terminated: a child ended
 * (crash, exit, hang, memory, or a normal exit). shutdown_error: a child did
 * not stop within its shutdown and was killed, or its stop failed.
 * shutdown: the supervisor gave up (restart intensity reached) and stopped
 * its children. escalated: a child supervisor failed to this one.
 * started: progress (a child started or restarted).
 */
export type ReportContext = 'start_error' | 'child_terminated' | 'shutdown_error' | 'shutdown' | 'escalated' | 'started';

export interface Offender {
  readonly id: string;
  readonly type: 'worker' | 'supervisor';
  readonly restart: RestartType;
  readonly shutdown: Shutdown;
  readonly incarnation?: number;
  readonly worker?: string;
}

/** One structured supervisor event (OTP's {supervisor, context, reason, offender}). */
export interface SupervisorReport {
  readonly supervisor: string;
  readonly context: ReportContext;
  readonly reason: string;
  readonly offender: Offender;
  /** Epoch ms. */
  readonly at: number;
}

/** Every violation of a supervision tree spec, each naming its path. */
export function validateSupervisorSpec(spec: SupervisorSpec, path = 'supervisor', seen = new Set<string>()): string[] {
  const errors: string[] = [];
  if (typeof spec.id !== 'string' || spec.id.length === 0) errors.push(`${path}.id must be a non-empty string`);
  if (!['one_for_one', 'one_for_all', 'rest_for_one'].includes(spec.strategy)) errors.push(`${path}.strategy must be one_for_one, one_for_all or rest_for_one`);
  if (!Number.isInteger(spec.intensity) || spec.intensity < 0) errors.push(`${path}.intensity must be an integer >= 0`);
  if (!(spec.periodMs > 0)) errors.push(`${path}.periodMs must be > 0`);
  const b = spec.backoff ?? {};
  errors.push(...backoffViolations(b, `${path}.backoff`));
  if (b.resetAfterMs !== undefined && !(b.resetAfterMs >= 0)) errors.push(`${path}.backoff.resetAfterMs must be >= 0`);
  if (!Array.isArray(spec.children)) return [...errors, `${path}.children must be a list`];
  spec.children.forEach((c, i) => {
    const cp = `${path}.children[${i}]`;
    const id = c?.start?.id;
    if (typeof id !== 'string' || id.length === 0) errors.push(`${cp}.start.id must be a non-empty string`);
    else if (seen.has(id)) errors.push(`${cp}.start.id ${id} is used twice in the tree`);
    else seen.add(id);
    if (c.restart !== undefined && !['permanent', 'transient', 'temporary'].includes(c.restart)) errors.push(`${cp}.restart must be permanent, transient or temporary`);
    if (c.shutdown !== undefined && c.shutdown !== 'brutal_kill' && !(typeof c.shutdown === 'number' && c.shutdown > 0)) {
      errors.push(`${cp}.shutdown must be a positive number of ms or brutal_kill`);
    }
    if (c.type === 'supervisor') errors.push(...validateSupervisorSpec(c.start, `${cp}.start`, seen));
    else if (c.type !== 'worker') errors.push(`${cp}.type must be worker or supervisor`);
  });
  return errors;
}
