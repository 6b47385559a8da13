/**
 * The local Alpaca-compatible paper venue: `startVenue(options)` builds the
 * seeded market, the matching engine and the uWebSockets.js server, and
 * returns a handle with the URLs, the market (to read or step), fault
 * injection, counters and `close()`.
 *
 * Accepted keys default to the local pair `qgtm-local-key` /
 * `qgtm-local-secret` (see LOCAL_KEY_PAIR): not secrets, just what a new user
 * with no Alpaca account runs with.
 */
import { randomUUID } from 'node:crypto';
import { loadUws } from '../src/net/uws.js';
import { resolveVenueOptions, type ResolvedVenueOptions, type VenueOptions } from './config.js';
import { exchangeOf, type VenueContext } from './http/context.js';
import { dataRoutes } from './http/data-routes.js';
import { DataStreamHub } from './http/data-stream.js';
import { adminRoutes, StandingFaultTimers } from './http/admin-routes.js';
import { VenueFaults } from './http/faults.js';
import { KeyRing, type KeyPair } from './http/keys.js';
import { macroRoutes } from './http/macro-routes.js';
import { WindowRateLimiter } from './http/rate-limit.js';
import { Router } from './http/router.js';
import { VenueServer } from './http/server.js';
import { VenueStats, type VenueStatsSnapshot } from './http/stats.js';
import { TradingStreamHub } from './http/trading-stream.js';
import { tradingRoutes } from './http/trading-routes.js';
import { SimulatedMarket } from './market/market.js';
import { RealTimeDriver } from './market/scheduler.js';
import { MatchingEngine } from '../src/matching/engine.js';
import { openKeptAccount, type KeptAccount } from './persist.js';
import { StateCorruptError, type DurableRecord } from '../src/durable/index.js';
import { ALWAYS_OPEN, EXCHANGE_HOURS } from '../src/matching/session.js';
import { linearFees } from '../src/matching/fill-model.js';

export interface VenueHandle {
  /** The admin routes' base (`${url}/admin`) when started with `admin`, else null. */
  readonly adminUrl: string | null;
  /** HTTP base URL, e.g. http://127.0.0.1:41234 (REST trading, market-data REST, /fred, /resource). */
  readonly url: string;
  /** trade_updates stream URL (ws://.../stream). */
  readonly wsTradingUrl: string;
  /** Market-data stream URL for the IEX feed (ws://.../v2/iex); /v2/sip is served too. */
  readonly wsDataUrl: string;
  readonly host: string;
  readonly port: number;
  /** The first accepted key pair (the local pair by default). */
  readonly keys: KeyPair;
  /** The simulated market: read quotes and bars, or `step(n)` it in manual mode. */
  readonly market: SimulatedMarket;
  readonly engine: MatchingEngine;
  readonly faults: VenueFaults;
  /** A snapshot of the counters. */
  readonly stats: VenueStatsSnapshot;
  readonly options: ResolvedVenueOptions;
  /** The paper account: its id, whether it was kept from an earlier run, and where it is kept. */
  readonly account: VenueAccountInfo;
  /** Stops the driver, closes every connection and frees the port. */
  close(): Promise<void>;
}

export interface VenueAccountInfo {
  readonly id: string;
  /** True when this run continues an account kept in `dataDir`. */
  readonly kept: boolean;
  /** Where the kept record was moved when `fresh` replaced it. */
  readonly replaced: string | null;
  readonly dataDir: string | null;
}

export async function startVenue(options: VenueOptions = {}): Promise<VenueHandle> {
  const opts = resolveVenueOptions(options);
  const uws = loadUws();
  const session = opts.session === 'exchange' ? EXCHANGE_HOURS : ALWAYS_OPEN;
  const market = new SimulatedMarket({
    seed: opts.seed,
    instruments: opts.instruments,
    start: opts.startTime,
    stepMs: opts.stepMs,
    tradeProbability: opts.tradeProbability,
    volScale: opts.volScale,
    historyMinutes: opts.historyMinutes,
  });
  const bySymbol = new Map(opts.instruments.map((i) => [i.symbol, i]));
  // Read before anything listens: a kept account that cannot be trusted stops the start here.
  let opened: ReturnType<typeof openKeptAccount> | null = null;
  try {
    opened = opts.dataDir !== null ? openKeptAccount(opts.dataDir, opts.fresh, opts.wallClock()) : null;
  } catch (err) {
    if (!(err instanceof StateCorruptError)) throw err;
    throw new StateCorruptError(err.where, `${err.detail}; start with --fresh (QGTM_FRESH=1) to set it aside and open a new paper account`, { cause: err });
  }
  const fees = linearFees(opts.feePerShare, opts.feeBps);
  const engine = new MatchingEngine({
    // A kept account is continued; a new kept account gets an id of its own, so a --fresh account
    // (and the journal folder named after it) never takes the previous one's.
    ...(opened?.kept ? { restore: opened.kept.engine } : opened ? { accountId: randomUUID() } : {}),
    market,
    seed: opts.seed,
    now: market.now,
    cash: opts.cash,
    accountMode: opts.accountMode,
    ...(opts.accountNumber !== null ? { accountNumber: opts.accountNumber } : {}),
    fillLatencyMs: opts.fillLatencyMs,
    session,
    fillModel: { limitFill: opts.limitFill, slippageBps: opts.slippageBps },
    ...(fees ? { fees } : {}),
    exchangeOf: (s) => exchangeOf(bySymbol.get(s)),
  });
  const ctx: VenueContext = { market, engine, session, instruments: opts.instruments };
  const stats = new VenueStats();
  const faults = new VenueFaults();
  const keys = new KeyRing(opts.keys);
  const trading = new TradingStreamHub({ keys, faults, stats, engine });
  const data = new DataStreamHub({
    keys,
    faults,
    stats,
    authTimeoutMs: opts.authTimeoutMs,
    maxItemsPerFrame: opts.maxItemsPerFrame,
    slowClientBytes: opts.slowClientBytes,
    isOpen: () => session.isOpen(market.now),
  });
  const router = new Router()
    .add({ method: 'GET', pattern: '/healthz', scope: 'health', handler: () => ({ status: 200, body: { ok: true, now: market.now } }) })
    .addAll(tradingRoutes(ctx))
    .addAll(dataRoutes(ctx))
    .addAll(macroRoutes(ctx, { fredApiKeys: opts.fredApiKeys }));
  const faultTimers = new StandingFaultTimers();
  if (opts.admin) router.addAll(adminRoutes(faults, stats, faultTimers));
  const server = new VenueServer({
    uws,
    router,
    keys,
    faults,
    stats,
    limiter: new WindowRateLimiter(opts.rateLimitPerMinute),
    macroLimiter: new WindowRateLimiter(opts.macroRateLimitPerMinute),
    trading,
    data,
    maxBodyBytes: opts.maxBodyBytes,
    wallClock: opts.wallClock,
  });
  faults.attach({
    dropStreams: (which) => {
      const n = (which !== 'data' ? trading.drop() : 0) + (which !== 'trading' ? data.drop() : 0);
      if (n > 0) stats.faultsInjected++;
      return n;
    },
    rejectNextOrders: (n, reason) => engine.rejectNextOrders(n, reason),
  });
  // The engine sees each batch first (fills go out on trade_updates), then the data stream.
  // A venue bug must not escape into the driver's timer and kill the process: count and log it.
  const unsubscribe = market.onEvents((events, now) => {
    try {
      engine.onQuotes(events);
      engine.advance(now);
    } catch (err) {
      stats.internalError('matching engine', err);
    }
    // Fills of this batch are saved before they are reported.
    if (store) save();
    try {
      data.publish(events);
    } catch (err) {
      stats.internalError('market-data publish', err);
    }
  });
  const store: DurableRecord<KeptAccount> | null = opened?.record ?? null;
  let savedAt = -1;
  /**
   * Saves the account when it changed, then releases the trade updates held
   * meanwhile: a fill reaches a client only once it is on disk. Runs after
   * every market batch that changed something (fills, activations, expiries)
   * and every `persistEveryMs` for changes made over REST (a new or canceled
   * order, whose REST answer is not held back).
   */
  const save = (): void => {
    if (!store) return;
    if (engine.changes !== savedAt) {
      const changes = engine.changes;
      try {
        store.write({ seed: opts.seed, accountMode: engine.account.mode, engine: engine.exportState() }, opts.wallClock());
        savedAt = changes;
      } catch (err) {
        // Counted and logged; the updates still go out (withholding fills forever would be worse).
        stats.internalError('account save', err);
      }
    }
    engine.releaseUpdates();
  };
  if (store) engine.holdUpdates();
  save();
  const saver = store ? setInterval(save, opts.persistEveryMs) : undefined;
  saver?.unref();
  const driver = opts.clockMode === 'realtime' ? new RealTimeDriver(market, { speed: opts.speed, intervalMs: opts.driverIntervalMs }) : undefined;

  let port: number;
  try {
    port = await server.listen(opts.host, opts.port);
  } catch (err) {
    unsubscribe();
    if (saver) clearInterval(saver);
    server.close();
    throw err;
  }
  driver?.start();
  const base = `${opts.host}:${port}`;
  let closed = false;
  return {
    url: `http://${base}`,
    adminUrl: opts.admin ? `http://${base}/admin` : null,
    wsTradingUrl: `ws://${base}/stream`,
    wsDataUrl: `ws://${base}/v2/iex`,
    host: opts.host,
    port,
    keys: opts.keys[0],
    market,
    engine,
    faults,
    get stats(): VenueStatsSnapshot {
      return {
        requests: stats.requests,
        responsesByStatus: { ...stats.responsesByStatus },
        errorsByStatus: stats.errorsByStatus(),
        badInput: stats.badInput,
        framesSent: stats.framesSent,
        itemsSent: stats.itemsSent,
        bytesSent: stats.bytesSent,
        wsConnections: stats.wsConnections,
        wsOpen: stats.wsOpen,
        slowClientsDropped: stats.slowClientsDropped,
        faultsInjected: stats.faultsInjected,
        internalErrors: stats.internalErrors,
        ticksGenerated: market.ticksGenerated,
        fills: engine.fills,
      };
    },
    options: opts,
    account: { id: engine.account.id, kept: opened?.kept != null, replaced: opened?.replaced ?? null, dataDir: opts.dataDir },
    async close() {
      if (closed) return;
      closed = true;
      driver?.stop();
      faultTimers.clearAll();
      unsubscribe();
      if (saver) clearInterval(saver);
      save();
      server.close();
    },
  };
}

export { resolveVenueOptions, MANUAL_START_TIME, DEFAULT_HISTORY_MINUTES } from './config.js';
export type { VenueOptions, ResolvedVenueOptions, ClockMode, SessionMode } from './config.js';
export { LOCAL_KEY_PAIR } from './http/keys.js';
export type { KeyPair } from './http/keys.js';
export { VenueFaults } from './http/faults.js';
export type { FaultScope } from './http/faults.js';
export type { VenueStatsSnapshot } from './http/stats.js';
export { SimulatedMarket } from './market/market.js';
export { MatchingEngine } from '../src/matching/engine.js';
