export type { Signal } from './signal.js';
export { ShardCore, SHARD_SNAPSHOT_VERSION } from './shard-core.js';
export type { ShardOptions, ShardSnapshot } from './shard-core.js';
export { MarketView } from './market-view.js';
export type { MarketViewReader, MarketViewOptions, MarketViewSnapshot, MacroSeriesView, CotMarket } from './market-view.js';
export { CATALOG, strategyById, duplicateIds, partition, shardOf, LiveSurface } from './registry.js';
export type { CommandResult, SurfaceSnapshot } from './registry.js';
export { makeSignal, confidenceOf } from './strategy.js';
export type { StrategyDef, Family, Params, ParamValue, Trigger } from './strategy.js';
export { StrategyError, UnknownStrategyError } from './errors.js';
export type {
  StrategySignalMsg,
  StrategyStatusMsg,
  StrategyStatusEntry,
  StrategyState,
  StrategyEnableMsg,
  StrategyDisableMsg,
  StrategyCommandMsg,
  StrategyCommandResultMsg,
  StrategyMsg,
} from './messages.js';
export { classifyRegime, regimeMultiplier, MetaModel } from './support/index.js';
export type { Regime, RegimeConfig, RegimeState, MetaConfig, MetaStats } from './support/index.js';
export { PIPELINE_BUCKETS, pipelineHistogram } from './trace.js';
export type { PipelineStage } from './trace.js';
export type { StrategyShardArgs } from './actor.js';
export { STRATEGY_PROFILES, PROFILE_NAMES, strategyProfile } from './profiles.js';
export type { ParamProfile, ProfileName } from './profiles.js';
// The actor shells (actor.ts in each folder) are loaded by the runtime from their URLs;
// they are not re-exported here so that importing a folder never loads the runtime or the SDK.
