/** The terminal's API module: transport (client.ts), wire shapes (normalise.ts), view models (types.ts). */
export { ROUTES, commands, fetchSection, fetchJson, decodeFrame, TelemetrySocket } from './client.js';
export * from './research.js';
export type { FetchResult, SocketState, SocketHandlers } from './client.js';
export {
  unwrap,
  normaliseHealth,
  normaliseWatchdog,
  normaliseCluster,
  normaliseDeadLetters,
  normaliseAudit,
  normaliseReport,
  normaliseUniverse,
  normaliseTicks,
  normaliseSignals,
  normaliseStrategies,
  normaliseForecasts,
  normaliseRisk,
  normaliseTierChange,
} from './normalise.js';
export { normaliseOrders, normaliseOrder, normaliseFill, normaliseFills, normalisePositions, normaliseReconciliation, isOpenOrder } from './normalise-book.js';
export * from './types.js';
