/**
 * The main thread's place in the message fabric (`$system`).
 *
 * Frames reach the main thread only off the hot path: traffic for the main
 * thread itself (asks from tests and the gateway, telemetry subscriptions),
 * and traffic for actors a worker cannot route directly (not yet wired,
 * restarting, unknown). The endpoint routes such frames by their recipient
 * header without decoding the payload, holds them while an actor's worker is
 * being replaced, and dead-letters the rest with a reason.
 */
import { AskTable } from './asks.js';
import type { Clock } from './clock.js';
import { Codec, FrameWriter, splitBatch } from './codec.js';
import { Outboxes } from './outboxes.js';
import { DeadLetterLog, type DeadLetterReason } from './dead-letters.js';
import type { Logger } from './logger.js';
import { Kind, monoNs, SYSTEM_ID, type Envelope, type ErrorMsg, type Message, type UndeliveredMsg } from './message.js';

/** Where the system says a frame for an actor should go. */
export type Route =
  | { readonly kind: 'worker'; readonly workerId: string }
  | { readonly kind: 'hold'; readonly holder: FrameHolder }
  | { readonly kind: 'dead'; readonly reason: DeadLetterReason };

/** Frames held for an actor whose worker is being replaced, up to a bound. */
export class FrameHolder {
  private readonly writer = new FrameWriter(256);
  constructor(public limit: number) {}

  get count(): number {
    return this.writer.count;
  }

  /** False when the bound is reached (the caller dead-letters the frame). */
  hold(frame: Uint8Array): boolean {
    if (this.writer.count >= this.limit) return false;
    this.writer.appendRaw(frame, 1);
    return true;
  }

  take(): Uint8Array | undefined {
    return this.writer.count > 0 ? this.writer.take() : undefined;
  }
}

export type TopicHandler = (msg: Message, env: Envelope) => void;

export interface MainEndpointOptions {
  readonly codec: Codec;
  readonly clock: Clock;
  readonly log: Logger;
  readonly route: (actor: string) => Route;
  readonly post: (workerId: string, bytes: Uint8Array) => boolean;
}

export class MainEndpoint {
  readonly asks: AskTable;
  readonly deadLetters = new DeadLetterLog();
  private readonly codec: Codec;
  private readonly log: Logger;
  private readonly route: MainEndpointOptions['route'];
  private readonly post: MainEndpointOptions['post'];
  private readonly outboxes: Outboxes;
  private readonly receivedFrom = new Map<string, number>();
  private readonly topicHandlers = new Map<string, Set<TopicHandler>>();
  private directHandler: TopicHandler | undefined;

  constructor(opts: MainEndpointOptions) {
    this.codec = opts.codec;
    this.log = opts.log;
    this.route = opts.route;
    this.post = opts.post;
    this.asks = new AskTable(opts.clock, 0);
    this.outboxes = new Outboxes((workerId, bytes) => {
      // A worker that died between routing and flushing: route each frame again.
      if (!this.post(workerId, bytes)) this.onBatch('$main', bytes);
      return true;
    }, 1024);
  }

  /** A frame batch from a worker. */
  onBatch(source: string, bytes: Uint8Array): void {
    let n = 0;
    splitBatch(bytes, (to, frame, payload, error) => {
      n++;
      if (error) this.deadLetters.record({ actor: to, reason: 'decode_error', type: '?', from: null, detail: error, at: Date.now() });
      else if (to === SYSTEM_ID) this.receiveSystem(payload);
      else this.routeFrame(to, frame, payload);
    });
    this.receivedFrom.set(source, (this.receivedFrom.get(source) ?? 0) + n);
  }

  /** Sends an envelope from the main thread. */
  send(env: Envelope): void {
    if (env.to === SYSTEM_ID) {
      this.deliverSystem(env);
      return;
    }
    const w = new FrameWriter(64);
    this.codec.encodeFrame(w, env);
    const frame = w.take();
    this.routeFrame(env.to, frame, frame.subarray(5 + env.to.length));
  }

  tell(to: string, msg: Message, topic?: string): void {
    this.send({ to, kind: Kind.Tell, from: SYSTEM_ID, cid: 0, ts: monoNs(), msg, ...(topic ? { topic } : {}) });
  }

  ask<R extends Message>(to: string, msg: Message, timeoutMs: number): Promise<R> {
    const { cid, promise } = this.asks.open<R>(SYSTEM_ID, to, msg.type, timeoutMs);
    this.send({ to, kind: Kind.Ask, from: SYSTEM_ID, cid, ts: monoNs(), msg });
    return promise;
  }

  onTopic(topic: string, handler: TopicHandler): () => boolean {
    let set = this.topicHandlers.get(topic);
    if (!set) {
      set = new Set();
      this.topicHandlers.set(topic, set);
    }
    set.add(handler);
    return () => {
      set!.delete(handler);
      if (set!.size === 0) this.topicHandlers.delete(topic);
      return this.topicHandlers.has(topic);
    };
  }

  /** Messages told (not published) to `$system`. */
  onDirect(handler: TopicHandler | undefined): void {
    this.directHandler = handler;
  }

  private routeFrame(to: string, frame: Uint8Array, payload: Uint8Array): void {
    const r = this.route(to);
    if (r.kind === 'worker') {
      this.outboxes.writer(r.workerId).appendRaw(frame, 1);
      this.outboxes.schedule();
      return;
    }
    if (r.kind === 'hold' && r.holder.hold(frame)) return;
    const reason: DeadLetterReason = r.kind === 'hold' ? 'restart_buffer_full' : r.reason;
    const decoded = this.codec.decodePayload(to, payload);
    if (!decoded.env) {
      this.deadLetters.record({ actor: to, reason: 'decode_error', type: '?', from: null, detail: decoded.error, at: Date.now() });
      return;
    }
    this.deadLetter(decoded.env, reason);
  }

  /** Dead-letters an envelope and tells its sender. */
  deadLetter(env: Envelope, reason: DeadLetterReason, detail?: string): void {
    // A fence for an actor that is gone has nothing to order; its sender stops waiting on a timeout.
    if (env.kind === Kind.Fence || env.kind === Kind.FenceAck) return;
    this.deadLetters.record({ actor: env.to, reason, type: env.msg.type, from: env.from, detail, at: Date.now() });
    if (env.from === null || env.kind === Kind.Undelivered || env.kind === Kind.Reply || env.kind === Kind.ReplyError) return;
    const notice: UndeliveredMsg = { type: 'sys.undelivered', to: env.to, reason, originalType: env.msg.type };
    this.send({ to: env.from, kind: Kind.Undelivered, from: env.to, cid: env.kind === Kind.Ask ? env.cid : 0, ts: monoNs(), msg: notice });
  }

  private receiveSystem(payload: Uint8Array): void {
    const decoded = this.codec.decodePayload(SYSTEM_ID, payload);
    if (!decoded.env) {
      this.deadLetters.record({ actor: SYSTEM_ID, reason: 'decode_error', type: '?', from: null, detail: decoded.error, at: Date.now() });
      return;
    }
    this.deliverSystem(decoded.env);
  }

  private deliverSystem(env: Envelope): void {
    switch (env.kind) {
      case Kind.Reply:
        if (!this.asks.resolve(env.cid, SYSTEM_ID, env.msg)) this.deadLetters.record({ actor: SYSTEM_ID, reason: 'late_reply', type: env.msg.type, from: env.from, at: Date.now() });
        return;
      case Kind.ReplyError:
        this.asks.rejectWithError(env.cid, SYSTEM_ID, env.msg as ErrorMsg);
        return;
      case Kind.Undelivered:
        this.asks.rejectUndelivered(env.cid, SYSTEM_ID, env.msg as UndeliveredMsg);
        return;
      case Kind.Ask:
        this.deadLetter(env, 'unhandled', 'the main thread does not answer asks');
        return;
    }
    const handlers = env.topic !== undefined ? this.topicHandlers.get(env.topic) : undefined;
    const targets = handlers ? [...handlers] : this.directHandler ? [this.directHandler] : [];
    if (targets.length === 0) {
      this.deadLetters.record({ actor: SYSTEM_ID, reason: 'unhandled', type: env.msg.type, from: env.from, at: Date.now() });
      return;
    }
    for (const h of targets) {
      try {
        h(env.msg, env);
      } catch (err) {
        this.log.error('system message handler failed', { type: env.msg.type, error: err as Error });
      }
    }
  }

  flush(): void {
    this.outboxes.flush();
  }

  /** A worker is gone: frames still waiting for it are routed again (held, if its actors restart). */
  dropWorker(workerId: string): void {
    const unsent = this.outboxes.remove(workerId);
    if (unsent) this.onBatch('$main', unsent.bytes);
  }

  get idle(): boolean {
    return this.outboxes.idle;
  }

  sentToWorker(workerId: string): number {
    return this.outboxes.sentTo(workerId);
  }

  receivedFromWorker(workerId: string): number {
    return this.receivedFrom.get(workerId) ?? 0;
  }
}
