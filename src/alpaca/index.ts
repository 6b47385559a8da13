export { createAlpacaClients, DEFAULT_SDK_RATE_LIMIT } from './client.js';
export type { AlpacaClients, AlpacaClientOptions } from './client.js';
export { alpacaPaperEndpoints, localVenueEndpoints, resolveAlpacaConnection, LOCAL_KEY_PAIR } from './endpoints.js';
export type { AlpacaEndpoints, AlpacaConnection, AlpacaSettings } from './endpoints.js';
export { ALPACA_LIVE_HOSTS, ALPACA_PAPER_HOSTS, endpointKind, endpointViolations, isPaperAccountNumber, LiveTradingRefusedError, tradingModeFor } from './trading-mode.js';
export type { EndpointKind, LiveOptIn, TradingMode } from './trading-mode.js';
export { RateBudget, rateBudgetFor } from './rate-budget.js';
export type { RateLane, RateBudgetOptions, RateBudgetCounters } from './rate-budget.js';
