/**
 * The actor system: lives on the main thread, places actors in worker
 * threads, wires direct channels between workers, keeps the directory of
 * where every actor lives, detects failures (handler errors, worker exits,
 * out-of-memory, hung event loops) and exposes the control plane.
 *
 * Supervision policy is not decided here: a failure is reported to the
 * failure handler (the supervisor installs one; the default restarts the
 * actor), and the system offers the primitives the policy needs: start,
 * restart (in place, or in a fresh worker), graceful stop with a timeout,
 * and brutal kill.
 */
import { EventEmitter } from 'node:events';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import * as Comlink from 'comlink';
import { ConfigError, NoSuchActorError, QgtmError, reviveError, serializeError, type ErrorInfo } from './errors.js';
import type { ActorRef, Target } from './actor.js';
import { targetId } from './actor.js';
import { RealClock, VirtualClock, type Clock } from './clock.js';
import { buildStructures, Codec, type Structure } from './codec.js';
import type { DeadLetter, DeadLetterCount } from './dead-letters.js';
import { createLogger, type Logger, type LogLevel, type LogSink } from './logger.js';
import { FrameHolder, MainEndpoint, type Route, type TopicHandler } from './main-endpoint.js';
import { monoNs, SYSTEM_ID, type Envelope, type Message } from './message.js';
import { MetricsRegistry, type MetricJson } from './metrics.js';
import type { ActorInfo, FaultKind, WorkerEvent, WorkerVitals } from './protocol.js';
import { DEFAULT_RESTART_BUFFER, placementOf, validateSpec, type ActorSpec } from './spec.js';
import type { Topic } from './topic.js';
import { WorkerHost, type WorkerEnd, type WorkerEndReason } from './worker-host.js';
import { advance, settle } from './quiescence.js';
import { SpscRing } from './spsc-ring.js';
import type { ChannelRings } from './worker/rings.js';
import { backoffDelay } from './backoff.js';
import { validateSystemOptions, type ActorExit, type ActorFailure, type ActorStatus, type ExitHandler, type FailureHandler, type FailureReason, type SystemOptions } from './system-options.js';

export { validateSystemOptions };
export type { ActorExit, ActorFailure, ActorStatus, ExitHandler, FailureHandler, FailureReason, SystemOptions };

interface ActorRecord {
  spec: ActorSpec;
  status: ActorStatus;
  incarnation: number;
  worker: WorkerHost | undefined;
  snapshot: unknown;
  holder: FrameHolder;
  startedAt: number;
}

export interface StopOptions {
  readonly reason?: string;
  /** Graceful-stop deadline; past it the worker is terminated (brutal kill). Default 5000 ms. */
  readonly timeoutMs?: number;
  /** Terminate the worker at once, without a graceful stop (co-located actors fail with `killed`). */
  readonly brutal?: boolean;
}

/** Restart backoff of the default failure handler (no supervisor installed), ms. */
export const DEFAULT_RESTART = Object.freeze({ baseMs: 10, maxMs: 5_000, resetMs: 10_000 });

export class ActorSystem extends EventEmitter {
  readonly clock: Clock;
  readonly log: Logger;
  /** Main-thread metrics (the gateway adds its own; workers report theirs on request). */
  readonly registry = new MetricsRegistry();
  private readonly opts: Required<Omit<SystemOptions, 'structures' | 'logSink' | 'startTime' | 'hotPath'>>;
  /** The opt-in hot path's workers, spin and ring size (null: off). */
  private readonly hot: { readonly workers: ReadonlySet<string>; readonly spinUs: number; readonly ringBytes: number } | null;
  private readonly structures: Structure[];
  private readonly codec: Codec;
  private readonly endpoint: MainEndpoint;
  private readonly actors = new Map<string, ActorRecord>();
  private readonly order: string[] = [];
  private readonly workers = new Map<string, WorkerHost>();
  private readonly placements = new Map<string, Promise<WorkerHost>>();
  private readonly channels = new Map<string, Promise<void>>();
  private readonly topics = new Map<string, Set<string>>();
  private readonly watchers = new Map<string, Set<string>>();
  private failureHandler: FailureHandler;
  private exitHandler: ExitHandler;
  private workerSeq = 0;
  private readonly monitor: NodeJS.Timeout;
  private closed = false;

  private constructor(options: SystemOptions) {
    super();
    this.opts = {
      clock: options.clock ?? 'real',
      logLevel: options.logLevel ?? 'info',
      controlTimeoutMs: options.controlTimeoutMs ?? 5000,
      initTimeoutMs: options.initTimeoutMs ?? 10_000,
      heartbeatIntervalMs: options.heartbeatIntervalMs ?? 100,
      hangDeadlineMs: options.hangDeadlineMs ?? 5000,
      faults: options.faults ?? false,
    };
    const h = options.hotPath;
    this.hot = h && h.workers.length > 0 ? { workers: new Set(h.workers), spinUs: h.spinUs ?? 50, ringBytes: h.ringBytes ?? 1024 * 1024 } : null;
    this.clock = this.opts.clock === 'virtual' ? new VirtualClock(undefined, options.startTime ?? 0) : new RealClock();
    this.log = createLogger(this.opts.logLevel, { thread: 'main' }, options.logSink);
    this.structures = buildStructures(options.structures);
    this.codec = new Codec(this.structures);
    this.endpoint = new MainEndpoint({
      codec: this.codec,
      clock: this.clock,
      log: this.log,
      route: (actor) => this.route(actor),
      post: (workerId, bytes) => {
        const host = this.workers.get(workerId);
        if (!host?.alive) return false;
        host.postBatch(bytes);
        return true;
      },
    });
    this.failureHandler = (f) => this.defaultOnFailure(f);
    this.exitHandler = (e) =>
      void this.stop(e.id, { reason: e.reason }).catch((err: unknown) => this.log.error('stop failed', { actor: e.id, error: serializeError(err) }));
    this.monitor = setInterval(() => this.checkHeartbeats(), this.opts.heartbeatIntervalMs);
    this.monitor.unref();
  }

  static async start(options: SystemOptions = {}): Promise<ActorSystem> {
    const errors = validateSystemOptions(options);
    if (errors.length > 0) throw new ConfigError(errors);
    return new ActorSystem(options);
  }

  // ---- actors --------------------------------------------------------------

  /** Starts an actor (in its worker) and resolves once its `init` has run. */
  async spawn<A>(spec: ActorSpec<A>, options: { snapshot?: unknown } = {}): Promise<ActorRef> {
    this.assertOpen();
    const errors = validateSpec(spec);
    if (errors.length > 0) throw new ConfigError(errors);
    const existing = this.actors.get(spec.id);
    if (existing && existing.status !== 'stopped') throw new QgtmError('QGTM_ERR_DUPLICATE_ACTOR', `actor ${spec.id} already exists (${existing.status})`);
    const record: ActorRecord = {
      spec,
      status: 'starting',
      incarnation: 0,
      worker: undefined,
      snapshot: options.snapshot,
      holder: new FrameHolder(spec.restartBuffer ?? DEFAULT_RESTART_BUFFER),
      startedAt: this.clock.now(),
    };
    this.actors.set(spec.id, record);
    if (!this.order.includes(spec.id)) this.order.push(spec.id);
    for (const topic of spec.subscribe ?? []) this.topicSet(topic).add(spec.id);
    try {
      if (spec.subscribe?.length) await Promise.all(spec.subscribe.map((t) => this.broadcastTopic(t)));
      const host = await this.workerFor(spec);
      await this.startOn(record, host);
    } catch (err) {
      await this.forget(record, 'start failed');
      throw err;
    }
    return { id: spec.id };
  }

  /**
   * Restarts an actor from its last snapshot: in place when its worker is
   * alive (its mailbox, and whatever arrived meanwhile, carries over), else in
   * a fresh worker with the messages held while it was down. A running actor
   * is suspended first.
   */
  async restart(id: string, options: { snapshot?: unknown; stopTimeoutMs?: number } = {}): Promise<void> {
    this.assertOpen();
    const record = this.record(id);
    if (record.status === 'stopped') throw new QgtmError('QGTM_ERR_ACTOR_STOPPED', `actor ${id} is stopped`);
    if (record.status === 'running' || record.status === 'starting') await this.suspend(id, { timeoutMs: options.stopTimeoutMs });
    let host = record.worker;
    if (!host?.alive) {
      record.status = 'down';
      host = await this.workerFor(record.spec);
    }
    await this.startOn(record, host, 'snapshot' in options ? options.snapshot : record.snapshot);
  }

  /**
   * Stops an actor's current incarnation to restart it later, keeping what
   * is addressed to it: its mailbox stays (and keeps filling) in its worker.
   * Past `timeoutMs` (default 5000), or with `brutal`, its worker is
   * terminated instead; messages then wait, up to the restart buffer, in the
   * main thread.
   */
  async suspend(id: string, options: { timeoutMs?: number; brutal?: boolean } = {}): Promise<{ killed: boolean }> {
    const record = this.record(id);
    if (record.status !== 'running' && record.status !== 'starting') return { killed: false };
    const host = record.worker;
    record.status = 'stopping';
    if (!host?.alive) {
      record.status = 'down';
      return { killed: false };
    }
    if (options.brutal) {
      await host.terminate('killed');
      record.status = 'down';
      return { killed: true };
    }
    try {
      const res = await host.call('stopActor', [id, 'restart', true], { timeoutMs: options.timeoutMs ?? 5000 });
      if (res.snapshot !== undefined) record.snapshot = res.snapshot;
      record.status = 'suspended';
      return { killed: false };
    } catch (err) {
      this.log.warn('graceful stop failed; killing its worker', { actor: id, error: serializeError(err) });
      await host.terminate('killed');
      record.status = 'down';
      return { killed: true };
    }
  }

  /**
   * Stops an actor for good after its current message, within `timeoutMs`;
   * past the deadline its worker is terminated. Queued messages become dead
   * letters, watchers are told.
   */
  async stop(id: string, options: StopOptions = {}): Promise<{ killed: boolean }> {
    const record = this.actors.get(id);
    if (!record || record.status === 'stopped') return { killed: false };
    let killed = false;
    const reason = options.reason ?? 'shutdown';
    const host = record.worker;
    record.status = 'stopping';
    if (host?.alive && options.brutal) {
      await host.terminate('killed');
      killed = true;
    } else if (host?.alive) {
      try {
        const res = await host.call('stopActor', [id, reason, false], { timeoutMs: options.timeoutMs ?? 5000 });
        if (res.snapshot !== undefined) record.snapshot = res.snapshot;
      } catch (err) {
        this.log.warn('graceful stop failed; terminating the worker', { actor: id, error: serializeError(err) });
        await host.terminate('killed');
        killed = true;
      }
    }
    await this.forget(record, reason);
    return { killed };
  }

  /** Brutal kill: terminates the actor's worker at once (co-located actors fail with reason `killed`). */
  async kill(id: string): Promise<void> {
    const record = this.record(id);
    await record.worker?.terminate('killed');
  }

  status(id: string): ActorStatus | undefined {
    return this.actors.get(id)?.status;
  }

  incarnation(id: string): number {
    return this.actors.get(id)?.incarnation ?? 0;
  }

  lastSnapshot(id: string): unknown {
    return this.actors.get(id)?.snapshot;
  }

  /** Ids of live actors, in start order. */
  actorIds(): string[] {
    return this.order.filter((id) => this.actors.get(id)?.status !== 'stopped');
  }

  workerOf(id: string): string | undefined {
    const w = this.actors.get(id)?.worker;
    return w?.alive ? w.id : undefined;
  }

  /** Replaces the failure policy (the supervisor installs its own). */
  setFailureHandler(handler: FailureHandler): void {
    this.failureHandler = handler;
  }

  setExitHandler(handler: ExitHandler): void {
    this.exitHandler = handler;
  }

  // ---- messaging -----------------------------------------------------------

  tell(to: Target, msg: Message): void {
    this.endpoint.tell(targetId(to), msg);
  }

  ask<R extends Message = Message>(to: Target, msg: Message, options: { timeoutMs: number }): Promise<R> {
    return this.endpoint.ask<R>(targetId(to), msg, options?.timeoutMs);
  }

  /** Publishes from the main thread to a topic's subscribers. */
  publish<M extends Message>(topic: Topic<M>, msg: NoInfer<M>): void {
    for (const sub of this.topics.get(topic) ?? []) {
      if (sub !== SYSTEM_ID) this.endpoint.tell(sub, msg, topic);
    }
  }

  /** Receives messages told (not published) to `$system`; replaces any previous handler. */
  onMessage(handler: ((msg: Message, env: Envelope) => void) | undefined): void {
    this.endpoint.onDirect(handler);
  }

  /** Receives a topic's messages on the main thread; returns the unsubscribe function. */
  async subscribe<M extends Message>(topic: Topic<M>, handler: (msg: M, env: Envelope<M>) => void): Promise<() => Promise<void>> {
    // The one place a topic's message is taken to be what the topic carries: publishers are checked against it at compile time.
    const off = this.endpoint.onTopic(topic, handler as unknown as TopicHandler);
    this.topicSet(topic).add(SYSTEM_ID);
    await this.broadcastTopic(topic);
    return async () => {
      if (!off()) {
        this.topicSet(topic).delete(SYSTEM_ID);
        await this.broadcastTopic(topic);
      }
    };
  }

  // ---- control plane --------------------------------------------------------

  async inspect(id?: string): Promise<ActorInfo[]> {
    if (id !== undefined) {
      const record = this.record(id);
      if (!record.worker?.alive) throw new QgtmError('QGTM_ERR_ACTOR_DOWN', `actor ${id} has no live worker (${record.status})`);
      return record.worker.call('inspect', [id]);
    }
    const all = await Promise.all([...this.workers.values()].filter((w) => w.alive).map((w) => w.call('inspect', []).catch(() => [] as ActorInfo[])));
    return all.flat();
  }

  pause(id: string): Promise<void> {
    return this.hostOf(id).call('pause', [id]);
  }

  resume(id: string): Promise<void> {
    return this.hostOf(id).call('resume', [id]);
  }

  setParams(id: string, params: Record<string, unknown>): Promise<Readonly<Record<string, unknown>>> {
    return this.hostOf(id).call('setParams', [id, params]);
  }

  /** Fault injection (only when the system was started with `faults: true`). */
  async fault(id: string, kind: FaultKind, arg?: number): Promise<void> {
    if (!this.opts.faults) throw new QgtmError('QGTM_ERR_FAULTS_DISABLED', 'fault injection is disabled');
    try {
      await this.hostOf(id).call('fault', [id, kind, arg]);
    } catch (err) {
      // A fault that ends the worker may do so before the call's answer arrives: that is its success.
      // A hang ends it too, when the hang detector terminates it: on a loaded machine the answer,
      // posted before the loop starts, may still be unread when the worker goes.
      const endsWorker = kind === 'exit' || kind === 'oom' || kind === 'reject_promise' || kind === 'hang';
      if (!(endsWorker && (err as { code?: string }).code === 'QGTM_ERR_WORKER_DIED')) throw err;
    }
  }

  /** Hands a MessagePort to an actor (its behaviour's `attachPort`); the port is transferred. */
  attachPort(id: string, name: string, port: MessagePort): Promise<void> {
    return this.hostOf(id).call('attachPort', [id, name, Comlink.transfer(port, [port as never])]);
  }

  /** Test aid: hands raw payload bytes to an actor as if they had arrived on a channel. */
  injectFrame(id: string, payload: Uint8Array): Promise<void> {
    return this.hostOf(id).call('injectFrame', [id, payload]);
  }

  /** Hands raw bytes, as a frame batch from a peer, to the worker hosting `id` (tests, fuzzing). */
  injectBatch(id: string, bytes: Uint8Array): Promise<void> {
    return this.hostOf(id).call('injectBatch', [bytes]);
  }

  /** What the main thread holds now (workers ship theirs within 20 ms of recording): no round trip. */
  deadLetterLog(): { counts: DeadLetterCount[]; recent: readonly DeadLetter[]; added: number } {
    const log = this.endpoint.deadLetters;
    return { counts: log.countsList(), recent: log.recent(), added: log.addedTotal };
  }

  /** Flushes every worker's dead letters to the main thread first (tests). */
  async deadLetters(): Promise<{ counts: DeadLetterCount[]; recent: readonly DeadLetter[]; added: number }> {
    await Promise.all(this.liveWorkers().map((w) => w.call('flushDeadLetters', []).catch(() => undefined)));
    // The flush travels as an event on the parent port; let it arrive.
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setTimeout(r, 5));
    return this.deadLetterLog();
  }

  /** Metrics of the main thread and every live worker, in prom-client's JSON form. */
  async metricsJson(): Promise<MetricJson[][]> {
    const workers = await Promise.all(this.liveWorkers().map((w) => w.call('metrics', []).catch(() => [] as MetricJson[])));
    return [this.registry.toJson(), ...workers];
  }

  /** Each live worker's event-loop delay and heap. */
  async vitals(): Promise<WorkerVitals[]> {
    const all = await Promise.all(this.liveWorkers().map((w) => w.call('vitals', []).catch(() => undefined)));
    return all.filter((v): v is WorkerVitals => v !== undefined);
  }

  /** Worker ids with their heartbeat ages (ms). */
  heartbeats(): { worker: string; placement: string; ageMs: number; actors: string[] }[] {
    return this.liveWorkers().map((w) => ({
      worker: w.id,
      placement: w.placement,
      ageMs: w.heartbeatAgeMs(),
      actors: [...this.actors.values()].filter((r) => r.worker === w && r.status !== 'stopped').map((r) => r.spec.id),
    }));
  }

  // ---- time and quiescence ------------------------------------------------

  /**
   * Resolves when no message is queued, being handled or in flight anywhere
   * (see quiescence.ts).
   */
  settle(options: { timeoutMs?: number } = {}): Promise<void> {
    return settle(this.endpoint, () => this.liveWorkers(), options.timeoutMs);
  }

  now(): number {
    return this.clock.now();
  }

  /**
   * Virtual clock: moves time forward by `ms`, stopping at each instant a
   * timer is due anywhere, firing it and letting the system settle before
   * moving on, so causality between actors' timers is preserved.
   */
  advance(ms: number): Promise<void> {
    if (!(this.clock instanceof VirtualClock)) throw new QgtmError('QGTM_ERR_REAL_CLOCK', 'advance needs a virtual clock');
    return advance(this.clock, ms, () => this.liveWorkers(), () => this.settle());
  }

  // ---- shutdown ------------------------------------------------------------

  /** Stops every actor in reverse start order, then every worker. */
  async shutdown(options: { timeoutMs?: number } = {}): Promise<void> {
    if (this.closed) return;
    for (const id of [...this.order].reverse()) {
      await this.stop(id, { reason: 'shutdown', timeoutMs: options.timeoutMs ?? 5000 }).catch(() => undefined);
    }
    this.closed = true;
    clearInterval(this.monitor);
    this.endpoint.asks.rejectAll(new QgtmError('QGTM_ERR_SHUTDOWN', 'actor system shut down'));
    await Promise.all([...this.workers.values()].map((w) => w.terminate('killed')));
    this.workers.clear();
  }

  // ---- internals -----------------------------------------------------------

  private assertOpen(): void {
    if (this.closed) throw new QgtmError('QGTM_ERR_SHUTDOWN', 'actor system is shut down');
  }

  private record(id: string): ActorRecord {
    const r = this.actors.get(id);
    if (!r) throw new NoSuchActorError(id);
    return r;
  }

  private hostOf(id: string): WorkerHost {
    const r = this.record(id);
    if (!r.worker?.alive) throw new QgtmError('QGTM_ERR_ACTOR_DOWN', `actor ${id} has no live worker (${r.status})`);
    return r.worker;
  }

  private liveWorkers(): WorkerHost[] {
    return [...this.workers.values()].filter((w) => w.alive);
  }

  private route(actor: string): Route {
    const r = this.actors.get(actor);
    if (!r) return { kind: 'dead', reason: 'no_such_actor' };
    if (r.status === 'stopped') return { kind: 'dead', reason: 'actor_stopped' };
    if (r.worker?.alive && r.status !== 'down') return { kind: 'worker', workerId: r.worker.id };
    return { kind: 'hold', holder: r.holder };
  }

  private async startOn(record: ActorRecord, host: WorkerHost, snapshot: unknown = record.snapshot): Promise<void> {
    record.incarnation++;
    record.status = 'starting';
    record.worker = host;
    record.startedAt = this.clock.now();
    const buffered = record.holder.take();
    const res = await host.call('startActor', [{ spec: record.spec, incarnation: record.incarnation, snapshot, buffered }], { timeoutMs: this.opts.initTimeoutMs });
    if (!res.ok) {
      record.status = 'failed';
      throw new QgtmError('QGTM_ERR_INIT_FAILED', `actor ${record.spec.id} failed to start: ${res.error.message}`, { cause: reviveError(res.error) });
    }
    if (record.status === 'starting') record.status = 'running';
    await this.broadcastRoutes([[record.spec.id, host.id]]);
  }

  /** Removes a stopped actor from routing, topics and (if it was the last) its worker. */
  private async forget(record: ActorRecord, reason: string): Promise<void> {
    const id = record.spec.id;
    record.status = 'stopped';
    const host = record.worker;
    record.worker = undefined;
    const changedTopics: string[] = [];
    for (const [topic, subs] of this.topics) if (subs.delete(id)) changedTopics.push(topic);
    await this.broadcastRoutes([[id, null]]);
    await Promise.all(changedTopics.map((t) => this.broadcastTopic(t)));
    this.notifyWatchers(id, reason);
    this.watchers.delete(id);
    for (const set of this.watchers.values()) set.delete(id);
    if (host?.alive && ![...this.actors.values()].some((r) => r.worker === host && r.status !== 'stopped')) {
      await host.terminate('killed');
    }
  }

  private async workerFor(spec: ActorSpec): Promise<WorkerHost> {
    const placement = placementOf(spec);
    const existing = this.placements.get(placement);
    if (existing) {
      const host = await existing.catch(() => undefined);
      if (host?.alive) return host;
      this.placements.delete(placement);
    }
    const created = this.createWorker(placement, spec);
    this.placements.set(placement, created);
    created.catch(() => this.placements.get(placement) === created && this.placements.delete(placement));
    return created;
  }

  private async createWorker(placement: string, spec: ActorSpec): Promise<WorkerHost> {
    const seq = ++this.workerSeq;
    const host = new WorkerHost({
      id: `${placement}#${seq}`,
      placement,
      cidBase: seq,
      structures: this.structures,
      clock: this.clock instanceof VirtualClock ? { kind: 'virtual', shared: this.clock.shared } : { kind: 'real' },
      heartbeatIntervalMs: this.opts.heartbeatIntervalMs,
      logLevel: this.opts.logLevel,
      faults: this.opts.faults,
      limits: spec.limits,
      controlTimeoutMs: this.opts.controlTimeoutMs,
    });
    this.workers.set(host.id, host);
    host.on('batch', (bytes: Uint8Array) => this.endpoint.onBatch(host.id, bytes));
    host.on('event', (ev: WorkerEvent) => this.onWorkerEvent(host, ev));
    host.once('end', (end: WorkerEnd) => this.onWorkerEnd(host, end));
    await host.whenReady();
    // A new worker learns the current directory and topics before any actor starts in it.
    const routes = [...this.actors.entries()]
      .filter(([, r]) => r.worker?.alive && r.status !== 'stopped' && r.status !== 'down')
      .map(([id, r]) => [id, r.worker!.id] as const);
    await host.call('setRoutes', [routes]);
    await Promise.all([...this.topics.entries()].map(([t, subs]) => host.call('setTopic', [t, [...subs]])));
    this.emit('worker_started', { worker: host.id, placement });
    return host;
  }

  private onWorkerEvent(host: WorkerHost, ev: WorkerEvent): void {
    switch (ev.k) {
      case 'failed': {
        const record = this.actors.get(ev.actor);
        if (!record || record.worker !== host || record.incarnation !== ev.incarnation) return;
        if (ev.phase === 'init') return; // reported through startActor's result
        record.status = 'failed';
        this.reportFailure(record, ev.phase === 'receive' ? 'crash' : 'crash', ev.error, host.id);
        return;
      }
      case 'stopped': {
        const record = this.actors.get(ev.actor);
        if (!record || record.incarnation !== ev.incarnation) return;
        this.emit('actor_exit', { id: ev.actor, incarnation: ev.incarnation, reason: ev.reason });
        this.exitHandler({ id: ev.actor, incarnation: ev.incarnation, reason: ev.reason });
        return;
      }
      case 'snapshot': {
        const record = this.actors.get(ev.actor);
        if (record && record.incarnation === ev.incarnation) record.snapshot = ev.data;
        return;
      }
      case 'connect':
        void this.wire(host, ev.peer);
        return;
      case 'subscribe': {
        const set = this.topicSet(ev.topic);
        const had = set.has(ev.actor);
        if (ev.on) set.add(ev.actor);
        else set.delete(ev.actor);
        if (had !== ev.on) void this.broadcastTopic(ev.topic);
        return;
      }
      case 'watch': {
        let set = this.watchers.get(ev.target);
        if (!set) this.watchers.set(ev.target, (set = new Set()));
        if (ev.on) set.add(ev.watcher);
        else set.delete(ev.watcher);
        return;
      }
      case 'dead':
        this.endpoint.deadLetters.merge(ev.counts, ev.samples);
        return;
    }
  }

  private onWorkerEnd(host: WorkerHost, end: WorkerEnd): void {
    this.workers.delete(host.id);
    for (const [key] of this.channels) if (key.split('|').includes(host.id)) this.channels.delete(key);
    for (const w of this.liveWorkers()) void w.call('disconnect', [host.id]).catch(() => undefined);
    const affected = [...this.actors.values()].filter((r) => r.worker === host && r.status !== 'stopped');
    const down: [string, string | null][] = [];
    for (const record of affected) {
      const wasLive = record.status !== 'stopping';
      record.status = 'down';
      down.push([record.spec.id, null]);
      this.endpoint.deadLetters.record({
        actor: record.spec.id,
        reason: 'lost_with_worker',
        type: '?',
        from: null,
        detail: `worker ${host.id} ended (${end.reason}); messages queued in it were lost`,
        at: this.clock.now(),
      });
      if (wasLive) {
        const error = end.error ? serializeError(end.error) : { code: `QGTM_ERR_WORKER_${end.reason.toUpperCase()}`, name: 'WorkerEnded', message: `worker ${host.id} ended: ${end.reason} (exit code ${end.code})` };
        this.reportFailure(record, end.reason, error, host.id);
      }
    }
    // Only now that its actors are marked down do frames still queued for the worker get held for them.
    this.endpoint.dropWorker(host.id);
    void this.broadcastRoutes(down);
    if (!this.closed) this.emit('worker_ended', { worker: host.id, placement: host.placement, ...end });
  }

  private reportFailure(record: ActorRecord, reason: FailureReason, error: ErrorInfo, worker: string): void {
    const failure: ActorFailure = { id: record.spec.id, incarnation: record.incarnation, reason, error, worker, at: this.clock.now() };
    this.notifyWatchers(record.spec.id, `${reason}: ${error.message}`);
    this.emit('actor_failed', failure);
    if (this.closed) return;
    try {
      this.failureHandler(failure);
    } catch (err) {
      this.log.error('failure handler threw', { actor: record.spec.id, error: err as Error });
    }
  }

  /** Consecutive failures per actor under the default handler, and when the last one came (mono ms). */
  private readonly failureStreaks = new Map<string, { failures: number; lastAt: number }>();

  /**
   * Without a supervisor, a failed actor is restarted: the first failure at
   * once, and each further one that follows within DEFAULT_RESTART.resetMs
   * of the last after an exponentially growing delay (base doubling to max),
   * so an actor that fails on every start does not spin a core restarting.
   */
  private defaultOnFailure(f: ActorFailure): void {
    const now = monoNs() / 1e6;
    const prev = this.failureStreaks.get(f.id);
    const failures = prev && now - prev.lastAt < DEFAULT_RESTART.resetMs ? prev.failures + 1 : 1;
    this.failureStreaks.set(f.id, { failures, lastAt: now });
    const delayMs = failures === 1 ? 0 : backoffDelay({ minMs: DEFAULT_RESTART.baseMs, maxMs: DEFAULT_RESTART.maxMs }, failures - 2);
    this.log.warn('actor failed; restarting (no supervisor installed)', { actor: f.id, reason: f.reason, error: f.error.message, failures, delayMs });
    const restart = (): void => {
      if (this.closed) return;
      this.restart(f.id).catch((err) => this.log.error('restart failed', { actor: f.id, error: serializeError(err) }));
    };
    if (delayMs === 0) restart();
    else setTimeout(restart, delayMs).unref();
  }

  private notifyWatchers(target: string, cause: string): void {
    for (const watcher of this.watchers.get(target) ?? []) {
      if (this.actors.get(watcher)?.status === 'stopped') continue;
      this.endpoint.tell(watcher, { type: 'sys.terminated', ref: target, cause } as Message);
    }
  }

  /** Wires a direct channel between two workers (once per pair). */
  private wire(from: WorkerHost, peerId: string): Promise<void> {
    const peer = this.workers.get(peerId);
    if (!peer?.alive) {
      // The peer is gone: its unsent frames come back to the main thread for rerouting.
      return from.call('disconnect', [peerId]).catch(() => undefined);
    }
    const key = [from.id, peerId].sort().join('|');
    let wiring = this.channels.get(key);
    if (!wiring) {
      const { port1, port2 } = new MessageChannel();
      // The hot path: a ring into each hot end, written by the other (see worker/rings.ts).
      const toPeer = this.hot?.workers.has(peer.placement) ? SpscRing.allocate(this.hot.ringBytes) : undefined;
      const toFrom = this.hot?.workers.has(from.placement) ? SpscRing.allocate(this.hot.ringBytes) : undefined;
      const rings = (send: SharedArrayBuffer | undefined, recv: SharedArrayBuffer | undefined, self: WorkerHost): ChannelRings | undefined =>
        send || recv ? { send, recv, spinUs: this.hot!.workers.has(self.placement) ? this.hot!.spinUs : 0 } : undefined;
      wiring = Promise.all([from.connect(peerId, port1, rings(toPeer, toFrom, from)), peer.connect(from.id, port2, rings(toFrom, toPeer, peer))]).then(() => undefined);
      wiring.catch((err) => {
        this.channels.delete(key);
        this.log.warn('channel wiring failed', { from: from.id, to: peerId, error: serializeError(err) });
      });
      this.channels.set(key, wiring);
    }
    return wiring.catch(() => undefined);
  }

  private topicSet(topic: string): Set<string> {
    let set = this.topics.get(topic);
    if (!set) this.topics.set(topic, (set = new Set()));
    return set;
  }

  private async broadcastTopic(topic: string): Promise<void> {
    const subs = [...(this.topics.get(topic) ?? [])];
    await Promise.all(this.liveWorkers().map((w) => w.call('setTopic', [topic, subs]).catch(() => undefined)));
  }

  private async broadcastRoutes(routes: readonly (readonly [string, string | null])[]): Promise<void> {
    if (routes.length === 0) return;
    await Promise.all(this.liveWorkers().map((w) => w.call('setRoutes', [routes]).catch(() => undefined)));
  }

  private checkHeartbeats(): void {
    for (const host of this.liveWorkers()) {
      const age = host.heartbeatAgeMs();
      if (age > this.opts.hangDeadlineMs) {
        this.log.error('worker hung: heartbeat missed; terminating', { worker: host.id, ageMs: Math.round(age) });
        void host.terminate('hang');
      }
    }
  }
}
