/**
 * The supervision tree: the root supervisor, the routing of actor failures
 * to the supervisor that owns each actor, and the reports every supervisor
 * event produces (logged as JSON lines, counted in metrics, emitted as
 * `report` events and published on the `supervisor` topic).
 *
 * When the root gives up, the tree emits `root_failed` with the final
 * report; the daemon exits non-zero on it so that systemd restarts it.
 */
import { EventEmitter } from 'node:events';
import { ConfigError, serializeError } from '../src/runtime/errors.js';
import { carrying, defineTopics, type ActorExit, type ActorFailure, type ActorSystem, type Logger, type Message } from '../src/runtime/index.js';
import { Supervisor, type SupervisorView, type TreeServices } from './supervisor.js';
import { validateSupervisorSpec, type SupervisorReport, type SupervisorSpec } from './types.js';

export interface TreeOptions {
  /** Random source for backoff jitter (seed it in tests). */
  readonly random?: () => number;
  readonly log?: Logger;
  /** Reports kept for the watchdog view. */
  readonly keepReports?: number;
}

/** The message published on the `supervisor` topic for each report. */
export interface SupervisorReportMsg extends Message {
  readonly type: 'supervisor.report';
  readonly report: SupervisorReport;
}

export const SUPERVISOR_TOPIC = defineTopics({ supervisor: carrying<SupervisorReportMsg>() }).supervisor;

/**
 * Events: 'report' (SupervisorReport), 'root_failed' (SupervisorReport).
 */
export class SupervisionTree extends EventEmitter implements TreeServices {
  readonly random: () => number;
  readonly log: Logger;
  private root: Supervisor | undefined;
  private readonly owners = new Map<string, Supervisor>();
  private readonly recent: SupervisorReport[] = [];
  private readonly keep: number;
  private failed: SupervisorReport | undefined;

  constructor(
    readonly system: ActorSystem,
    readonly spec: SupervisorSpec,
    options: TreeOptions = {},
  ) {
    super();
    this.random = options.random ?? Math.random;
    this.log = options.log ?? system.log.child({ component: 'supervisor' });
    this.keep = options.keepReports ?? 200;
  }

  /** Validates the whole tree, takes over failure handling, and starts the root. */
  async start(): Promise<void> {
    const errors = validateSupervisorSpec(this.spec);
    if (errors.length > 0) throw new ConfigError(errors);
    this.system.setFailureHandler((f) => this.onFailure(f));
    this.system.setExitHandler((e) => this.onExit(e));
    this.root = new Supervisor(this.spec, this, undefined);
    await this.root.start();
  }

  /** Stops the whole tree, children in reverse start order. */
  async stop(): Promise<void> {
    await this.root?.stop();
  }

  get rootFailure(): SupervisorReport | undefined {
    return this.failed;
  }

  view(): SupervisorView | undefined {
    return this.root?.view();
  }

  reports(): readonly SupervisorReport[] {
    return this.recent;
  }

  // ---- used by supervisors ------------------------------------------------

  adopt(actorId: string, owner: Supervisor): void {
    this.owners.set(actorId, owner);
  }

  release(actorId: string): void {
    this.owners.delete(actorId);
  }

  now(): number {
    return this.system.clock.now();
  }

  /** Report timestamps are wall-clock epoch ms (the system clock may be virtual). */
  wallNow(): number {
    return this.system.clock.now();
  }

  sleep(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve) => this.system.clock.setTimer(ms, resolve));
  }

  private restarts() {
    return this.system.registry.counter('qgtm_supervisor_restarts_total', 'Children restarted by their supervisor', ['child']);
  }

  countRestart(actorId: string): void {
    this.restarts().inc({ child: actorId });
  }

  report(r: SupervisorReport): SupervisorReport {
    this.recent.push(r);
    if (this.recent.length > this.keep) this.recent.splice(0, this.recent.length - this.keep);
    this.system.registry.counter('qgtm_supervisor_reports_total', 'Supervisor reports by supervisor and context', ['supervisor', 'context']).inc({ supervisor: r.supervisor, context: r.context });
    // A child's restart count exists at 0 from its first start, so a restart panel reads 0, not "no data".
    if (r.context === 'started') this.restarts().labels({ child: r.offender.id });
    const level = r.context === 'started' ? 'info' : r.context === 'shutdown_error' || r.context === 'shutdown' ? 'error' : 'warn';
    this.log[level]('supervisor report', { report: r });
    const msg: SupervisorReportMsg = { type: 'supervisor.report', report: r };
    this.system.publish(SUPERVISOR_TOPIC, msg);
    this.emit('report', r);
    return r;
  }

  rootFailed(report: SupervisorReport): void {
    this.failed = report;
    this.log.error('root supervisor failed', { report });
    this.emit('root_failed', report);
  }

  // ---- failure routing -----------------------------------------------------

  private onFailure(f: ActorFailure): void {
    this.system.registry.counter('qgtm_actor_failures_total', 'Actor incarnations that ended abnormally, by reason', ['actor', 'reason']).inc({ actor: f.id, reason: f.reason });
    const owner = this.owners.get(f.id);
    if (!owner) {
      this.log.warn('failure of an unsupervised actor; restarting it', { actor: f.id, reason: f.reason });
      this.system.restart(f.id).catch((err: unknown) => this.log.error('restart failed', { actor: f.id, error: serializeError(err) }));
      return;
    }
    owner.childEnded(f.id, { abnormal: true, reason: `${f.reason}: ${f.error.message}`, incarnation: f.incarnation, worker: f.worker });
  }

  private onExit(e: ActorExit): void {
    const owner = this.owners.get(e.id);
    const abnormal = e.reason !== 'normal' && e.reason !== 'shutdown';
    if (!owner) {
      void this.system.stop(e.id, { reason: e.reason });
      return;
    }
    owner.childEnded(e.id, { abnormal, reason: `exit: ${e.reason}`, incarnation: e.incarnation });
  }
}
