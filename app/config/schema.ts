/**
 * The runtime configuration: its shape, defaults (what `npm start` runs
 * with), and the table of options with their environment variables and
 * checks. Loading and validation live in load.ts.
 */
import { LIMIT_FILL_RULES, type LimitFillRule } from '../../src/matching/fill-model.js';
import type { LogLevel } from '../../src/runtime/logger.js';
import type { Focus } from '../../src/universe/index.js';
import type { FieldSpec } from './field-spec.js';
import { DEFAULT_TRADING, TRADING_FIELDS, type AllocatorSettings, type RiskSettings, type StrategiesSettings } from './trading.js';
import { DEFAULT_HEAP, DEFAULT_PLACEMENT, PLACEMENT_MODES, type PlacementMode } from '../daemon/placement.js';

export interface HttpConfig {
  /** Address the gateway listens on. */
  readonly host: string;
  /** Port of the gateway (REST, /ws, /metrics). 0 picks a free port. */
  readonly port: number;
  /** Folder of the web terminal's static files, or null for none. */
  readonly webRoot: string | null;
}

export interface GatewayConfig {
  /** Largest accepted request body (413 above). */
  readonly maxBodyBytes: number;
  /** Largest accepted WebSocket frame from a client (the connection is closed above). */
  readonly wsMaxPayloadBytes: number;
  /** Bytes queued for one WebSocket client beyond which it is a slow client and dropped. */
  readonly wsMaxBackpressureBytes: number;
  /** Idle WebSocket connections are closed after this many seconds (0 = never; else 8-960). */
  readonly wsIdleTimeoutSec: number;
  /** How long an operator command waits for the daemon's ack. */
  readonly commandTimeoutMs: number;
}

export interface RedisConfig {
  /** `redis://` or `rediss://` URL; null means the in-memory bus (`npm start`). */
  readonly url: string | null;
  /** Prefix of every key and channel. */
  readonly prefix: string;
}

export interface AuthConfig {
  /** Bearer token for operator commands; null = generated at start (`qgtm start`) or commands disabled (`qgtm api`). */
  readonly token: string | null;
}

export interface VenueConfig {
  readonly mode: 'local' | 'alpaca';
  /**
   * Base URL of a local venue that is already running (`qgtm venue`); null =
   * start one in-process. A venue of its own process outlives daemon restarts.
   */
  readonly url: string | null;
  /** Port of the local venue (0 = free port); null = the venue's default. */
  readonly port: number | null;
  readonly seed: number;
  readonly ticksPerSecond: number | null;
  readonly keyId: string | null;
  readonly secretKey: string | null;
  /** Trading REST base in alpaca mode (default Alpaca paper). Anything but a paper endpoint needs `live`. */
  readonly paperUrl: string | null;
  /** Market-data REST base in alpaca mode (http/https); a ws/wss URL here is taken as the stream URL. */
  readonly dataUrl: string | null;
  /** Market-data stream in alpaca mode (ws/wss; default Alpaca's iex stream). */
  readonly dataStreamUrl: string | null;
  /**
   * Live money: only the `--live` command-line flag sets it (no environment
   * variable, no config file), and only together with `liveAccount` naming
   * the account the broker answers with. See src/alpaca/trading-mode.ts.
   */
  readonly live: boolean;
  /** The account number qgtm may trade real money on (`QGTM_LIVE_ACCOUNT`); needed by `live`. */
  readonly liveAccount: string | null;
  /**
   * Where the in-process venue keeps its paper account across restarts
   * (`--fresh` starts a new one); null = `venue` beside `daemon.journalDir`
   * (var/venue by default).
   */
  readonly dataDir: string | null;
  readonly fresh: boolean;
  /** The account's REST requests a minute (Alpaca: 200), shared by every process using the key. */
  readonly rateLimitPerMinute: number;
  /** Share of that limit backfill and other bulk reads may use from one thread. */
  readonly rateBulkShare: number;
  /** Bulk reads wait while the venue reports this share of the limit or less left (kept for orders). */
  readonly rateReserveShare: number;
  /** The local venue's fill model (README "The fill model"): when a resting limit fills. */
  readonly limitFill: LimitFillRule;
  /** The local venue's slippage on market, marketable-limit and triggered-stop fills, basis points. */
  readonly slippageBps: number;
  /** The local venue's fees: dollars a share, and basis points of a fill's value. */
  readonly feePerShare: number;
  readonly feeBps: number;
}

/**
 * Macro sources. With the local venue they read its simulated FRED and CFTC
 * endpoints unless a URL is set here; in alpaca mode they read the real
 * services. A source that is not configured (FRED without a key) or not
 * reachable is reported as degraded and never keeps trading from starting.
 */
export interface MacroConfig {
  /** FRED base URL; null = the local venue (local mode) or https://api.stlouisfed.org (alpaca mode). */
  readonly fredUrl: string | null;
  /** FRED API key; needed for the real FRED (the local venue accepts any). */
  readonly fredApiKey: string | null;
  /** CFTC Socrata base URL; null = the local venue (local mode) or https://publicreporting.cftc.gov (alpaca mode). */
  readonly cftcUrl: string | null;
  /** Socrata app token (optional: raises CFTC's rate limit). */
  readonly cftcAppToken: string | null;
}

export interface DaemonConfig {
  /** Where the broker session's write-ahead journal lives. */
  readonly journalDir: string;
  /** Host and port of the daemon's own /metrics in split mode. */
  readonly metricsHost: string;
  readonly metricsPort: number;
  /** TTL of the daemon's heartbeat key; the API reports the daemon down after it. */
  readonly heartbeatTtlMs: number;
  /**
   * Which actors share a worker thread: `split` (default: strategy code never shares a worker
   * with the risk governor or the broker session), `compact` (shards, risk and allocator in one
   * worker: a hop fewer, no isolation) or `isolated` (one worker per actor). See app/daemon/topology.ts.
   */
  readonly placement: PlacementMode;
  /** V8 heap cap (MB) of a worker that runs strategy code; past it the worker ends and its actors restart. */
  readonly strategyHeapMb: number;
  /** V8 heap cap (MB) of every other actor worker. */
  readonly workerHeapMb: number;
  /**
   * The opt-in hot path: when above 0, the workers on the decision path
   * (strategy shards, risk and allocator, broker) take their direct channels
   * through SharedArrayBuffer rings and poll them for this many µs after each
   * batch before they sleep. It spends CPU to skip a sleeping thread's
   * wake-up; 0 (default) is off. See bench/tick-to-intent for what it buys here.
   */
  readonly hotPathSpinUs: number;
}

/** The per-instrument feeds. */
export interface FeedsConfig {
  /** Closed bars each feed fetches at start so strategies start warm (0 = none). */
  readonly backfillBars: number;
  /** Least time between two `feed.sample` messages of one feed for the views and the `ticks` topic, ms (strategies get every tick regardless). */
  readonly sampleMs: number;
  /** Wait before a refused market-data login is tried again, ms. */
  readonly authRetryMs: number;
}

/**
 * Research runs (`qgtm backtest`, `qgtm sweep`, /api/v1/research): where
 * their records live and how much of the machine they may take. Runs go on
 * a capped piscina pool whose threads run at a lower priority, so research
 * never starves the live daemon of CPU.
 */
export interface ResearchConfig {
  /** Folder of the run records (and the history cache); null = `research` beside `daemon.journalDir`. */
  readonly dir: string | null;
  /** Pool threads; null = the machine's available parallelism - 1, at least 1. */
  readonly workers: number | null;
  /** Runs that may wait in the queue behind the running one; one more is refused. */
  readonly maxQueued: number;
  /** Added to the pool threads' nice value (0 = same priority as the daemon, 19 = lowest). */
  readonly niceIncrement: number;
}

/** Strategy shards on node processes (issue 16, docs/cluster.md). */
export interface ClusterConfig {
  /** `qgtm daemon` as coordinator: the strategy slots run on `qgtm node` processes, not here. */
  readonly enabled: boolean;
  /** A slot lease's length: a dead node's slots move within it (plus a third of it and a start). */
  readonly leaseMs: number;
  /** `qgtm node`: this node's id (null: `<host>-<pid>`). */
  readonly nodeId: string | null;
  /** `qgtm node`: where its shards keep their records (null: `nodes/<id>/state` beside daemon.journalDir). */
  readonly stateDir: string | null;
}

export interface QgtmConfig {
  readonly http: HttpConfig;
  readonly gateway: GatewayConfig;
  readonly redis: RedisConfig;
  readonly auth: AuthConfig;
  readonly venue: VenueConfig;
  readonly universe: { readonly focus: Focus };
  readonly feeds: FeedsConfig;
  readonly macro: MacroConfig;
  readonly daemon: DaemonConfig;
  readonly risk: RiskSettings;
  readonly allocator: AllocatorSettings;
  readonly strategies: StrategiesSettings;
  readonly cluster: ClusterConfig;
  readonly research: ResearchConfig;
  readonly log: { readonly level: LogLevel; readonly format: 'auto' | 'json' | 'text' };
}

export const DEFAULT_CONFIG: QgtmConfig = {
  http: { host: '127.0.0.1', port: 8080, webRoot: null },
  gateway: {
    maxBodyBytes: 64 * 1024,
    wsMaxPayloadBytes: 16 * 1024,
    wsMaxBackpressureBytes: 1024 * 1024,
    wsIdleTimeoutSec: 120,
    commandTimeoutMs: 5000,
  },
  redis: { url: null, prefix: 'qgtm:' },
  auth: { token: null },
  venue: { mode: 'local', url: null, port: null, seed: 42, ticksPerSecond: null, keyId: null, secretKey: null, paperUrl: null, dataUrl: null, dataStreamUrl: null, live: false, liveAccount: null, dataDir: null, fresh: false, rateLimitPerMinute: 200, rateBulkShare: 0.3, rateReserveShare: 0.5, limitFill: 'trade_through', slippageBps: 0, feePerShare: 0, feeBps: 0 },
  universe: { focus: 'pm' },
  feeds: { backfillBars: 480, sampleMs: 250, authRetryMs: 5_000 },
  macro: { fredUrl: null, fredApiKey: null, cftcUrl: null, cftcAppToken: null },
  daemon: {
    journalDir: 'var/journal',
    metricsHost: '127.0.0.1',
    metricsPort: 9464,
    heartbeatTtlMs: 5000,
    placement: DEFAULT_PLACEMENT,
    strategyHeapMb: DEFAULT_HEAP.strategyMb,
    workerHeapMb: DEFAULT_HEAP.workerMb,
    hotPathSpinUs: 0,
  },
  ...DEFAULT_TRADING,
  cluster: { enabled: false, leaseMs: 3000, nodeId: null, stateDir: null },
  research: { dir: null, workers: null, maxQueued: 16, niceIncrement: 10 },
  log: { level: 'info', format: 'auto' },
};

export type { FieldKind, FieldSpec } from './field-spec.js';

const PORT = { kind: 'int', min: 0, max: 65535, describe: 'an integer 0-65535 (0 picks a free port)' } as const;

/** Every option. A key in a config file that is not here is reported as unknown. */
export const FIELDS: readonly FieldSpec[] = [
  { path: 'http.host', type: { kind: 'string', minLength: 1 }, env: 'QGTM_HTTP_HOST' },
  { path: 'http.port', type: PORT, env: 'QGTM_HTTP_PORT' },
  { path: 'http.webRoot', type: { kind: 'string', nullable: true, minLength: 1 }, env: 'QGTM_WEB_ROOT' },
  { path: 'gateway.maxBodyBytes', type: { kind: 'int', min: 1, max: 16 * 1024 * 1024 }, env: 'QGTM_MAX_BODY_BYTES' },
  { path: 'gateway.wsMaxPayloadBytes', type: { kind: 'int', min: 256, max: 16 * 1024 * 1024 }, env: 'QGTM_WS_MAX_PAYLOAD_BYTES' },
  { path: 'gateway.wsMaxBackpressureBytes', type: { kind: 'int', min: 1024, max: 1024 * 1024 * 1024 }, env: 'QGTM_WS_MAX_BACKPRESSURE_BYTES' },
  { path: 'gateway.wsIdleTimeoutSec', type: { kind: 'int', min: 0, max: 960 }, env: 'QGTM_WS_IDLE_TIMEOUT_SEC' },
  { path: 'gateway.commandTimeoutMs', type: { kind: 'int', min: 100, max: 120_000 }, env: 'QGTM_COMMAND_TIMEOUT_MS' },
  { path: 'redis.url', type: { kind: 'url', schemes: ['redis:', 'rediss:'], nullable: true }, env: 'REDIS_URL', secret: true },
  { path: 'redis.prefix', type: { kind: 'string', minLength: 1, pattern: /^[A-Za-z0-9_.:-]{1,64}$/, describe: '1-64 characters of [A-Za-z0-9_.:-]' }, env: 'QGTM_REDIS_PREFIX' },
  { path: 'auth.token', type: { kind: 'string', nullable: true, minLength: 16 }, env: 'QGTM_API_TOKEN', secret: true },
  { path: 'venue.mode', type: { kind: 'enum', values: ['local', 'alpaca'] }, env: 'QGTM_VENUE_MODE' },
  { path: 'venue.url', type: { kind: 'url', schemes: ['http:'], nullable: true }, env: 'QGTM_VENUE_URL' },
  { path: 'venue.port', type: { ...PORT, nullable: true }, env: 'QGTM_VENUE_PORT' },
  { path: 'venue.seed', type: { kind: 'int', min: 0, max: 2 ** 32 - 1 }, env: 'QGTM_SEED' },
  { path: 'venue.ticksPerSecond', type: { kind: 'number', greaterThan: 0, nullable: true }, env: 'QGTM_TICKS_PER_SECOND' },
  { path: 'venue.keyId', type: { kind: 'string', nullable: true, minLength: 1 }, env: 'APCA_API_KEY_ID', secret: true },
  { path: 'venue.secretKey', type: { kind: 'string', nullable: true, minLength: 1 }, env: 'APCA_API_SECRET_KEY', secret: true },
  { path: 'venue.paperUrl', type: { kind: 'url', schemes: ['http:', 'https:'], nullable: true }, env: 'APCA_API_BASE_URL' },
  // The embedded venue's paper account, kept across restarts.
  { path: 'venue.dataDir', type: { kind: 'string', minLength: 1, nullable: true }, env: 'QGTM_VENUE_DATA_DIR' },
  { path: 'venue.fresh', type: { kind: 'boolean' }, env: 'QGTM_FRESH' },
  { path: 'venue.dataUrl', type: { kind: 'url', schemes: ['http:', 'https:', 'ws:', 'wss:'], nullable: true }, env: 'APCA_API_DATA_URL' },
  { path: 'venue.dataStreamUrl', type: { kind: 'url', schemes: ['ws:', 'wss:'], nullable: true }, env: 'QGTM_DATA_STREAM_URL' },
  { path: 'venue.live', type: { kind: 'boolean' }, flagOnly: '--live' },
  // The account request budget's shares (src/alpaca/rate-budget.ts; its defaults).
  { path: 'venue.rateLimitPerMinute', type: { kind: 'int', min: 1, max: 100_000 }, env: 'QGTM_RATE_LIMIT_PER_MINUTE' },
  { path: 'venue.rateBulkShare', type: { kind: 'number', greaterThan: 0, max: 1 }, env: 'QGTM_RATE_BULK_SHARE' },
  { path: 'venue.rateReserveShare', type: { kind: 'number', min: 0, max: 1 }, env: 'QGTM_RATE_RESERVE_SHARE' },
  // The embedded venue's fill model (venue/config.ts validates the same ranges for `qgtm venue`).
  { path: 'venue.limitFill', type: { kind: 'enum', values: LIMIT_FILL_RULES }, env: 'QGTM_VENUE_LIMIT_FILL' },
  { path: 'venue.slippageBps', type: { kind: 'number', min: 0, max: 1000 }, env: 'QGTM_VENUE_SLIPPAGE_BPS' },
  { path: 'venue.feePerShare', type: { kind: 'number', min: 0, max: 1 }, env: 'QGTM_VENUE_FEE_PER_SHARE' },
  { path: 'venue.feeBps', type: { kind: 'number', min: 0, max: 1000 }, env: 'QGTM_VENUE_FEE_BPS' },
  { path: 'venue.liveAccount', type: { kind: 'string', nullable: true, minLength: 1 }, env: 'QGTM_LIVE_ACCOUNT' },
  { path: 'macro.fredUrl', type: { kind: 'url', schemes: ['http:', 'https:'], nullable: true }, env: 'QGTM_FRED_URL' },
  { path: 'macro.fredApiKey', type: { kind: 'string', nullable: true, minLength: 1 }, env: 'FRED_API_KEY', secret: true },
  { path: 'macro.cftcUrl', type: { kind: 'url', schemes: ['http:', 'https:'], nullable: true }, env: 'QGTM_CFTC_URL' },
  { path: 'macro.cftcAppToken', type: { kind: 'string', nullable: true, minLength: 1 }, env: 'QGTM_CFTC_APP_TOKEN', secret: true },
  { path: 'universe.focus', type: { kind: 'enum', values: ['pm', 'broad'] }, env: 'QGTM_UNIVERSE_FOCUS' },
  { path: 'feeds.backfillBars', type: { kind: 'int', min: 0, max: 100_000 }, env: 'QGTM_BACKFILL_BARS' },
  { path: 'feeds.sampleMs', type: { kind: 'int', min: 10, max: 60_000 }, env: 'QGTM_FEED_SAMPLE_MS' },
  { path: 'feeds.authRetryMs', type: { kind: 'int', min: 100, max: 3_600_000 }, env: 'QGTM_MD_AUTH_RETRY_MS' },
  { path: 'daemon.journalDir', type: { kind: 'string', minLength: 1 }, env: 'QGTM_JOURNAL_DIR' },
  { path: 'daemon.metricsHost', type: { kind: 'string', minLength: 1 }, env: 'QGTM_DAEMON_METRICS_HOST' },
  { path: 'daemon.metricsPort', type: PORT, env: 'QGTM_DAEMON_METRICS_PORT' },
  { path: 'daemon.heartbeatTtlMs', type: { kind: 'int', min: 300, max: 600_000 }, env: 'QGTM_HEARTBEAT_TTL_MS' },
  { path: 'daemon.placement', type: { kind: 'enum', values: PLACEMENT_MODES }, env: 'QGTM_PLACEMENT' },
  { path: 'daemon.strategyHeapMb', type: { kind: 'int', min: 64, max: 65_536 }, env: 'QGTM_STRATEGY_HEAP_MB' },
  { path: 'daemon.workerHeapMb', type: { kind: 'int', min: 64, max: 65_536 }, env: 'QGTM_WORKER_HEAP_MB' },
  { path: 'daemon.hotPathSpinUs', type: { kind: 'int', min: 0, max: 1_000_000 }, env: 'QGTM_HOT_PATH_SPIN_US' },
  ...TRADING_FIELDS,
  { path: 'cluster.enabled', type: { kind: 'boolean' }, env: 'QGTM_CLUSTER' },
  { path: 'cluster.leaseMs', type: { kind: 'int', min: 300, max: 60_000 }, env: 'QGTM_CLUSTER_LEASE_MS' },
  { path: 'cluster.nodeId', type: { kind: 'string', nullable: true, minLength: 1, pattern: /^[A-Za-z0-9_.:-]{1,64}$/, describe: '1-64 characters of [A-Za-z0-9_.:-]' }, env: 'QGTM_NODE_ID' },
  { path: 'cluster.stateDir', type: { kind: 'string', nullable: true, minLength: 1 }, env: 'QGTM_NODE_STATE_DIR' },
  { path: 'research.dir', type: { kind: 'string', minLength: 1, nullable: true }, env: 'QGTM_RESEARCH_DIR' },
  { path: 'research.workers', type: { kind: 'int', min: 1, max: 256, nullable: true }, env: 'QGTM_RESEARCH_WORKERS' },
  { path: 'research.maxQueued', type: { kind: 'int', min: 0, max: 10_000 }, env: 'QGTM_RESEARCH_MAX_QUEUED' },
  { path: 'research.niceIncrement', type: { kind: 'int', min: 0, max: 19 }, env: 'QGTM_RESEARCH_NICE' },
  { path: 'log.level', type: { kind: 'enum', values: ['debug', 'info', 'warn', 'error', 'silent'] }, env: 'QGTM_LOG_LEVEL' },
  { path: 'log.format', type: { kind: 'enum', values: ['auto', 'json', 'text'] }, env: 'QGTM_LOG_FORMAT' },
];
