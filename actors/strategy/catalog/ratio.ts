/** Ratio family: precious-metal price ratios that revert to their mean. */
import { pairStrategy } from './pairs.js';

/** Gold/silver ratio mean reversion on GLD/SLV. */
export const gsrMeanReversion = pairStrategy({
  id: 'gsr_mean_reversion',
  family: 'ratio',
  thesis: 'The gold/silver ratio mean-reverts: when gold is rich against silver (ratio z-score high) buy silver and sell gold, and the reverse.',
  a: 'GLD',
  b: 'SLV',
  hedge: 'ratio',
  params: { window: 120, entryZ: 2, exitZ: 0.5, horizonBars: 60 },
});

export const RATIO_STRATEGIES = [gsrMeanReversion] as const;
