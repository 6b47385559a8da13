/**
 * Relative momentum: ranking instruments against each other rather than
 * each against its own past (the tsmom_* entries are time-series momentum).
 */
import type { MarketViewReader } from '../market-view.js';
import type { Signal } from '../signal.js';
import { returnStd, squash } from '../math.js';
import { confidenceOf, count, makeSignal, num, type Params, type StrategyDef } from '../strategy.js';

export interface XsecMomentumParams extends Params {
  /** Formation window in bars. */
  readonly lookback: number;
  /** Newest bars left out of the formation return (short-term reversal). */
  readonly skip: number;
  /** Instruments held long (top) and short (bottom) each. */
  readonly k: number;
  readonly horizonBars: number;
}

const XS_ID = 'xsec_momentum';
/** The PM universe less the duplicate trackers (IAU, GLDM, SIVR hold the same metal as GLD and SLV). */
const XS_INSTRUMENTS = ['GLD', 'SLV', 'PPLT', 'PALL', 'GDX', 'GDXJ', 'SIL', 'SILJ', 'NEM', 'B', 'AEM', 'KGC', 'PAAS', 'SBSW', 'WPM', 'FNV', 'RGLD'] as const;

/**
 * Volatility-adjusted formation return of one series: the log return from
 * `lookback + skip` bars back to `skip` bars back, over its random-walk
 * deviation (the return std times sqrt(lookback)). Null without enough bars.
 */
export function formationScore(view: MarketViewReader, sym: string, lookback: number, skip: number): { score: number; ts: number; intervalMs: number } | null {
  const s = view.bars(sym);
  const last = s.length - 1;
  if (s.length < lookback + skip + 1) return null;
  const end = last - skip;
  const r = Math.log(s.close(end) / s.close(end - lookback));
  const vol = returnStd(s, lookback, end) * Math.sqrt(lookback);
  return { score: vol > 0 ? r / vol : 0, ts: s.ts(last), intervalMs: s.intervalMs };
}

/**
 * Cross-sectional momentum: rank the instruments by formation score, long
 * the top `k`, short the bottom `k`, flat the rest. Needs at least 2k
 * instruments with enough history, else no signal at all; strength grows
 * with the distance of the score from the cross-sectional mean.
 */
export const xsecMomentum: StrategyDef<XsecMomentumParams> = {
  id: XS_ID,
  family: 'momentum',
  thesis: 'Assets that outperformed their peers over the past months keep outperforming them (Jegadeesh-Titman cross-sectional momentum; Asness, Moskowitz and Pedersen across asset classes): long the strongest PM instruments by risk-adjusted formation return, short the weakest.',
  params: { lookback: 120, skip: 5, k: 3, horizonBars: 20 },
  instruments: XS_INSTRUMENTS,
  macro: [],
  trigger: 'bar',
  perInstrument: false,
  evaluate(view: MarketViewReader, p: XsecMomentumParams): Signal[] {
    const lookback = count(p, 'lookback', 2);
    const skip = count(p, 'skip', 0);
    const k = count(p, 'k');
    const horizon = count(p, 'horizonBars');
    if (2 * k > XS_INSTRUMENTS.length) throw new RangeError(`k must be at most ${XS_INSTRUMENTS.length / 2}, got ${k}`);
    const ranked: { sym: string; score: number; ts: number; intervalMs: number }[] = [];
    for (const sym of XS_INSTRUMENTS) {
      const f = formationScore(view, sym, lookback, skip);
      if (f) ranked.push({ sym, ...f });
    }
    if (ranked.length < 2 * k) return [];
    ranked.sort((a, b) => b.score - a.score);
    const avg = ranked.reduce((a, x) => a + x.score, 0) / ranked.length;
    const suff = ranked.length / XS_INSTRUMENTS.length;
    return ranked.map((x, i) => {
      const dir: -1 | 0 | 1 = i < k ? 1 : i >= ranked.length - k ? -1 : 0;
      const mag = squash(x.score - avg, 1);
      const why = `rank ${i + 1} of ${ranked.length} by ${lookback}-bar formation score ${x.score.toFixed(2)} (mean ${avg.toFixed(2)}): ${dir > 0 ? 'top' : dir < 0 ? 'bottom' : 'middle'} ${dir === 0 ? '' : k}`.trim();
      return makeSignal(XS_ID, x.sym, dir, 0.5 + 0.5 * mag, confidenceOf(suff, dir === 0 ? 0 : mag), horizon * x.intervalMs, x.ts, why);
    });
  },
};

export interface DualMomentumParams extends Params {
  /** Formation window in bars. */
  readonly lookback: number;
  /** Annual risk-free rate the winner's return must beat (absolute momentum); 0 compares with zero. */
  readonly riskFree: number;
  readonly horizonBars: number;
}

const DM_ID = 'dual_momentum';
const DM_INSTRUMENTS = ['GLD', 'SLV', 'PPLT'] as const;
const YEAR_MS = 365 * 86_400_000;

/**
 * Antonacci's dual momentum: relative momentum picks the metal with the
 * best `lookback`-bar return; absolute momentum holds it long only if that
 * return beats the risk-free rate over the same span (riskFree per year,
 * scaled by lookback bars of the series' interval). Everything else flat;
 * never short. No signal until all three have lookback + 1 bars.
 */
export const dualMomentum: StrategyDef<DualMomentumParams> = {
  id: DM_ID,
  family: 'momentum',
  thesis: 'Relative momentum picks the strongest asset and absolute momentum (its excess return over cash) decides whether to hold it at all (Antonacci, Dual Momentum Investing): long the best of gold, silver and platinum only while it beats the risk-free rate.',
  params: { lookback: 120, riskFree: 0.04, horizonBars: 20 },
  instruments: DM_INSTRUMENTS,
  macro: [],
  trigger: 'bar',
  perInstrument: false,
  evaluate(view: MarketViewReader, p: DualMomentumParams): Signal[] {
    const lookback = count(p, 'lookback', 2);
    const rf = num(p, 'riskFree');
    if (!(rf > -1 && rf <= 1)) throw new RangeError(`riskFree must be an annual rate in (-1, 1], got ${rf}`);
    const horizon = count(p, 'horizonBars');
    const rows: { sym: string; r: number; vol: number; ts: number; intervalMs: number }[] = [];
    for (const sym of DM_INSTRUMENTS) {
      const s = view.bars(sym);
      const last = s.length - 1;
      if (s.length < lookback + 1) return [];
      rows.push({ sym, r: Math.log(s.close(last) / s.close(last - lookback)), vol: returnStd(s, lookback, last) * Math.sqrt(lookback), ts: s.ts(last), intervalMs: s.intervalMs });
    }
    const best = rows.reduce((a, x) => (x.r > a.r ? x : a));
    const hurdle = Math.log1p(rf) * ((lookback * best.intervalMs) / YEAR_MS);
    const excess = best.r - hurdle;
    const mag = best.vol > 0 ? squash(excess / best.vol, 1) : 0;
    return rows.map((x) => {
      const dir: 0 | 1 = x === best && excess > 0 ? 1 : 0;
      const why = `${lookback}-bar return ${(x.r * 100).toFixed(2)}%; best ${best.sym} ${(best.r * 100).toFixed(2)}% vs risk-free ${(hurdle * 100).toFixed(2)}%: ${dir ? 'hold the winner' : x === best ? 'winner below cash, flat' : 'not the winner, flat'}`;
      return makeSignal(DM_ID, x.sym, dir, 0.5 + 0.5 * mag, confidenceOf(1, dir ? mag : 0), horizon * x.intervalMs, x.ts, why);
    });
  },
};

export const RELATIVE_MOMENTUM_STRATEGIES = [xsecMomentum, dualMomentum] as const;
