export { tradingTree, startTrading, strategyActorFor, shardIds, marketDataChildren, decisionWorkers } from './topology.js';
export { marketDataSpecs, feedSpec, historicalFeedOf, mdSessionSpec, macroSpec, feedPlacementOf, MARKET_DATA_WORKER, DEFAULT_FEED_MAILBOX, CONFLATING_FEED_MAILBOX, LOSSLESS_FEED_MAILBOX } from './market-data-specs.js';
export type { MarketDataSpecOptions, FeedPlacement } from './market-data-specs.js';
export { placementFor, PLACEMENT_MODES, DEFAULT_PLACEMENT, DEFAULT_HEAP } from './placement.js';
export type { TradingConfig } from './topology.js';
export type { PlacementMode, HeapLimits } from './placement.js';
export { TRADING_STRUCTURES } from './structures.js';
