/**
 * The names the state bus knows: snapshot sections (the latest value wins)
 * and telemetry topics (live data, fanned out to subscribers).
 */

/** Snapshot sections the daemon puts and the API reads. */
export const SECTIONS = ['health', 'risk', 'positions', 'orders', 'fills', 'strategies', 'watchdog', 'forecasts', 'universe', 'config', 'dead_letters', 'audit', 'performance'] as const;
export type Section = (typeof SECTIONS)[number];

/**
 * Telemetry topics the daemon publishes and WebSocket clients subscribe to:
 * `risk` carries risk.state (tier, floor, triggers) and the tier changes,
 * denials and flatten passes; `positions` the broker's positions and account;
 * `posture` the allocator's target posture; `strategy_status` each shard's
 * strategy states; `dead_letters` messages the runtime could not deliver.
 */
export const TOPICS = ['health', 'ticks', 'signals', 'risk', 'orders', 'fills', 'supervisor', 'positions', 'posture', 'strategy_status', 'dead_letters'] as const;
export type Topic = (typeof TOPICS)[number];

const SECTION_SET: ReadonlySet<string> = new Set(SECTIONS);
const TOPIC_SET: ReadonlySet<string> = new Set(TOPICS);

export function isSection(x: unknown): x is Section {
  return typeof x === 'string' && SECTION_SET.has(x);
}

export function isTopic(x: unknown): x is Topic {
  return typeof x === 'string' && TOPIC_SET.has(x);
}
