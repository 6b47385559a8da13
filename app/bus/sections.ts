/**
 * The names the state bus knows: snapshot sections (the latest value wins)
 * and telemetry topics (live data, fanned out to subscribers).
 */

/** Snapshot sections the daemon puts and the API reads. */
export const SECTIONS = ['health', 'risk', 'positions', 'orders', 'fills', 'strategies', 'watchdog', 'forecasts', 'universe', 'config'] as const;
export type Section = (typeof SECTIONS)[number];

/** Telemetry topics the daemon publishes and WebSocket clients subscribe to. */
export const TOPICS = ['health', 'ticks', 'signals', 'risk', 'orders', 'fills', 'supervisor'] as const;
export type Topic = (typeof TOPICS)[number];

const SECTION_SET: ReadonlySet<string> = new Set(SECTIONS);
const TOPIC_SET: ReadonlySet<string> = new Set(TOPICS);

export function isSection(x: unknown): x is Section {
  return typeof x === 'string' && SECTION_SET.has(x);
}

export function isTopic(x: unknown): x is Topic {
  return typeof x === 'string' && TOPIC_SET.has(x);
}
