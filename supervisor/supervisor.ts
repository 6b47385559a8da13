/**
 * One supervisor: starts its children in order, stops them in reverse order,
 * and when a child ends decides by its restart type, the restart intensity
 * and the strategy what to restart, after a backoff. Past the intensity it
 * gives up: stops its children and fails to its parent.
 *
 * Supervisors live on the main thread; their worker children are actors in
 * the ActorSystem. Everything a supervisor does is serialised through one
 * queue, so a failure that arrives while it is restarting waits its turn
 * (and is ignored if it concerns an incarnation that is already gone).
 */
import { serializeError } from '../src/runtime/errors.js';
import type { ActorSystem, Logger } from '../src/runtime/index.js';
import { Backoff, Intensity } from './backoff.js';
import {
  childId,
  DEFAULT_BACKOFF,
  DEFAULT_SHUTDOWN_MS,
  type BackoffSpec,
  type ChildSpec,
  type Offender,
  type ReportContext,
  type RestartType,
  type Shutdown,
  type SupervisorReport,
  type SupervisorSpec,
} from './types.js';

/**
 * What a supervisor needs of the tree it belongs to: time, the actor system,
 * the owner registry and the report sink. `SupervisionTree` implements it;
 * naming it here keeps the supervisor from importing the tree.
 */
export interface TreeServices {
  readonly system: ActorSystem;
  readonly random: () => number;
  readonly log: Logger;
  now(): number;
  wallNow(): number;
  sleep(ms: number): Promise<void>;
  countRestart(actorId: string): void;
  adopt(actorId: string, owner: Supervisor): void;
  release(actorId: string): void;
  report(r: SupervisorReport): SupervisorReport;
  rootFailed(report: SupervisorReport): void;
}

/** How a child ended. */
export interface ChildEnd {
  readonly abnormal: boolean;
  readonly reason: string;
  /** The incarnation (worker) or generation (supervisor) that ended. */
  readonly incarnation: number;
  readonly worker?: string;
}

type ChildState = 'pending' | 'running' | 'failed' | 'restarting' | 'stopped';

interface Child {
  readonly spec: ChildSpec;
  readonly id: string;
  readonly restart: RestartType;
  readonly shutdown: Shutdown;
  state: ChildState;
  incarnation: number;
  restarts: number;
  lastReport?: { context: ReportContext; reason: string; at: number };
  sub?: Supervisor;
  readonly backoff: Backoff;
}

export type SupervisorState = 'starting' | 'running' | 'stopping' | 'stopped' | 'failed';

/** What the watchdog view shows of a subtree. */
export interface SupervisorView {
  readonly id: string;
  readonly path: string;
  readonly strategy: string;
  readonly state: SupervisorState;
  readonly intensity: { readonly max: number; readonly periodMs: number; readonly recent: number };
  readonly children: readonly ChildView[];
}

export interface ChildView {
  readonly id: string;
  readonly type: 'worker' | 'supervisor';
  readonly state: string;
  readonly restart: RestartType;
  readonly incarnation: number;
  readonly restarts: number;
  readonly worker?: string;
  readonly lastReport?: { context: ReportContext; reason: string; at: number };
  readonly supervisor?: SupervisorView;
}

export class Supervisor {
  readonly id: string;
  readonly path: string;
  state: SupervisorState = 'starting';
  /** Bumped each time this supervisor is (re)started by its parent. */
  readonly generation: number;
  private readonly children: Child[];
  private readonly intensity: Intensity;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    readonly spec: SupervisorSpec,
    private readonly tree: TreeServices,
    private readonly parent: Supervisor | undefined,
    generation = 1,
  ) {
    this.id = spec.id;
    this.path = parent ? `${parent.path}/${spec.id}` : spec.id;
    this.generation = generation;
    this.intensity = new Intensity(spec.intensity, spec.periodMs);
    const backoff: BackoffSpec = { ...DEFAULT_BACKOFF, ...spec.backoff };
    this.children = spec.children.map((c) => ({
      spec: c,
      id: childId(c),
      restart: c.restart ?? 'permanent',
      shutdown: c.shutdown ?? DEFAULT_SHUTDOWN_MS,
      state: 'pending',
      incarnation: 0,
      restarts: 0,
      backoff: new Backoff(backoff, tree.random),
    }));
  }

  private get system(): ActorSystem {
    return this.tree.system;
  }

  /**
   * Starts the children in order. A child that fails to start stops those
   * already started (in reverse) and fails the start. Actors the system still
   * holds (suspended by a previous generation of this supervisor) resume
   * with their mailboxes and snapshots.
   */
  start(): Promise<void> {
    // In the queue: a child that fails while later ones are still starting is handled once the
    // start is done, not dropped as a report to a supervisor that is not running yet.
    return this.enqueue(async () => {
      for (const child of this.children) {
        try {
          await this.startChild(child);
        } catch (err) {
          this.report('start_error', child, `start failed: ${serializeError(err).message}`);
          this.state = 'failed';
          await this.terminateChildren(this.children.filter((c) => c.state === 'running').reverse(), false);
          throw err;
        }
      }
      this.state = 'running';
    });
  }

  /** Stops every child for good, in reverse start order. */
  stop(): Promise<void> {
    return this.enqueue(async () => {
      if (this.state === 'stopped') return;
      this.state = 'stopping';
      await this.terminateChildren([...this.children].reverse(), false);
      this.state = 'stopped';
    });
  }

  /** A child (actor or supervisor) ended; handled in turn. */
  childEnded(id: string, end: ChildEnd): void {
    void this.enqueue(() => this.handleEnded(id, end));
  }

  owns(id: string): boolean {
    return this.children.some((c) => c.id === id);
  }

  /** Ids of every actor in this subtree. */
  actorIds(): string[] {
    return this.children.flatMap((c) => (c.spec.type === 'worker' ? [c.id] : (c.sub?.actorIds() ?? [])));
  }

  view(): SupervisorView {
    return {
      id: this.id,
      path: this.path,
      strategy: this.spec.strategy,
      state: this.state,
      intensity: { max: this.spec.intensity, periodMs: this.spec.periodMs, recent: this.intensity.recent },
      children: this.children.map((c) => ({
        id: c.id,
        type: c.spec.type,
        state: c.spec.type === 'worker' ? (this.system.status(c.id) ?? c.state) : c.state,
        restart: c.restart,
        incarnation: c.incarnation,
        restarts: c.restarts,
        worker: c.spec.type === 'worker' ? this.system.workerOf(c.id) : undefined,
        lastReport: c.lastReport,
        supervisor: c.sub?.view(),
      })),
    };
  }

  // ---- internals ---------------------------------------------------------

  private enqueue(task: () => Promise<void>): Promise<void> {
    const run = this.queue.then(task);
    this.queue = run.catch((err: unknown) => this.tree.log.error('supervisor task failed', { supervisor: this.path, error: serializeError(err) }));
    return run;
  }

  private async handleEnded(id: string, end: ChildEnd): Promise<void> {
    const child = this.children.find((c) => c.id === id);
    if (!child || this.state !== 'running') return;
    // A late report about an incarnation that has already been replaced.
    if (end.incarnation !== child.incarnation || (child.state !== 'running' && child.state !== 'failed')) return;
    child.state = 'failed';
    this.report('child_terminated', child, end.reason, end.worker);
    if (child.restart === 'temporary' || (child.restart === 'transient' && !end.abnormal)) {
      await this.terminateChildren([child], false);
      return;
    }
    const now = this.tree.now();
    if (!this.intensity.allow(now)) {
      await this.giveUp(`reached_max_restart_intensity (${this.spec.intensity} in ${this.spec.periodMs} ms); last: ${child.id}: ${end.reason}`);
      return;
    }
    await this.tree.sleep(child.backoff.next(now));
    if (this.state !== 'running') return;
    await this.restartByStrategy(child);
  }

  private async restartByStrategy(failed: Child): Promise<void> {
    const idx = this.children.indexOf(failed);
    const live = (c: Child): boolean => c !== failed && c.state === 'running';
    let targets: Child[];
    switch (this.spec.strategy) {
      case 'one_for_one':
        targets = [failed];
        break;
      case 'one_for_all':
        await this.terminateChildren(this.children.filter(live).reverse(), true);
        targets = this.children.filter((c) => c === failed || c.state === 'restarting');
        break;
      case 'rest_for_one': {
        const after = this.children.slice(idx + 1);
        await this.terminateChildren(after.filter(live).reverse(), true);
        targets = [failed, ...after.filter((c) => c.state === 'restarting')];
        break;
      }
    }
    for (const child of targets) {
      if (this.state !== 'running') return;
      try {
        child.restarts++;
        this.tree.countRestart(child.id);
        await this.startChild(child);
      } catch (err) {
        // A failed restart is one more failure: it counts toward the intensity and is retried after a backoff.
        const reason = `restart failed: ${serializeError(err).message}`;
        this.report('start_error', child, reason);
        child.state = 'failed';
        this.childEnded(child.id, { abnormal: true, reason, incarnation: child.incarnation });
      }
    }
  }

  private async startChild(child: Child): Promise<void> {
    if (child.spec.type === 'worker') {
      const status = this.system.status(child.id);
      if (status === undefined || status === 'stopped') await this.system.spawn(child.spec.start);
      else await this.system.restart(child.id);
      this.tree.adopt(child.id, this);
      child.incarnation = this.system.incarnation(child.id);
    } else {
      const sub = new Supervisor(child.spec.start, this.tree, this, (child.sub?.generation ?? 0) + 1);
      child.sub = sub;
      await sub.start();
      child.incarnation = sub.generation;
    }
    child.state = 'running';
    child.backoff.started(this.tree.now());
    this.report('started', child, child.restarts > 0 ? `restarted (restart ${child.restarts})` : 'started');
  }

  /**
   * Stops children in the given order, each within its shutdown. With
   * `forRestart` their mailboxes are kept for the next incarnation.
   */
  private async terminateChildren(children: Child[], forRestart: boolean): Promise<void> {
    for (const child of children) {
      if (child.state === 'stopped' || (forRestart && child.state === 'restarting')) continue;
      const t0 = this.tree.now();
      try {
        if (child.spec.type === 'worker') {
          const brutal = child.shutdown === 'brutal_kill';
          const timeoutMs = brutal ? undefined : (child.shutdown as number);
          const { killed } = forRestart
            ? await this.system.suspend(child.id, { timeoutMs, brutal })
            : await this.system.stop(child.id, { timeoutMs, brutal, reason: 'shutdown' });
          if (killed && !brutal) this.report('shutdown_error', child, `did not stop within ${timeoutMs} ms; its worker was terminated`);
          if (!forRestart) this.tree.release(child.id);
        } else if (child.sub) {
          await child.sub.terminate(forRestart);
        }
      } catch (err) {
        this.report('shutdown_error', child, `stop failed: ${serializeError(err).message}`);
      }
      child.state = forRestart ? 'restarting' : 'stopped';
      // A shutdown says what stopped, in what order, and how long each took.
      if (!forRestart) {
        const took = Math.round(this.tree.now() - t0);
        this.tree.log.info(`stopped ${child.id} in ${took} ms`, { supervisor: this.path, child: child.id, ms: took });
      }
    }
  }

  /** Stops this supervisor's children (reverse order) on behalf of its parent. */
  async terminate(forRestart: boolean): Promise<void> {
    await this.enqueue(async () => {
      if (this.state === 'stopped') return;
      this.state = 'stopping';
      await this.terminateChildren([...this.children].reverse(), forRestart);
      this.state = 'stopped';
    });
  }

  /** Restart intensity reached: stop the children and fail to the parent. */
  private async giveUp(reason: string): Promise<void> {
    this.state = 'failed';
    const offender: Offender = { id: this.id, type: 'supervisor', restart: 'permanent', shutdown: 'brutal_kill', incarnation: this.generation };
    const report = this.tree.report({ supervisor: this.path, context: 'shutdown', reason, offender, at: this.tree.wallNow() });
    await this.terminateChildren([...this.children].reverse(), true);
    if (this.parent) this.parent.childFailed(this, reason);
    else this.tree.rootFailed(report);
  }

  /** A child supervisor gave up. */
  private childFailed(sub: Supervisor, reason: string): void {
    const child = this.children.find((c) => c.sub === sub);
    if (!child) return;
    this.report('escalated', child, reason);
    this.childEnded(child.id, { abnormal: true, reason: `escalated: ${reason}`, incarnation: sub.generation });
  }

  private report(context: ReportContext, child: Child, reason: string, worker?: string): void {
    const at = this.tree.wallNow();
    child.lastReport = { context, reason, at };
    this.tree.report({
      supervisor: this.path,
      context,
      reason,
      offender: {
        id: child.id,
        type: child.spec.type,
        restart: child.restart,
        shutdown: child.shutdown,
        incarnation: child.incarnation,
        ...(worker ? { worker } : child.spec.type === 'worker' && this.system.workerOf(child.id) ? { worker: this.system.workerOf(child.id) } : {}),
      },
      at,
    });
  }
}
