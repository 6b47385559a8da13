/**
 * Latency tracing along the tick-to-order path. The shard stamps each signal
 * with `originNs`, the monotonic send time of the market-data message behind
 * it; the allocator and risk carry it on; each stage records how long after
 * that instant it acted, in one histogram labelled by stage, and the broker
 * session records the end-to-end figure (`qgtm_tick_to_intent_seconds`).
 * Stamps are `monoNs()` readings, comparable across the threads of a process.
 */
import type { ActorContext } from '../../src/runtime/index.js';

/**
 * Finer than the runtime's default latency buckets where the path lives
 * (10 µs - 10 ms), and enough above it that a live p50 interpolated from the
 * buckets (bench/live.ts) tells 1 ms from 25 ms and 100 ms from 1 s (a
 * throttled stage holds intents for up to its interval).
 */
export const PIPELINE_BUCKETS: readonly number[] = [
  1e-5, 2.5e-5, 5e-5, 7.5e-5, 1e-4, 1.5e-4, 2e-4, 3e-4, 4e-4, 5e-4, 7.5e-4, 1e-3, 1.5e-3, 2e-3, 3e-3, 5e-3, 7.5e-3, 1e-2, 1.5e-2, 2.5e-2, 5e-2, 0.1, 0.25, 0.5, 1, 2.5, 5,
];

/** HELP of the end-to-end histogram: what the two stamps are, precisely. */
export const TICK_TO_INTENT_HELP =
  'Tick-to-intent latency: from the monotonic send stamp of the earliest input behind a strategy evaluation ' +
  '(the envelope time of a feed actor\'s feed.features/feed.bar publish, after the market-data session handed it the trade; carried as originNs through signal, intents and approval) ' +
  'to the broker session receiving the approved order intent (before journal and submit); one sample per approved intent';

export type PipelineStage = 'signals' | 'intents' | 'risk' | 'broker';

/** The histogram child for one stage of the path. */
export function pipelineHistogram(ctx: ActorContext, stage: PipelineStage): { observe(seconds: number): void } {
  return ctx.metrics
    .histogram('qgtm_pipeline_latency_seconds', 'Time from the market-data event to each stage of the tick-to-order path', ['stage'], PIPELINE_BUCKETS)
    .labels({ stage });
}
