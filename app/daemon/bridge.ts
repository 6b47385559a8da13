/**
 * The daemon's bridge to the state bus: actor telemetry in (main-thread
 * topic subscriptions), operator views and telemetry out (bus sections and
 * topics), operator commands in (bus -> actors, with acknowledgements), plus
 * the main thread's own trading metrics.
 *
 * High-rate data is sampled, not forwarded, and sampled where it is made:
 * the bridge never subscribes to `features` (every tick of every feed would
 * cross to the main thread and be decoded here); each feed publishes a
 * conflated `feed.sample` on `feed_samples` a few times a second (its
 * `sampleMs`), and the bridge turns those into one `ticks` batch every
 * `tickMs` with the latest values of the instruments that moved; signals are
 * batched likewise. Everything else (orders, fills, risk, positions,
 * posture, strategy status, supervisor reports) is forwarded as it happens;
 * dead letters go out with each state snapshot.
 */
import type { MacroStatusMsg } from '../../actors/macro/messages.js';
import type { RiskCommandResultMsg } from '../../actors/risk/messages.js';
import { tierRank } from '../tiers.js';
import { isLostWork } from '../../src/runtime/index.js';
import type { StrategyCommandResultMsg } from '../../actors/strategy/messages.js';
import { TOPICS } from '../../actors/topics.js';
import type { RuntimeEntry } from '../../actors/strategy/runtime.js';
import { readStrategiesFile, RuntimeStrategies } from './runtime-strategies.js';

/** One shard ask of a runtime change: add an entry, or remove one (keeping its enable decision when it moves). */
type RuntimeStep = { readonly add: RuntimeEntry } | { readonly remove: RuntimeEntry; readonly reason: string; readonly keep: boolean };
import type { SupervisionTree, SupervisorReport } from '../../supervisor/index.js';
import type { DaemonSide } from '../bus/bus.js';
import type { AllocatorLearningResultMsg } from '../../actors/allocator/messages.js';
import { asRuntimeCommand, errorAck, toLearningCommandMsg, toRiskCommandMsg, toStrategyCommandMsg, type CommandAck, type OperatorCommand, type RuntimeStrategyCommand } from '../bus/commands.js';
import { serializeError } from '../../src/errors.js';
import type { ActorSystem, Message, Topic, WorkerVitals } from '../../src/runtime/index.js';
import type { Focus } from '../../src/universe/index.js';
import { learnedWeights, OperatorViews } from './views.js';
import { TradingMetrics } from './trading-metrics.js';
import { AuditLog, type AuditEntry } from './audit.js';
import { PerformanceTracker } from './performance.js';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { VERSION } from '../../src/version.js';
import type { ClusterSnapshot } from '../cluster/view.js';

/** Dead letters kept in the section and published at most per snapshot. */
const DEAD_LETTERS_SHOWN = 100;
/** Audit entries in the section (the file keeps them all). */
const AUDIT_SHOWN = 200;

export interface BridgeOptions {
  readonly system: ActorSystem;
  readonly bus: DaemonSide;
  readonly focus: Focus;
  readonly shardCount: number;
  /** The runtime strategy set (loaded by the caller before the tree starts). Default: an empty one in memory. */
  readonly runtime?: RuntimeStrategies;
  /** Static facts for the health section (venue, versions, ...). */
  readonly describe: () => Record<string, unknown>;
  /** Cluster mode: the nodes and slots as the coordinator last read them (the watchdog's `cluster`). */
  readonly cluster?: () => ClusterSnapshot;
  /** Degraded conditions known at start (a macro source left unconfigured). */
  readonly staticDegraded?: readonly string[];
  /** Sample period of the `ticks` and `signals` topics. Default 250 ms. */
  readonly tickMs?: number;
  /** Period of the state snapshots. Default 1000 ms. */
  readonly stateMs?: number;
  /** The strategies file (config `strategies.file`), or null. */
  readonly strategiesFile?: string | null;
  /** Deadline of an operator command at the actor. Default 3000 ms. */
  readonly commandTimeoutMs?: number;
  /** The audit trail (persisted by the caller's choice of folder). Default: in memory only. */
  readonly audit?: AuditLog;
  /** Where the performance record (equity curve, closed trades) is saved and read back; null: memory only. */
  readonly performanceFile?: string | null;
}

/** Dead-letter reasons that lost work (the same set the runtime counts for alerts): each burst goes into the audit trail. */
/** Supervisor report contexts an operator reads back (a plain start is progress, not news). */
const AUDITED_REPORTS: ReadonlySet<string> = new Set(['start_error', 'child_terminated', 'shutdown_error', 'shutdown', 'escalated'])

export class DaemonBridge {
  readonly views: OperatorViews;
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly unsubscribes: (() => Promise<void>)[] = [];
  private readonly startedAt = Date.now();
  private offCommands: (() => void) | undefined;
  private load: { actors: unknown[]; vitals: WorkerVitals[] } = { actors: [], vitals: [] };
  /** The broker session's link to the venue, from its connection messages. */
  private broker: { up: boolean; detail: string } | undefined;

  private tree: SupervisionTree | undefined;
  /** Each macro source's last fetch outcome. */
  private readonly macro = new Map<string, MacroStatusMsg>();
  /** Messages the main thread received (and decoded) per actor topic. */
  private readonly received = new Map<string, number>();
  /** The dead-letter log's count of samples when they were last published. */
  private deadLettersSeen = 0;
  /** The book's figures for Prometheus, refreshed with the state sections. */
  private tradingMetrics: TradingMetrics | undefined;

  readonly runtime: RuntimeStrategies;
  readonly audit: AuditLog;
  readonly performance: PerformanceTracker;
  private perfPut = -1;
  private perfSaved = -1;
  private perfSavedAt = 0;
  private perfFillsSaved = 0;
  /** Bumps with each audit entry: the section is put again only when it changed. */
  private auditVersion = 0;
  private auditPut = -1;

  constructor(private readonly opts: BridgeOptions) {
    this.views = new OperatorViews(opts.focus);
    this.audit = opts.audit ?? new AuditLog({ dir: null });
    // What the operator reads back is counted like the other durable records: read at start, each write.
    this.stateRecord('audit', 'restores', this.audit.loadedAtStart > 0 ? 'restored' : 'none');
    if (this.audit.skippedAtLoad > 0) this.stateRecord('audit', 'restores', 'corrupt', this.audit.skippedAtLoad);
    let auditFailed = this.audit.writeErrors;
    this.audit.onEntry(() => {
      this.auditVersion++;
      const failed = this.audit.writeErrors > auditFailed;
      auditFailed = this.audit.writeErrors;
      if (this.opts.audit) this.stateRecord('audit', 'writes', failed ? 'failed' : 'ok');
    });
    this.performance = this.loadPerformance();
    this.runtime = opts.runtime ?? new RuntimeStrategies({ shardCount: opts.shardCount, universe: [] });
  }

  /**
   * Subscribes to the actors' topics. Call before the tree starts, so the
   * first status each actor publishes is not missed.
   */
  async start(): Promise<void> {
    const { system, bus } = this.opts;
    const v = this.views;
    const now = (): number => Date.now();
    const topicMessages = system.registry.counter('qgtm_daemon_topic_messages_total', 'Actor messages the daemon main thread received, by topic', ['topic']);
    const sub = async <M extends Message>(topic: Topic<M>, handler: (m: M) => void): Promise<void> => {
      const counted = topicMessages.labels({ topic });
      this.unsubscribes.push(
        await system.subscribe(topic, (m) => {
          this.received.set(topic, (this.received.get(topic) ?? 0) + 1);
          counted.inc();
          handler(m);
        }),
      );
    };
    const r = system.registry;
    r.gauge('qgtm_build_info', 'The running qgtm: version and Node.js (value 1)', ['version', 'node']).set({ version: VERSION, node: process.versions.node }, 1);
    this.tradingMetrics = new TradingMetrics(r);
    // Runtime strategy commands exist at 0 per command and outcome from the start.
    for (const command of ['strategy.add_runtime', 'strategy.change_runtime', 'strategy.remove_runtime', 'strategy.reload_file']) {
      for (const result of ['ok', 'refused']) this.runtimeCounted(command, result, 0);
    }
    const signalsTotal = r.counter('qgtm_signals_total', 'Strategy signals published', ['strategy']);
    const ordersTotal = r.counter('qgtm_orders_total', 'Order updates by status', ['status']);
    const fillsTotal = r.counter('qgtm_fills_total', 'Fills received from the broker', []);
    const tierGauge = r.gauge('qgtm_risk_tier', 'Risk tier: 0 NORMAL, 1 WARN, 2 THROTTLE, 3 NO_NEW, 4 FLATTEN', []);
    const driftGauge = r.gauge('qgtm_reconciliation_drift_ratio', 'Position drift notional over equity at the last reconciliation', []);
    const featuresTotal = r.counter('qgtm_daemon_features_seen_total', 'Feature updates seen by the daemon bridge', []);

    await sub(TOPICS.feed_samples, (s) => {
      v.onSample(s, now());
      featuresTotal.inc(undefined, s.count);
    });
    await sub(TOPICS.feed_status, (m) => v.onFeedStatus(m));
    await sub(TOPICS.md_status, (m) => (v.md = m));
    await sub(TOPICS.macro_status, (m) => this.macro.set(m.source, m));
    await sub(TOPICS.signals, (m) => {
      v.onSignal(m);
      signalsTotal.inc({ strategy: m.strategyId });
    });
    await sub(TOPICS.strategy_status, (m) => {
      v.onStrategyStatus(m);
      bus.publish('strategy_status', m);
    });
    await sub(TOPICS.posture, (m) => {
      v.onPosture(m);
      bus.publish('posture', m);
    });
    const pnlGauge = r.gauge('qgtm_strategy_pnl_dollars', 'P&L attributed to a strategy by the allocator, dollars', ['strategy']);
    const learnedGauge = r.gauge('qgtm_strategy_learned_weight', 'Self-learned weight on a strategy\'s votes (1 neutral)', ['strategy']);
    const hitGauge = r.gauge('qgtm_strategy_hit_rate', 'Share of learning periods with attributed P&L > 0', ['strategy']);
    const frozenGauge = r.gauge('qgtm_learning_frozen', 'Self-learning frozen by the operator (1) or learning (0)', []);
    await sub(TOPICS.learning, (m) => {
      v.onLearning(m);
      frozenGauge.set(undefined, m.frozen ? 1 : 0);
      for (const [id, st] of Object.entries(m.strategies)) {
        pnlGauge.set({ strategy: id }, st.pnl);
        learnedGauge.set({ strategy: id }, st.learnedWeight);
        if (st.hitRate !== null) hitGauge.set({ strategy: id }, st.hitRate);
      }
    });
    await sub(TOPICS.risk, (m) => {
      v.onRisk(m);
      if (m.type === 'risk.state') tierGauge.set(undefined, tierRank(m.tier));
      if (m.type === 'risk.tier_changed') {
        const level = tierRank(m.to) >= tierRank('NO_NEW') ? 'error' : m.kind === 'escalate' ? 'warn' : 'info';
        this.audit.record({ at: m.at, kind: 'risk', level, subject: 'risk', message: `risk tier ${m.from} → ${m.to} (${m.cause.replace('_', ' ')}): ${m.reason}`, detail: { from: m.from, to: m.to, cause: m.cause } });
      }
      // The state too: an operator floor or a trigger shows on a terminal when the governor decides it, not a poll later.
      bus.publish('risk', m);
    });
    await sub(TOPICS.orders, (m) => {
      if (m.type === 'broker.order_update') {
        v.onOrder(m);
        ordersTotal.inc({ status: m.status ?? m.submission });
      }
      bus.publish('orders', m);
    });
    await sub(TOPICS.fills, (m) => {
      v.onFill(m);
      this.performance.onFill(m);
      fillsTotal.inc();
      bus.publish('fills', m);
    });
    await sub(TOPICS.positions, (m) => {
      if (m.type === 'broker.positions') v.onPositions(m);
      else v.onAccount(m);
      bus.publish('positions', m);
    });
    await sub(TOPICS.broker_status, (c) => {
      const was = this.broker?.up;
      this.broker = { up: c.connected && c.ready, detail: c.ready ? `stream ${c.stream}` : (c.reason ?? `not ready (stream ${c.stream})`) };
      if (was !== undefined && was !== this.broker.up) {
        this.audit.record({ at: c.ts, kind: 'broker', level: this.broker.up ? 'info' : 'warn', subject: 'broker', message: this.broker.up ? `broker link up (${this.broker.detail})` : `broker link down: ${this.broker.detail}` });
      }
    });
    let lastPassed: boolean | null = null;
    await sub(TOPICS.reconciled, (m) => {
      v.onReconciled(m);
      driftGauge.set(undefined, m.magnitude);
      // Transitions only: a failing reconciliation every 5 s is one line, and its recovery another.
      if (m.passed !== lastPassed && (lastPassed !== null || !m.passed)) {
        this.audit.record({
          at: m.ts,
          kind: 'reconciliation',
          level: m.passed ? 'info' : 'warn',
          subject: 'broker',
          message: m.passed ? `reconciliation passes again (${m.phase})` : `reconciliation failed (${m.phase}): ${m.items.length} difference(s), drift ${(m.magnitude * 100).toFixed(2)}% of equity`,
          detail: { phase: m.phase, magnitude: m.magnitude, items: m.items.slice(0, 10) },
        });
      }
      lastPassed = m.passed;
    });
    this.offCommands = bus.onCommand(async (cmd) => {
      const ack = await this.command(cmd);
      this.auditCommand(cmd, ack);
      return ack;
    });

    const tickMs = this.opts.tickMs ?? 250;
    this.timers.push(
      setInterval(() => {
        const items = v.takeTicks();
        if (items.length > 0) bus.publish('ticks', { type: 'ticks', at: Date.now(), items });
        const signals = v.takeSignals();
        if (signals.length > 0) bus.publish('signals', { type: 'signals', at: Date.now(), items: signals });
      }, tickMs),
    );
    this.timers.push(setInterval(() => this.putState(), this.opts.stateMs ?? 1000));
    this.timers.push(setInterval(() => void this.refreshLoad(), 2000));
    for (const t of this.timers) t.unref();
  }

  /** Messages received per actor topic since start (what the main thread had to decode). */
  messagesSeen(): Record<string, number> {
    return Object.fromEntries(this.received);
  }

  /** The tree whose reports and view the bridge shows (once it has started). */
  attachTree(tree: SupervisionTree): void {
    this.tree = tree;
    tree.on('report', (report: SupervisorReport) => {
      this.opts.bus.publish('supervisor', { type: 'supervisor.report', report });
      if (!AUDITED_REPORTS.has(report.context)) return;
      const level = report.context === 'child_terminated' ? 'warn' : 'error';
      this.audit.record({ at: report.at, kind: 'supervisor', level, subject: report.supervisor, message: `${report.offender.id} ${report.context.replace(/_/g, ' ')} under ${report.supervisor}: ${report.reason}`, detail: { context: report.context, offender: report.offender.id, incarnation: report.offender.incarnation ?? null } });
    });
    // Workers exist now: their vitals and mailboxes are in the first health section.
    void this.refreshLoad().then(() => this.putState());
  }

  /** Puts every section now (also on a timer). */
  putState(): void {
    const { bus, system } = this.opts;
    const tree = this.tree;
    const v = this.views;
    const now = Date.now();
    const figures = v.tradingFigures();
    this.tradingMetrics?.update(figures, now);
    this.trackPerformance(figures, now);
    // A fill is saved at the next snapshot (a kill -9 loses at most a second of trades); samples every 10 s.
    if (this.performance.fills !== this.perfFillsSaved || now - this.perfSavedAt >= 10_000) this.savePerformance(now);
    try {
      bus.putState('universe', v.universeSection(now));
      bus.putState('strategies', v.strategiesSection());
      bus.putState('forecasts', v.forecastsSection());
      bus.putState('risk', v.riskSection());
      bus.putState('positions', v.positionsSection());
      bus.putState('orders', v.ordersSection());
      bus.putState('fills', v.fillsSection());
      this.putDeadLetters();
      if (this.perfPut !== this.performance.version) {
        this.perfPut = this.performance.version;
        bus.putState('performance', this.performance.section());
      }
      if (this.auditPut !== this.auditVersion) {
        this.auditPut = this.auditVersion;
        bus.putState('audit', { entries: this.audit.recent(AUDIT_SHOWN), kept: this.audit.size, skippedAtLoad: this.audit.skippedAtLoad, writeErrors: this.audit.writeErrors });
      }
      const heartbeats = system.heartbeats();
      const hbGauge = system.registry.gauge('qgtm_worker_heartbeat_age_seconds', 'Age of a worker thread\'s last heartbeat', ['worker'], 'max');
      for (const h of heartbeats) hbGauge.set({ worker: h.placement }, h.ageMs / 1000);
      bus.putState('watchdog', { tree: tree?.view() ?? null, workers: heartbeats, reports: tree?.reports().slice(-50) ?? [], rootFailure: tree?.rootFailure ?? null, cluster: this.opts.cluster?.() ?? null });
      const health = this.health(now);
      bus.putState('health', health);
      bus.publish('health', { type: 'health', ...health });
    } catch (err) {
      system.log.error('state snapshot failed', { error: serializeError(err) });
    }
  }

  /**
   * The dead letters the runtime has recorded (workers ship theirs to the
   * main thread within 20 ms): the counts per actor and reason and the most
   * recent as a section, and each one not yet shown published on
   * `dead_letters`.
   */
  private putDeadLetters(): void {
    const { bus, system } = this.opts;
    const { counts, recent, added } = system.deadLetterLog();
    const news = Math.min(added - this.deadLettersSeen, recent.length, DEAD_LETTERS_SHOWN);
    this.deadLettersSeen = added;
    const fresh = news > 0 ? recent.slice(-news) : [];
    if (fresh.length > 0) bus.publish('dead_letters', { type: 'dead_letters', at: Date.now(), items: fresh });
    const lost = new Map<string, number>();
    for (const d of fresh) {
      if (!isLostWork(d.reason)) continue;
      const key = `${d.actor} ${d.reason.replace(/_/g, ' ')}`;
      lost.set(key, (lost.get(key) ?? 0) + 1);
    }
    if (lost.size > 0) {
      const what = [...lost].map(([k, n]) => `${k} ×${n}`).join(', ');
      this.audit.record({ at: Date.now(), kind: 'dead_letter', level: 'warn', subject: 'runtime', message: `messages lost as dead letters: ${what}`, detail: { counts: Object.fromEntries(lost) } });
    }
    const total = counts.reduce((a, c) => a + c.count, 0);
    bus.putState('dead_letters', { total, counts, recent: recent.slice(-DEAD_LETTERS_SHOWN).reverse() });
  }

  /**
   * The health section: links (venue, market data, broker), degraded
   * conditions, counters, and each worker's and actor's load (refreshed by
   * `refreshLoad` from the control plane every few seconds).
   */
  health(now = Date.now()): Record<string, unknown> {
    const v = this.views;
    const md = v.md;
    const heartbeats = this.opts.system.heartbeats();
    const vitals = new Map(this.load.vitals.map((x) => [x.worker, x]));
    return {
      ...this.opts.describe(),
      at: now,
      startedAt: this.startedAt,
      uptimeMs: now - this.startedAt,
      links: {
        marketData: md ? { up: md.state === 'connected', detail: md.detail ?? md.state } : { up: null, detail: 'no status yet' },
        broker: this.broker ? { up: this.broker.up, detail: this.broker.detail } : { up: null, detail: 'no status yet' },
      },
      marketDataAgeMs: v.marketDataAgeMs(now),
      feeds: v.feedCounts(),
      riskTier: v.tier(),
      counters: { ticks: v.counts.features, signals: v.counts.signals, orders: v.counts.orderUpdates, fills: v.counts.fills },
      workers: heartbeats.map((h) => {
        const x = vitals.get(h.worker);
        return { ...h, heartbeatAgeMs: h.ageMs, eventLoopDelayMs: x?.eventLoopDelayP99Ms ?? null, heapUsedBytes: x?.heapUsedBytes ?? null };
      }),
      actors: this.load.actors,
      degraded: this.degraded(),
    };
  }

  /** Actor mailboxes and worker vitals through the control plane (off the hot path, every few seconds). */
  async refreshLoad(): Promise<void> {
    const { system } = this.opts;
    try {
      const [infos, vitals] = await Promise.all([system.inspect(), system.vitals()]);
      this.load = {
        actors: infos.map((i) => ({ id: i.id, worker: i.worker, state: i.state, incarnation: i.incarnation, mailboxDepth: i.mailboxDepth, mailboxCapacity: i.mailboxCapacity, handled: i.handled })),
        vitals,
      };
    } catch (err) {
      system.log.warn('load refresh failed', { error: serializeError(err) });
    }
  }

  /** Conditions the daemon runs degraded with (also sent in its heartbeat). */
  degraded(): string[] {
    const out = [...this.opts.bus.degraded(), ...(this.opts.staticDegraded ?? [])];
    for (const [source, st] of this.macro) if (!st.ok) out.push(`macro_${source}_unreachable`);
    const md = this.views.md;
    if (md && md.state !== 'connected') out.push(`market_data_${md.state}`);
    if (this.broker && !this.broker.up) out.push('broker_disconnected');
    const feeds = this.views.feedCounts();
    if ((feeds.stale ?? 0) + (feeds.gap ?? 0) > 0 && md?.state === 'connected') out.push('feeds_not_fresh');
    if (this.tree?.rootFailure) out.push('root_supervisor_failed');
    return out;
  }

  /** Routes an operator command to the actor that owns it and turns its reply into an ack. */
  /** Equity, exposure and prices into the performance record (it samples at its own spacing). */
  private trackPerformance(f: ReturnType<OperatorViews['tradingFigures']>, now: number): void {
    const p = this.performance;
    if (f.positions) {
      const fixed = p.alignOnce(now, this.views.heldPositions());
      if (fixed.length > 0) this.opts.system.log.warn('performance lots realigned to the broker\'s positions after a restart', { symbols: fixed });
    }
    const equity = f.account?.equity ?? null;
    if (equity !== null && equity > 0) p.onEquity(now, equity, f.exposure ? f.exposure.gross / equity : null, f.exposure ? f.exposure.net / equity : null);
    p.onPrices(now, this.views.lastPrices());
  }

  /** Counts a durable record read at start or written (the same families the actors' records use). */
  private stateRecord(record: string, what: 'restores' | 'writes', outcome: string, n = 1): void {
    const r = this.opts.system.registry;
    if (what === 'restores') r.counter('qgtm_state_restores_total', 'Durable state records read at start, by record and outcome (none, restored, corrupt)', ['record', 'outcome']).inc({ record, outcome }, n);
    else r.counter('qgtm_state_writes_total', 'Durable state records written, by record and result', ['record', 'result']).inc({ record, result: outcome }, n);
  }

  /** The saved record, or a fresh one (a file that is not one is moved aside, and said so). */
  private loadPerformance(): PerformanceTracker {
    const file = this.opts.performanceFile;
    if (!file || !existsSync(file)) {
      if (file) this.stateRecord('performance', 'restores', 'none');
      return new PerformanceTracker();
    }
    try {
      const p = PerformanceTracker.restore(JSON.parse(readFileSync(file, 'utf8')));
      this.stateRecord('performance', 'restores', 'restored');
      return p;
    } catch (err) {
      this.stateRecord('performance', 'restores', 'corrupt');
      const aside = `${file}.unreadable-${Date.now()}`;
      try {
        renameSync(file, aside);
      } catch {
        // Left where it is; the next save replaces it.
      }
      this.opts.system.log.error('performance record unreadable: starting a new one', { file, movedTo: aside, error: serializeError(err) });
      return new PerformanceTracker();
    }
  }

  /** Writes the record when it changed (write then rename: a crash mid-write leaves the previous one). */
  private savePerformance(now = Date.now()): void {
    const file = this.opts.performanceFile;
    this.perfSavedAt = now;
    this.perfFillsSaved = this.performance.fills;
    if (!file || this.perfSaved === this.performance.version) return;
    try {
      writeFileSync(`${file}.tmp`, JSON.stringify(this.performance.snapshot()));
      renameSync(`${file}.tmp`, file);
      this.perfSaved = this.performance.version;
      this.stateRecord('performance', 'writes', 'ok');
    } catch (err) {
      this.stateRecord('performance', 'writes', 'failed');
      this.opts.system.log.error('performance record not saved', { file, error: serializeError(err) });
    }
  }

  /** One audit line per command: who, what, why, and whether the daemon did it. */
  private auditCommand(cmd: OperatorCommand, ack: CommandAck): AuditEntry {
    const { id: _id, by, at: _at, type, ...fields } = cmd as OperatorCommand & Record<string, unknown>;
    const reason = typeof fields.reason === 'string' ? fields.reason : null;
    const target = typeof fields.strategyId === 'string' ? ` ${fields.strategyId}` : typeof fields.tier === 'string' ? ` ${fields.tier}` : '';
    const outcome = ack.ok ? 'done' : `refused: ${ack.error?.message ?? ack.error?.code ?? 'no reason given'}`;
    return this.audit.record({
      at: Date.now(),
      kind: 'command',
      level: ack.ok ? 'info' : 'warn',
      by,
      subject: type,
      message: `${type}${target}${reason ? ` ("${reason}")` : ''}: ${outcome}`,
      detail: { id: cmd.id, fields, ok: ack.ok, ...(ack.error ? { error: ack.error } : {}) },
    });
  }

  async command(cmd: OperatorCommand): Promise<CommandAck> {
    const { system } = this.opts;
    const timeoutMs = this.opts.commandTimeoutMs ?? 3000;
    try {
      const risk = toRiskCommandMsg(cmd);
      if (risk) {
        const reply = await system.ask<RiskCommandResultMsg>('risk', risk, { timeoutMs });
        if (!reply.ok) return errorAck(cmd.id, 'QGTM_ERR_RISK_COMMAND', reply.error ?? 'refused by the risk governor');
        return { id: cmd.id, ok: true, result: { tier: reply.tier, floor: reply.floor, latched: reply.latched, at: reply.at } };
      }
      const strat = toStrategyCommandMsg(cmd);
      if (strat) {
        const shard = this.runtime.shardOf(strat.strategyId);
        if (shard < 0) return errorAck(cmd.id, 'QGTM_ERR_UNKNOWN_STRATEGY', `no strategy ${strat.strategyId} in the catalog or the runtime entries`);
        const reply = await system.ask<StrategyCommandResultMsg>(`strategy:${shard}`, strat, { timeoutMs });
        if (!reply.ok) return errorAck(cmd.id, reply.code ?? 'QGTM_ERR_STRATEGY_COMMAND', reply.message);
        return { id: cmd.id, ok: true, result: reply };
      }
      const rt = asRuntimeCommand(cmd);
      if (rt) return await this.runtimeCommand(rt, timeoutMs);
      const learning = toLearningCommandMsg(cmd);
      if (learning) {
        const reply = await system.ask<AllocatorLearningResultMsg>('allocator', learning, { timeoutMs });
        this.views.onLearning(reply.state);
        if (!reply.ok) return errorAck(cmd.id, 'QGTM_ERR_LEARNING_COMMAND', reply.error ?? 'refused by the allocator');
        return { id: cmd.id, ok: true, result: { frozen: reply.state.frozen, weights: learnedWeights(reply.state) } };
      }
      return errorAck(cmd.id, 'QGTM_ERR_UNKNOWN_COMMAND', `unknown command ${(cmd as { type: string }).type}`);
    } catch (err) {
      const e = serializeError(err);
      return errorAck(cmd.id, e.code, e.message);
    }
  }

  /**
   * Adds, changes or removes a runtime entry: validated and recorded first
   * (the shards read the record at their next start), then applied by the
   * shard that runs it; a remove may move one entry between shards to keep
   * them balanced. A shard that does not answer leaves the record in force.
   */
  private async runtimeCommand(cmd: RuntimeStrategyCommand, timeoutMs: number): Promise<CommandAck> {
    const rt = this.runtime;
    if (cmd.type === 'strategy.reload_file') return this.reloadFile(cmd.by, cmd.at, timeoutMs, cmd.id);
    const origin = { source: 'api' as const, by: cmd.by, at: cmd.at };
    const change =
      cmd.type === 'strategy.add_runtime' ? rt.add(cmd.spec, origin) : cmd.type === 'strategy.change_runtime' ? rt.change(cmd.strategyId, cmd.patch, origin) : rt.remove(cmd.strategyId, cmd.at);
    if (!change.ok) {
      this.runtimeCounted(cmd.type, 'refused');
      return errorAck(cmd.id, change.code, change.message);
    }
    const steps: RuntimeStep[] =
      cmd.type === 'strategy.add_runtime'
        ? [{ add: change.entry }]
        : cmd.type === 'strategy.change_runtime'
          ? [{ remove: change.previous ?? change.entry, reason: 'changed', keep: true }, { add: change.entry }]
          : [{ remove: change.entry, reason: cmd.reason, keep: false }];
    const ack = await this.applyRuntime(cmd.id, cmd.type, cmd.by, cmd.at, steps, cmd.type === 'strategy.remove_runtime', timeoutMs);
    return ack.ok ? { ...ack, result: { entry: change.entry, ...(ack.result as object) } } : ack;
  }

  /**
   * Reads the strategies file (config `strategies.file`) and makes the
   * file's entries run as it says; a file that is missing, not JSON or has a
   * bad entry is refused whole with the reasons and nothing changes. Called
   * on SIGHUP and by the `strategy.reload_file` command.
   */
  async reloadFile(by: string, at = Date.now(), timeoutMs = this.opts.commandTimeoutMs ?? 3000, id = `reload-${at}`): Promise<CommandAck> {
    const path = this.opts.strategiesFile;
    if (!path) {
      this.runtimeCounted('strategy.reload_file', 'refused');
      return errorAck(id, 'QGTM_ERR_NO_STRATEGIES_FILE', 'no strategies file is configured (strategies.file / QGTM_STRATEGIES_FILE)');
    }
    const read = readStrategiesFile(path);
    const sync = read.ok ? this.runtime.syncFile(read.value, by, at) : { ok: false as const, code: 'QGTM_ERR_INVALID_STRATEGIES_FILE', message: read.message, violations: [read.message] };
    if (!sync.ok) {
      this.runtimeCounted('strategy.reload_file', 'refused');
      return errorAck(id, sync.code, `strategies file ${path} refused, nothing changed: ${sync.message}`);
    }
    const steps: RuntimeStep[] = [
      ...sync.removed.map((e) => ({ remove: e, reason: 'removed from the strategies file', keep: false })),
      ...sync.changed.flatMap((c) => [{ remove: c.previous, reason: 'changed in the strategies file', keep: true }, { add: c.entry }]),
      ...sync.added.map((e) => ({ add: e })),
    ];
    const ack = await this.applyRuntime(id, 'strategy.reload_file', by, at, steps, sync.removed.length > 0, timeoutMs);
    const summary = { added: sync.added.map((e) => e.id), changed: sync.changed.map((c) => c.entry.id), removed: sync.removed.map((e) => e.id) };
    return ack.ok ? { ...ack, result: { ...summary, ...(ack.result as object) } } : ack;
  }

  /** Asks the shards to apply recorded runtime changes in order (then rebalances once after removes) and turns their answers into an ack. */
  private async applyRuntime(id: string, type: string, by: string, at: number, steps: RuntimeStep[], rebalance: boolean, timeoutMs: number): Promise<CommandAck> {
    const { system } = this.opts;
    system.registry.gauge('qgtm_runtime_strategies', 'Runtime strategy entries recorded', []).set(undefined, this.runtime.list().length);
    const ask = (msg: Record<string, unknown>, shard: number): Promise<StrategyCommandResultMsg> =>
      system.ask<StrategyCommandResultMsg>(`strategy:${shard}`, { ...msg, requestedBy: by, ts: at } as never, { timeoutMs });
    const run = (st: RuntimeStep): Promise<StrategyCommandResultMsg> =>
      'add' in st
        ? ask({ type: 'strategy.add_runtime', entry: st.add }, st.add.shard)
        : ask({ type: 'strategy.remove_runtime', strategyId: st.remove.id, reason: st.reason, keepDecision: st.keep }, st.remove.shard);
    const done: StrategyCommandResultMsg[] = [];
    let current: RuntimeStep | undefined;
    try {
      for (current of steps) done.push(await run(current));
      // After removes, at most a few moves bring the shards back within one of each other.
      for (let move = rebalance ? this.runtime.rebalance(at) : null; move; move = this.runtime.rebalance(at)) {
        current = { remove: move.from, reason: `rebalanced to shard ${move.to.shard}`, keep: true };
        done.push(await run(current));
        current = { add: move.to };
        done.push(await run(current));
      }
    } catch (err) {
      this.runtimeCounted(type, 'unconfirmed');
      const shard = current ? ('add' in current ? current.add.shard : current.remove.shard) : -1;
      return errorAck(id, 'QGTM_ERR_RUNTIME_UNCONFIRMED', `recorded, but shard ${shard} did not confirm (${serializeError(err).message}); it runs the recorded set at its next start`);
    }
    const failed = done.find((r) => !r.ok);
    this.runtimeCounted(type, failed ? 'shard_refused' : 'ok');
    if (failed) return errorAck(id, failed.code ?? 'QGTM_ERR_STRATEGY_COMMAND', `recorded, but shard ${failed.shard} refused: ${failed.message}`);
    return { id, ok: true, result: { steps: done.map((r) => ({ command: r.command, strategyId: r.strategyId, shard: r.shard, message: r.message })) } };
  }

  private runtimeCounted(command: string, result: string, n = 1): void {
    this.opts.system.registry.counter('qgtm_runtime_strategy_commands_total', 'Runtime strategy commands, by command and result', ['command', 'result']).inc({ command, result }, n);
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.savePerformance();
    this.offCommands?.();
    for (const off of this.unsubscribes.splice(0)) await off().catch(() => undefined);
  }
}
