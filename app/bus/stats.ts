/** Mutable counters behind `BusStats`, shared by both bus implementations. */
import type { BusStats } from './bus.js';

export type Counters = { -readonly [K in Exclude<keyof BusStats, 'kind' | 'connected' | 'degraded'>]: number };

export function newCounters(): Counters {
  return {
    statePuts: 0,
    stateRejected: 0,
    stateWriteErrors: 0,
    telemetryPublished: 0,
    telemetryDropped: 0,
    telemetryReceived: 0,
    telemetryDecodeErrors: 0,
    subscriberErrors: 0,
    commandsHandled: 0,
    commandsDeduplicated: 0,
    commandsMalformed: 0,
    recordsMalformed: 0,
    commandsSent: 0,
    commandTimeouts: 0,
    heartbeats: 0,
    outages: 0,
    reconnects: 0,
  };
}

/** JSON text of a value, or null when it is not JSON-able (cycles, BigInt) or is undefined. */
export function toJson(value: unknown): string | null {
  try {
    const s = JSON.stringify(value);
    return typeof s === 'string' ? s : null;
  } catch {
    return null;
  }
}

/** A small insertion-ordered cache that forgets its oldest entries past `max`. */
export class BoundedMap<K, V> {
  private readonly map = new Map<K, V>();
  constructor(private readonly max: number) {}
  get(k: K): V | undefined {
    return this.map.get(k);
  }
  has(k: K): boolean {
    return this.map.has(k);
  }
  set(k: K, v: V): void {
    this.map.delete(k);
    this.map.set(k, v);
    if (this.map.size > this.max) this.map.delete(this.map.keys().next().value as K);
  }
  delete(k: K): void {
    this.map.delete(k);
  }
  values(): IterableIterator<V> {
    return this.map.values();
  }
}
