/**
 * Regime model: classifies the gold factor's recent behaviour as calm,
 * trending or stressed, from its own bars, and says how much to trust each
 * strategy family in that regime.
 *
 * - stressed: short-window volatility at least `stressRatio` times the
 *   long-window volatility (a volatility shock, where correlations and mean
 *   reversion break down);
 * - trending: otherwise, when Kaufman's efficiency ratio over `trendBars`
 *   (net move / sum of absolute moves, 0..1) is at least `trendEfficiency`;
 * - calm: neither.
 */
import type { BarSeries } from '../../feed/bar-ring.js';
import { clamp, returnStd } from '../math.js';
import type { Family } from '../strategy.js';

export type Regime = 'calm' | 'trending' | 'stressed';

export interface RegimeConfig {
  /** The gold factor's instrument. */
  readonly symbol: string;
  readonly shortBars: number;
  readonly longBars: number;
  readonly stressRatio: number;
  readonly trendBars: number;
  readonly trendEfficiency: number;
}

export const DEFAULT_REGIME_CONFIG: RegimeConfig = Object.freeze({
  symbol: 'GLD',
  shortBars: 20,
  longBars: 120,
  stressRatio: 1.6,
  trendBars: 40,
  trendEfficiency: 0.35,
});

export interface RegimeState {
  readonly regime: Regime;
  /** Short / long bar-return volatility. */
  readonly volRatio: number;
  /** Efficiency ratio over `trendBars`, 0..1. */
  readonly efficiency: number;
  /** Direction of the net move over `trendBars`. */
  readonly trendDirection: -1 | 0 | 1;
  /** Start time of the newest bar used. */
  readonly ts: number;
}

/** Bars needed before a regime can be classified. */
export function regimeBarsNeeded(cfg: RegimeConfig): number {
  return Math.max(cfg.longBars, cfg.trendBars) + 1;
}

/** The regime of a bar history, or null with too little history. */
export function classifyRegime(bars: BarSeries, cfg: RegimeConfig = DEFAULT_REGIME_CONFIG): RegimeState | null {
  const n = bars.length;
  if (n < regimeBarsNeeded(cfg)) return null;
  const shortVol = returnStd(bars, cfg.shortBars);
  const longVol = returnStd(bars, cfg.longBars);
  const volRatio = longVol > 0 ? shortVol / longVol : 1;
  let path = 0;
  for (let i = n - cfg.trendBars; i < n; i++) path += Math.abs(bars.close(i) - bars.close(i - 1));
  const net = bars.close(n - 1) - bars.close(n - 1 - cfg.trendBars);
  const efficiency = path > 0 ? Math.abs(net) / path : 0;
  const regime: Regime = volRatio >= cfg.stressRatio ? 'stressed' : efficiency >= cfg.trendEfficiency ? 'trending' : 'calm';
  return { regime, volRatio, efficiency, trendDirection: net > 0 ? 1 : net < 0 ? -1 : 0, ts: bars.ts(n - 1) };
}

/**
 * Confidence multipliers per regime and family: trend-following families are
 * trusted more in trends and less in chop, mean-reversion families the
 * reverse, and everything is cut in stress except volatility breakouts,
 * which are what stress looks like. Reversal (buying dips inside a trend)
 * is a mean-reversion family with a trend filter: favoured in calm, slightly
 * cut in trends (pullbacks there run further before turning), cut hard in
 * stress, where oversold gets more oversold. Rules of thumb, to be tuned by research.
 */
const MULTIPLIERS: Record<Regime, Partial<Record<Family, number>>> = {
  calm: { ratio: 1.2, spread: 1.2, trend: 0.85, momentum: 0.85, volatility: 0.9, reversal: 1.1 },
  trending: { trend: 1.25, momentum: 1.25, volatility: 1.1, ratio: 0.8, spread: 0.8, reversal: 0.9 },
  stressed: { ratio: 0.5, spread: 0.5, trend: 0.8, momentum: 0.8, volatility: 1, real_yield: 0.7, dollar: 0.7, positioning: 0.7, seasonality: 0.5, reversal: 0.6 },
};

export function regimeMultiplier(family: Family | string, regime: Regime | null): number {
  if (regime === null) return 1;
  return clamp(MULTIPLIERS[regime][family as Family] ?? 1, 0, 2);
}
