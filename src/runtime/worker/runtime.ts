/**
 * The actor runtime inside one worker thread: routing, batching, mailboxes
 * and the dispatch loop for the actors (cells) placed in this worker.
 *
 * Routing: a message for a local actor goes straight to its mailbox (no
 * codec); for an actor in another worker it is framed into that worker's
 * outbox and posted on the direct MessagePort between the two workers; when
 * the destination is unknown or down it goes to the main thread, which
 * forwards, buffers (during a restart) or dead-letters it.
 *
 * Batching: the first send of a turn schedules a microtask flush; every frame
 * sent to one destination before it runs shares one postMessage, and the
 * batch buffer is transferred, not cloned.
 *
 * Dispatch: arriving messages are only queued; a setImmediate drain then
 * gives each runnable actor a time slice. Queuing first is what lets
 * a lagging consumer's mailbox fill, so its bound and overflow policy (and
 * conflation) take effect instead of an unbounded port queue.
 */
import type { MessagePort } from 'node:worker_threads';
import { serializeError, QgtmError } from '../errors.js';
import { isActorModule, type ActorModule } from '../actor.js';
import { AskTable } from '../asks.js';
import type { Clock } from '../clock.js';
import type { Codec } from '../codec.js';
import { fromWire, Outboxes, wire } from '../outboxes.js';
import { DeadLetterLog, LOST_WORK_REASONS, type DeadLetterReason } from '../dead-letters.js';
import type { Logger } from '../logger.js';
import { mailboxOf } from '../spec.js';
import { Kind, monoNs, SYSTEM_ID, type Envelope, type ErrorMsg, type Message, type UndeliveredMsg } from '../message.js';
import { MetricsRegistry, type CounterFamily } from '../metrics.js';
import type { FailurePhase, StartRequest, StartResult, TrafficCounters, WorkerEvent } from '../protocol.js';
import { Cell, type CellHost } from './cell.js';
import { RouteFences } from './fences.js';
import { PeerRings, WAKE, type ChannelRings } from './rings.js';

const MAIN = '$main';
/** Source name of frames the main thread held while the actor was down. */
const HELD = '$held';
/** Longest a cell handles messages before the others (and the ports) get a turn. */
const SLICE_MS = 2;
/** Longest a drain round runs before the worker's ports (and timers) get a turn. */
const ROUND_MS = 8;
const DEFAULT_SNAPSHOT_MS = 1000;

/** A batch older than this on arrival means the worker is lagging (see onBatch). */
const LAG_NS = 1_000_000;
/** An outbox this large is posted at once instead of at the end of the turn. */
const FLUSH_BYTES = 64 * 1024;

export interface WorkerRuntimeOptions {
  readonly workerId: string;
  readonly cidBase: number;
  readonly codec: Codec;
  readonly clock: Clock;
  readonly log: Logger;
  /** Posts an event or a frame batch to the main thread. */
  readonly toMain: (value: WorkerEvent | ArrayBuffer, transfer?: ArrayBuffer[]) => void;
}

export class WorkerRuntime implements CellHost {
  readonly workerId: string;
  readonly clock: Clock;
  readonly asks: AskTable;
  readonly registry = new MetricsRegistry();
  readonly codec: Codec;
  readonly log: Logger;
  readonly cells = new Map<string, Cell>();
  readonly deadLetters = new DeadLetterLog();
  private readonly routes = new Map<string, string | null>();
  private readonly peers = new Map<string, MessagePort>();
  private readonly connectRequested = new Set<string>();
  private readonly outboxes: Outboxes;
  private readonly topics = new Map<string, readonly string[]>();
  private readonly ready = new Set<Cell>();
  private readonly stopWaiters = new Map<Cell, () => void>();
  private drainScheduled = false;
  private draining = false;
  private delivering = false;
  /** The arrival time of the batch being delivered (one clock read per batch), or NaN outside one. */
  private batchArrivedAt = Number.NaN;
  private deadFlushScheduled = false;
  /** Frames received per source thread (see ActorSystem.settle); sent counts live in the outboxes. */
  private readonly receivedFrom = new Map<string, number>();
  private readonly deadCounter: CounterFamily;
  private readonly ringCounter: CounterFamily;
  private readonly toMain: WorkerRuntimeOptions['toMain'];
  /** Keeps per-pair order when a route moves from the main thread to a direct channel. */
  private readonly fences: RouteFences;
  /** The opt-in hot path: SharedArrayBuffer rings on the direct channels that have them. */
  private readonly rings = new PeerRings(
    (bytes, peer) => {
      this.ringCounter.inc({ worker: this.workerId });
      this.onBatch(bytes, peer);
    },
    (port, bytes) => {
      const [payload, transfer] = wire(bytes);
      port.postMessage(payload, transfer);
    },
  );

  constructor(opts: WorkerRuntimeOptions) {
    this.workerId = opts.workerId;
    this.codec = opts.codec;
    this.clock = opts.clock;
    this.log = opts.log;
    this.toMain = opts.toMain;
    this.asks = new AskTable(opts.clock, opts.cidBase);
    this.outboxes = new Outboxes(
      (dest, bytes, count) => this.post(dest, bytes, count),
      4096,
      (dest) => this.channelReady(dest),
    );
    this.fences = new RouteFences({
      sendFence: (to, from, token) => {
        this.codec.encodeFrame(this.outboxes.writer(MAIN), { to, kind: Kind.Fence, from, cid: token, ts: monoNs(), msg: { type: 'sys.fence' } });
        this.outboxes.schedule();
      },
      release: (to, bytes, count) => {
        this.outboxes.writer(this.destOf(to)).appendRaw(bytes, count);
        this.outboxes.schedule();
      },
    });
    this.ringCounter = this.registry.counter('qgtm_hot_path_batches_total', 'Frame batches this worker took from its hot-path rings (SystemOptions.hotPath)', ['worker']);
    this.deadCounter = this.registry.counter('qgtm_dead_letters_total', 'Messages refused, dropped, replaced or undeliverable, by actor and reason', ['actor', 'reason']);
  }

  // ---- inbound ---------------------------------------------------------

  /** A frame batch arrived from another worker or (source `$main`) the main thread. */
  onBatch(bytes: Uint8Array, source: string): void {
    const fromMain = source === MAIN || source === HELD;
    let n = 0;
    let oldest = Infinity;
    // While the batch is delivered, wake() only marks cells ready; what to do
    // with them (now, or on a later turn) is decided once the batch is in.
    this.delivering = true;
    this.batchArrivedAt = performance.now();
    try {
      this.codec.decodeBatch(bytes, (frame) => {
        n++;
        if (frame.env) {
          if (frame.env.ts < oldest) oldest = frame.env.ts;
          this.deliver(frame.env, fromMain);
        } else this.recordDead(frame.to, 'decode_error', '?', null, frame.error);
      });
    } finally {
      this.delivering = false;
      this.batchArrivedAt = Number.NaN;
    }
    this.receivedFrom.set(source, (this.receivedFrom.get(source) ?? 0) + n);
    if (this.ready.size === 0) return;
    // Keeping up (nothing deferred, the batch is fresh): handle it now, which
    // saves a trip through the event loop on the latency-critical path.
    // Lagging: leave it queued, so the next port messages land in mailboxes
    // too, where bounds, drop and conflation policies see the backlog.
    if (!this.drainScheduled && monoNs() - oldest < LAG_NS) {
      this.drain();
      // What the handlers sent goes out now, not a microtask later.
      this.outboxes.flush();
    } else {
      this.scheduleDrain();
    }
  }

  /** Routes an envelope that has reached this worker. */
  deliver(env: Envelope, fromMain = false): void {
    switch (env.kind) {
      case Kind.Reply:
        if (!this.asks.resolve(env.cid, env.to, env.msg)) this.deadLetter(env, env.to, 'late_reply', 'no pending ask (timed out or its incarnation ended)');
        return;
      case Kind.ReplyError:
        if (!this.asks.rejectWithError(env.cid, env.to, env.msg as ErrorMsg)) this.deadLetter(env, env.to, 'late_reply', 'no pending ask');
        return;
      case Kind.Fence:
        // Everything sent before it through the main thread is in: the sender may go direct.
        if (env.from !== null) this.send({ to: env.from, kind: Kind.FenceAck, from: env.to, cid: env.cid, ts: monoNs(), msg: env.msg });
        return;
      case Kind.FenceAck:
        if (env.from !== null) this.fences.acked(env.from, env.cid);
        return;
      case Kind.Undelivered: {
        if (this.asks.rejectUndelivered(env.cid, env.to, env.msg as UndeliveredMsg)) return;
        const cell = this.cells.get(env.to);
        if (cell && cell.accepts.has('sys.undelivered') && cell.state !== 'stopped') cell.enqueue({ ...env, kind: Kind.Tell });
        else this.recordDead(env.to, 'undelivered_notice', (env.msg as UndeliveredMsg).originalType, env.from, (env.msg as UndeliveredMsg).reason);
        return;
      }
    }
    const cell = this.cells.get(env.to);
    if (cell) {
      if (cell.state === 'stopped' && !this.keepsMailbox.has(cell)) this.undeliverable(env, 'actor_stopped');
      else cell.enqueue(env);
      return;
    }
    // Not here. The main thread decides; but never bounce a frame it sent us.
    if (fromMain) this.undeliverable(env, 'no_such_actor');
    else this.send(env);
  }

  arrivalTime(): number {
    return Number.isNaN(this.batchArrivedAt) ? performance.now() : this.batchArrivedAt;
  }

  // ---- outbound --------------------------------------------------------

  send(env: Envelope): void {
    if (this.cells.has(env.to)) {
      this.deliver(env);
      return;
    }
    const kept = this.fences.active ? this.fences.writerFor(env.to) : undefined;
    if (kept) {
      this.codec.encodeFrame(kept, env);
      return;
    }
    const dest = this.destOf(env.to);
    if (dest === MAIN && env.to !== SYSTEM_ID && env.from !== null && this.cells.has(env.from)) this.fences.sentViaMain(env.to, env.from);
    const w = this.outboxes.writer(dest);
    this.codec.encodeFrame(w, env);
    // A long burst is posted in slices, so the receiver works while the sender still encodes.
    if (w.size >= FLUSH_BYTES) this.outboxes.flushDest(dest);
    else this.outboxes.schedule();
  }

  publish(from: string, topic: string, msg: Message): void {
    const subs = this.topics.get(topic);
    if (!subs || subs.length === 0) return;
    const ts = monoNs();
    let payload: Uint8Array | undefined;
    for (const to of subs) {
      const env: Envelope = { to, kind: Kind.Tell, from, cid: 0, ts, msg, topic };
      if (this.cells.has(to)) {
        this.deliver(env);
        continue;
      }
      // One encoding serves every remote subscriber: the recipient is framed outside the payload.
      payload ??= this.codec.encodePayload(env);
      const kept = this.fences.active ? this.fences.writerFor(to) : undefined;
      if (kept) {
        kept.append(this.codec.idToBytes(to), payload);
        continue;
      }
      const dest = this.destOf(to);
      if (dest === MAIN && to !== SYSTEM_ID) this.fences.sentViaMain(to, from);
      this.outboxes.writer(dest).append(this.codec.idToBytes(to), payload);
    }
    this.cells.get(from)?.metrics.sent.inc(subs.length);
    this.outboxes.schedule();
  }

  flushNow(): void {
    this.outboxes.flush();
  }

  /** The thread frames for actor `to` go to: its worker when the route is known, else the main thread. */
  private destOf(to: string): string {
    return to === SYSTEM_ID ? MAIN : (this.routes.get(to) ?? MAIN);
  }

  /** Whether frames for `dest` can be posted now; asks the main thread to wire the channel when not. */
  private channelReady(dest: string): boolean {
    if (dest === MAIN || this.peers.has(dest)) return true;
    // Held until the main thread wires the channel (see connect).
    if (!this.connectRequested.has(dest)) {
      this.connectRequested.add(dest);
      this.toMain({ k: 'connect', peer: dest });
    }
    return false;
  }

  /** Posts a batch to the main thread or a peer; false while the peer's channel is being wired. */
  private post(dest: string, bytes: Uint8Array, count: number): boolean {
    if (dest === MAIN) {
      const [payload, transfer] = wire(bytes);
      this.toMain(payload, transfer);
      return true;
    }
    const port = this.peers.get(dest);
    if (!port) return this.channelReady(dest);
    if (this.rings.post(dest, bytes, count)) return true;
    const [payload, transfer] = wire(bytes);
    port.postMessage(payload, transfer);
    return true;
  }

  /** A direct channel to `peer`; with `rings`, its batches go through them (the opt-in hot path). */
  connect(peer: string, port: MessagePort, rings?: ChannelRings): void {
    this.peers.get(peer)?.close();
    this.peers.set(peer, port);
    this.connectRequested.delete(peer);
    if (rings) this.rings.attach(peer, port, rings);
    port.on('message', (data: unknown) => {
      if (data !== WAKE) {
        const bytes = fromWire(data);
        if (bytes && !this.rings.portBatch(peer, bytes)) this.onBatch(bytes, peer);
      }
      this.rings.poll();
    });
    this.outboxes.flush();
  }

  /** Reads the inbound rings and polls them for the spin budget (no-op without rings). */
  pollRings(): void {
    this.rings.poll();
  }

  disconnect(peer: string): void {
    const port = this.peers.get(peer);
    port?.removeAllListeners('message');
    port?.close();
    this.peers.delete(peer);
    // What the ring could not take yet is older than what the outbox still holds: it goes first.
    for (const k of this.rings.detach(peer)) this.outboxes.writer(MAIN).appendRaw(k.bytes, k.count);
    this.rerouteToMain(peer);
    this.outboxes.schedule();
  }

  /** Moves the frames waiting for `peer` to the main thread, which routes them; forgets a pending channel request. */
  private rerouteToMain(peer: string): void {
    this.connectRequested.delete(peer);
    const unsent = this.outboxes.remove(peer);
    if (unsent) this.outboxes.writer(MAIN).appendRaw(unsent.bytes, unsent.count);
  }

  setRoutes(routes: readonly (readonly [string, string | null])[]): void {
    for (const [actor, worker] of routes) {
      if (worker === null) this.routes.delete(actor);
      else this.routes.set(actor, worker === this.workerId ? null : worker);
      if (worker !== null && worker !== this.workerId) this.fences.routedToPeer(actor);
      else this.fences.routedElsewhere(actor);
    }
  }

  setTopic(topic: string, subscribers: readonly string[]): void {
    if (subscribers.length === 0) this.topics.delete(topic);
    else this.topics.set(topic, [...subscribers]);
  }

  subscribe(actor: string, topic: string, on: boolean): void {
    this.toMain({ k: 'subscribe', actor, topic, on });
  }

  watch(watcher: string, target: string, on: boolean): void {
    this.toMain({ k: 'watch', watcher, target, on });
  }

  // ---- dead letters ----------------------------------------------------

  deadLetter(env: Envelope, actor: string, reason: DeadLetterReason, detail?: string): void {
    this.recordDead(actor, reason, env.msg.type, env.from, detail);
  }

  private recordDead(actor: string, reason: DeadLetterReason, type: string, from: string | null, detail?: string): void {
    this.deadLetters.record({ actor, reason, type, from, detail, at: this.clock.now() });
    this.deadCounter.inc({ actor, reason });
    if (!this.deadFlushScheduled) {
      // Coalesce: a burst of drops is shipped to the main thread as one report.
      this.deadFlushScheduled = true;
      setTimeout(() => this.flushDeadLetters(), 20).unref();
    }
  }

  flushDeadLetters(): void {
    this.deadFlushScheduled = false;
    const delta = this.deadLetters.takeDelta();
    if (delta.counts.length > 0) this.toMain({ k: 'dead', counts: delta.counts, samples: delta.samples.slice(-50) });
  }

  /** A message that cannot be handled: dead-lettered, and its sender told. */
  undeliverable(env: Envelope, reason: DeadLetterReason, detail?: string): void {
    this.deadLetter(env, env.to, reason, detail);
    this.notifySender(env, reason);
  }

  mailboxRejected(env: Envelope): void {
    // The mailbox already recorded the dead letter; the sender learns it.
    this.notifySender(env, 'mailbox_full');
  }

  private notifySender(env: Envelope, reason: string): void {
    if (env.from === null || env.kind === Kind.Undelivered) return;
    const notice: UndeliveredMsg = { type: 'sys.undelivered', to: env.to, reason, originalType: env.msg.type };
    this.send({ to: env.from, kind: Kind.Undelivered, from: env.to, cid: env.kind === Kind.Ask ? env.cid : 0, ts: monoNs(), msg: notice });
  }

  // ---- dispatch --------------------------------------------------------

  wake(cell: Cell): void {
    if (!cell.runnable) return;
    this.ready.add(cell);
    // During a batch or a drain round the cell is picked up by that round.
    if (!this.delivering && !this.draining) this.scheduleDrain();
  }

  private scheduleDrain(): void {
    if (this.drainScheduled) return;
    this.drainScheduled = true;
    setImmediate(() => this.drain());
  }

  private drain(): void {
    this.drainScheduled = false;
    if (this.draining) return;
    this.draining = true;
    try {
      this.drainReady();
    } finally {
      this.draining = false;
    }
  }

  /**
   * Runs ready cells until none is left or the round's budget is spent.
   * Messages one local actor sends another (a shard's signal to the
   * allocator in the same worker) are handled in the same round, and each
   * cell's outgoing frames are posted as soon as its turn ends: a hop to
   * another worker does not wait for the rest of this worker's work.
   */
  private drainReady(): void {
    const roundStart = performance.now();
    while (this.ready.size > 0) {
      for (const cell of [...this.ready]) {
        this.ready.delete(cell);
        // One clock read per message: each handler's end is the next one's start.
        // A cell runs for at most SLICE_MS per turn, so one busy actor cannot
        // starve the others in its worker, nor the worker's ports.
        const start = performance.now();
        let t0 = start;
        while (cell.runnable && t0 - start < SLICE_MS) {
          const env = cell.mailbox.shift()!;
          cell.metrics.mailboxWait.observe((t0 - cell.mailbox.lastQueuedAt) / 1000);
          this.handle(cell, env, t0);
          t0 = this.lastHandledAt;
        }
        cell.metrics.depth.set(cell.mailbox.depth);
        this.outboxes.flush();
        if (cell.runnable) this.ready.add(cell);
      }
      if (performance.now() - roundStart >= ROUND_MS) break;
    }
    // Whatever is left waits for the next turn, after the ports had theirs.
    if (this.ready.size > 0) this.scheduleDrain();
  }

  /** When the last synchronous handler finished (performance.now). */
  private lastHandledAt = 0;

  private handle(cell: Cell, env: Envelope, t0: number): void {
    const msg = env.msg;
    this.lastHandledAt = t0;
    if (!cell.accepts.has(msg.type)) {
      this.undeliverable(env, 'unhandled', `${cell.id} does not handle ${msg.type}`);
      return;
    }
    // Only the actor itself (its timers, its self-tells) sends its internal
    // messages. Another sender is refused, and told no more than for a type
    // the actor does not handle, so an actor's internals stay its own.
    if (env.from !== cell.id && cell.internal.has(msg.type)) {
      this.deadLetter(env, cell.id, 'internal', `${msg.type} is internal to ${cell.id}, sent by ${env.from ?? 'an anonymous sender'}`);
      this.notifySender(env, 'unhandled');
      return;
    }
    cell.current = env;
    if (cell.slowMs > 0) busyWait(cell.slowMs);
    let result: void | Promise<void>;
    try {
      result = cell.behaviour!.receive(msg, cell.ctx);
    } catch (err) {
      this.failed(cell, 'receive', err, env);
      return;
    }
    if (result && typeof (result as Promise<void>).then === 'function') {
      cell.busy = true;
      const incarnation = cell.incarnation;
      (result as Promise<void>).then(
        () => {
          if (cell.incarnation !== incarnation || !cell.busy) return;
          cell.busy = false;
          this.afterHandled(cell, t0, performance.now());
          this.wake(cell);
        },
        (err: unknown) => {
          if (cell.incarnation !== incarnation || !cell.busy) return;
          this.failed(cell, 'receive', err, env);
        },
      );
      return;
    }
    const t1 = performance.now();
    this.lastHandledAt = t1;
    this.afterHandled(cell, t0, t1);
  }

  private afterHandled(cell: Cell, t0: number, t1: number): void {
    cell.current = undefined;
    if (cell.spec.flush === 'message') this.outboxes.flush();
    cell.handledCount++;
    cell.metrics.handled.inc();
    cell.metrics.handleSeconds.observe((t1 - t0) / 1000);
    this.maybeSnapshot(cell);
    const waiter = this.stopWaiters.get(cell);
    if (waiter) waiter();
  }

  private maybeSnapshot(cell: Cell): void {
    const b = cell.behaviour;
    if (!b?.snapshot) return;
    cell.sinceSnapshot++;
    const every = cell.spec.snapshot;
    const nowMs = monoNs() / 1e6;
    const due =
      (every?.everyMessages !== undefined && cell.sinceSnapshot >= every.everyMessages) ||
      nowMs - cell.lastSnapshotAt >= (every?.everyMs ?? (every?.everyMessages !== undefined ? Infinity : DEFAULT_SNAPSHOT_MS));
    if (!due) return;
    cell.sinceSnapshot = 0;
    cell.lastSnapshotAt = nowMs;
    try {
      this.toMain({ k: 'snapshot', actor: cell.id, incarnation: cell.incarnation, data: b.snapshot() });
    } catch (err) {
      cell.log.error('snapshot failed', { error: serializeError(err) });
    }
  }

  /** A handler threw: the poison message is a dead letter, the incarnation ends, the main thread decides. */
  failed(cell: Cell, phase: FailurePhase, err: unknown, env?: Envelope): void {
    const info = serializeError(err);
    if (env) {
      this.deadLetter(env, cell.id, 'handler_error', info.message);
      if (env.kind === Kind.Ask && env.from !== null) {
        const msg: ErrorMsg = { type: 'sys.error', code: info.code, name: info.name, message: info.message };
        this.send({ to: env.from, kind: Kind.ReplyError, from: cell.id, cid: env.cid, ts: monoNs(), msg });
      }
    }
    cell.state = 'failed';
    cell.endIncarnation(new QgtmError('QGTM_ERR_ACTOR_CRASHED', `actor ${cell.id} crashed: ${info.message}`));
    this.ready.delete(cell);
    cell.log.error('actor failed', { phase, error: info });
    this.toMain({ k: 'failed', actor: cell.id, incarnation: cell.incarnation, phase, error: info });
    this.stopWaiters.get(cell)?.();
  }

  // ---- lifecycle ---------------------------------------------------------

  /** Cells stopped for a restart keep queuing messages for their next incarnation. */
  private readonly keepsMailbox = new Set<Cell>();

  async startActor(req: StartRequest): Promise<StartResult> {
    const { spec } = req;
    let cell = this.cells.get(spec.id);
    if (cell && cell.state !== 'failed' && cell.state !== 'stopped') {
      return { ok: false, error: serializeError(new QgtmError('QGTM_ERR_ALREADY_RUNNING', `actor ${spec.id} is already ${cell.state}`)) };
    }
    // The cell exists before the module loads, so messages forwarded while
    // the actor starts are queued rather than refused.
    if (!cell) {
      cell = new Cell(spec, mailboxOf(spec), this, this.log.child({ actor: spec.id }));
      this.cells.set(spec.id, cell);
      // The losses an operator alerts on exist at 0 from the actor's start ("0", not "no data").
      for (const reason of LOST_WORK_REASONS) this.deadCounter.labels({ actor: spec.id, reason });
    }
    cell.spec = spec;
    cell.state = 'starting';
    this.keepsMailbox.delete(cell);
    // Held frames came with the start request, not over a channel: counted apart so settle's
    // per-channel balance holds. They were sent before anything the main thread forwards while
    // the module loads, so they go into the mailbox first.
    if (req.buffered) this.onBatch(req.buffered, HELD);
    let mod: ActorModule;
    try {
      mod = await loadActorModule(spec.module, spec.export);
    } catch (err) {
      cell.state = 'failed';
      return { ok: false, error: serializeError(err) };
    }
    try {
      cell.beginIncarnation(mod.create(), req.incarnation);
    } catch (err) {
      cell.state = 'failed';
      return { ok: false, error: serializeError(err) };
    }
    try {
      await cell.behaviour!.init?.(cell.ctx, spec.args, req.snapshot);
    } catch (err) {
      cell.state = 'failed';
      cell.endIncarnation(new QgtmError('QGTM_ERR_INIT_FAILED', `actor ${spec.id} failed in init`));
      return { ok: false, error: serializeError(err) };
    }
    if (cell.state === 'starting') cell.state = 'running';
    this.wake(cell);
    return { ok: true };
  }

  /**
   * Stops an actor after its current message. With `forRestart` its mailbox
   * is kept (and keeps filling) for the next incarnation; otherwise what is
   * queued becomes dead letters and the cell is removed.
   */
  async stopActor(id: string, reason: string, forRestart: boolean): Promise<{ snapshot?: unknown }> {
    const cell = this.cells.get(id);
    if (!cell) return {};
    const wasLive = cell.state === 'running' || cell.state === 'paused' || cell.state === 'starting';
    cell.state = 'stopping';
    this.ready.delete(cell);
    if (cell.busy) await new Promise<void>((resolve) => this.stopWaiters.set(cell, resolve));
    this.stopWaiters.delete(cell);
    let snapshot: unknown;
    const b = cell.behaviour;
    if (wasLive && b) {
      try {
        snapshot = b.snapshot?.();
        await b.stop?.(cell.ctx, reason);
      } catch (err) {
        cell.log.error('actor stop failed', { error: serializeError(err) });
      }
    }
    cell.endIncarnation(new QgtmError('QGTM_ERR_ACTOR_STOPPED', `actor ${id} stopped: ${reason}`));
    cell.state = 'stopped';
    if (forRestart) {
      this.keepsMailbox.add(cell);
    } else {
      for (const env of cell.mailbox.drainAll()) this.undeliverable(env, 'actor_stopped');
      cell.metrics.depth.set(0);
      this.cells.delete(id);
      // The last actor gone, the main thread may end this worker at once: frames kept
      // behind an open fence, or waiting for a channel still being wired, go now through
      // the main thread (which routes them) rather than die with it.
      if (this.cells.size === 0) {
        if (this.fences.active) this.fences.close();
        for (const dest of this.outboxes.waiting()) if (dest !== MAIN && !this.peers.has(dest)) this.rerouteToMain(dest);
        this.outboxes.flush();
      }
    }
    return { snapshot };
  }

  stopRequested(cell: Cell, reason: string): void {
    // The main thread runs the stop so supervision, routes and watchers stay consistent.
    this.toMain({ k: 'stopped', actor: cell.id, incarnation: cell.incarnation, reason });
  }

  // ---- introspection ------------------------------------------------------

  counters(): TrafficCounters {
    let idle = this.ready.size === 0 && this.outboxes.idle && !this.fences.active && this.rings.idle;
    for (const cell of this.cells.values()) if (cell.busy || cell.runnable) idle = false;
    return { sentTo: this.outboxes.sentCounts(), receivedFrom: Object.fromEntries(this.receivedFrom), idle };
  }
}

async function loadActorModule(url: string, exportName = 'default'): Promise<ActorModule> {
  const ns = (await import(url)) as Record<string, unknown>;
  const mod = ns[exportName];
  if (!isActorModule(mod)) throw new QgtmError('QGTM_ERR_NOT_AN_ACTOR', `${url} export ${exportName} is not an actor (use defineActor)`);
  return mod;
}

function busyWait(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // Fault injection: simulated slow handler.
  }
}
