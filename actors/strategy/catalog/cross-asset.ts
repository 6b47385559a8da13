/**
 * Cross-asset ratios: gold priced against an industrial commodity from the
 * broad universe (copper, oil). Only the gold leg is traded; the other is an
 * `input` (read, never traded), so these entries speak only where the feeds
 * carry it: `universe.focus=broad`, or a research history that includes it.
 * Under the default PM focus they hold no signal, and the daemon says so at
 * start.
 */
import type { MarketViewReader } from '../market-view.js';
import type { Signal } from '../signal.js';
import { alignedLogCloses, mean, sign, squash, std } from '../math.js';
import { confidenceOf, count, makeSignal, num, type Params, type StrategyDef } from '../strategy.js';

export interface GoldCopperParams extends Params {
  /** Bars of the gold/copper log ratio in its trend t-statistic. */
  readonly trendBars: number;
  /** |ratio trend t| at or above this: the growth-versus-fear regime has turned. */
  readonly entryT: number;
  readonly horizonBars: number;
}

const GC_ID = 'gold_copper_ratio';

/**
 * The trend of log(GLD / CPER) over `trendBars` joint bars, as a
 * t-statistic: the ratio's change over the window against the deviation a
 * random walk with the ratio's own step volatility would show
 * (std of steps x sqrt(n)). A rising ratio (gold outrunning copper) is the
 * market pricing slower growth and lower yields: long gold; a falling one is
 * reflation, when gold lags risk assets and rising yields weigh on it:
 * short gold. |t| below `entryT`: flat. It reads the ratio, not gold alone:
 * a copper slump with gold unchanged turns it long, which gold's own trend
 * (tsmom) would not.
 */
export const goldCopperRatio: StrategyDef<GoldCopperParams> = {
  id: GC_ID,
  family: 'ratio',
  thesis: 'The copper/gold ratio is the market\'s growth-versus-fear gauge (it tracks the 10-year yield, as Gundlach popularised): when gold trends up against copper, growth fears and falling yields favour gold; when copper leads, reflation and rising yields weigh on it.',
  params: { trendBars: 60, entryT: 1.5, horizonBars: 20 },
  instruments: ['GLD'],
  inputs: ['CPER'],
  macro: [],
  trigger: 'bar',
  evaluate(view: MarketViewReader, p: GoldCopperParams): Signal[] {
    const n = count(p, 'trendBars', 2);
    const entryT = num(p, 'entryT');
    const horizon = count(p, 'horizonBars');
    const j = alignedLogCloses(view.bars('GLD'), view.bars('CPER'), n + 1);
    if (j.n < n + 1) return [];
    const steps = new Float64Array(n);
    for (let k = 0; k < n; k++) steps[k] = j.a[k + 1] - j.b[k + 1] - (j.a[k] - j.b[k]);
    const change = j.a[n] - j.b[n] - (j.a[0] - j.b[0]);
    const sd = std(steps) * Math.sqrt(n);
    const t = sd > 0 ? change / sd : 0;
    const dir = Math.abs(t) >= entryT ? sign(t) : 0;
    const gold = j.a[n] - j.a[0];
    const copper = j.b[n] - j.b[0];
    const why = `gold/copper ${pct(change)} over ${n} bars (gold ${pct(gold)}, copper ${pct(copper)}), t=${t.toFixed(2)}: ${dir > 0 ? 'growth fear, long gold' : dir < 0 ? 'reflation, short gold' : 'no regime'}`;
    const g = view.bars('GLD');
    return [makeSignal(GC_ID, 'GLD', dir, squash(t, 2 * entryT), confidenceOf(1, dir === 0 ? 0 : squash(t, 2 * entryT)), horizon * g.intervalMs, j.ts, why)];
  },
};

export interface GoldOilParams extends Params {
  /** Joint bars the log ratio's mean and deviation are taken over (the current one excluded). */
  readonly window: number;
  /** |z| of the log ratio at or above this: gold is rich (cheap) in barrels. */
  readonly entryZ: number;
  /** Share (0..1] of the ratio's deviation that gold's own move must explain for gold to be the one mispriced. */
  readonly goldShare: number;
  readonly horizonBars: number;
}

const GO_ID = 'gold_oil_ratio';

/**
 * The log of GLD / USO against its mean over `window` joint bars, as a
 * z-score. The ratio's deviation is gold's deviation from its own mean less
 * oil's; only when gold's part is at least `goldShare` of it is gold the leg
 * out of line, and then a |z| of `entryZ` or more leans against it: rich
 * (gold buys unusually many barrels) short gold, cheap long gold. A
 * deviation made by oil (a supply shock or a demand collapse) says nothing
 * about gold's price: flat, and the reason says so.
 */
export const goldOilRatio: StrategyDef<GoldOilParams> = {
  id: GO_ID,
  family: 'ratio',
  thesis: 'Gold and oil share an inflation driver (oil feeds inflation, gold hedges it, and energy is a large part of mining costs), so the ounces-to-barrels ratio mean-reverts: when gold itself has run far from oil it gives back the gap; when oil made the gap it tells nothing about gold.',
  params: { window: 120, entryZ: 2, goldShare: 0.5, horizonBars: 30 },
  instruments: ['GLD'],
  inputs: ['USO'],
  macro: [],
  trigger: 'bar',
  evaluate(view: MarketViewReader, p: GoldOilParams): Signal[] {
    const w = count(p, 'window', 3);
    const entryZ = num(p, 'entryZ');
    const share = num(p, 'goldShare');
    if (!(share > 0 && share <= 1)) throw new RangeError(`goldShare must be in (0, 1], got ${share}`);
    const horizon = count(p, 'horizonBars');
    const j = alignedLogCloses(view.bars('GLD'), view.bars('USO'), w + 1);
    if (j.n < w + 1) return [];
    const ratio = new Float64Array(w + 1);
    for (let k = 0; k <= w; k++) ratio[k] = j.a[k] - j.b[k];
    const sd = std(ratio, 0, w);
    if (!(sd > 1e-12)) return [];
    const dev = ratio[w] - mean(ratio, 0, w);
    const z = dev / sd;
    const goldDev = j.a[w] - mean(j.a, 0, w);
    // Gold's part of the deviation: 1 when oil sat still, 0 or less when oil made all of it.
    const goldPart = goldDev / dev;
    const extreme = Math.abs(z) >= entryZ;
    const goldDriven = goldPart >= share;
    const dir = extreme && goldDriven ? sign(-z) : 0;
    const why = `gold/oil log ratio z=${z.toFixed(2)}, gold ${(goldPart * 100).toFixed(0)}% of the gap${extreme ? (goldDriven ? `: gold ${z > 0 ? 'rich, short' : 'cheap, long'}` : ': made by oil, no call on gold') : ''}`;
    const g = view.bars('GLD');
    return [makeSignal(GO_ID, 'GLD', dir, squash(z, 2 * entryZ), confidenceOf(1, dir === 0 ? 0 : squash(z, 2 * entryZ)), horizon * g.intervalMs, j.ts, why)];
  },
};

function pct(logChange: number): string {
  const x = (Math.exp(logChange) - 1) * 100;
  return `${x >= 0 ? '+' : ''}${x.toFixed(2)}%`;
}

export const CROSS_ASSET_STRATEGIES = [goldCopperRatio, goldOilRatio] as const;
