/**
 * `qgtm api`: the gateway alone (REST, WebSocket telemetry, /metrics, the web
 * terminal), reading state from and sending operator commands to the daemon
 * through Redis. It keeps serving when the daemon or Redis is down and says so.
 */
import { runGateway } from '../gateway/run.js';
import { RedisBus } from '../app/bus/redis.js';
import { flagsFor, flagsHelp } from '../app/config/flags.js';
import { processArgs } from './process-args.js';
import { closeInOrder } from '../app/shutdown.js';
import { refuseBusyPorts } from './ports.js';
import { stopSignal } from './signals.js';
import { createLogger } from '../src/runtime/logger.js';
import { researchWiring } from './research-wiring.js';
import { connectVenue } from './venue-link.js';

export const API_HELP = `usage: qgtm api [options]

Runs the gateway as its own process (qgtm-api.service): REST under /api/v1,
WebSocket telemetry on /ws, Prometheus metrics on /metrics, and the web
terminal when --web-root is given. State, telemetry and operator commands go
through Redis to \`qgtm daemon\`; either process can restart without the other.

options:
${flagsHelp(flagsFor('api'))}

environment: REDIS_URL, QGTM_HTTP_HOST, QGTM_HTTP_PORT, QGTM_API_TOKEN (operator
commands are disabled without it), QGTM_CONFIG, QGTM_WEB_ROOT, QGTM_LOG_LEVEL,
QGTM_HEARTBEAT_TTL_MS and the rest of the configuration (every option: gateway/README.md, app/config/qgtm.example.json; risk.*, allocator.*, strategies.* included).`;

export async function run(argv: string[]): Promise<number> {
  const loaded = processArgs(argv, 'api', API_HELP);
  if (typeof loaded === 'number') return loaded;
  // Every port this command binds is checked before anything starts.
  const busy = await refuseBusyPorts('api', loaded);
  if (busy !== null) return busy;
  const stopping = stopSignal();
  const { config } = loaded;
  const log = createLogger(config.log.level, { proc: 'api', pid: process.pid });
  const bus = new RedisBus({ url: config.redis.url!, prefix: config.redis.prefix, heartbeatTtlMs: config.daemon.heartbeatTtlMs });
  if (!(await bus.ready(3000))) log.warn('Redis is not reachable yet; serving with the daemon reported down until it is', { prefix: config.redis.prefix });
  // Research runs here, beside the gateway: venue history when this process is told where a venue is.
  const link = config.venue.url !== null || config.venue.mode === 'alpaca' ? await connectVenue(config) : undefined;
  const research = researchWiring(config, log, link?.connection);
  let gw;
  try {
    gw = await runGateway({ loaded, bus, log, busRole: 'api', research: research.service, researchHistory: research.history });
  } catch (err) {
    log.error('gateway failed to start', { err: err as Error });
    await research.service.close();
    await bus.close();
    return 1;
  }
  const signal = await stopping;
  log.info('stopping', { signal });
  await closeInOrder(log, [
    { name: 'gateway', close: () => gw.close() },
    { name: 'research', close: () => research.service.close() },
    { name: 'Redis bus', close: () => bus.close() },
  ]);
  return 0;
}
