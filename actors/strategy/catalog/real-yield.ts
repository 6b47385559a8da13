/** Real-yield family: gold as a zero-coupon real asset priced against real rates. */
import { macroChangeStrategy } from './macro-change.js';

/** 10-year TIPS yield (FRED DFII10): falling real yields are bullish for gold. */
export const realYieldRegime = macroChangeStrategy({
  id: 'real_yield_regime',
  family: 'real_yield',
  thesis: 'Gold pays no coupon, so its opportunity cost is the real yield: an unusual fall in the 10y TIPS yield lifts gold and miners, a rise weighs on them.',
  seriesId: 'DFII10',
  sign: -1,
  instruments: ['GLD', 'GDX'],
  params: { changeObs: 20, historyObs: 500, minObs: 120, deadbandZ: 0.5, scoreScale: 1.5, horizonDays: 20, maxAgeDays: 10 },
});

/** 10-year breakeven inflation (FRED T10YIE): rising expected inflation is bullish for gold. */
export const breakevenRegime = macroChangeStrategy({
  id: 'breakeven_regime',
  family: 'real_yield',
  thesis: 'Rising breakeven inflation lowers real yields for a given nominal yield and raises demand for inflation hedges: lean long gold and silver.',
  seriesId: 'T10YIE',
  sign: 1,
  instruments: ['GLD', 'SLV'],
  params: { changeObs: 20, historyObs: 500, minObs: 120, deadbandZ: 0.5, scoreScale: 1.5, horizonDays: 20, maxAgeDays: 10 },
});

export const REAL_YIELD_STRATEGIES = [realYieldRegime, breakevenRegime] as const;
