/**
 * What it takes to start an actor, and its validation.
 */
import { isValidActorId } from './message.js';
import type { Topic } from './topic.js';
import { DEFAULT_MAILBOX, validateMailboxConfig, type MailboxConfig } from './mailbox.js';

export interface WorkerLimits {
  /** Worker `resourceLimits.maxOldGenerationSizeMb`: the V8 heap cap, exceeding it kills the worker. */
  readonly maxOldGenerationSizeMb?: number;
  readonly maxYoungGenerationSizeMb?: number;
}

export interface ActorSpec<A = unknown> {
  readonly id: string;
  /** File URL (or absolute path) of the compiled JS module that exports the actor. */
  readonly module: string;
  /** Named export holding the ActorModule; default `default`. */
  readonly export?: string;
  readonly args?: A;
  /**
   * Worker group. Actors with the same placement share one worker thread
   * (light actors co-located to save threads); by default each actor gets its
   * own worker, named after its id.
   */
  readonly placement?: string;
  readonly mailbox?: MailboxConfig;
  /** Topics subscribed before the actor starts, so nothing published after start is missed. */
  readonly subscribe?: readonly Topic[];
  /** Resource limits of the worker (taken from the first actor placed in it). */
  readonly limits?: WorkerLimits;
  /**
   * When what this actor sends to other workers is posted: `turn` (default)
   * batches everything it sends in one turn into one postMessage per
   * destination; `message` posts what the handling of one message sent as
   * soon as its handler returns, for actors whose output is latency-critical
   * (the risk governor's approvals of one rebalance leave for the broker
   * session together, the moment the review ends); `immediate` posts each
   * message as it is sent.
   */
  readonly flush?: 'turn' | 'message' | 'immediate';
  /** Messages held for the actor while its worker restarts; beyond this they are dead letters. */
  readonly restartBuffer?: number;
  /**
   * How often the actor's `snapshot()` is taken and shipped to the main thread,
   * so a restart (even of a killed worker) resumes from it. Default: every 1000 ms
   * of handling, when the behaviour has `snapshot`.
   */
  readonly snapshot?: { readonly everyMessages?: number; readonly everyMs?: number };
}

export const DEFAULT_RESTART_BUFFER = 1000;

export function placementOf(spec: ActorSpec): string {
  return spec.placement ?? spec.id;
}

export function mailboxOf(spec: ActorSpec): MailboxConfig {
  return spec.mailbox ?? DEFAULT_MAILBOX;
}

/** Every violation in one list, each naming its option path. */
export function validateSpec(spec: unknown, path = 'spec'): string[] {
  const errors: string[] = [];
  if (typeof spec !== 'object' || spec === null) return [`${path} must be an object`];
  const s = spec as Record<string, unknown>;
  if (!isValidActorId(s.id)) errors.push(`${path}.id must be 1-200 characters of A-Z a-z 0-9 _ . : - [ ] $ # /`);
  else if ((s.id as string).startsWith('$')) errors.push(`${path}.id must not start with $ (reserved)`);
  if (typeof s.module !== 'string' || s.module.length === 0) errors.push(`${path}.module must be a module URL or path`);
  if (s.export !== undefined && typeof s.export !== 'string') errors.push(`${path}.export must be a string`);
  if (s.placement !== undefined && !isValidActorId(s.placement)) errors.push(`${path}.placement must be a valid worker name`);
  if (s.mailbox !== undefined) errors.push(...validateMailboxConfig(s.mailbox, `${path}.mailbox`));
  if (s.subscribe !== undefined && (!Array.isArray(s.subscribe) || s.subscribe.some((t) => typeof t !== 'string' || t.length === 0))) {
    errors.push(`${path}.subscribe must be a list of topic names`);
  }
  if (s.flush !== undefined && s.flush !== 'turn' && s.flush !== 'message' && s.flush !== 'immediate') errors.push(`${path}.flush must be turn, message or immediate`);
  if (s.restartBuffer !== undefined && (!Number.isInteger(s.restartBuffer) || (s.restartBuffer as number) < 0)) {
    errors.push(`${path}.restartBuffer must be an integer >= 0`);
  }
  if (s.snapshot !== undefined) {
    const sn = s.snapshot as Record<string, unknown>;
    for (const k of ['everyMessages', 'everyMs']) {
      if (sn[k] !== undefined && (typeof sn[k] !== 'number' || !((sn[k] as number) > 0))) errors.push(`${path}.snapshot.${k} must be a positive number`);
    }
  }
  if (s.limits !== undefined) {
    const l = s.limits as Record<string, unknown>;
    for (const k of ['maxOldGenerationSizeMb', 'maxYoungGenerationSizeMb']) {
      if (l[k] !== undefined && (typeof l[k] !== 'number' || (l[k] as number) <= 0)) errors.push(`${path}.limits.${k} must be a positive number`);
    }
  }
  return errors;
}
