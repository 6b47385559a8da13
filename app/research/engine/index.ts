export { runBacktest, specViolations } from './run.js';
export type { RunExtras } from './run.js';
export { ResearchDesk, researchFeedConfig, researchFeedOverrides, staleAllowance } from './desk.js';
export type { DeskObserver, DeskOptions } from './desk.js';
export { BarMarket, DEFAULT_COST_MODEL, costModelViolations, feeSchedule } from './market.js';
export { RunBooks, KEEP_RECORDS } from './books.js';
