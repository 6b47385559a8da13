/**
 * The research service of a gateway process (`qgtm start`, `qgtm api`):
 * runs queue in the process that serves /api/v1/research, on the capped,
 * niced research pool, with records under `research.dir`. Where venue or
 * Alpaca history is read from is the process's business (its connection's
 * data URL and keys), never a client's.
 */
import { resolve } from 'node:path';
import type { QgtmConfig } from '../app/config/schema.js';
import { createResearchService, researchDir } from '../app/research/service.js';
import type { Logger } from '../src/runtime/index.js';
import type { AlpacaConnection } from '../src/alpaca/index.js';
import type { ResearchHistoryAccess } from '../gateway/research-body.js';
import { FRED_BASE_URL } from '../actors/macro/fred-client.js';
import { CFTC_BASE_URL } from '../actors/macro/cftc-client.js';

export interface ResearchWiring {
  readonly service: ReturnType<typeof createResearchService>;
  readonly history: ResearchHistoryAccess;
}

/**
 * Where a process reads venue or Alpaca history: its connection's data URL
 * and keys (the CLI and the gateway alike), with macro from the configured
 * or the venue's FRED and CFTC.
 */
export function historyAccess(config: QgtmConfig, cacheDir: string, connection?: AlpacaConnection): ResearchHistoryAccess {
  if (connection?.venue === 'local') {
    const base = connection.dataRestBaseUrl.replace(/\/+$/, '');
    return { venue: { dataUrl: base, keyId: connection.keyId, secretKey: connection.secretKey, cacheDir, fredUrl: config.macro.fredUrl ?? `${base}/fred`, cftcUrl: config.macro.cftcUrl ?? base } };
  }
  if (connection?.venue === 'alpaca') {
    // The real FRED refuses requests without a key: no macro from it then.
    const fredUrl = config.macro.fredUrl ?? (config.macro.fredApiKey ? FRED_BASE_URL : null);
    return { alpaca: { dataUrl: connection.dataRestBaseUrl, keyId: connection.keyId, secretKey: connection.secretKey, cacheDir, feed: 'iex', fredUrl, cftcUrl: config.macro.cftcUrl ?? CFTC_BASE_URL } };
  }
  return {};
}

/**
 * The service and the history access for a process. `connection` is the
 * venue the process trades on or reads from (absent in `qgtm api` without
 * `venue.url` or Alpaca keys: then only CSV and synthetic history).
 */
export function researchWiring(config: QgtmConfig, log: Logger, connection?: AlpacaConnection): ResearchWiring {
  const dir = researchDir(config);
  const service = createResearchService({ config, dir, onProblem: (m) => log.warn(m) });
  const history = historyAccess(config, resolve(dir, 'cache'), connection);
  log.info('research service ready', { dir, workers: service.pool.size, niceIncrement: service.pool.niceIncrement, maxQueued: config.research.maxQueued, history: Object.keys(history) });
  return { service, history };
}
