export { tradingTree, startTrading, strategyActorFor, shardIds } from './topology.js';
export { placementFor, PLACEMENT_MODES, DEFAULT_PLACEMENT, DEFAULT_HEAP } from './placement.js';
export type { TradingConfig } from './topology.js';
export type { PlacementMode, HeapLimits } from './placement.js';
export { TRADING_STRUCTURES } from './structures.js';
