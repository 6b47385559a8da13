/**
 * Every topic the actors publish on, and the messages each carries: the one
 * place a topic is named. Publishing, spec `subscribe:` lists and the main
 * thread's subscriptions all take these, so a message published on the wrong
 * topic, or a handler expecting the wrong one, does not compile.
 *
 * Topics connect actors, so the map sits above the actor folders, beside
 * them in the domain layer; the runtime only knows that a topic carries
 * some message union. (The supervision tree's reports have their own topic,
 * `SUPERVISOR_TOPIC`, typed the same way in supervisor/, a layer below.)
 */
import { carrying, defineTopics, type TopicMessage } from '../src/runtime/index.js';
import type { AllocatorLearningMsg, AllocatorPostureMsg } from './allocator/messages.js';
import type { BrokerAccountMsg, BrokerConnectionMsg, BrokerFillMsg, BrokerIntentRefusedMsg, BrokerOrderUpdateMsg, BrokerPositionsMsg, BrokerReconciledMsg } from './broker/messages.js';
import type { FeedBarMsg, FeedFeaturesMsg, FeedHistoryMsg, FeedSampleMsg, FeedStatusMsg } from './feed/messages.js';
import type { MacroMsg, MacroStatusMsg } from './macro/messages.js';
import type { MdStatusMsg } from './market-data/messages.js';
import type { RiskFlattenMsg, RiskIntentDeniedMsg, RiskStateMsg, RiskTierChangedMsg } from './risk/messages.js';
import type { StrategySignalMsg, StrategyStatusMsg } from './strategy/messages.js';

export const TOPICS = defineTopics({
  /** Per-instrument features after each accepted tick (feed -> strategies, allocator, risk, daemon). */
  features: carrying<FeedFeaturesMsg>(),
  /** Closed bars, and the backfilled history a feed starts from (feed -> strategies). */
  bars: carrying<FeedBarMsg | FeedHistoryMsg>(),
  /** Conflated features for displays, a few a second per feed (feed -> daemon). */
  feed_samples: carrying<FeedSampleMsg>(),
  /** A feed's freshness: fresh, stale or gap (feed -> strategies, daemon). */
  feed_status: carrying<FeedStatusMsg>(),
  /** The market-data session's connection (market data -> daemon). */
  md_status: carrying<MdStatusMsg>(),
  /** Macro series and COT positioning (macro sources -> strategies). */
  macro: carrying<MacroMsg>(),
  /** Each macro source's last fetch outcome (macro sources -> daemon). */
  macro_status: carrying<MacroStatusMsg>(),
  /** Strategy signals (strategies -> allocator, daemon). */
  signals: carrying<StrategySignalMsg>(),
  /** Each shard's strategies and their state (strategies -> risk, daemon). */
  strategy_status: carrying<StrategyStatusMsg>(),
  /** The allocator's target posture (allocator -> daemon). */
  posture: carrying<AllocatorPostureMsg>(),
  /** Attribution and learned weights per strategy (allocator -> daemon). */
  learning: carrying<AllocatorLearningMsg>(),
  /** The risk governor's state, tier changes, denials and flatten passes (risk -> daemon). */
  risk: carrying<RiskStateMsg | RiskTierChangedMsg | RiskIntentDeniedMsg | RiskFlattenMsg>(),
  /** Order updates, and approved intents the broker session would not register (broker -> risk, daemon). */
  orders: carrying<BrokerOrderUpdateMsg | BrokerIntentRefusedMsg>(),
  /** Fills, deduplicated and journaled (broker -> daemon). */
  fills: carrying<BrokerFillMsg>(),
  /** Positions derived from fills, and the broker account (broker -> risk, allocator, daemon). */
  positions: carrying<BrokerPositionsMsg | BrokerAccountMsg>(),
  /** Reconciliation outcomes (broker -> risk, daemon). */
  reconciled: carrying<BrokerReconciledMsg>(),
  /** The broker session's link to the venue (broker -> risk, daemon). */
  broker_status: carrying<BrokerConnectionMsg>(),
});

export type Topics = typeof TOPICS;
export type TopicName = keyof Topics;
/** The messages carried on topic `K`. */
export type OnTopic<K extends TopicName> = TopicMessage<Topics[K]>;
