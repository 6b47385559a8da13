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

export const RELATIVE_MOMENTUM_STRATEGIES = [xsecMomentum] as const;
