/**
 * One actor incarnation inside a worker: its behaviour, mailbox, timers and
 * the context its handlers see. The cell outlives incarnations: a restart in
 * the same worker keeps the mailbox (messages that arrived while the actor was
 * down are handled by the next incarnation) and replaces the behaviour.
 */
import type { Actor, ActorContext, ActorRef, AskOptions, Target } from '../actor.js';
import { acceptTable, targetId } from '../actor.js';
import type { AskTable } from '../asks.js';
import type { Clock } from '../clock.js';
import type { DeadLetterReason } from '../dead-letters.js';
import type { Logger } from '../logger.js';
import { Mailbox, type MailboxConfig } from '../mailbox.js';
import { Kind, monoNs, type Envelope, type Message } from '../message.js';
import type { CounterChild, GaugeChild, HistogramChild, MetricsRegistry } from '../metrics.js';
import type { CellState } from '../protocol.js';
import type { ActorSpec } from '../spec.js';
import { ActorTimers } from '../timers.js';
import type { Topic } from '../topic.js';

/** What a cell needs from the worker runtime around it. */
export interface CellHost {
  readonly workerId: string;
  readonly clock: Clock;
  readonly asks: AskTable;
  readonly registry: MetricsRegistry;
  send(env: Envelope): void;
  /** Posts whatever is waiting to be sent, now. */
  flushNow(): void;
  publish(from: string, topic: string, msg: Message): void;
  subscribe(actor: string, topic: string, on: boolean): void;
  watch(watcher: string, target: string, on: boolean): void;
  deadLetter(env: Envelope, actor: string, reason: DeadLetterReason, detail?: string): void;
  mailboxRejected(env: Envelope): void;
  stopRequested(cell: Cell, reason: string): void;
  wake(cell: Cell): void;
  /** When a message being delivered now arrived (performance.now(); one reading serves a whole batch). */
  arrivalTime(): number;
}

export interface CellMetrics {
  readonly received: CounterChild;
  readonly handled: CounterChild;
  readonly sent: CounterChild;
  readonly depth: GaugeChild;
  readonly handleSeconds: HistogramChild;
  readonly mailboxWait: HistogramChild;
}

export class Cell {
  readonly id: string;
  readonly ref: ActorRef;
  spec: ActorSpec;
  state: CellState = 'starting';
  incarnation = 0;
  behaviour: Actor | undefined;
  accepts = new Set<string>();
  /** Accepted types only the actor itself may send (see Actor.accepts). */
  internal = new Set<string>();
  readonly mailbox: Mailbox;
  timers: ActorTimers | undefined;
  /** The envelope being handled. */
  current: Envelope | undefined;
  /** A handler's promise is pending: the actor handles one message at a time. */
  busy = false;
  params: Record<string, unknown> = {};
  receivedCount = 0;
  handledCount = 0;
  /** Messages handled since the last snapshot, and when it was taken (mono ms). */
  sinceSnapshot = 0;
  lastSnapshotAt = 0;
  /** Fault injection: extra ms of busy work per message. */
  slowMs = 0;
  readonly metrics: CellMetrics;
  readonly ctx: ActorContext;

  constructor(
    spec: ActorSpec,
    mailbox: MailboxConfig,
    readonly host: CellHost,
    readonly log: Logger,
  ) {
    this.id = spec.id;
    this.ref = Object.freeze({ id: spec.id });
    this.spec = spec;
    this.mailbox = new Mailbox(mailbox, (env, reason) => host.deadLetter(env, this.id, reason));
    const r = host.registry;
    const labels = { actor: this.id };
    this.metrics = {
      received: r.counter('qgtm_actor_messages_received_total', 'Messages that reached an actor mailbox', ['actor']).labels(labels),
      handled: r.counter('qgtm_actor_messages_handled_total', 'Messages an actor handled', ['actor']).labels(labels),
      sent: r.counter('qgtm_actor_messages_sent_total', 'Messages an actor sent (tell, ask, reply, publish)', ['actor']).labels(labels),
      depth: r.gauge('qgtm_actor_mailbox_depth', 'Messages queued in an actor mailbox', ['actor']).labels(labels),
      handleSeconds: r.histogram('qgtm_actor_handle_seconds', 'Time an actor spent handling one message', ['actor']).labels(labels),
      mailboxWait: r.histogram('qgtm_actor_mailbox_wait_seconds', 'Time a message waited in an actor mailbox: from its arrival in the actor\'s worker to the start of its handling', ['actor']).labels(labels),
    };
    this.ctx = this.makeContext();
  }

  /** Starts a new incarnation with a fresh behaviour. */
  beginIncarnation(behaviour: Actor, incarnation: number): void {
    this.timers?.dispose();
    this.behaviour = behaviour;
    const table = acceptTable(behaviour.accepts);
    this.accepts = new Set(table.keys());
    this.internal = new Set([...table].filter(([, who]) => who === 'internal').map(([type]) => type));
    this.incarnation = incarnation;
    this.timers = new ActorTimers(this.host.clock, (msg) => this.deliverToSelf(msg));
    this.current = undefined;
    this.busy = false;
    this.sinceSnapshot = 0;
    this.lastSnapshotAt = monoNs() / 1e6;
    this.state = 'starting';
  }

  /** Ends the incarnation: timers cancelled, its pending asks rejected. */
  endIncarnation(err: Error): void {
    this.timers?.dispose();
    this.host.asks.rejectOwner(this.id, err);
    this.current = undefined;
    this.busy = false;
  }

  enqueue(env: Envelope): void {
    this.receivedCount++;
    this.metrics.received.inc();
    if (this.mailbox.offer(env, this.host.arrivalTime()) === 'rejected') {
      this.host.mailboxRejected(env);
      return;
    }
    this.metrics.depth.set(this.mailbox.depth);
    this.host.wake(this);
  }

  get runnable(): boolean {
    return this.state === 'running' && !this.busy && this.mailbox.depth > 0;
  }

  private deliverToSelf(msg: Message): void {
    this.enqueue({ to: this.id, kind: Kind.Tell, from: this.id, cid: 0, ts: monoNs(), msg });
  }

  private makeContext(): ActorContext {
    const cell = this;
    const host = this.host;
    const send = (to: string, kind: Kind, cid: number, msg: Message): void => {
      cell.metrics.sent.inc();
      host.send({ to, kind, from: cell.id, cid, ts: monoNs(), msg });
      if (cell.spec.flush === 'immediate') host.flushNow();
    };
    return {
      get self() {
        return cell.ref;
      },
      get incarnation() {
        return cell.incarnation;
      },
      get envelope() {
        return cell.current;
      },
      get clock() {
        return host.clock;
      },
      get timers() {
        if (!cell.timers) throw new Error(`actor ${cell.id} has no running incarnation`);
        return cell.timers;
      },
      log: this.log,
      metrics: host.registry,
      tell(to: Target, msg: Message): void {
        send(targetId(to), Kind.Tell, 0, msg);
      },
      ask<R extends Message>(to: Target, msg: Message, options: AskOptions): Promise<R> {
        const target = targetId(to);
        const { cid, promise } = host.asks.open<R>(cell.id, target, msg.type, options?.timeoutMs);
        send(target, Kind.Ask, cid, msg);
        return promise;
      },
      reply(msg: Message): void {
        const env = cell.current;
        if (!env || env.kind !== Kind.Ask || env.from === null) throw new Error(`actor ${cell.id}: reply outside the handling of an ask`);
        send(env.from, Kind.Reply, env.cid, msg);
      },
      publish<M extends Message>(topic: Topic<M>, msg: NoInfer<M>): void {
        host.publish(cell.id, topic, msg);
      },
      subscribe(topic: Topic): void {
        host.subscribe(cell.id, topic, true);
      },
      unsubscribe(topic: Topic): void {
        host.subscribe(cell.id, topic, false);
      },
      watch(target: Target): void {
        host.watch(cell.id, targetId(target), true);
      },
      unwatch(target: Target): void {
        host.watch(cell.id, targetId(target), false);
      },
      stopSelf(reason = 'normal'): void {
        host.stopRequested(cell, reason);
      },
    };
  }
}
