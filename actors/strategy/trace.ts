/**
 * Latency tracing along the tick-to-order path. The shard stamps each signal
 * with `originNs`, the monotonic send time of the market-data message behind
 * it; the allocator and risk carry it on; each stage records how long after
 * that instant it acted, in one histogram labelled by stage, and the broker
 * session records the end-to-end figure (`qgtm_tick_to_intent_seconds`).
 * Stamps are `monoNs()` readings, comparable across the threads of a process.
 */
import type { ActorContext } from '../../src/runtime/index.js';

/** Finer than the runtime's default latency buckets where the path lives (10 µs - 10 ms). */
export const PIPELINE_BUCKETS: readonly number[] = [
  1e-5, 2.5e-5, 5e-5, 7.5e-5, 1e-4, 1.5e-4, 2e-4, 3e-4, 4e-4, 5e-4, 7.5e-4, 1e-3, 1.5e-3, 2e-3, 3e-3, 5e-3, 1e-2, 2.5e-2, 0.1, 1,
];

export type PipelineStage = 'signals' | 'intents' | 'risk' | 'broker';

/** The histogram child for one stage of the path. */
export function pipelineHistogram(ctx: ActorContext, stage: PipelineStage): { observe(seconds: number): void } {
  return ctx.metrics
    .histogram('qgtm_pipeline_latency_seconds', 'Time from the market-data event to each stage of the tick-to-order path', ['stage'], PIPELINE_BUCKETS)
    .labels({ stage });
}
