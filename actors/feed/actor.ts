/**
 * The `feed:<SYMBOL>` actor: a thin shell around FeedCore. Each md.* message
 * from the market-data session is validated and folded in; the results go
 * out on the daemon's topics: `features` (feed.features, per accepted tick),
 * `bars` (feed.bar, per closed bar) and `feed_status` (feed.status, per
 * transition). A repeating timer drives `onTime`, which closes bars when
 * their time is up and detects stale data, on the actor's clock (so a virtual
 * clock makes staleness deterministic in tests).
 *
 * Displays: besides every `feed.features` on `features` (for the strategy
 * shards, risk and the allocator, over direct channels), the feed publishes
 * a conflated `feed.sample` on `feed_samples` at most once per `sampleMs`
 * (see FeedSampler). The daemon's main thread subscribes to that, not to
 * `features`: it decodes a few messages a second per feed instead of every
 * tick, and the hot path never waits on the main thread.
 *
 * Warm restarts: `snapshot()` is FeedCore's plain-data snapshot; `init`
 * resumes from it with FeedCore.fromSnapshot, which falls back to a cold
 * start (and says why) rather than failing on an unusable snapshot.
 *
 * Backfill: with `backfill` in its args, a feed that starts cold (no usable
 * snapshot, or one holding fewer bars than wanted, as after a crash before
 * the backfill arrived) fetches the newest closed bars of its symbol from the venue's
 * market-data REST through the SDK. The fetch starts in `init` and is not
 * awaited (the mailbox keeps flowing); its result comes back as a
 * `feed.backfill_result` message to itself, is folded in by
 * FeedCore.backfill, and the history goes out as `feed.history` on `bars`
 * (the strategy shards seed their views from it) with features carrying the
 * new volatility on `features`. A failed fetch is retried with backoff
 * (`maxAttempts`); then the feed gives up with a warning and runs cold.
 *
 * Backpressure is the mailbox's job, configured in the spec (see
 * DEFAULT_FEED_MAILBOX in app/daemon/market-data-specs.ts for the choice):
 * bounded with drop-oldest by default, `conflate` by symbol or a strict
 * bounded `reject` (what the benchmark runs to prove nothing is lost).
 */
import { createAlpacaClients, type AlpacaConnection } from '../../src/alpaca/index.js';
import { ConfigError } from '../../src/errors.js';
import { defineActor, type ActorContext } from '../../src/runtime/index.js';
import type { MarketDataMsg } from '../market-data/messages.js';
import { BACKFILL_DROP_REASONS, emptyBackfillDrops, type BackfillDrops } from './backfill.js';
import {
  BACKFILL_DEFAULTS,
  backfillRetryDelayMs,
  backfillSettingsViolations,
  fetchBackfillBars,
  isPermanentFailure,
  timeframeFor,
  type BackfillSettings,
  type BarsApi,
  type BackfillGate,
} from './backfill-fetch.js';
import { feedConfig, type FeedConfig } from './config.js';
import { FeedCore, type FeedOutput } from './feed.js';
import type { FeedBackfillResultMsg, FeedBackfillRetryMsg, FeedFeaturesMsg, FeedGetHistoryMsg, FeedSampleDueMsg, FeedSampleMsg, FeedTickMsg } from './messages.js';
import { DEFAULT_SAMPLE_MS, FeedSampler } from './sampler.js';
import { REJECT_REASONS, type RejectReason } from './validate.js';

export const FEATURES_TOPIC = 'features';
export const BARS_TOPIC = 'bars';
export const FEED_STATUS_TOPIC = 'feed_status';
/** Conflated features for displays (`feed.sample`), a few a second per feed. */
export const FEED_SAMPLE_TOPIC = 'feed_samples';

export interface FeedActorArgs {
  readonly symbol: string;
  /** FeedConfig overrides (bar interval, stale time, validation limits, ...). */
  readonly config?: Partial<Omit<FeedConfig, 'symbol'>>;
  /** How often the timer runs onTime (bar closing, stale detection), ms. Default 1000. */
  readonly tickMs?: number;
  /**
   * Period of the conflated `feed.sample` for displays, ms: at most one per
   * period (plus one), carrying the newest features. 0: no samples. Default 250.
   */
  readonly sampleMs?: number;
  /** Backfill from the venue's bar history when starting cold; omitted: no backfill. */
  readonly backfill?: FeedBackfillArgs;
}

/** Backfill settings plus where to fetch from (plain data: it crosses into the worker). */
export interface FeedBackfillArgs extends BackfillSettings {
  /** The connection the market-data session uses (its data REST base URL and keys). */
  readonly conn: AlpacaConnection;
}

/** Where a feed's backfill stands (inspect). */
export type BackfillState = 'off' | 'skipped_warm' | 'fetching' | 'waiting_retry' | 'done' | 'failed';

type In = MarketDataMsg | FeedTickMsg | FeedGetHistoryMsg | FeedBackfillResultMsg | FeedBackfillRetryMsg | FeedSampleDueMsg;

/** Tokens unique within a worker (across incarnations), tying a fetch result to the fetch that asked for it. */
let fetchTokens = 0;

interface Counter {
  inc(v?: number): void;
}

const TICK: FeedTickMsg = { type: 'feed.tick' };
const SAMPLE_DUE: FeedSampleDueMsg = { type: 'feed.sample_due' };
const STATUS_CODE = { fresh: 0, gap: 1, stale: 2 } as const;

export function feedArgsViolations(args: FeedActorArgs | undefined): string[] {
  if (!args || typeof args !== 'object') return ['feed args must be an object'];
  const v: string[] = [];
  if (typeof args.symbol !== 'string' || args.symbol.trim() === '') v.push('feed.symbol must be a non-empty string');
  if (args.tickMs !== undefined && !(typeof args.tickMs === 'number' && Number.isFinite(args.tickMs) && args.tickMs > 0)) {
    v.push(`feed[${String(args.symbol)}].tickMs must be a positive number (got ${String(args.tickMs)})`);
  }
  if (args.sampleMs !== undefined && !(typeof args.sampleMs === 'number' && Number.isFinite(args.sampleMs) && args.sampleMs >= 0)) {
    v.push(`feed[${String(args.symbol)}].sampleMs must be a number >= 0 (got ${String(args.sampleMs)})`);
  }
  if (args.backfill !== undefined) {
    const p = `feed[${String(args.symbol)}].backfill`;
    v.push(...backfillSettingsViolations(args.backfill, p));
    const c = args.backfill?.conn as Partial<AlpacaConnection> | undefined;
    if (!c || typeof c !== 'object') v.push(`${p}.conn must be an Alpaca connection (resolveAlpacaConnection)`);
    else {
      if (typeof c.dataRestBaseUrl !== 'string' || !/^https?:\/\//.test(c.dataRestBaseUrl)) v.push(`${p}.conn.dataRestBaseUrl must be an http(s) URL (got ${String(c.dataRestBaseUrl)})`);
      if (!c.keyId || !c.secretKey) v.push(`${p}.conn.keyId and secretKey are required`);
    }
  }
  return v;
}

export default defineActor<In, FeedActorArgs, unknown>(() => {
  let core: FeedCore;
  let warm = false;
  let restoreProblem: string | null = null;
  const received = { trade: 0, quote: 0, bar: 0 };
  const published = { features: 0, bars: 0, status: 0, samples: 0 };
  let sampler: FeedSampler;
  let ticksIn: Record<MarketDataMsg['type'], Counter>;
  let rejectedBy: Record<RejectReason, Counter>;
  let publishedBy: { features: Counter; bars: Counter; status: Counter; samples: Counter };
  let statusGauge: { set(v: number): void };
  let stopped = false;
  const bf = {
    state: 'off' as BackfillState,
    wanted: 0,
    attempts: 0,
    pages: 0,
    inserted: 0,
    dropped: emptyBackfillDrops() as BackfillDrops,
    elapsedMs: 0,
    lastError: null as string | null,
    /** Results of a fetch this incarnation did not start (a crashed incarnation's), ignored. */
    staleResults: 0,
  };
  let bfToken = 0;
  let bfSettings: BackfillSettings | null = null;
  let bfApi: BarsApi | null = null;
  let bfGate: BackfillGate | undefined;
  let bfBars: Record<string, Counter>;
  let bfAttempts: { ok: Counter; error: Counter };
  let bfSeconds: { observe(v: number): void };

  /** Starts one fetch without awaiting it; the outcome arrives as a feed.backfill_result. */
  const startFetch = (ctx: ActorContext, attempt: number): void => {
    const token = ++fetchTokens;
    bfToken = token;
    bf.state = 'fetching';
    bf.attempts = attempt;
    const t0 = performance.now();
    const deliver = (msg: FeedBackfillResultMsg): void => {
      if (stopped) return;
      try {
        ctx.tell(ctx.self, msg);
      } catch (err) {
        ctx.log.warn('backfill result undeliverable', { error: (err as Error).message });
      }
    };
    const base = { type: 'feed.backfill_result', token, attempt } as const;
    fetchBackfillBars(bfApi as BarsApi, core.symbol, core.config.barIntervalMs, ctx.clock.now(), bfSettings as BackfillSettings, bfGate).then(
      (r) => deliver({ ...base, ok: true, bars: r.bars, pages: r.pages, elapsedMs: performance.now() - t0, error: null, permanent: false }),
      (err: unknown) =>
        deliver({ ...base, ok: false, bars: [], pages: 0, elapsedMs: performance.now() - t0, error: err instanceof Error ? err.message : String(err), permanent: isPermanentFailure(err) }),
    );
  };

  const onBackfillResult = (msg: FeedBackfillResultMsg, ctx: ActorContext): void => {
    if (msg.token !== bfToken || bf.state !== 'fetching') {
      bf.staleResults++;
      return;
    }
    bf.elapsedMs += msg.elapsedMs;
    bfSeconds.observe(msg.elapsedMs / 1000);
    if (!msg.ok) {
      bfAttempts.error.inc();
      bf.lastError = msg.error;
      const max = bfSettings?.maxAttempts ?? BACKFILL_DEFAULTS.maxAttempts;
      if (msg.permanent || msg.attempt >= max) {
        bf.state = 'failed';
        ctx.log.warn('backfill gave up: the feed runs cold', { symbol: core.symbol, attempts: msg.attempt, error: msg.error });
        return;
      }
      const delay = backfillRetryDelayMs(msg.attempt + 1, core.symbol, bfSettings as BackfillSettings);
      bf.state = 'waiting_retry';
      ctx.log.warn('backfill failed, retrying', { symbol: core.symbol, attempt: msg.attempt, retryInMs: delay, error: msg.error });
      const retry: FeedBackfillRetryMsg = { type: 'feed.backfill_retry', attempt: msg.attempt + 1 };
      ctx.timers.start('backfill', delay, retry);
      return;
    }
    bfAttempts.ok.inc();
    bf.pages = msg.pages;
    const out = core.backfill(msg.bars, ctx.clock.now());
    bf.state = 'done';
    bf.inserted = out.inserted;
    bf.dropped = { ...out.dropped };
    bfBars.inserted.inc(out.inserted);
    for (const r of BACKFILL_DROP_REASONS) if (out.dropped[r] > 0) bfBars[r].inc(out.dropped[r]);
    if (out.history) {
      ctx.publish(BARS_TOPIC, out.history);
      published.bars++;
      publishedBy.bars.inc();
    }
    if (out.features) publishFeatures(out.features, ctx);
    ctx.log.info('backfill done', { symbol: core.symbol, fetched: msg.bars.length, inserted: out.inserted, dropped: out.dropped, pages: msg.pages, ms: Math.round(msg.elapsedMs) });
  };

  /** Every features update goes to `features`; the sampler decides when displays hear of it. */
  const publishFeatures = (f: FeedFeaturesMsg, ctx: ActorContext): void => {
    ctx.publish(FEATURES_TOPIC, f);
    published.features++;
    publishedBy.features.inc();
    const now = ctx.clock.now();
    const s = sampler.note(f, now);
    if (s) publishSample(s, ctx);
    else {
      const due = sampler.arm(now);
      if (due !== null) ctx.timers.start('sample', due, SAMPLE_DUE);
    }
  };

  const publishSample = (s: FeedSampleMsg, ctx: ActorContext): void => {
    ctx.publish(FEED_SAMPLE_TOPIC, s);
    published.samples++;
    publishedBy.samples.inc();
  };

  /** Publishes what one FeedCore call produced; the output object is reused by the next call, so this runs first. */
  const emit = (out: FeedOutput, ctx: ActorContext): void => {
    if (out.features) publishFeatures(out.features, ctx);
    if (out.bar) {
      ctx.publish(BARS_TOPIC, out.bar);
      published.bars++;
      publishedBy.bars.inc();
    }
    if (out.status) {
      ctx.publish(FEED_STATUS_TOPIC, out.status);
      published.status++;
      publishedBy.status.inc();
      statusGauge.set(STATUS_CODE[out.status.status]);
      if (out.status.status !== 'fresh') ctx.log.warn('feed status', { status: out.status.status, reason: out.status.reason, detail: out.status.detail });
    }
  };

  return {
    accepts: ['md.trade', 'md.quote', 'md.bar', 'feed.tick', 'feed.get_history', 'feed.backfill_result', 'feed.backfill_retry', 'feed.sample_due'],

    init(ctx, args, snapshot) {
      const violations = feedArgsViolations(args);
      if (violations.length > 0) throw new ConfigError(violations);
      const config = feedConfig(args.symbol, args.config ?? {});
      if (snapshot !== undefined) {
        const restored = FeedCore.fromSnapshot(snapshot, config);
        core = restored.core;
        warm = restored.warm;
        restoreProblem = restored.problem;
        if (!warm) ctx.log.warn('feed starts cold: snapshot not usable', { problem: restored.problem });
      } else {
        core = new FeedCore(config);
      }
      const symbol = args.symbol;
      const m = ctx.metrics;
      const ticks = m.counter('qgtm_feed_ticks_total', 'Market-data messages a feed received, by kind', ['symbol', 'kind']);
      ticksIn = {
        'md.trade': ticks.labels({ symbol, kind: 'trade' }),
        'md.quote': ticks.labels({ symbol, kind: 'quote' }),
        'md.bar': ticks.labels({ symbol, kind: 'bar' }),
      };
      const rejected = m.counter('qgtm_feed_rejected_total', 'Market-data messages a feed rejected, by reason', ['symbol', 'reason']);
      rejectedBy = Object.fromEntries(REJECT_REASONS.map((r) => [r, rejected.labels({ symbol, reason: r })])) as unknown as Record<RejectReason, Counter>;
      const pub = m.counter('qgtm_feed_published_total', 'Messages a feed published, by topic', ['symbol', 'topic']);
      publishedBy = {
        features: pub.labels({ symbol, topic: FEATURES_TOPIC }),
        bars: pub.labels({ symbol, topic: BARS_TOPIC }),
        status: pub.labels({ symbol, topic: FEED_STATUS_TOPIC }),
        samples: pub.labels({ symbol, topic: FEED_SAMPLE_TOPIC }),
      };
      sampler = new FeedSampler(symbol, args.sampleMs ?? DEFAULT_SAMPLE_MS);
      statusGauge = m.gauge('qgtm_feed_status', 'Feed data status: 0 fresh, 1 gap, 2 stale', ['symbol']).labels({ symbol });
      statusGauge.set(STATUS_CODE[core.status]);
      ctx.timers.start('tick', args.tickMs ?? 1000, TICK, { repeat: true });
      const bfCounter = m.counter('qgtm_feed_backfill_bars_total', 'Backfilled bars a feed inserted or dropped, by outcome', ['symbol', 'outcome']);
      bfBars = Object.fromEntries(['inserted', ...BACKFILL_DROP_REASONS].map((o) => [o, bfCounter.labels({ symbol, outcome: o })]));
      const attempts = m.counter('qgtm_feed_backfill_fetches_total', 'Backfill fetches a feed made, by result', ['symbol', 'result']);
      bfAttempts = { ok: attempts.labels({ symbol, result: 'ok' }), error: attempts.labels({ symbol, result: 'error' }) };
      bfSeconds = m.histogram('qgtm_feed_backfill_fetch_seconds', 'Time one backfill fetch took (all pages)', [], [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]).labels();
      if (args.backfill) {
        const { conn, ...settings } = args.backfill;
        bf.wanted = Math.min(settings.bars, config.historyCapacity);
        // A warm restart normally holds its history already; one restored from a snapshot taken
        // before its backfill arrived (a crash meanwhile) still holds too little, and fetches.
        if (warm && core.barsHeld >= bf.wanted) {
          bf.state = 'skipped_warm';
        } else if (timeframeFor(config.barIntervalMs) === null) {
          bf.state = 'failed';
          bf.lastError = `no venue timeframe for a ${config.barIntervalMs} ms bar interval`;
          ctx.log.warn('backfill impossible: the feed runs cold', { symbol, error: bf.lastError });
        } else {
          bfSettings = { ...settings, bars: bf.wanted };
          // Backfill is the account budget's bulk lane: it waits for the budget, orders never do.
          const clients = createAlpacaClients(conn, { lane: 'bulk', retry: false, timeoutMs: settings.timeoutMs ?? BACKFILL_DEFAULTS.timeoutMs });
          bfApi = clients.stocks;
          bfGate = () => clients.budget.acquire('bulk');
          startFetch(ctx, 1);
        }
      }
    },

    receive(msg, ctx) {
      switch (msg.type) {
        case 'md.trade':
        case 'md.quote':
        case 'md.bar': {
          ticksIn[msg.type].inc();
          if (msg.type === 'md.trade') received.trade++;
          else if (msg.type === 'md.quote') received.quote++;
          else received.bar++;
          const out = core.onMarketData(msg, ctx.clock.now());
          if (out.rejected !== null) rejectedBy[out.rejected].inc();
          else emit(out, ctx);
          return;
        }
        case 'feed.tick':
          emit(core.onTime(ctx.clock.now()), ctx);
          return;
        case 'feed.get_history':
          ctx.reply(core.history());
          return;
        case 'feed.backfill_result':
          onBackfillResult(msg, ctx);
          return;
        case 'feed.backfill_retry':
          if (bf.state === 'waiting_retry') startFetch(ctx, msg.attempt);
          return;
        case 'feed.sample_due': {
          const s = sampler.flush(ctx.clock.now());
          if (s) publishSample(s, ctx);
          return;
        }
      }
    },

    stop() {
      stopped = true;
    },

    snapshot() {
      return core.snapshot();
    },

    inspect() {
      return {
        symbol: core.symbol,
        status: core.status,
        warm,
        restoreProblem,
        backfill: { ...bf, dropped: { ...bf.dropped } },
        received,
        published,
        ...core.counters(),
      };
    },
  };
});

