export { FeedCore, FEED_SNAPSHOT_VERSION } from './feed.js';
export type { FeedOutput, FeedCounters, FeedSnapshot, FeedRestore, BackfillOutcome } from './feed.js';
export { selectBackfill, validBackfillBar, emptyBackfillDrops, BACKFILL_DROP_REASONS } from './backfill.js';
export type { BackfillDropReason, BackfillDrops, BackfillBounds, BackfillSelection } from './backfill.js';
export type { BackfillGate } from './backfill-fetch.js';
export { fetchBackfillBars, timeframeFor, backfillRetryDelayMs, backfillSettingsViolations, isPermanentFailure, errorStatus, BACKFILL_DEFAULTS } from './backfill-fetch.js';
export type { BackfillSettings, BarsApi, FetchedBars } from './backfill-fetch.js';
export { feedConfig, feedConfigViolations } from './config.js';
export type { FeedConfig, BarSource } from './config.js';
export { FeedValidator, REJECT_REASONS, emptyRejectCounts } from './validate.js';
export type { RejectReason, RejectCounts, ValidatorOptions, ValidatorSnapshot } from './validate.js';
export { BarBuilder } from './bar-builder.js';
export type { BuiltBar, BarBuilderSnapshot } from './bar-builder.js';
export { BarRing } from './bar-ring.js';
export type { BarSeries, BarColumns } from './bar-ring.js';
export { FeatureEngine } from './features.js';
export type { FeatureOptions, FeatureSnapshot, BarLike } from './features.js';
export { StatusTracker } from './status.js';
export type { StatusOptions, StatusSnapshot } from './status.js';
export { ConflatingOutbox } from './conflate.js';
export type { Deliver, OutboxStats } from './conflate.js';
export type {
  FeedStatus,
  FeedStatusReason,
  FeatureSource,
  FeedFeaturesMsg,
  FeedBarMsg,
  FeedStatusMsg,
  FeedHistoryMsg,
  FeedMsg,
  FeedTickMsg,
  FeedGetHistoryMsg,
  FeedBackfillResultMsg,
  FeedBackfillRetryMsg,
  FeedSampleMsg,
  FeedSampleDueMsg,
} from './messages.js';
export { FeedSampler, DEFAULT_SAMPLE_MS } from './sampler.js';
export { FEATURES_TOPIC, BARS_TOPIC, FEED_STATUS_TOPIC, FEED_SAMPLE_TOPIC, feedArgsViolations } from './actor.js';
export type { FeedActorArgs, FeedBackfillArgs, BackfillState } from './actor.js';
export { FEED_STRUCTURES } from './structures.js';
