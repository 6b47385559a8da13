export { classifyRegime, regimeMultiplier, regimeBarsNeeded, DEFAULT_REGIME_CONFIG } from './regime.js';
export type { Regime, RegimeConfig, RegimeState } from './regime.js';
export { MetaModel, DEFAULT_META_CONFIG } from './meta.js';
export type { MetaConfig, MetaStats, MetaSnapshot } from './meta.js';
