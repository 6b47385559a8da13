/**
 * The venue's options, their defaults, and validation: every violation is
 * collected and reported together, each naming its option.
 */
import { ConfigError } from '../src/errors.js';
import { instrument, isFocus, universe, type Focus, type Instrument } from '../src/universe/index.js';
import type { AccountMode } from '../src/matching/account.js';
import { LIMIT_FILL_RULES, type LimitFillRule } from '../src/matching/fill-model.js';
import { LOCAL_KEY_PAIR, type KeyPair } from './http/keys.js';

export type ClockMode = 'realtime' | 'manual';
export type SessionMode = 'always_open' | 'exchange';

export interface VenueOptions {
  /** TCP port; 0 (default) picks a free one. */
  readonly port?: number;
  /** Interface to bind. Default 127.0.0.1 (loopback only). */
  readonly host?: string;
  /** Market seed: the same seed gives the same market. Default 42. */
  readonly seed?: number;
  /** Universe: 'pm' (default, 20 instruments) or 'broad' (44). Ignored when `symbols` is given. */
  readonly focus?: Focus;
  /** Explicit symbol list (each must be in the broad universe). */
  readonly symbols?: readonly string[];
  /** Key pairs accepted on REST and streams. Default: the local pair qgtm-local-key / qgtm-local-secret. */
  readonly keys?: readonly KeyPair[];
  /** Market steps (a quote, and a trade with some probability) per symbol per wall-clock second. Default 10. */
  readonly ticksPerSecond?: number;
  /** Market-time speed-up in real-time mode. Default 1. */
  readonly speed?: number;
  /** 'realtime' (default): a timer drives the market; 'manual': only `market.step(n)` does. */
  readonly clockMode?: ClockMode;
  /** Market time at start, epoch ms. Default: now (realtime) or 2025-01-06T14:30:00Z (manual). */
  readonly startTime?: number;
  /** Market ms per step. Default 1000 x speed / ticksPerSecond. */
  readonly stepMs?: number;
  /** Starting cash. Default 100,000. */
  readonly cash?: number;
  /** Keep the paper account in this folder across restarts (matching/persist.ts). Default: not kept. */
  readonly dataDir?: string | null;
  /** With `dataDir`: set the kept account aside and open a new one. */
  readonly fresh?: boolean;
  /** With `dataDir`: least time between saves, ms. Default 250. */
  readonly persistEveryMs?: number;
  /** 'cash' (default: buying power = cash, no shorting) or 'margin' (2x, shorting). */
  readonly accountMode?: AccountMode;
  /**
   * The account number /v2/account reports. Default a paper one (PA...);
   * another (no PA prefix) looks like a live account, to rehearse qgtm's
   * paper-first refusal.
   */
  readonly accountNumber?: string;
  /** Market-time ms between order submission and the order going live. Default 20. */
  readonly fillLatencyMs?: number;
  /** 'always_open' (default) or 'exchange' (NYSE regular hours, closed on NYSE holidays, 13:00 early closes). */
  readonly session?: SessionMode;
  /**
   * How resting limit orders fill (src/matching/fill-model.ts):
   * 'trade_through' (default: only when a trade prints through the limit),
   * 'trade_at_queue' (also at the limit, once the size shown ahead has
   * traded) or 'quote_cross' (when the opposite quote reaches the limit).
   */
  readonly limitFill?: LimitFillRule;
  /** Taker fills (market, marketable limit, triggered stop) this many basis points worse than the touch. Default 0. */
  readonly slippageBps?: number;
  /** Fee per share filled, in dollars, charged to cash and listed as a FEE activity. Default 0. */
  readonly feePerShare?: number;
  /** Fee in basis points of each fill's value. Default 0. */
  readonly feeBps?: number;
  /** REST requests per minute per Alpaca key. Default 200. */
  readonly rateLimitPerMinute?: number;
  /** FRED/Socrata requests per minute per key. Default 120. */
  readonly macroRateLimitPerMinute?: number;
  /** Ms a market-data connection has to authenticate. Default 10,000. */
  readonly authTimeoutMs?: number;
  /** Largest accepted REST body. Default 64 KiB. */
  readonly maxBodyBytes?: number;
  /** Most items per market-data frame. Default 4096. */
  readonly maxItemsPerFrame?: number;
  /** Buffered bytes past which a data client is dropped as slow. Default 32 MiB. */
  readonly slowClientBytes?: number;
  /**
   * Minutes of bar history simulated before start (served by the bars REST,
   * not streamed). Default 480, a working day of 1-minute bars, so feeds can
   * backfill and strategies sized in tens to hundreds of bars start warm. The
   * simulation costs about 0.5 ms per minute for the 20-instrument universe
   * (measured: ~250 ms for 480 minutes, ~530 ms for the 44-instrument one).
   */
  readonly historyMinutes?: number;
  /** Volatility multiplier. Default 1. */
  readonly volScale?: number;
  /** Probability of a trade per symbol per step. Default 0.6. */
  readonly tradeProbability?: number;
  /** Accepted FRED api_key values; default any non-empty key. */
  readonly fredApiKeys?: readonly string[];
  /** Real-time driver timer period, ms. Default 10. */
  readonly driverIntervalMs?: number;
  /** Wall clock (rate-limit windows, real-time start). Default Date.now. */
  readonly wallClock?: () => number;
  /**
   * Serve the fault-injection admin routes (`/admin/faults`, no key). Only
   * with a loopback `host`: anything else is refused. Default false.
   */
  readonly admin?: boolean;
}

export interface ResolvedVenueOptions {
  readonly port: number;
  readonly host: string;
  readonly seed: number;
  readonly instruments: readonly Instrument[];
  readonly keys: readonly KeyPair[];
  readonly ticksPerSecond: number;
  readonly speed: number;
  readonly clockMode: ClockMode;
  readonly startTime: number;
  readonly stepMs: number;
  readonly cash: number;
  readonly dataDir: string | null;
  readonly fresh: boolean;
  readonly persistEveryMs: number;
  readonly accountMode: AccountMode;
  readonly accountNumber: string | null;
  readonly fillLatencyMs: number;
  readonly session: SessionMode;
  readonly limitFill: LimitFillRule;
  readonly slippageBps: number;
  readonly feePerShare: number;
  readonly feeBps: number;
  readonly rateLimitPerMinute: number;
  readonly macroRateLimitPerMinute: number;
  readonly authTimeoutMs: number;
  readonly maxBodyBytes: number;
  readonly maxItemsPerFrame: number;
  readonly slowClientBytes: number;
  readonly historyMinutes: number;
  readonly volScale: number;
  readonly tradeProbability: number;
  readonly fredApiKeys: readonly string[] | undefined;
  readonly driverIntervalMs: number;
  readonly wallClock: () => number;
  readonly admin: boolean;
}

export const MANUAL_START_TIME = Date.UTC(2025, 0, 6, 14, 30);

/** Default minutes of simulated bar history: one working day (see VenueOptions.historyMinutes). */
export const DEFAULT_HISTORY_MINUTES = 480;

/** Applies defaults and validates; throws ConfigError listing every violation. */
export function resolveVenueOptions(o: VenueOptions = {}): ResolvedVenueOptions {
  const v: string[] = [];
  const num = (name: string, value: number | undefined, dflt: number, ok: (x: number) => boolean, rule: string): number => {
    if (value === undefined) return dflt;
    if (typeof value !== 'number' || !Number.isFinite(value) || !ok(value)) v.push(`venue.${name} ${rule} (got ${String(value)})`);
    return value;
  };
  const positive = (x: number): boolean => x > 0;
  const port = num('port', o.port, 0, (x) => Number.isInteger(x) && x >= 0 && x <= 65535, 'must be an integer 0-65535');
  const seed = num('seed', o.seed, 42, Number.isInteger, 'must be an integer');
  const ticksPerSecond = num('ticksPerSecond', o.ticksPerSecond, 10, positive, 'must be positive');
  const speed = num('speed', o.speed, 1, positive, 'must be positive');
  const clockMode = o.clockMode ?? 'realtime';
  if (clockMode !== 'realtime' && clockMode !== 'manual') v.push(`venue.clockMode must be 'realtime' or 'manual' (got ${String(clockMode)})`);
  const wallClock = o.wallClock ?? Date.now;
  const startTime = num('startTime', o.startTime, clockMode === 'manual' ? MANUAL_START_TIME : wallClock(), Number.isFinite, 'must be epoch ms');
  const stepMs = num('stepMs', o.stepMs, (1000 * speed) / ticksPerSecond, positive, 'must be positive');
  const cash = num('cash', o.cash, 100_000, (x) => x >= 0, 'must be >= 0');
  const accountMode = o.accountMode ?? 'cash';
  if (accountMode !== 'cash' && accountMode !== 'margin') v.push(`venue.accountMode must be 'cash' or 'margin' (got ${String(accountMode)})`);
  if (o.accountNumber !== undefined && !/^[A-Za-z0-9]{4,32}$/.test(String(o.accountNumber))) v.push('venue.accountNumber must be 4-32 letters and digits');
  const session = o.session ?? 'always_open';
  if (session !== 'always_open' && session !== 'exchange') v.push(`venue.session must be 'always_open' or 'exchange' (got ${String(session)})`);
  const limitFill = o.limitFill ?? 'trade_through';
  if (!LIMIT_FILL_RULES.includes(limitFill)) v.push(`venue.limitFill must be one of ${LIMIT_FILL_RULES.join(', ')} (got ${String(limitFill)})`);
  const focus = o.focus ?? 'pm';
  if (!isFocus(focus)) v.push(`venue.focus must be 'pm' or 'broad' (got ${String(focus)})`);
  let instruments: readonly Instrument[] = isFocus(focus) ? universe(focus) : universe('pm');
  if (o.symbols !== undefined) {
    const found = o.symbols.map((s) => instrument(s));
    const unknown = o.symbols.filter((_, k) => !found[k]);
    if (unknown.length > 0) v.push(`venue.symbols has symbols outside the universe: ${unknown.join(', ')}`);
    if (o.symbols.length === 0) v.push('venue.symbols must not be empty');
    instruments = found.filter((x): x is Instrument => x !== undefined);
  }
  const keys = o.keys ?? [LOCAL_KEY_PAIR];
  if (keys.length === 0 || keys.some((k) => !k.keyId || !k.secretKey)) v.push('venue.keys must hold at least one pair with non-empty keyId and secretKey');
  const resolved: ResolvedVenueOptions = {
    port,
    host: o.host ?? '127.0.0.1',
    seed,
    instruments,
    keys,
    ticksPerSecond,
    speed,
    clockMode,
    startTime,
    stepMs,
    cash,
    dataDir: o.dataDir ?? null,
    fresh: o.fresh === true,
    persistEveryMs: num('persistEveryMs', o.persistEveryMs, 250, positive, 'must be positive'),
    accountMode,
    accountNumber: o.accountNumber ?? null,
    fillLatencyMs: num('fillLatencyMs', o.fillLatencyMs, 20, (x) => x >= 0, 'must be >= 0'),
    session,
    limitFill,
    slippageBps: num('slippageBps', o.slippageBps, 0, (x) => x >= 0 && x <= 1000, 'must be 0-1000 (basis points)'),
    feePerShare: num('feePerShare', o.feePerShare, 0, (x) => x >= 0 && x <= 1, 'must be 0-1 (dollars a share)'),
    feeBps: num('feeBps', o.feeBps, 0, (x) => x >= 0 && x <= 1000, 'must be 0-1000 (basis points)'),
    rateLimitPerMinute: num('rateLimitPerMinute', o.rateLimitPerMinute, 200, positive, 'must be positive'),
    macroRateLimitPerMinute: num('macroRateLimitPerMinute', o.macroRateLimitPerMinute, 120, positive, 'must be positive'),
    authTimeoutMs: num('authTimeoutMs', o.authTimeoutMs, 10_000, positive, 'must be positive'),
    maxBodyBytes: num('maxBodyBytes', o.maxBodyBytes, 64 * 1024, positive, 'must be positive'),
    maxItemsPerFrame: num('maxItemsPerFrame', o.maxItemsPerFrame, 4096, (x) => Number.isInteger(x) && x > 0, 'must be a positive integer'),
    slowClientBytes: num('slowClientBytes', o.slowClientBytes, 32 * 1024 * 1024, positive, 'must be positive'),
    historyMinutes: num('historyMinutes', o.historyMinutes, DEFAULT_HISTORY_MINUTES, (x) => x >= 0, 'must be >= 0'),
    volScale: num('volScale', o.volScale, 1, positive, 'must be positive'),
    tradeProbability: num('tradeProbability', o.tradeProbability, 0.6, (x) => x >= 0 && x <= 1, 'must be in [0, 1]'),
    fredApiKeys: o.fredApiKeys,
    driverIntervalMs: num('driverIntervalMs', o.driverIntervalMs, 10, positive, 'must be positive'),
    wallClock,
    admin: o.admin === true,
  };
  if (o.admin !== undefined && typeof o.admin !== 'boolean') v.push(`venue.admin must be true or false (got ${String(o.admin)})`);
  if (resolved.admin && !isLoopbackHost(resolved.host)) {
    v.push(`venue.admin (--admin) needs a loopback host: its fault-injection routes take no key (got host ${resolved.host}; use 127.0.0.1 or ::1)`);
  }
  if (v.length > 0) throw new ConfigError(v);
  return resolved;
}

/** True for a host name or address that only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
}
