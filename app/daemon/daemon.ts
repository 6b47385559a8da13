/**
 * The daemon: the actor system, the supervision tree with every trading
 * actor (market data, strategies, execution), and the bridge that shows it
 * to the operator through the state bus. The same function serves
 * `qgtm start` (in-memory bus, local venue in-process) and `qgtm daemon`
 * (Redis bus, its own /metrics, systemd notifications).
 */
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { MARKET_DATA_STRUCTURES } from '../../actors/market-data/structures.js';
import { exitOnRootFailure, type SupervisionTree } from '../../supervisor/index.js';
import type { DaemonSide } from '../bus/bus.js';
import { startHeartbeat } from '../bus/bus.js';
import type { AlpacaConnection } from '../../src/alpaca/index.js';
import type { QgtmConfig } from '../config/schema.js';
import { redactConfig } from '../config/load.js';
import { allocatorArgs, riskArgs, strategyOverrides } from '../config/trading.js';
import { decisionWorkers, startTrading, TRADING_STRUCTURES } from './index.js';
import { ActorSystem, type Logger } from '../../src/runtime/index.js';
import { universe } from '../../src/universe/index.js';
import { unfedInputs } from '../catalog.js';
import { DaemonBridge } from './bridge.js';
import { AuditLog } from './audit.js';
import { serializeError } from '../../src/errors.js';
import { applyStrategiesFileAtStart, loadRuntimeStrategies } from './runtime-strategies.js';
import { macroPlan } from './macro-sources.js';
import { closeInOrder } from '../shutdown.js';
import { startMirror, takeNewer } from './state-mirror.js';
import { VERSION } from '../../src/version.js';
import { ClusterView } from '../cluster/view.js';
import { clusterPrefix } from '../cluster/wire.js';

export interface DaemonOptions {
  readonly config: QgtmConfig;
  readonly bus: DaemonSide;
  readonly connection: AlpacaConnection;
  /** Sub-folder of `daemon.journalDir` for this venue's journal (see VenueLink.journalScope). */
  readonly journalScope?: string;
  readonly log: Logger;
  /** Where each option's value came from (LoadedConfig.sources), shown beside it by GET /api/v1/config. */
  readonly sources?: Readonly<Record<string, string>>;
  /** When the root supervisor gives up: exit the process (default), or a test's handler. */
  readonly onRootFailure?: 'exit' | ((tree: SupervisionTree) => void);
  /** Extra facts for the health section. */
  readonly describe?: () => Record<string, unknown>;
  /** Allow fault injection through the control plane (tests, chaos runs). */
  readonly faults?: boolean;
}

export interface DaemonHandle {
  readonly system: ActorSystem;
  readonly tree: SupervisionTree;
  readonly bridge: DaemonBridge;
  /** Stops the tree (children in reverse start order), then the actor system. */
  close(): Promise<void>;
}


export async function startDaemon(options: DaemonOptions): Promise<DaemonHandle> {
  const { config, bus, log } = options;
  const connection = withRateBudget(options.connection, config.venue);
  const shards = config.strategies.shards;
  const journalDir = resolve(config.daemon.journalDir, options.journalScope ?? '');
  mkdirSync(journalDir, { recursive: true });
  // Beside the broker's journal: the operator's decisions belong to the account the journal does.
  const stateDir = join(journalDir, 'state');
  // Split mode: the newer of each record on disk and in Redis, before any actor reads it.
  const fromMirror = await takeNewer(stateDir, bus, log);
  if (options.journalScope) pruneScopes(resolve(config.daemon.journalDir), options.journalScope, log);
  const system = await ActorSystem.start({
    structures: [...MARKET_DATA_STRUCTURES, ...TRADING_STRUCTURES],
    logLevel: config.log.level,
    faults: options.faults ?? false,
    ...(config.daemon.hotPathSpinUs > 0 ? { hotPath: { workers: decisionWorkers(shards, config.daemon.placement), spinUs: config.daemon.hotPathSpinUs } } : {}),
  });
  const symbols = universe(config.universe.focus).map((i) => i.symbol);
  // Feeds start warm from the venue's recent bars, so strategies speak within seconds of a start.
  const macro = macroPlan(config, connection);
  // A refused stream login is retried slowly rather than never: a venue refuses logins during its
  // own outages too, and a daemon that waits for an operator restart after one trades on stale data.
  const md = { reconnect: { authRetryMs: config.feeds.authRetryMs } };
  const backfill = config.feeds.backfillBars > 0 ? { bars: config.feeds.backfillBars } : (false as const);
  const marketData = { conn: connection, symbols, md, feed: { backfill, sampleMs: config.feeds.sampleMs }, macro: macro.macro };
  const version = VERSION;
  const trading = tradingLabel(connection);
  const runtime = loadRuntimeStrategies({ shardCount: shards, universe: symbols, stateDir }, log);
  // The strategies file's entries are recorded before any shard starts: each reads them at its start.
  if (config.strategies.file) applyStrategiesFileAtStart(runtime, config.strategies.file, log);
  // The operator's audit trail persists beside the journal: commands and what happened, read back at every start.
  const audit = new AuditLog({ dir: journalDir, onWriteError: (err) => log.error('audit trail not written', { error: serializeError(err) }) });
  audit.record({ at: Date.now(), kind: 'daemon', level: 'info', subject: 'daemon', message: `daemon started (version ${version}, pid ${process.pid}, ${trading.mode.toLowerCase()} on ${connection.venue})` });
  // Cluster mode: the strategy slots run on `qgtm node` processes (issue 16); here each is a remote-shard actor.
  const cluster = config.cluster.enabled && config.redis.url ? { redisUrl: config.redis.url, prefix: clusterPrefix(config.redis.prefix), leaseMs: config.cluster.leaseMs } : null;
  const clusterView = cluster ? new ClusterView(cluster.redisUrl, cluster.prefix, shards, cluster.leaseMs) : null;
  clusterView?.start();
  const bridge = new DaemonBridge({
    cluster: clusterView ? () => clusterView.snapshot() : undefined,
    audit,
    performanceFile: join(journalDir, 'performance.json'),
    system,
    bus,
    focus: config.universe.focus,
    shardCount: shards,
    runtime,
    strategiesFile: config.strategies.file,
    staticDegraded: macro.degraded,
    describe: () => ({
      daemon: { pid: process.pid, version },
      trading,
      venue: { mode: connection.venue, tradingMode: trading.mode, rest: connection.restBaseUrl, data: connection.dataStreamUrl },
      ...options.describe?.(),
    }),
  });
  // Subscribed before the tree starts, so no actor's first status is missed.
  await bridge.start();
  // The configuration this daemon runs, for GET /api/v1/config (the API process may hold another):
  // put once, it never changes while the daemon runs; the bus keeps it and resends it after a reconnect.
  bus.putState('config', { config: redactConfig(config), sources: options.sources ?? null });
  let tree: SupervisionTree;
  try {
    tree = await startTrading(system, {
      connection,
      journalDir,
      stateDir,
      shards,
      marketData,
      strategy: { paramOverrides: strategyOverrides(config.strategies), disabled: config.strategies.disabled },
      placement: config.daemon.placement,
      heap: { strategyMb: config.daemon.strategyHeapMb, workerMb: config.daemon.workerHeapMb },
      allocator: allocatorArgs(config.allocator),
      risk: riskArgs(config.risk),
      ...(cluster ? { remote: cluster } : {}),
    });
  } catch (err) {
    clusterView?.close();
    await bridge.stop();
    await system.shutdown();
    throw err;
  }
  bridge.attachTree(tree);
  const stopMirror = startMirror(stateDir, bus);
  const startedAt = Date.now();
  const stopBeat = startHeartbeat(
    bus,
    () => ({ pid: process.pid, startedAt, version, degraded: bridge.degraded(), status: `tier ${bridge.views.tier() ?? '?'}` }),
    Math.max(100, Math.floor(config.daemon.heartbeatTtlMs / 3)),
  );
  if ((options.onRootFailure ?? 'exit') === 'exit') {
    exitOnRootFailure(tree, system, { beforeExit: () => bridge.putState() });
  } else if (typeof options.onRootFailure === 'function') {
    const handler = options.onRootFailure;
    tree.once('root_failed', () => handler(tree));
  }
  // SIGHUP reloads the strategies file (the running set changes without a restart).
  const onHup = (): void => {
    void bridge.reloadFile('SIGHUP').then((ack) =>
      ack.ok ? log.info('strategies file reloaded', { result: ack.result as Record<string, unknown> }) : log.error('strategies file reload refused', { error: ack.error }),
    );
  };
  process.on('SIGHUP', onHup);
  const unfed = unfedInputs(symbols, config.strategies.disabled);
  if (unfed.length > 0) {
    log.warn('catalog entries read symbols this universe does not feed: they hold no signal (universe.focus=broad feeds them, or disable them)', {
      focus: config.universe.focus,
      entries: unfed.map((u) => `${u.id} (${u.missing.join(', ')})`).join('; '),
    });
  }
  log.info('daemon started', { venue: connection.venue, instruments: symbols.length, shards, journalDir, stateDir, fromMirror, placement: config.daemon.placement, cluster: cluster ? `slots on nodes (${cluster.prefix}, lease ${cluster.leaseMs} ms)` : 'off' });
  let closed = false;
  return {
    system,
    tree,
    bridge,
    async close() {
      if (closed) return;
      closed = true;
      process.off('SIGHUP', onHup);
      // The tree stops its children in reverse start order (market data, strategies, then execution:
      // allocator, risk, the broker last) and the supervisor logs each child it stops.
      await closeInOrder(
        log,
        [
          { name: 'heartbeat', close: () => stopBeat() },
          { name: 'bridge', close: () => bridge.stop() },
          ...(clusterView ? [{ name: 'cluster view', close: () => clusterView.close() }] : []),
          { name: 'trading tree', close: () => tree.stop() },
          // After the tree: what the actors wrote while stopping is mirrored too.
          { name: 'state mirror', close: () => stopMirror() },
          { name: 'actor system', close: () => system.shutdown() },
        ],
        null,
      );
    },
  };
}

/** The connection whose clients (every actor's) count in a request budget of the configured limit and shares. */
export function withRateBudget(connection: AlpacaConnection, venue: QgtmConfig['venue']): AlpacaConnection {
  const limit = venue.rateLimitPerMinute;
  return {
    ...connection,
    rateBudget: { limitPerMinute: limit, bulkPerMinute: Math.max(1, Math.floor(limit * venue.rateBulkShare)), reserve: Math.floor(limit * venue.rateReserveShare) },
  };
}

/**
 * What every surface says about money: PAPER or LIVE, and on which venue
 * (the start banner, /api/v1/health, the terminal header, the heartbeat).
 */
export function tradingLabel(connection: AlpacaConnection): { readonly mode: 'PAPER' | 'LIVE'; readonly venue: string } {
  const mode = connection.tradingMode ?? 'PAPER';
  const venue = connection.venue === 'local' ? 'local paper venue' : mode === 'LIVE' ? 'Alpaca live' : 'Alpaca paper';
  return { mode, venue };
}

/** Journals of earlier (replaced) in-process venue accounts are kept for inspection, the most recently used few only. */
const KEEP_LOCAL_JOURNALS = 5;

function pruneScopes(root: string, current: string, log: Logger): void {
  const mtime = (d: string): number => {
    try {
      return statSync(join(root, d)).mtimeMs;
    } catch {
      return 0;
    }
  };
  const old = readdirSync(root)
    .filter((d) => d.startsWith('local-') && d !== current)
    .map((d) => ({ d, t: mtime(d) }))
    .sort((a, b) => b.t - a.t)
    .map((x) => x.d)
    .slice(KEEP_LOCAL_JOURNALS - 1);
  for (const d of old) {
    try {
      rmSync(join(root, d), { recursive: true, force: true });
    } catch (err) {
      log.warn('could not remove an old journal', { dir: d, error: err as Error });
    }
  }
}
