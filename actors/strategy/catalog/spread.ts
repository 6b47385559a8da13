/** Spread family: related instruments whose hedged spread reverts. */
import { pairStrategy } from './pairs.js';

/** Gold miners against gold, hedged by the miners' fitted beta. */
export const minersVsMetal = pairStrategy({
  id: 'miners_vs_metal',
  family: 'spread',
  thesis: 'Miners are leveraged gold: when GDX falls far below its beta-implied value against GLD buy miners and sell gold, and the reverse.',
  a: 'GDX',
  b: 'GLD',
  hedge: 'ols',
  params: { window: 120, entryZ: 2, exitZ: 0.5, horizonBars: 60 },
});

/** Junior against senior gold miners. */
export const juniorVsSenior = pairStrategy({
  id: 'junior_vs_senior',
  family: 'spread',
  thesis: 'Junior miners track seniors with higher beta: a residual far from its mean between GDXJ and GDX reverts.',
  a: 'GDXJ',
  b: 'GDX',
  hedge: 'ols',
  params: { window: 120, entryZ: 2.25, exitZ: 0.5, horizonBars: 60 },
});

/** Platinum against palladium. */
export const platinumPalladium = pairStrategy({
  id: 'pt_pd_spread',
  family: 'spread',
  thesis: 'Platinum and palladium substitute in autocatalysts, so the PPLT/PALL log ratio reverts: buy the cheap metal, sell the rich one.',
  a: 'PPLT',
  b: 'PALL',
  hedge: 'ratio',
  params: { window: 120, entryZ: 2, exitZ: 0.5, horizonBars: 60 },
});

export const SPREAD_STRATEGIES = [minersVsMetal, juniorVsSenior, platinumPalladium] as const;
