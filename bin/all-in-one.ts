/**
 * `qgtm start` / `npm start`: the local venue, the daemon and the gateway in
 * one process tree, joined by an in-memory state bus. No Redis, no keys.
 */
import { runGateway, type GatewayHandle } from '../gateway/index.js';
import { InMemoryBus } from '../app/bus/memory.js';
import { loadConfig, type LoadedConfig } from '../app/config/load.js';
import { createLogger, type Logger } from '../src/runtime/index.js';
import { startDaemon, type DaemonHandle } from '../app/daemon/daemon.js';
import { closeInOrder } from '../app/shutdown.js';
import { defaultWebRoot, openVenue, type VenueLink } from './venue-link.js';
import { researchWiring, type ResearchWiring } from './research-wiring.js';

export interface AllInOneOptions {
  /** A loaded configuration; default: loaded for `start` from file, environment and `overrides`. */
  readonly loaded?: LoadedConfig;
  /** Option overrides by path (`{'http.port': 0}`), as flags would give. */
  readonly overrides?: Record<string, unknown>;
  readonly log?: Logger;
  /** Where the token and URLs are printed; default stderr (stdout carries only log records). */
  readonly print?: (line: string) => void;
  readonly faults?: boolean;
}

export interface AllInOne {
  readonly httpUrl: string;
  /** The operator token (generated when none was configured). */
  readonly token: string;
  readonly venue: VenueLink;
  readonly daemon: DaemonHandle;
  readonly gateway: GatewayHandle;
  readonly bus: InMemoryBus;
  readonly research: ResearchWiring['service'];
  close(): Promise<void>;
}

export async function startAllInOne(options: AllInOneOptions = {}): Promise<AllInOne> {
  let loaded = options.loaded ?? loadConfig({ mode: 'start', overrides: options.overrides, overrideNames: Object.fromEntries(Object.keys(options.overrides ?? {}).map((k) => [k, 'override'])) });
  const webRoot = loaded.config.http.webRoot ?? defaultWebRoot();
  if (webRoot !== loaded.config.http.webRoot) loaded = { ...loaded, config: { ...loaded.config, http: { ...loaded.config.http, webRoot } } };
  const { config } = loaded;
  const log = options.log ?? createLogger(config.log.level, { proc: 'start', pid: process.pid });
  const venue = await openVenue(config);
  const bus = new InMemoryBus({ heartbeatTtlMs: config.daemon.heartbeatTtlMs });
  let daemon: DaemonHandle | undefined;
  let research: ResearchWiring | undefined;
  try {
    daemon = await startDaemon({ config, bus, connection: venue.connection, journalScope: venue.journalScope, log, sources: loaded.sources, faults: options.faults, describe: () => ({ venueUrl: venue.local?.url ?? null, bus: 'memory' }) });
    const d = daemon;
    research = researchWiring(config, log, venue.connection);
    const r = research;
    const gateway = await runGateway({ loaded, bus, log, busRole: 'all', metrics: () => d.system.metricsJson(), print: options.print, research: r.service, researchHistory: r.history });
    const token = config.auth.token ?? loaded.generatedToken!;
    return {
      httpUrl: gateway.url,
      token,
      venue,
      daemon: d,
      gateway,
      bus,
      research: r.service,
      // Producers of what the operator sees first, the venue last: nothing trades against a closed venue.
      close: () =>
        closeInOrder(log, [
          { name: 'gateway', close: () => gateway.close() },
          { name: 'research', close: () => r.service.close() },
          { name: 'daemon', close: () => d.close() },
          { name: 'state bus', close: () => bus.close() },
          { name: 'venue', close: () => venue.close() },
        ]).then(() => undefined),
    };
  } catch (err) {
    await research?.service.close();
    await daemon?.close();
    await bus.close();
    await venue.close();
    throw err;
  }
}
