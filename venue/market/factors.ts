/**
 * The factor model behind the simulated market. Four correlated metal factors
 * (gold, silver, PGM, a broad commodity factor) drive every instrument: an
 * instrument loads on its metal's factor with its universe `beta`, non-precious
 * instruments also load on their own sector factor, and each instrument adds
 * idiosyncratic noise sized by its asset class. Correlations come out of the
 * loadings, so gold miners co-move with GLD about as much as they do in life.
 */
import type { AssetClass, Instrument, Metal } from '../../src/universe/index.js';

export type FactorName = 'gold' | 'silver' | 'pgm' | 'broad';
export const FACTORS: readonly FactorName[] = ['gold', 'silver', 'pgm', 'broad'];

/** Annualised factor volatilities. */
export const FACTOR_VOL: Readonly<Record<FactorName, number>> = { gold: 0.15, silver: 0.28, pgm: 0.3, broad: 0.22 };

/** Factor correlation matrix, rows/columns in FACTORS order. */
export const FACTOR_CORRELATION: readonly (readonly number[])[] = [
  [1.0, 0.8, 0.5, 0.3],
  [0.8, 1.0, 0.55, 0.4],
  [0.5, 0.55, 1.0, 0.4],
  [0.3, 0.4, 0.4, 1.0],
];

/** Annualised volatility of each sector factor (independent of the metals). */
export const SECTOR_VOL = 0.2;

/** Milliseconds in a trading year; vols are scaled by sqrt(dt / YEAR_MS). */
export const YEAR_MS = 252 * 6.5 * 3600 * 1000;

const IDIO_VOL: Readonly<Record<AssetClass, number>> = {
  bullion_etf: 0.01,
  miner_etf: 0.1,
  miner: 0.25,
  royalty: 0.16,
  commodity_etf: 0.06,
  commodity_equity: 0.22,
};

const SPREAD_BPS: Readonly<Record<AssetClass, number>> = {
  bullion_etf: 1.5,
  miner_etf: 3,
  miner: 5,
  royalty: 4,
  commodity_etf: 4,
  commodity_equity: 4,
};

/** Typical displayed size at the touch, in shares. */
const TOUCH_SIZE: Readonly<Record<AssetClass, number>> = {
  bullion_etf: 800,
  miner_etf: 600,
  miner: 400,
  royalty: 300,
  commodity_etf: 500,
  commodity_equity: 400,
};

/** Plausible starting prices; an unknown symbol starts at 50. */
const START_PRICE: Readonly<Record<string, number>> = {
  GLD: 240, IAU: 46, GLDM: 48, SLV: 28, SIVR: 29, PPLT: 90, PALL: 95, GDX: 40, GDXJ: 50, SIL: 38,
  SILJ: 12, NEM: 45, B: 18, AEM: 80, KGC: 9, PAAS: 22, SBSW: 5, WPM: 60, FNV: 130, RGLD: 150,
  USO: 75, BNO: 30, UNG: 15, XLE: 90, XOM: 110, CVX: 155, DBC: 22, GSG: 21, PDBC: 13, DBA: 25,
  CORN: 20, WEAT: 5.5, SOYB: 22, MOS: 28, NTR: 55, CPER: 27, COPX: 40, FCX: 42, SCCO: 100, DBB: 19,
  URA: 28, CCJ: 50, LIT: 45, ALB: 90,
};

/** Which factor a metal loads on. */
export function factorOf(metal: Metal): FactorName {
  switch (metal) {
    case 'gold':
      return 'gold';
    case 'silver':
      return 'silver';
    case 'platinum':
    case 'palladium':
    case 'pgm':
      return 'pgm';
    default:
      return 'broad';
  }
}

/** The sector a non-precious instrument also loads on, or undefined for precious metals. */
export function sectorOf(metal: Metal): string | undefined {
  return factorOf(metal) === 'broad' ? metal : undefined;
}

/** Everything the market needs to know about one instrument, precomputed. */
export interface InstrumentModel {
  readonly symbol: string;
  readonly factorIndex: number;
  readonly beta: number;
  /** Index into the sector factor array, or -1. */
  readonly sectorIndex: number;
  readonly idioVol: number;
  readonly spreadBps: number;
  readonly touchSize: number;
  readonly startPrice: number;
  readonly assetClass: AssetClass;
}

/** Precomputes per-instrument loadings; also returns the sector names in index order. */
export function buildModels(instruments: readonly Instrument[]): { models: InstrumentModel[]; sectors: string[] } {
  const sectors: string[] = [];
  const models = instruments.map((inst) => {
    const sector = sectorOf(inst.metal);
    let sectorIndex = -1;
    if (sector !== undefined) {
      sectorIndex = sectors.indexOf(sector);
      if (sectorIndex < 0) sectorIndex = sectors.push(sector) - 1;
    }
    return {
      symbol: inst.symbol,
      factorIndex: FACTORS.indexOf(factorOf(inst.metal)),
      beta: inst.beta,
      sectorIndex,
      idioVol: IDIO_VOL[inst.assetClass],
      spreadBps: SPREAD_BPS[inst.assetClass],
      touchSize: TOUCH_SIZE[inst.assetClass],
      startPrice: START_PRICE[inst.symbol] ?? 50,
      assetClass: inst.assetClass,
    };
  });
  return { models, sectors };
}

/** Lower-triangular Cholesky factor of a symmetric positive-definite matrix. */
export function cholesky(m: readonly (readonly number[])[]): number[][] {
  const n = m.length;
  const l = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let r = 0; r < n; r++) {
    for (let c = 0; c <= r; c++) {
      let sum = m[r][c];
      for (let k = 0; k < c; k++) sum -= l[r][k] * l[c][k];
      if (r === c) {
        if (sum <= 0) throw new RangeError('correlation matrix is not positive definite');
        l[r][c] = Math.sqrt(sum);
      } else {
        l[r][c] = sum / l[c][c];
      }
    }
  }
  return l;
}
