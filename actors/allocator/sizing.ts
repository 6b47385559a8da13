/**
 * Volatility targeting and exposure caps: scores in [-1, 1] become portfolio
 * weights (signed fraction of equity per instrument).
 *
 * 1. `raw = score * targetVol / max(vol, minVol)`: each instrument at full
 *    conviction carries about `targetVol` of annualised risk, so a quiet
 *    bullion trust gets a bigger weight than a junior-miner ETF.
 * 2. Capped per instrument at `maxWeight` (absolute); shorts zeroed when
 *    `allowShort` is false.
 * 3. Net cap: if `|net| > netCap`, only the side in excess is scaled down
 *    proportionally, so hedges are kept intact.
 * 4. Gross cap: if `gross > grossCap`, every weight is scaled by the same
 *    factor. Scaling everything can only shrink `|net|`, so both caps hold.
 */

import type { CombinedScore } from './combine.js';

export interface SizingConfig {
  /** Annualised volatility an instrument at full conviction is sized to (0.10 = 10 %). */
  readonly targetVol: number;
  /** Floor on the instrument volatility, so near-zero estimates cannot blow a weight up. */
  readonly minVol: number;
  /** Absolute cap on any one instrument's weight. */
  readonly maxWeight: number;
  /** Cap on sum of |weights|. */
  readonly grossCap: number;
  /** Cap on |sum of weights|. */
  readonly netCap: number;
  readonly allowShort: boolean;
}

export const DEFAULT_SIZING_CONFIG: SizingConfig = Object.freeze({
  targetVol: 0.1,
  minVol: 0.02,
  maxWeight: 0.2,
  grossCap: 1.0,
  netCap: 0.8,
  allowShort: true,
});

export interface SizedWeight {
  readonly symbol: string;
  readonly score: number;
  /** Annualised volatility used, or null when none was known (weight is then 0). */
  readonly vol: number | null;
  readonly weight: number;
  /** Which limits bit: 'max_weight', 'no_short', 'no_vol', 'net_cap', 'gross_cap'. */
  readonly limitedBy: readonly string[];
}

export interface SizingResult {
  readonly weights: readonly SizedWeight[];
  readonly gross: number;
  readonly net: number;
  /** Factor applied to the excess side by the net cap (1 when not binding). */
  readonly netScale: number;
  /** Factor applied to all weights by the gross cap (1 when not binding). */
  readonly grossScale: number;
}

/**
 * Size scores into weights.
 *
 * @param vols annualised volatility per symbol (e.g. EWMA realised vol from the feed).
 */
export function sizeWeights(
  scores: Iterable<CombinedScore>,
  vols: ReadonlyMap<string, number>,
  config: SizingConfig = DEFAULT_SIZING_CONFIG,
): SizingResult {
  const rows: { symbol: string; score: number; vol: number | null; weight: number; limitedBy: string[] }[] = [];
  for (const s of scores) {
    const v = vols.get(s.symbol);
    const vol = v !== undefined && Number.isFinite(v) && v > 0 ? v : null;
    const limitedBy: string[] = [];
    let w = 0;
    if (vol === null) {
      if (s.score !== 0) limitedBy.push('no_vol');
    } else {
      w = (s.score * config.targetVol) / Math.max(vol, config.minVol);
      if (Math.abs(w) > config.maxWeight) {
        w = Math.sign(w) * config.maxWeight;
        limitedBy.push('max_weight');
      }
      if (w < 0 && !config.allowShort) {
        w = 0;
        limitedBy.push('no_short');
      }
    }
    rows.push({ symbol: s.symbol, score: s.score, vol, weight: w, limitedBy });
  }
  rows.sort((a, b) => (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0));

  let long = 0;
  let short = 0;
  for (const r of rows) {
    if (r.weight > 0) long += r.weight;
    else short -= r.weight;
  }
  let netScale = 1;
  const net = long - short;
  if (net > config.netCap && long > 0) {
    netScale = (config.netCap + short) / long;
    for (const r of rows) if (r.weight > 0) scaleRow(r, netScale, 'net_cap');
    long *= netScale;
  } else if (-net > config.netCap && short > 0) {
    netScale = (config.netCap + long) / short;
    for (const r of rows) if (r.weight < 0) scaleRow(r, netScale, 'net_cap');
    short *= netScale;
  }

  let grossScale = 1;
  const gross = long + short;
  if (gross > config.grossCap && gross > 0) {
    grossScale = config.grossCap / gross;
    for (const r of rows) if (r.weight !== 0) scaleRow(r, grossScale, 'gross_cap');
  }

  let g = 0;
  let n = 0;
  for (const r of rows) {
    g += Math.abs(r.weight);
    n += r.weight;
  }
  return { weights: rows, gross: g, net: n, netScale, grossScale };
}

function scaleRow(r: { weight: number; limitedBy: string[] }, f: number, why: string): void {
  r.weight *= f;
  r.limitedBy.push(why);
}
