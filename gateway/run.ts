/**
 * Starts the gateway from a loaded configuration, for both process kinds:
 * `qgtm api` (RedisBus) and `qgtm start` (InMemoryBus shared with the
 * daemon). Prints a generated operator token once, to the terminal only.
 */
import type { LoadedConfig } from '../app/config/load.js';
import type { ResearchService } from '../app/research/types.js';
import type { Logger } from '../src/runtime/logger.js';
import type { ResearchHistoryAccess } from './research-body.js';
import type { GatewayBus } from './api.js';
import type { MetricsSource } from './metrics.js';
import { startGateway, type GatewayHandle } from './server.js';

export interface RunGatewayOptions {
  readonly loaded: LoadedConfig;
  readonly bus: GatewayBus;
  readonly log: Logger;
  /** `() => system.metricsJson()` in `qgtm start`; omitted in `qgtm api`. */
  readonly metrics?: MetricsSource;
  /** 'all' in `qgtm start`, 'api' in `qgtm api`. */
  readonly busRole: 'all' | 'api';
  /** Back-tests and sweeps behind `/api/v1/research`; absent: those routes answer 503. */
  readonly research?: ResearchService;
  /** How research reaches venue/Alpaca history (see `ResearchHistoryAccess`). */
  readonly researchHistory?: ResearchHistoryAccess;
  /** Where the generated token is printed; default stdout. */
  readonly print?: (line: string) => void;
}

export async function runGateway(options: RunGatewayOptions): Promise<GatewayHandle> {
  const { config, generatedToken } = options.loaded;
  const gw = await startGateway({
    bus: options.bus,
    host: config.http.host,
    port: config.http.port,
    token: config.auth.token,
    metrics: options.metrics,
    webRoot: config.http.webRoot,
    limits: {
      maxBodyBytes: config.gateway.maxBodyBytes,
      wsMaxPayloadBytes: config.gateway.wsMaxPayloadBytes,
      wsMaxBackpressureBytes: config.gateway.wsMaxBackpressureBytes,
      wsIdleTimeoutSec: config.gateway.wsIdleTimeoutSec,
      commandTimeoutMs: config.gateway.commandTimeoutMs,
    },
    log: options.log.child({ component: 'gateway' }),
    busRole: options.busRole,
    research: options.research,
    researchHistory: options.researchHistory,
  });
  options.log.info('gateway listening', { url: gw.url, port: gw.port, api: `${gw.url}/api/v1`, websocket: `${gw.url.replace(/^http/, 'ws')}/ws`, metrics: `${gw.url}/metrics` });
  if (generatedToken) {
    // Deliberately not a log record: the token must not end up in log storage.
    (options.print ?? ((l) => process.stderr.write(`${l}\n`)))(`qgtm: operator token for this run (shown once; set QGTM_API_TOKEN to choose your own): ${generatedToken}`);
  } else if (!config.auth.token) {
    options.log.warn('operator commands are disabled: no auth.token configured (set QGTM_API_TOKEN)');
  }
  return gw;
}
