export { createAlpacaClients, DEFAULT_SDK_RATE_LIMIT } from './client.js';
export type { AlpacaClients, AlpacaClientOptions } from './client.js';
export { alpacaPaperEndpoints, localVenueEndpoints, resolveAlpacaConnection, LOCAL_KEY_PAIR } from './endpoints.js';
export type { AlpacaEndpoints, AlpacaConnection, AlpacaSettings } from './endpoints.js';
export { RateBudget, rateBudgetFor } from './rate-budget.js';
export type { RateLane, RateBudgetOptions, RateBudgetCounters } from './rate-budget.js';
