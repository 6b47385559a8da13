/**
 * `qgtm daemon` (qgtm-daemon.service): the supervision tree and every
 * trading actor, publishing state and telemetry to Redis for `qgtm api`,
 * taking operator commands from it, serving its own /metrics, and talking to
 * systemd (READY, WATCHDOG, STOPPING).
 */
import { startMetricsServer } from '../gateway/index.js';
import { startDaemon, tradingLabel } from '../app/daemon/daemon.js';
import { openVenue } from './venue-link.js';
import { busMetricsJson } from '../app/bus/metrics.js';
import { RedisBus } from '../app/bus/redis.js';
import { flagsFor, flagsHelp } from '../app/config/flags.js';
import { processArgs } from './process-args.js';
import { closeInOrder } from '../app/shutdown.js';
import { refuseBusyPorts } from './ports.js';
import { stopSignal } from './signals.js';
import { notify, startWatchdog } from '../app/platform/systemd.js';
import { createLogger } from '../src/runtime/index.js';

export const DAEMON_HELP = `usage: qgtm daemon [options]

Runs the daemon as its own process (qgtm-daemon.service): the supervision
tree with market data, strategy shards, allocator, risk governor and broker
session. State snapshots, telemetry and the heartbeat go to Redis; operator
commands come from it (\`qgtm api\` is the other side). Its own Prometheus
metrics are on daemon.metricsPort (default 9464). With the local venue
(default) it starts the venue in a thread of its own. Under systemd it sends
READY=1 once trading is up, WATCHDOG=1 while healthy, STOPPING=1 on SIGTERM.

options:
${flagsHelp(flagsFor('daemon'))}

environment: REDIS_URL (required), QGTM_JOURNAL_DIR, QGTM_DAEMON_METRICS_PORT,
QGTM_HEARTBEAT_TTL_MS, QGTM_VENUE_MODE, QGTM_PLACEMENT, QGTM_STRATEGY_HEAP_MB,
QGTM_WORKER_HEAP_MB, APCA_API_KEY_ID, APCA_API_SECRET_KEY,
QGTM_LOG_LEVEL, QGTM_CONFIG (every option: gateway/README.md, app/config/qgtm.example.json; risk.*, allocator.*, strategies.* included).`;

export async function run(argv: string[]): Promise<number> {
  const loaded = processArgs(argv, 'daemon', DAEMON_HELP);
  if (typeof loaded === 'number') return loaded;
  // Every port this command binds is checked before anything starts.
  const busy = await refuseBusyPorts('daemon', loaded);
  if (busy !== null) return busy;
  const stopping = stopSignal();
  const { config } = loaded;
  const log = createLogger(config.log.level, { proc: 'daemon', pid: process.pid });
  // The venue first: a refused account (paper first) ends the command before anything else is open.
  const venue = await openVenue(config);
  const trading = tradingLabel(venue.connection);
  process.stderr.write(`qgtm daemon trading ${trading.mode} on the ${trading.venue} (${venue.connection.restBaseUrl})\n`);
  if (venue.local) process.stderr.write(`fill model: ${venue.local.fillModel}\n`);
  const bus = new RedisBus({ url: config.redis.url!, prefix: config.redis.prefix, heartbeatTtlMs: config.daemon.heartbeatTtlMs });
  // Redis is not needed to trade: without it the daemon runs degraded and catches up when it returns.
  if (!(await bus.ready(3000))) log.warn('Redis is not reachable; trading on local state, degraded until it is');
  const daemon = await startDaemon({ config, bus, connection: venue.connection, journalScope: venue.journalScope, log, sources: loaded.sources, describe: () => ({ venueUrl: venue.local?.url ?? null, bus: 'redis' }) });
  const metrics = await startMetricsServer({
    host: config.daemon.metricsHost,
    port: config.daemon.metricsPort,
    source: () => daemon.system.metricsJson(),
    extra: () => busMetricsJson(bus.stats(), 'daemon'),
    health: () => ({ ok: !daemon.tree.rootFailure, degraded: daemon.bridge.degraded() }),
  });
  log.info('daemon metrics', { url: `${metrics.url}/metrics` });
  await notify(['READY=1', `STATUS=trading ${trading.mode} (${trading.venue})`, `MAINPID=${process.pid}`]);
  // WATCHDOG=1 only while the main thread turns and the root supervisor stands.
  const stopWatchdog = startWatchdog({ healthy: () => !daemon.tree.rootFailure });
  const signal = await stopping;
  log.info('stopping', { signal });
  await notify(['STOPPING=1']);
  stopWatchdog();
  await closeInOrder(log, [
    { name: 'daemon', close: () => daemon.close() },
    { name: 'daemon metrics server', close: () => metrics.close() },
    { name: 'venue', close: () => venue.close() },
    { name: 'Redis bus', close: () => bus.close() },
  ]);
  return 0;
}
