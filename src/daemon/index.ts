export { tradingTree, startTrading, strategyActorFor, shardIds, placementFor } from './topology.js';
export type { TradingConfig, PlacementMode } from './topology.js';
export { TRADING_STRUCTURES } from './structures.js';
