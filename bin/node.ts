/**
 * `qgtm node`: a cluster node (issue 16, docs/cluster.md). Runs the strategy
 * shards of the slots it owns for a coordinator (`qgtm daemon --cluster`),
 * over Redis Streams; any number of them, on this host or others.
 */
import { join, resolve } from 'node:path';
import { startMetricsServer } from '../gateway/index.js';
import { flagsFor, flagsHelp } from '../app/config/flags.js';
import { strategyOverrides } from '../app/config/trading.js';
import { startNode } from '../app/cluster/node.js';
import { processArgs } from './process-args.js';
import { refuseBusyPorts } from './ports.js';
import { stopSignal } from './signals.js';
import { closeInOrder } from '../app/shutdown.js';
import { createLogger } from '../src/runtime/index.js';

export const NODE_HELP = `usage: qgtm node [options]

Runs a cluster node: the strategy shards of the slots it owns, for a
coordinator started with \`qgtm daemon --cluster\` on the same Redis. The desk
has strategies.shards slots (the same number on every process); each node
holds its fair share, ceil(slots / live nodes), through a lease in Redis
with a fencing token, and gives slots back when nodes join. A node that
dies or stalls loses its slots within cluster.leaseMs and the others take
them. Stop with SIGTERM or SIGINT: it hands its slots over at once.
Its own Prometheus metrics are on --metrics-port (0 = any free port).

options:
${flagsHelp(flagsFor('node'))}

environment: REDIS_URL (required), QGTM_NODE_ID, QGTM_CLUSTER_LEASE_MS,
QGTM_NODE_STATE_DIR, QGTM_STRATEGIES_SHARDS, QGTM_LOG_LEVEL, QGTM_CONFIG.`;

export async function run(argv: string[]): Promise<number> {
  const loaded = processArgs(argv, 'node', NODE_HELP);
  if (typeof loaded === 'number') return loaded;
  const busy = await refuseBusyPorts('node', loaded);
  if (busy !== null) return busy;
  const stopping = stopSignal();
  const { config } = loaded;
  const log = createLogger(config.log.level, { proc: 'node', pid: process.pid });
  const nodeId = config.cluster.nodeId ?? undefined;
  const stateDir = resolve(config.cluster.stateDir ?? join(config.daemon.journalDir, 'nodes', nodeId ?? `pid-${process.pid}`, 'state'));
  const node = await startNode({
    redisUrl: config.redis.url!,
    redisPrefix: config.redis.prefix,
    ...(nodeId ? { nodeId } : {}),
    slots: config.strategies.shards,
    leaseMs: config.cluster.leaseMs,
    stateDir,
    shard: { paramOverrides: strategyOverrides(config.strategies), disabled: config.strategies.disabled },
    strategyHeapMb: config.daemon.strategyHeapMb,
    logLevel: config.log.level,
    log,
  });
  const metrics = await startMetricsServer({
    host: config.daemon.metricsHost,
    port: config.daemon.metricsPort,
    source: () => node.system.metricsJson(),
    health: () => ({ ok: true, node: node.id, slots: node.slots() }),
  });
  // One line for whoever started it (tests, an operator): the node's id and where its metrics are.
  process.stderr.write(`qgtm node ${node.id} serving ${config.strategies.shards} slots' share; metrics ${metrics.url}/metrics\n`);
  const signal = await stopping;
  log.info('stopping', { signal, node: node.id });
  await closeInOrder(log, [
    { name: 'node', close: () => node.close() },
    { name: 'node metrics server', close: () => metrics.close() },
  ]);
  return 0;
}
