/** Small seeded inputs shared by the pool, sweep and service tests. */
import { DEFAULT_CONFIG } from '../../../../app/config/schema.js';
import { DEFAULT_COST_MODEL } from '../../../../app/research/engine/index.js';
import { settingsFromConfig } from '../../../../app/research/settings.js';
import type { BacktestSpec, HistorySpec } from '../../../../app/research/types.js';

export const START = Date.UTC(2025, 0, 6, 14, 30);

/** Two symbols of seeded synthetic minute bars. */
export function synthetic(bars = 400, seed = 7): HistorySpec {
  return { kind: 'synthetic', symbols: ['GLD', 'SLV'], start: START, bars, intervalMs: 60_000, seed };
}

export const BASE: BacktestSpec = {
  settings: settingsFromConfig(DEFAULT_CONFIG),
  cost: DEFAULT_COST_MODEL,
  startingCash: 100_000,
  accountMode: 'margin',
  seed: 3,
};
