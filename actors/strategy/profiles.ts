/**
 * Parameter profiles: per-strategy overrides of the catalog's default
 * parameters for a bar interval, passed to the shards as
 * `StrategyShardArgs.paramOverrides` (TradingConfig.strategy.paramOverrides).
 *
 * The catalog's defaults are sized in bars for daily data (a 100-day slow
 * average, 12-1 month momentum, 120-day spread windows). Parameters are
 * counted in bars of whatever interval the feed builds (see strategy.ts),
 * so on the feeds' 1-minute bars those defaults ask for 100 to 250 minutes
 * of history before the first signal, and describe moves over hours that a
 * paper session rarely sees. `intraday` rescales the windows to tens of
 * bars, keeping each strategy's own proportions (fast/slow, formation/skip,
 * entry/exit) and its thresholds (z-scores and t-statistics are already
 * scale-free), so every bar-driven strategy can speak within the venue's
 * backfilled history (a working day, 480 bars) and within about two hours of
 * bars even without a backfill.
 *
 *   startTrading(system, { ..., strategy: { paramOverrides: STRATEGY_PROFILES.intraday } });
 */
import type { PairParams } from './catalog/pairs.js';
import type { TsmomParams } from './catalog/momentum.js';
import type { DonchianParams, MaCrossParams } from './catalog/trend.js';
import type { AtrBreakoutParams, SqueezeParams } from './catalog/volatility.js';
import type { RsiReversalParams, VolRegimeParams } from './catalog/reversal.js';
import type { DualMomentumParams, XsecMomentumParams } from './catalog/relative-momentum.js';
import type { MinersLeverageParams, RoyaltyMinersParams, SilverBetaParams } from './catalog/relative-value.js';
import type { GoldCopperParams, GoldOilParams } from './catalog/cross-asset.js';
import type { OpeningRangeParams } from './catalog/opening-range.js';

/** Per strategy id, the parameters that differ from the catalog's defaults. */
export type ParamProfile = Readonly<Record<string, Readonly<Record<string, unknown>>>>;

export type ProfileName = 'daily' | 'intraday';

export const PROFILE_NAMES: readonly ProfileName[] = ['daily', 'intraday'];

/**
 * Windows for 1-minute bars. Per strategy, why these numbers:
 *
 * - `trend_ma_cross` fast 5 / slow 30: a 5-minute against a 30-minute
 *   average; the 1:6 ratio is close to the daily 20/100 and the gap's z-score
 *   is normalised by the bar-return sigma, so `scoreScale` keeps its meaning.
 *   Horizon 15 bars: half the slow window, as 50 is of 100.
 * - `trend_donchian` entry 20 / exit 10, ATR 14, replay 120: the turtle
 *   proportions (55/20) at intraday scale; replaying two hours recovers the
 *   position the rules hold now without carrying a whole day of path.
 * - `tsmom_12_1` lookback 60 / skip 5 and `tsmom_3_0` lookback 30: "tens of
 *   bars" with the daily formation-to-skip ratio (252/21 = 12 = 60/5); the
 *   t-statistic thresholds are unchanged because they are scale-free.
 * - `gsr_mean_reversion`, `miners_vs_metal`, `junior_vs_senior`,
 *   `pt_pd_spread` window 60: an hour of joint closes fits the hedge and the
 *   spread's mean and deviation with enough points for a stable z-score, and
 *   is short enough that an intraday dislocation stands out against it;
 *   horizon 30 bars, half the window, as 60 is of 120 daily.
 * - `vol_atr_breakout` ATR 20, hold 5: already sized in tens of bars; stated
 *   here so the profile lists every bar-driven strategy.
 * - `vol_squeeze_breakout` Bollinger 20, squeeze ranked over 60 bars, hold 5:
 *   ranking the band width over an hour rather than 120 bars lets it speak
 *   after 85 bars.
 * - `rsi_reversal` trend filter 60, horizon 5: an hour's average as the
 *   trend (the daily 200 is most of a year); RSI(2) and its 10/90 levels are
 *   counted in bars and stay as Connors set them.
 * - `vol_regime_switch` vol over 10 bars ranked over 60, stretch from a
 *   20-bar average, horizon 10: an hour of volatility history, so it speaks
 *   after 71 bars instead of 271.
 * - `xsec_momentum` formation 60 / skip 5, horizon 10: the tsmom_12_1
 *   intraday window, so the ranking sees the same hour of path; k stays 3.
 * - `dual_momentum` lookback 60, horizon 10: the same hour; the risk-free
 *   hurdle scales with the bar interval, so it stays an annual rate.
 * - `miners_operating_leverage` gold trend 30, beta 30, horizon 10: half an
 *   hour of joint returns fits a beta; the t threshold is scale-free.
 * - `silver_beta` beta 40, move 10, horizon 10: the daily 6:1 fit-to-move
 *   ratio shortened to 4:1 so it speaks after 51 bars.
 * - `royalty_vs_miners` vol 10 ranked over 40, drawdown window 30, horizon
 *   10: as vol_regime_switch, an intraday volatility history, speaking after 51.
 * - `gold_copper_ratio` trend 30, horizon 10: half an hour of the ratio's
 *   path, the miners_operating_leverage trend window; the t is scale-free.
 * - `gold_oil_ratio` window 60, horizon 30: the pair strategies' hour of
 *   joint closes for the ratio's mean and deviation.
 * - `opening_range_breakout` range 30, horizon 60: its defaults, already
 *   counted in minutes (intraday by nature); listed so the profile names
 *   every bar-driven strategy.
 *
 * Left out on purpose: the macro-driven strategies (`real_yield_regime`,
 * `breakeven_regime`, `gold_real_yield_fair_value`, `dollar_regime`,
 * `dollar_gold_divergence`, `cot_extremes`, `cot_momentum`) read daily and
 * weekly series (FRED, CFTC) whatever the bar interval, and
 * `seasonality_gold` and `turn_of_month` are calendar effects; they are
 * daily by nature and keep their defaults.
 *
 * Caveat: minute closes carry bid-ask bounce (the venue prints trades at the
 * touch), so short windows see more noise than daily ones; these are starting
 * points for a research back-test, not tuned values.
 */
const INTRADAY = {
  trend_ma_cross: { fast: 5, slow: 30, horizonBars: 15 } satisfies Partial<MaCrossParams>,
  trend_donchian: { entryBars: 20, exitBars: 10, atrBars: 14, replayBars: 120, horizonBars: 10 } satisfies Partial<DonchianParams>,
  tsmom_12_1: { lookback: 60, skip: 5, horizonBars: 10 } satisfies Partial<TsmomParams>,
  tsmom_3_0: { lookback: 30, skip: 0, horizonBars: 5 } satisfies Partial<TsmomParams>,
  vol_atr_breakout: { atrBars: 20, holdBars: 5, horizonBars: 10 } satisfies Partial<AtrBreakoutParams>,
  vol_squeeze_breakout: { bbBars: 20, lookback: 60, holdBars: 5, horizonBars: 10 } satisfies Partial<SqueezeParams>,
  gsr_mean_reversion: { window: 60, horizonBars: 30 } satisfies Partial<PairParams>,
  miners_vs_metal: { window: 60, horizonBars: 30 } satisfies Partial<PairParams>,
  junior_vs_senior: { window: 60, horizonBars: 30 } satisfies Partial<PairParams>,
  pt_pd_spread: { window: 60, horizonBars: 30 } satisfies Partial<PairParams>,
  rsi_reversal: { trendBars: 60, horizonBars: 5 } satisfies Partial<RsiReversalParams>,
  vol_regime_switch: { volBars: 10, volHistory: 60, lookback: 20, horizonBars: 10 } satisfies Partial<VolRegimeParams>,
  xsec_momentum: { lookback: 60, skip: 5, horizonBars: 10 } satisfies Partial<XsecMomentumParams>,
  dual_momentum: { lookback: 60, horizonBars: 10 } satisfies Partial<DualMomentumParams>,
  miners_operating_leverage: { trendBars: 30, betaBars: 30, horizonBars: 10 } satisfies Partial<MinersLeverageParams>,
  silver_beta: { betaBars: 40, moveBars: 10, horizonBars: 10 } satisfies Partial<SilverBetaParams>,
  royalty_vs_miners: { volBars: 10, volHistory: 40, ddBars: 30, horizonBars: 10 } satisfies Partial<RoyaltyMinersParams>,
  gold_copper_ratio: { trendBars: 30, horizonBars: 10 } satisfies Partial<GoldCopperParams>,
  gold_oil_ratio: { window: 60, horizonBars: 30 } satisfies Partial<GoldOilParams>,
  opening_range_breakout: { rangeBars: 30, horizonBars: 60 } satisfies Partial<OpeningRangeParams>,
} as const;

/**
 * The parameter profiles by name: `daily` is the catalog as it stands (no
 * overrides), `intraday` the windows for the feeds' 1-minute bars.
 */
export const STRATEGY_PROFILES: { readonly daily: ParamProfile; readonly intraday: ParamProfile } = Object.freeze({
  daily: Object.freeze({}),
  intraday: Object.freeze(INTRADAY),
});

/** The overrides of a named profile. */
export function strategyProfile(name: ProfileName): ParamProfile {
  return STRATEGY_PROFILES[name];
}
