/**
 * Spec builders the daemon uses to start the market-data side: the `md`
 * session, one `feed:<SYMBOL>` per instrument and the macro sources, with
 * placements that fit a 2-core machine.
 *
 *   const specs = marketDataSpecs({ conn, symbols: PM_UNIVERSE.map((i) => i.symbol), feed: { backfill: { bars: 480 } } });
 *   for (const spec of specs) await system.spawn(spec);   // or as supervision-tree children, in this order
 *
 * Order matters: feeds come before the session, so the session's first tells
 * find their feed actors (a tell to an actor not yet spawned is a dead letter).
 */
import type { AlpacaConnection } from '../../src/alpaca/index.js';
import { ConfigError } from '../../src/errors.js';
import type { ActorSpec, MailboxConfig } from '../../src/runtime/index.js';
import { feedArgsViolations, type FeedActorArgs, type FeedBackfillArgs } from '../../actors/feed/actor.js';
import { backfillSettingsViolations, type BackfillSettings } from '../../actors/feed/backfill-fetch.js';
import { feedConfig, type FeedConfig } from '../../actors/feed/config.js';
import { macroArgsViolations, type CftcActorArgs, type FredActorArgs, type MacroActorArgs } from '../../actors/macro/actor.js';
import { DEFAULT_FEED_ID_PATTERN, feedIdFor } from '../../actors/market-data/router.js';
import { mdSessionArgsViolations, type MdSessionArgs } from '../../actors/market-data/session.js';

const SESSION_MODULE = new URL('../../actors/market-data/session.js', import.meta.url).href;
const FEED_MODULE = new URL('../../actors/feed/actor.js', import.meta.url).href;
const MACRO_MODULE = new URL('../../actors/macro/actor.js', import.meta.url).href;

/**
 * The feed mailbox by default: bounded, and when full the oldest queued
 * message makes room (counted as a dead letter `dropped_oldest`), so a feed
 * that falls far behind works on the newest data; in normal operation
 * nothing is lost.
 *
 * Why not `conflate` by symbol: the runtime queues every frame of an arriving
 * batch before the feed handles any, and conflation replaces a queued
 * message of the same type and symbol whether or not the feed lags. A venue
 * frame often holds several trades of one symbol, so conflation would drop
 * trades (and their volume in the bars) in normal operation: measured, a
 * 5-step frame of one symbol lost 6 of its 8 messages. Conflation suits the
 * consumers of `feed.features` (latest value per symbol); it stays available
 * here as CONFLATING_FEED_MAILBOX.
 */
export const DEFAULT_FEED_MAILBOX: MailboxConfig = { capacity: 10_000, overflow: 'drop_oldest' };

/** Latest md.* message per type while queued (see DEFAULT_FEED_MAILBOX for what that costs). */
export const CONFLATING_FEED_MAILBOX: MailboxConfig = { capacity: 10_000, overflow: 'conflate', conflateKey: 'symbol' };

/** Lossless and strict (what the `feeds` benchmark runs): bounded, refuses when full, never replaces. */
export const LOSSLESS_FEED_MAILBOX: MailboxConfig = { capacity: 100_000, overflow: 'reject' };

export type FeedPlacement = string | number | ((symbol: string, index: number) => string);

/**
 * The worker the session and every feed share by default. Measured by the
 * `feeds` benchmark on this 2-core machine (venue in the same process): at
 * 80,000 ticks/s the pipeline costs 0.26 cores co-located against 0.41 with
 * the session and the feeds in two workers (0.5 against 0.78 at 160,000/s),
 * because a tell between actors of one worker skips the msgpack codec and
 * the postMessage hop; one worker still has 3x headroom over the target.
 */
export const MARKET_DATA_WORKER = 'marketdata';

export interface MarketDataSpecOptions {
  readonly conn: AlpacaConnection;
  readonly symbols: readonly string[];
  readonly placement?: {
    /** Worker of the session. Default MARKET_DATA_WORKER (`marketdata`). */
    readonly md?: string;
    /**
     * Workers of the feeds: a worker name (all feeds share it), a number of
     * groups (`feeds-0`..`feeds-(n-1)`, symbols dealt round-robin), or a
     * function of (symbol, index). Default: every feed with the session in
     * MARKET_DATA_WORKER.
     */
    readonly feeds?: FeedPlacement;
    /** Worker of both macro actors. Default `macro`. */
    readonly macro?: string;
  };
  readonly feed?: {
    /** FeedConfig overrides for every feed. */
    readonly config?: Partial<Omit<FeedConfig, 'symbol'>>;
    /** Per-symbol overrides on top. */
    readonly perSymbol?: Readonly<Record<string, Partial<Omit<FeedConfig, 'symbol'>>>>;
    /** onTime timer period, ms. Default 1000. */
    readonly tickMs?: number;
    /** Period of each feed's conflated `feed.sample` for the operator views, ms (0: none). Default 250. */
    readonly sampleMs?: number;
    /** Default DEFAULT_FEED_MAILBOX (bounded, drop oldest). */
    readonly mailbox?: MailboxConfig;
    /** Snapshot period for warm restarts, ms. Default 1000. */
    readonly snapshotEveryMs?: number;
    /**
     * Backfill: a feed that starts cold fetches its newest `bars` closed bars
     * from the venue's market-data REST (through `conn`) and publishes them as
     * `feed.history`, so strategies start warm. Omitted or `false`: no
     * backfill. On Alpaca the historical feed defaults to the one in
     * `conn.dataStreamUrl` (iex or sip).
     */
    readonly backfill?: false | BackfillSettings;
  };
  readonly md?: Omit<MdSessionArgs, 'conn' | 'symbols'> & { readonly mailbox?: MailboxConfig };
  /** Macro sources; `false` for none. By default both read the local venue (conn.restBaseUrl). */
  readonly macro?:
    | false
    | {
        readonly venueUrl?: string;
        readonly fred?: false | Omit<FredActorArgs, 'source'>;
        readonly cftc?: false | Omit<CftcActorArgs, 'source'>;
      };
}

/** The feed worker of each symbol under a placement. */
export function feedPlacementOf(placement: FeedPlacement | undefined, symbol: string, index: number): string {
  if (placement === undefined) return MARKET_DATA_WORKER;
  if (typeof placement === 'string') return placement;
  if (typeof placement === 'number') return `feeds-${index % placement}`;
  return placement(symbol, index);
}

/** The Alpaca historical feed a connection's data stream implies (`.../v2/iex` or `.../v2/sip`), or undefined for the local venue. */
export function historicalFeedOf(conn: AlpacaConnection): 'iex' | 'sip' | undefined {
  if (conn.venue === 'local') return undefined;
  const m = /\/v2\/(iex|sip)\/?$/.exec(conn.dataStreamUrl);
  return m ? (m[1] as 'iex' | 'sip') : undefined;
}

/**
 * One feed's spec. `backfill` (settings plus the connection) is sugar for
 * `args.backfill`: `feedSpec('GLD', { backfill: { conn, bars: 480 } })`.
 */
export function feedSpec(
  symbol: string,
  options: { args?: Omit<FeedActorArgs, 'symbol'>; backfill?: FeedBackfillArgs; placement?: string; mailbox?: MailboxConfig; snapshotEveryMs?: number; id?: string } = {},
): ActorSpec<FeedActorArgs> {
  return {
    id: options.id ?? feedIdFor(DEFAULT_FEED_ID_PATTERN, symbol),
    module: FEED_MODULE,
    args: { ...options.args, ...(options.backfill ? { backfill: options.backfill } : {}), symbol },
    placement: options.placement ?? MARKET_DATA_WORKER,
    mailbox: options.mailbox ?? DEFAULT_FEED_MAILBOX,
    snapshot: { everyMs: options.snapshotEveryMs ?? 1000 },
  };
}

export function mdSessionSpec(args: MdSessionArgs, options: { placement?: string; mailbox?: MailboxConfig } = {}): ActorSpec<MdSessionArgs> {
  return { id: 'md', module: SESSION_MODULE, args, placement: options.placement ?? MARKET_DATA_WORKER, ...(options.mailbox ? { mailbox: options.mailbox } : {}) };
}

export function macroSpec(args: MacroActorArgs, options: { placement?: string } = {}): ActorSpec<MacroActorArgs> {
  return { id: `macro:${args.source}`, module: MACRO_MODULE, args, placement: options.placement ?? 'macro' };
}

/**
 * Every spec of the market-data side, validated together: throws one
 * ConfigError listing every problem (bad symbols, feed config, session or
 * macro args), each naming its option path.
 */
export function marketDataSpecs(o: MarketDataSpecOptions): ActorSpec[] {
  const violations: string[] = [];
  const pattern = o.md?.feedIdPattern ?? DEFAULT_FEED_ID_PATTERN;
  const bfSettings = o.feed?.backfill;
  // Checked once here rather than once per feed, so a bad setting is reported once.
  const bfViolations = bfSettings ? backfillSettingsViolations(bfSettings, 'feed.backfill') : [];
  violations.push(...bfViolations);
  const backfill: FeedBackfillArgs | undefined = bfSettings && bfViolations.length === 0
    ? { ...(historicalFeedOf(o.conn) ? { feed: historicalFeedOf(o.conn) } : {}), ...bfSettings, conn: o.conn }
    : undefined;
  const feeds: ActorSpec[] = o.symbols.map((symbol, k) => {
    const config = { ...o.feed?.config, ...o.feed?.perSymbol?.[symbol] };
    const args: FeedActorArgs = { symbol, config, ...(o.feed?.tickMs !== undefined ? { tickMs: o.feed.tickMs } : {}), ...(o.feed?.sampleMs !== undefined ? { sampleMs: o.feed.sampleMs } : {}), ...(backfill ? { backfill } : {}) };
    violations.push(...feedArgsViolations(args));
    try {
      feedConfig(symbol, config);
    } catch (err) {
      violations.push(...((err as ConfigError).violations ?? [String(err)]));
    }
    return feedSpec(symbol, {
      id: feedIdFor(pattern, symbol),
      args,
      placement: feedPlacementOf(o.placement?.feeds, symbol, k),
      mailbox: o.feed?.mailbox,
      snapshotEveryMs: o.feed?.snapshotEveryMs,
    });
  });
  const { mailbox: mdMailbox, ...mdRest } = o.md ?? {};
  const mdArgs: MdSessionArgs = { ...mdRest, conn: o.conn, symbols: [...o.symbols] };
  violations.push(...mdSessionArgsViolations(mdArgs));
  const specs: ActorSpec[] = [...feeds, mdSessionSpec(mdArgs, { placement: o.placement?.md, mailbox: mdMailbox })];
  if (o.macro !== false) {
    const m = o.macro ?? {};
    const venueUrl = m.venueUrl ?? (o.conn.venue === 'local' ? o.conn.restBaseUrl : undefined);
    const sources: MacroActorArgs[] = [];
    if (m.fred !== false) sources.push({ venueUrl, ...m.fred, source: 'fred' });
    if (m.cftc !== false) sources.push({ venueUrl, ...m.cftc, source: 'cftc' });
    for (const args of sources) {
      violations.push(...macroArgsViolations(args));
      specs.push(macroSpec(args, { placement: o.placement?.macro }));
    }
  }
  if (violations.length > 0) throw new ConfigError(violations);
  return specs;
}
