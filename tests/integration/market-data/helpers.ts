/**
 * A venue plus an actor system running the market-data specs, for the
 * session tests; statuses and feed counters observed on the main thread.
 */
import { resolveAlpacaConnection, type AlpacaConnection } from '../../../src/alpaca/index.js';
import type { ActorSystem, Message, SystemOptions } from '../../../src/runtime/index.js';
import { startVenue, type VenueHandle, type VenueOptions } from '../../../venue/index.js';
import { MARKET_DATA_STRUCTURES } from '../../../actors/market-data/index.js';
import { marketDataSpecs, type MarketDataSpecOptions } from '../../../app/daemon/market-data-specs.js';
import type { MdStatusMsg } from '../../../actors/market-data/messages.js';
import type { MarketEvent } from '../../../src/matching/events.js';
import { Collector } from '../venue/helpers.js';
import { TOPICS } from '../../../actors/topics.js';

export interface Stack {
  readonly venue: VenueHandle;
  readonly system: ActorSystem;
  readonly conn: AlpacaConnection;
  readonly statuses: Collector<MdStatusMsg>;
}

export const MANUAL_VENUE: VenueOptions = { clockMode: 'manual', stepMs: 1000, seed: 7, historyMinutes: 0 };

/** Starts a venue and the md session plus feeds for `symbols` (no macro actors). */
export async function startStack(
  start: (opts?: SystemOptions) => Promise<ActorSystem>,
  symbols: readonly string[],
  options: { venue?: VenueOptions; keys?: { keyId: string; secretKey: string }; specs?: Partial<MarketDataSpecOptions>; faults?: boolean } = {},
): Promise<Stack> {
  const venue = await startVenue({ ...MANUAL_VENUE, ...options.venue });
  const system = await start({ structures: MARKET_DATA_STRUCTURES, faults: options.faults ?? false });
  const conn = resolveAlpacaConnection({ local: venue, ...options.keys });
  const statuses = new Collector<MdStatusMsg>();
  await system.subscribe(TOPICS.md_status, (m) => statuses.push(m));
  const specs = marketDataSpecs({
    conn,
    symbols,
    macro: false,
    ...options.specs,
    md: { reconnect: { initialMs: 20, maxMs: 200, jitter: 0 }, ...options.specs?.md },
  });
  for (const spec of specs) await system.spawn(spec);
  return { venue, system, conn, statuses };
}

/** Counts of venue events per symbol and kind, for the symbols given. */
export function countEvents(events: readonly MarketEvent[], symbols: readonly string[]): Record<string, { trade: number; quote: number; bar: number }> {
  const out: Record<string, { trade: number; quote: number; bar: number }> = {};
  for (const s of symbols) out[s] = { trade: 0, quote: 0, bar: 0 };
  for (const e of events) if (out[e.symbol]) out[e.symbol][e.kind]++;
  return out;
}

export function addCounts(a: Record<string, { trade: number; quote: number; bar: number }>, b: Record<string, { trade: number; quote: number; bar: number }>): void {
  for (const [s, c] of Object.entries(b)) {
    a[s] ??= { trade: 0, quote: 0, bar: 0 };
    a[s].trade += c.trade;
    a[s].quote += c.quote;
    a[s].bar += c.bar;
  }
}

export interface FeedInfo {
  symbol: string;
  status: string;
  warm: boolean;
  received: { trade: number; quote: number; bar: number };
  published: { features: number; bars: number; status: number };
  accepted: number;
  rejected: Record<string, number>;
  featuresPublished: number;
  barsClosed: number;
}

export async function feedInfo(system: ActorSystem, symbol: string): Promise<FeedInfo> {
  const [info] = await system.inspect(`feed:${symbol}`);
  return info.state_detail as FeedInfo;
}

export async function mdInfo(system: ActorSystem): Promise<Record<string, any>> {
  const [info] = await system.inspect('md');
  return info.state_detail as Record<string, any>;
}
