/**
 * The actor API: what an actor module exports and what its handlers see.
 *
 * An actor module's export is made with `defineActor(factory)`. The factory
 * returns a fresh behaviour for every incarnation, so state kept in the
 * factory's closure (or the object it returns) never leaks from a crashed
 * incarnation into its successor.
 */
import type { Clock } from './clock.js';
import type { Logger } from './logger.js';
import type { Envelope, Message } from './message.js';
import type { MetricHelpers } from './metrics.js';
import type { Timers } from './timers.js';
import type { Topic } from './topic.js';

/** A reference to an actor: its id. Refs stay valid across restarts. */
export interface ActorRef {
  readonly id: string;
}

export type Target = ActorRef | string;

export interface AskOptions {
  /** Mandatory: an ask without a deadline is a leak waiting to happen. */
  readonly timeoutMs: number;
}

export interface ActorContext {
  readonly self: ActorRef;
  /** 1 for the first start, +1 for each restart. */
  readonly incarnation: number;
  /** The envelope being handled (sender, correlation id, send time), or undefined outside receive. */
  readonly envelope: Envelope | undefined;
  readonly clock: Clock;
  readonly log: Logger;
  readonly metrics: MetricHelpers;
  readonly timers: Timers;

  tell(to: Target, msg: Message): void;
  /** Sends `msg` and resolves with the reply; rejects with AskTimeoutError after `timeoutMs`. */
  ask<R extends Message = Message>(to: Target, msg: Message, options: AskOptions): Promise<R>;
  /** Answers the ask being handled. Throws if the current message is not an ask. */
  reply(msg: Message): void;

  /** Publishes to a topic's subscribers; the topic's type says which messages it carries. */
  publish<M extends Message>(topic: Topic<M>, msg: NoInfer<M>): void;
  subscribe(topic: Topic): void;
  unsubscribe(topic: Topic): void;

  /** Asks to be told (`sys.terminated`) when `target` stops or crashes. */
  watch(target: Target): void;
  unwatch(target: Target): void;

  /** Stops this actor after the current message (normal exit). */
  stopSelf(reason?: string): void;
}

/**
 * Who may send a message type. `internal`: only the actor itself (its timers,
 * its self-tells, the results of its own async work); from anyone else the
 * runtime refuses it (xstate `isInternalEventType`).
 */
export type Sender = 'public' | 'internal';

/**
 * Every type of the actor's message union `M`, each with who may send it.
 * Keyed by the union, so a type added to the union and not here (or here and
 * not in the union) does not compile: the list cannot drift from the messages.
 */
export type Accepts<M extends Message> = { readonly [K in M['type']]: Sender };

export interface Actor<M extends Message = Message, A = unknown, S = unknown> {
  /**
   * Message types this actor handles, and who may send each. A message of any
   * other type is a dead letter (reason `unhandled`) and never reaches
   * `receive`; an internal one from another sender is a dead letter (reason
   * `internal`), and that sender is told only that it was not handled. A
   * plain list (every type public, not checked against `M`) is for test and
   * benchmark fixtures; the trading actors use the table.
   */
  readonly accepts: Accepts<M> | readonly M['type'][];
  /** Called once per incarnation before any message; `snapshot` is the predecessor's last one. */
  init?(ctx: ActorContext, args: A, snapshot?: S): void | Promise<void>;
  receive(msg: M, ctx: ActorContext): void | Promise<void>;
  /** State worth resuming from after a restart. Taken after each handled message when `snapshotEvery` allows. */
  snapshot?(): S;
  /** Parameters set through the control plane. */
  configure?(params: Readonly<Record<string, unknown>>, ctx: ActorContext): void;
  /** JSON-able state for the control plane's `inspect`. */
  inspect?(): unknown;
  /**
   * A MessagePort handed to this actor by the main thread
   * (`system.attachPort`): a side channel outside the actor protocol, e.g.
   * for a benchmark's raw baseline or a shared-memory ring.
   */
  attachPort?(name: string, port: import('node:worker_threads').MessagePort, ctx: ActorContext): void;
  stop?(ctx: ActorContext, reason: string): void | Promise<void>;
}

export const ACTOR_MODULE = Symbol.for('qgtm.actor-module');

export interface ActorModule<M extends Message = Message, A = unknown, S = unknown> {
  readonly [ACTOR_MODULE]: true;
  create(): Actor<M, A, S>;
}

/** Declares an actor: `export default defineActor<In>(() => ({ accepts: { ... }, receive(msg, ctx) {...} }))`. */
export function defineActor<M extends Message = Message, A = unknown, S = unknown>(factory: () => Actor<M, A, S>): ActorModule<M, A, S> {
  return { [ACTOR_MODULE]: true, create: factory };
}

/** An actor's accepts, list or table, as a map from message type to who may send it. */
export function acceptTable(accepts: Actor['accepts']): ReadonlyMap<string, Sender> {
  if (Array.isArray(accepts)) return new Map((accepts as readonly string[]).map((type) => [type, 'public' as const]));
  return new Map(Object.entries(accepts as Readonly<Record<string, Sender>>));
}

export function isActorModule(value: unknown): value is ActorModule {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[ACTOR_MODULE] === true;
}

export function targetId(t: Target): string {
  return typeof t === 'string' ? t : t.id;
}
