import type { RiskInputs } from '../../../../actors/risk/triggers.js';

/** A calm snapshot: every trigger at NORMAL. */
export function calmInputs(over: Partial<RiskInputs> = {}): RiskInputs {
  return {
    equity: 100_000,
    peakEquity: 100_000,
    dayStartEquity: 100_000,
    grossExposure: 50_000,
    exposureBySymbol: { GLD: 10_000, SLV: -5_000 },
    orderTimestamps: [],
    marketDataAgeMs: 100,
    brokerConnected: true,
    reconciliationDrift: 0,
    heartbeatAgeMs: 500,
    ...over,
  };
}
