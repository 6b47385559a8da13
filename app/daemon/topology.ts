/**
 * The trading supervision tree.
 *
 * ```
 * trading (one_for_one, 3 restarts / 60 s)
 * ├── execution (rest_for_one, 5 / 60 s)   started first, stopped last
 * │   ├── broker        worker "broker"
 * │   ├── risk          worker "trading"
 * │   └── allocator     worker "trading"
 * ├── strategies (one_for_one, 10 / 60 s)
 * │   └── strategy:0 .. strategy:<n-1>      worker "strategies"
 * └── market-data (one_for_one, 10 / 60 s: feeds, the md session, macro sources; `market-data-specs.ts`)
 * ```
 *
 * Why this shape:
 * - Start order is consumers before producers: the execution subtree is up
 *   (and the broker reconciling) before any strategy can signal, and the
 *   strategies before any tick flows. Stop order is the reverse, so ticks
 *   stop first and the broker session closes its journal last.
 * - `execution` is rest_for_one in the order broker, risk, allocator: each
 *   later actor holds a view derived from the earlier ones (risk: working
 *   orders, positions and the broker link; the allocator: the book). When the
 *   broker session dies that view is suspect, so risk and the allocator are
 *   restarted too (from their snapshots: the tier, equity marks and posture
 *   sequence survive) and rebuild it from the broker's start-up publication.
 *   A risk crash restarts the allocator (whose last intents went nowhere); an
 *   allocator crash restarts only the allocator.
 * - `strategies` is one_for_one: shards share nothing; a broken shard must
 *   not reset the others' bar histories. Its intensity is higher because a
 *   shard restart is cheap and warm (snapshot).
 * - The root is one_for_one with a low intensity: a subtree that keeps
 *   failing escalates, and the daemon exits non-zero for systemd to restart.
 * - Placement (a worker thread is a placement group; supervision is not
 *   affected by it). Strategy code is the code most likely to misbehave (an
 *   endless loop, a runaway allocation), so by default (`split`) the risk
 *   governor and the broker session never share a worker with it: the
 *   shards run in the worker "strategies", risk and the allocator in
 *   "trading", the broker alone in "broker". A shard that hangs its thread
 *   then stalls only the shards until the hang detector kills the worker;
 *   risk keeps answering, keeps its stale-data and heartbeat triggers
 *   running, and can flatten. The broker is alone because it fsyncs its
 *   journal before every order and talks to the network: nothing on the
 *   decision path may wait behind that. `compact` (opt-in: `daemon.placement`,
 *   QGTM_PLACEMENT, --placement) puts the shards, the allocator and risk in
 *   one worker "trading": one thread hop fewer on the decision path (about
 *   200 µs p50 in bench/tick-to-intent once the receiving thread has gone
 *   idle between ticks), at the price that a hung or memory-blown strategy
 *   takes risk and the allocator down with it until the hang detector acts
 *   and both supervisors restart their actors. `isolated` gives every actor
 *   its own worker. The market-data session and feeds (whose specs
 *   `market-data-specs.ts` builds) share one more worker, the macro sources another.
 * - Every worker has a V8 heap cap (`limits.maxOldGenerationSizeMb`): a
 *   runaway allocation ends that worker with `oom` (its supervisor restarts
 *   its actors) instead of the whole process. A worker that runs strategy
 *   code gets `heap.strategyMb` (default 768: bar histories of every
 *   instrument), every other worker `heap.workerMb` (default 512; the
 *   journal, order book and features are far smaller). Both are
 *   configurable (`daemon.strategyHeapMb`, `daemon.workerHeapMb`).
 * - Mailboxes refuse past a large bound (senders are told) rather than
 *   conflate: the runtime conflates on message type plus one field, and for
 *   a shard `symbol` would squash a burst of closed bars of one instrument
 *   (history it needs) as readily as stale features; for risk and the
 *   allocator it would let one order's update or one strategy's signal
 *   replace another's. A per-type conflation option in the runtime would let
 *   shards conflate features only.
 * - Shutdown: the broker gets 5 s (an in-flight POST result is worth
 *   journaling), the others 2 s.
 */
import type { AlpacaConnection } from '../../src/alpaca/index.js';
import type { ActorSpec, ActorSystem, WorkerLimits } from '../../src/runtime/index.js';
import { DEFAULT_HEAP, DEFAULT_PLACEMENT, placementFor, type HeapLimits, type PlacementMode } from './placement.js';
import { marketDataSpecs, type MarketDataSpecOptions } from './market-data-specs.js';
import { SupervisionTree, type ChildSpec, type SupervisorSpec, type TreeOptions } from '../../supervisor/index.js';
import type { AllocatorArgs } from '../../actors/allocator/actor.js';
import { ALLOCATOR_TOPICS } from '../../actors/allocator/actor.js';
import type { BrokerArgs } from '../../actors/broker/args.js';
import type { RiskArgs } from '../../actors/risk/actor.js';
import { RISK_TOPICS } from '../../actors/risk/actor.js';
import { STRATEGY_TOPICS, type StrategyShardArgs } from '../../actors/strategy/actor.js';
import { CATALOG, shardOf } from '../../actors/strategy/registry.js';
import type { RemoteShardArgs } from '../cluster/remote-shard.js';

export interface TradingConfig {
  /** Where the broker session connects (see resolveAlpacaConnection). */
  readonly connection: AlpacaConnection;
  /** The broker session's journal directory. */
  readonly journalDir: string;
  /**
   * Where the risk governor, the strategy shards and the allocator keep what
   * must survive a restart (tier, latch, floor, enables, weights, posture).
   * Unset: nothing is kept (tests that want a cold start).
   */
  readonly stateDir?: string;
  /** Strategy shards. Default 2. */
  readonly shards?: number;
  /** Shard settings shared by every shard (per-strategy parameter overrides, status period, ...). */
  readonly strategy?: Omit<StrategyShardArgs, 'shard' | 'shardCount'>;
  readonly allocator?: AllocatorArgs;
  /** Risk settings; the shards are its heartbeat sources unless `heartbeatSources` says otherwise. */
  readonly risk?: RiskArgs;
  readonly broker?: Omit<BrokerArgs, 'connection' | 'journalDir'>;
  /**
   * The market-data subtree: the session, feeds and macro sources built from
   * `MarketDataSpecOptions` (what the daemon runs); or a supervisor spec as
   * is, or child specs put under a one_for_one `market-data` supervisor
   * (tests put a synthetic source, `actors/replay`, here). Omitted: no
   * market data.
   */
  readonly marketData?: MarketDataSpecOptions | SupervisorSpec | readonly ChildSpec[];
  /** How often shards ship a snapshot (bar history included) to the main thread, ms. Default 5000. */
  readonly shardSnapshotEveryMs?: number;
  /**
   * 'split' (default: shards in a worker of their own, risk and the allocator in another, the
   * broker alone), 'compact' (shards, risk and the allocator share one worker: a hop fewer, no
   * isolation from strategy code) or 'isolated' (one worker per actor).
   */
  readonly placement?: PlacementMode;
  /** V8 heap caps (MB) of the workers; see HeapLimits. */
  readonly heap?: HeapLimits;
  /**
   * Cluster mode (issue 16): the shards run on node processes; here each
   * slot is a `remote-shard` actor under the shard's id. Unset: the shards
   * run in this process.
   */
  readonly remote?: Omit<RemoteShardArgs, 'shard' | 'shardCount'>;
}

const actorUrl = (folder: string): string => new URL(`../../actors/${folder}/actor.js`, import.meta.url).href;

/**
 * A strategy shard as a supervised child: the daemon's shards, and a
 * cluster node's (one per slot it owns, `app/cluster/node.ts`).
 */
export function shardChild(args: StrategyShardArgs, where: { placement: string; limits: WorkerLimits }, snapshotEveryMs = 5000): ChildSpec {
  return {
    type: 'worker',
    start: {
      id: `strategy:${args.shard}`,
      module: actorUrl('strategy'),
      args,
      ...where,
      mailbox: { capacity: 20_000, overflow: 'reject' },
      subscribe: STRATEGY_TOPICS,
      snapshot: { everyMs: snapshotEveryMs },
    },
    restart: 'permanent',
    shutdown: 2000,
  };
}

/**
 * A strategy slot that runs on a cluster node, seen from the coordinator:
 * `app/cluster/remote-shard.ts` under the shard's own id, in the worker
 * "cluster" (it runs no strategy code; it moves messages to and from Redis).
 */
function remoteShardChild(args: RemoteShardArgs, limits: WorkerLimits): ChildSpec {
  return {
    type: 'worker',
    start: {
      id: `strategy:${args.shard}`,
      module: new URL('../cluster/remote-shard.js', import.meta.url).href,
      args,
      placement: 'cluster',
      limits,
      mailbox: { capacity: 20_000, overflow: 'reject' },
      subscribe: STRATEGY_TOPICS,
    },
    restart: 'permanent',
    shutdown: 2000,
  };
}

/** The actor id of the shard that runs `strategyId`, or undefined when no shard does. */
export function strategyActorFor(strategyId: string, shards = 2): string | undefined {
  const k = shardOf(strategyId, CATALOG, shards);
  return k < 0 ? undefined : `strategy:${k}`;
}

export function shardIds(shards: number): string[] {
  return Array.from({ length: shards }, (_, k) => `strategy:${k}`);
}

function isMarketDataOptions(md: TradingConfig['marketData']): md is MarketDataSpecOptions {
  return md !== undefined && !Array.isArray(md) && 'symbols' in (md as object);
}

/**
 * The placement groups (workers) on the decision path, tick to intent: the
 * strategy shards', risk's, the allocator's and the broker's. The opt-in hot
 * path (`daemon.hotPathSpinUs`) gives these workers rings and a spin.
 */
export function decisionWorkers(shards: number, mode: PlacementMode = DEFAULT_PLACEMENT): string[] {
  return [...new Set([...shardIds(shards), 'allocator', 'risk', 'broker'].map((id) => placementFor(id, mode)))];
}

/** The market-data session, feeds and macro sources as permanent children, in start order. */
export function marketDataChildren(options: MarketDataSpecOptions): ChildSpec[] {
  return marketDataSpecs(options).map((start) => ({ type: 'worker', start, restart: 'permanent', shutdown: 2000 }));
}

/** The trading tree for `config` (validated when the tree starts). */
export function tradingTree(config: TradingConfig): SupervisorSpec {
  const shards = config.shards ?? 2;
  const mode = config.placement ?? DEFAULT_PLACEMENT;
  const place = (id: string): string => placementFor(id, mode);
  // A worker's limits are taken from the first actor placed in it, so every actor of a worker carries the same.
  const strategyWorkers = new Set(shardIds(shards).map(place));
  const heap = { strategyMb: config.heap?.strategyMb ?? DEFAULT_HEAP.strategyMb, workerMb: config.heap?.workerMb ?? DEFAULT_HEAP.workerMb };
  const limitsOf = (worker: string): WorkerLimits => ({
    maxOldGenerationSizeMb: strategyWorkers.has(worker) ? Math.max(heap.strategyMb, heap.workerMb) : heap.workerMb,
  });
  const placed = (id: string): { placement: string; limits: WorkerLimits } => ({ placement: place(id), limits: limitsOf(place(id)) });

  const broker: ActorSpec<BrokerArgs> = {
    id: 'broker',
    module: actorUrl('broker'),
    args: { ...config.broker, connection: config.connection, journalDir: config.journalDir },
    ...placed('broker'),
    mailbox: { capacity: 10_000, overflow: 'reject' },
    restartBuffer: 10_000,
  };
  const risk: ActorSpec<RiskArgs> = {
    id: 'risk',
    module: actorUrl('risk'),
    args: { heartbeatSources: shardIds(shards), ...(config.stateDir ? { stateDir: config.stateDir } : {}), ...config.risk },
    ...placed('risk'),
    mailbox: { capacity: 50_000, overflow: 'reject' },
    // A review's approvals leave for the broker together as soon as the review ends, not at the
    // end of the risk governor's turn, nor one postMessage each (the broker would be woken once
    // per approval, and on a small machine each wake can pre-empt the rest of the review).
    flush: 'message',
    subscribe: RISK_TOPICS,
    snapshot: { everyMs: 1000 },
  };
  const allocator: ActorSpec<AllocatorArgs> = {
    id: 'allocator',
    module: actorUrl('allocator'),
    args: { ...(config.stateDir ? { stateDir: config.stateDir } : {}), ...config.allocator },
    ...placed('allocator'),
    mailbox: { capacity: 50_000, overflow: 'reject' },
    subscribe: ALLOCATOR_TOPICS,
    snapshot: { everyMs: 1000 },
  };
  const shardSpecs: ChildSpec[] = shardIds(shards).map((id, k) =>
    config.remote
      ? remoteShardChild({ ...config.remote, shard: k, shardCount: shards }, limitsOf('cluster'))
      : shardChild({ ...(config.stateDir ? { stateDir: config.stateDir } : {}), ...config.strategy, shard: k, shardCount: shards }, placed(id), config.shardSnapshotEveryMs),
  );

  const children: ChildSpec[] = [
    {
      type: 'supervisor',
      start: {
        id: 'execution',
        strategy: 'rest_for_one',
        intensity: 5,
        periodMs: 60_000,
        backoff: { minMs: 100, maxMs: 5000 },
        children: [
          { type: 'worker', start: broker, restart: 'permanent', shutdown: 5000 },
          { type: 'worker', start: risk, restart: 'permanent', shutdown: 2000 },
          { type: 'worker', start: allocator, restart: 'permanent', shutdown: 2000 },
        ],
      },
    },
    {
      type: 'supervisor',
      start: { id: 'strategies', strategy: 'one_for_one', intensity: 10, periodMs: 60_000, backoff: { minMs: 50, maxMs: 5000 }, children: shardSpecs },
    },
  ];
  const md = isMarketDataOptions(config.marketData) ? marketDataChildren(config.marketData) : config.marketData;
  if (md && !Array.isArray(md)) children.push({ type: 'supervisor', start: md as SupervisorSpec });
  else if (md && (md as readonly ChildSpec[]).length > 0) {
    // Market-data workers get the general heap cap unless their spec brings its own.
    const capped = (md as readonly ChildSpec[]).map((c): ChildSpec =>
      c.type === 'worker' && c.start.limits === undefined ? { ...c, start: { ...c.start, limits: { maxOldGenerationSizeMb: heap.workerMb } } } : c,
    );
    children.push({ type: 'supervisor', start: { id: 'market-data', strategy: 'one_for_one', intensity: 10, periodMs: 60_000, children: capped } });
  }
  return { id: 'trading', strategy: 'one_for_one', intensity: 3, periodMs: 60_000, children };
}

/**
 * Starts the trading tree on `system` (which must have been started with
 * TRADING_STRUCTURES among its structures) and resolves once every actor's
 * `init` has run. The daemon:
 *
 * ```ts
 * const system = await ActorSystem.start({ structures: [...FEED_STRUCTURES, ...TRADING_STRUCTURES] });
 * const tree = await startTrading(system, { connection, journalDir, marketData: marketDataSpecs(...) });
 * tree.on('root_failed', () => process.exit(1));   // systemd restarts the daemon
 * // on SIGTERM: await tree.stop(); await system.shutdown();
 * ```
 *
 * Trading starts by itself once the broker's start-up reconciliation passes
 * (it publishes `broker.connection` with `ready: true`; the risk governor arms
 * on it). Tests use the same call with a tick source as `marketData`.
 */
export async function startTrading(system: ActorSystem, config: TradingConfig, options: TreeOptions = {}): Promise<SupervisionTree> {
  const tree = new SupervisionTree(system, tradingTree(config), options);
  await tree.start();
  return tree;
}
