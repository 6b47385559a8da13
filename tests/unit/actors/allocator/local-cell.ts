/**
 * One actor run in-process for a unit test: a queue for a mailbox, a virtual
 * clock that only the test moves, and what the actor told or published kept
 * for inspection. `deliver` runs one turn: the message and everything the
 * actor told itself meanwhile (as the runtime's cell does with a local
 * message), with the clock standing still.
 */
import type { Actor, ActorContext, ActorModule, Message, Target } from '../../../../src/runtime/index.js';
import { acceptTable, createLogger, Kind, MetricsRegistry, VirtualClock } from '../../../../src/runtime/index.js';
import { ActorTimers } from '../../../../src/runtime/timers.js';

export interface Sent {
  readonly to: string;
  readonly msg: Message;
}

export class LocalCell<M extends Message, A, S> {
  readonly clock: VirtualClock;
  readonly told: Sent[] = [];
  readonly published: { topic: string; msg: Message }[] = [];
  readonly metrics = new MetricsRegistry();
  private readonly actor: Actor<M, A, S>;
  private readonly queue: Message[] = [];
  private readonly accepts: ReadonlyMap<string, unknown>;
  private readonly ctx: ActorContext;

  constructor(module: ActorModule<M, A, S>, readonly id: string, startTime: number) {
    this.clock = new VirtualClock(undefined, startTime);
    this.actor = module.create();
    this.accepts = acceptTable(this.actor.accepts);
    const timers = new ActorTimers(this.clock, (msg) => this.queue.push(msg));
    const idOf = (t: Target): string => (typeof t === 'string' ? t : t.id);
    this.ctx = {
      self: { id },
      incarnation: 1,
      envelope: { to: id, kind: Kind.Tell, from: null, cid: 0, ts: 0, msg: { type: 'none' } },
      clock: this.clock,
      log: createLogger('silent'),
      metrics: this.metrics,
      timers,
      tell: (to, msg) => (idOf(to) === id ? this.queue.push(msg) : this.told.push({ to: idOf(to), msg })),
      ask: () => Promise.reject(new Error('ask is not supported by LocalCell')),
      reply: () => {
        throw new Error('reply is not supported by LocalCell');
      },
      publish: (topic, msg) => this.published.push({ topic, msg }),
      subscribe: () => undefined,
      unsubscribe: () => undefined,
      watch: () => undefined,
      unwatch: () => undefined,
      stopSelf: () => undefined,
    };
  }

  async init(args: A): Promise<void> {
    await this.actor.init?.(this.ctx, args);
  }

  /** Handles `msg` and then whatever the actor told itself, on one turn. */
  deliver(...msgs: Message[]): void {
    this.queue.push(...msgs);
    while (this.queue.length > 0) {
      const next = this.queue.shift()!;
      if (!this.accepts.has(next.type)) throw new Error(`${this.id} does not accept ${next.type}`);
      void this.actor.receive(next as M, this.ctx);
    }
  }

  /** Messages told to `to` of `type`, in order. */
  toldTo<T extends Message>(to: string, type: string): T[] {
    return this.told.filter((s) => s.to === to && s.msg.type === type).map((s) => s.msg as T);
  }

  inspect(): unknown {
    return this.actor.inspect?.();
  }
}
