/** The PM strategy catalog: every entry, in a stable order. */
import type { StrategyDef } from '../strategy.js';
import { RATIO_STRATEGIES } from './ratio.js';
import { TREND_STRATEGIES } from './trend.js';
import { OPENING_RANGE_STRATEGIES } from './opening-range.js';
import { MOMENTUM_STRATEGIES } from './momentum.js';
import { VOLATILITY_STRATEGIES } from './volatility.js';
import { REAL_YIELD_STRATEGIES } from './real-yield.js';
import { DOLLAR_STRATEGIES } from './dollar.js';
import { POSITIONING_STRATEGIES } from './positioning.js';
import { SPREAD_STRATEGIES } from './spread.js';
import { SEASONALITY_STRATEGIES } from './seasonality.js';
import { REVERSAL_STRATEGIES } from './reversal.js';
import { RELATIVE_MOMENTUM_STRATEGIES } from './relative-momentum.js';
import { RELATIVE_VALUE_STRATEGIES } from './relative-value.js';
import { CROSS_ASSET_STRATEGIES } from './cross-asset.js';

export const CATALOG: readonly StrategyDef[] = Object.freeze([
  ...RATIO_STRATEGIES,
  ...TREND_STRATEGIES,
  ...OPENING_RANGE_STRATEGIES,
  ...MOMENTUM_STRATEGIES,
  ...VOLATILITY_STRATEGIES,
  ...REAL_YIELD_STRATEGIES,
  ...DOLLAR_STRATEGIES,
  ...POSITIONING_STRATEGIES,
  ...SPREAD_STRATEGIES,
  ...SEASONALITY_STRATEGIES,
  ...REVERSAL_STRATEGIES,
  ...RELATIVE_MOMENTUM_STRATEGIES,
  ...RELATIVE_VALUE_STRATEGIES,
  ...CROSS_ASSET_STRATEGIES,
] as StrategyDef[]);

export { gsrMeanReversion } from './ratio.js';
export { maCrossover, donchianBreakout } from './trend.js';
export { openingRangeBreakout } from './opening-range.js';
export { tsmom12_1, tsmomShort, tsmomStrategy } from './momentum.js';
export { atrBreakout, squeezeBreakout } from './volatility.js';
export { realYieldRegime, breakevenRegime, goldRealYieldFairValue } from './real-yield.js';
export { macroChangeStrategy } from './macro-change.js';
export { dollarRegime, dollarGoldDivergence } from './dollar.js';
export { cotExtremes, cotMomentum } from './positioning.js';
export { minersVsMetal, juniorVsSenior, platinumPalladium } from './spread.js';
export { pairStrategy, pairZ } from './pairs.js';
export { seasonalityGold, turnOfMonth } from './seasonality.js';
export { rsiReversal, volRegimeSwitch, rsi } from './reversal.js';
export { xsecMomentum, dualMomentum, formationScore } from './relative-momentum.js';
export { minersOperatingLeverage, silverBeta, royaltyVsMiners, trendT, returnBeta } from './relative-value.js';
export { goldCopperRatio, goldOilRatio } from './cross-asset.js';
