/**
 * Where the macro sources read: the local venue's simulated FRED and CFTC by
 * default, the real services in alpaca mode, or any URL the configuration
 * names. A source that cannot be configured (the real FRED without a key) is
 * left out and reported as degraded: macro data is an input to some
 * strategies, never a reason not to trade.
 */
import type { MarketDataSpecOptions } from './market-data-specs.js';
import { CFTC_BASE_URL } from '../../actors/macro/cftc-client.js';
import { FRED_BASE_URL } from '../../actors/macro/fred-client.js';
import type { FredActorArgs } from '../../actors/macro/actor.js';
import type { AlpacaConnection } from '../../src/alpaca/index.js';
import type { QgtmConfig } from '../config/schema.js';

export interface MacroPlan {
  readonly macro: Exclude<MarketDataSpecOptions['macro'], false | undefined>;
  /** Degraded conditions known before anything runs (`macro_fred_not_configured`). */
  readonly degraded: readonly string[];
}

export function macroPlan(config: QgtmConfig, connection: AlpacaConnection): MacroPlan {
  const m = config.macro;
  const local = connection.venue === 'local';
  const degraded: string[] = [];
  const fredKey = m.fredApiKey ?? undefined;
  let fred: false | Omit<FredActorArgs, 'source'>;
  if (m.fredUrl !== null) fred = { baseUrl: m.fredUrl, ...(fredKey ? { apiKey: fredKey } : {}) };
  else if (local) fred = fredKey ? { apiKey: fredKey } : {};
  else if (fredKey) fred = { baseUrl: FRED_BASE_URL, apiKey: fredKey };
  else {
    // The real FRED refuses requests without a key: leave the source out rather than fail every fetch.
    fred = false;
    degraded.push('macro_fred_not_configured');
  }
  const cftcBase = m.cftcUrl ?? (local ? undefined : CFTC_BASE_URL);
  const cftc = { ...(cftcBase ? { baseUrl: cftcBase } : {}), ...(m.cftcAppToken ? { appToken: m.cftcAppToken } : {}) };
  return { macro: { fred, cftc }, degraded };
}
