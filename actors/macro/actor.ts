/**
 * The macro source actors, `macro:fred` and `macro:cftc`: one module, the
 * source chosen by `args.source`. Each fetches on a schedule (at start, then
 * every `intervalMs`; FRED daily series and the weekly COT report change at
 * most daily), publishes `macro.series` / `macro.cot` on topic `macro`, and
 * on failure retries only what failed, with exponential backoff.
 *
 * The HTTP work (FredClient / CftcClient: rate limit, cache, per-request
 * retries) runs without blocking the mailbox: a fetch is started, and its
 * result comes back as a `macro.fetched` message to self, so publishing
 * happens inside a handler and `inspect` stays answerable during a slow
 * fetch. The clients' time and sleeps come from the actor's clock.
 *
 * By default both read the local venue (`venueUrl`); set `baseUrl` (and for
 * FRED a real `apiKey`) to read FRED / CFTC themselves.
 */
import { ConfigError, serializeError } from '../../src/errors.js';
import { backoffDelay, defineActor, type ActorContext, type Message } from '../../src/runtime/index.js';
import { CftcClient, COT_CONTRACT_CODES, type CotMarketName } from './cftc-client.js';
import { FredClient } from './fred-client.js';
import type { SourceClock, SourceStats } from './http-source.js';
import type { MacroMsg, MacroStatusMsg } from './messages.js';

export const MACRO_TOPIC = 'macro';
/** Where each source says, after every fetch, whether it is reaching its service (health, degraded). */
export const MACRO_STATUS_TOPIC = 'macro_status';

export const DEFAULT_FRED_SERIES = ['DFII10', 'DTWEXBGS', 'T10YIE'] as const;

interface CommonArgs {
  /** The local venue's HTTP URL (the default source). */
  readonly venueUrl?: string;
  /** The real service's base URL; takes precedence over venueUrl. */
  readonly baseUrl?: string;
  /** Time between successful fetches, ms. Default 6 h (FRED), 24 h (CFTC). */
  readonly intervalMs?: number;
  /** First retry delay after a failed fetch, ms (doubles up to `intervalMs`). Default 60 s. */
  readonly retryMs?: number;
  /** Per-request timeout, ms. Default 10 s. */
  readonly timeoutMs?: number;
  /** Retries within one request (429/5xx/network) before the fetch counts as failed. Default 3. */
  readonly maxRetries?: number;
}

export interface FredActorArgs extends CommonArgs {
  readonly source: 'fred';
  /** FRED api key; the venue accepts any non-empty key. Default 'qgtm-local'. */
  readonly apiKey?: string;
  /** Series ids. Default DFII10, DTWEXBGS, T10YIE. */
  readonly series?: readonly string[];
  /** Days of history per fetch (observation_start = now - lookbackDays). Default 400. */
  readonly lookbackDays?: number;
}

export interface CftcActorArgs extends CommonArgs {
  readonly source: 'cftc';
  /** Socrata app token, optional. */
  readonly appToken?: string;
  /** Markets. Default gold and silver. */
  readonly markets?: readonly CotMarketName[];
  /** Weekly reports per fetch. Default 104. */
  readonly weeks?: number;
}

export type MacroActorArgs = FredActorArgs | CftcActorArgs;

interface FetchMsg extends Message {
  readonly type: 'macro.fetch';
  /** What to fetch (series ids or markets); all when absent. */
  readonly items?: readonly string[];
}

interface FetchedMsg extends Message {
  readonly type: 'macro.fetched';
  readonly incarnation: number;
  readonly results: readonly MacroMsg[];
  readonly failures: readonly { readonly item: string; readonly code: string; readonly message: string }[];
}

type In = FetchMsg | FetchedMsg;

const DAY_MS = 86_400_000;

export function macroArgsViolations(a: MacroActorArgs | undefined): string[] {
  if (!a || typeof a !== 'object') return ['macro args must be an object'];
  const v: string[] = [];
  const p = `macro:${String(a.source)}`;
  const source: unknown = a.source;
  if (source !== 'fred' && source !== 'cftc') return [`macro.source must be 'fred' or 'cftc' (got ${String(source)})`];
  if (!a.baseUrl && !a.venueUrl) v.push(`${p}.baseUrl or ${p}.venueUrl is required`);
  for (const k of ['intervalMs', 'retryMs', 'timeoutMs'] as const) {
    const x = a[k];
    if (x !== undefined && !(typeof x === 'number' && Number.isFinite(x) && x > 0)) v.push(`${p}.${k} must be a positive number (got ${String(x)})`);
  }
  if (a.maxRetries !== undefined && !(Number.isInteger(a.maxRetries) && a.maxRetries >= 0)) v.push(`${p}.maxRetries must be an integer >= 0`);
  if (a.source === 'fred') {
    if (a.series !== undefined && (!Array.isArray(a.series) || a.series.length === 0 || a.series.some((s) => !/^[A-Z0-9_]+$/i.test(s)))) v.push(`${p}.series must be a non-empty list of FRED series ids`);
    if (a.lookbackDays !== undefined && !(Number.isInteger(a.lookbackDays) && a.lookbackDays > 0)) v.push(`${p}.lookbackDays must be a positive integer`);
  } else {
    if (a.markets !== undefined && (!Array.isArray(a.markets) || a.markets.length === 0 || a.markets.some((m) => !(m in COT_CONTRACT_CODES)))) v.push(`${p}.markets must be a non-empty list of ${Object.keys(COT_CONTRACT_CODES).join(', ')}`);
    if (a.weeks !== undefined && !(Number.isInteger(a.weeks) && a.weeks >= 1 && a.weeks <= 5000)) v.push(`${p}.weeks must be an integer 1-5000`);
  }
  return v;
}

export default defineActor<In, MacroActorArgs>(() => {
  let args: MacroActorArgs;
  let fetchOne: (item: string) => Promise<MacroMsg>;
  let stats: () => Readonly<SourceStats>;
  let all: readonly string[] = [];
  let intervalMs = 0;
  let retryMs = 0;
  let inFlight = false;
  let queued: readonly string[] | undefined;
  let consecutiveFailures = 0;
  let fetches = 0;
  let publishedCount = 0;
  let lastSuccessAt: number | null = null;
  let lastError: { item: string; code: string; message: string } | null = null;
  let nextFetchAt: number | null = null;
  let published: { inc(): void };
  let failed: { inc(): void };

  const schedule = (ctx: ActorContext, delayMs: number, items?: readonly string[]): void => {
    nextFetchAt = ctx.clock.now() + delayMs;
    const msg: FetchMsg = items ? { type: 'macro.fetch', items } : { type: 'macro.fetch' };
    ctx.timers.start('fetch', delayMs, msg);
  };

  const start = (ctx: ActorContext, items: readonly string[]): void => {
    inFlight = true;
    fetches++;
    nextFetchAt = null;
    const incarnation = ctx.incarnation;
    void Promise.allSettled(items.map((item) => fetchOne(item))).then((settled) => {
      const results: MacroMsg[] = [];
      const failures: FetchedMsg['failures'][number][] = [];
      settled.forEach((r, k) => {
        if (r.status === 'fulfilled') results.push(r.value);
        else {
          const e = serializeError(r.reason);
          failures.push({ item: items[k], code: e.code, message: e.message });
        }
      });
      const done: FetchedMsg = { type: 'macro.fetched', incarnation, results, failures };
      ctx.tell(ctx.self, done);
    });
  };

  return {
    accepts: ['macro.fetch', 'macro.fetched'],

    init(ctx, a) {
      const violations = macroArgsViolations(a);
      if (violations.length > 0) throw new ConfigError(violations);
      args = a;
      const clock: SourceClock = {
        now: () => ctx.clock.now(),
        sleep: (ms) => new Promise<void>((resolve) => void ctx.clock.setTimer(ms, resolve)),
      };
      const http = { clock, timeoutMs: a.timeoutMs, maxRetries: a.maxRetries };
      if (a.source === 'fred') {
        const client = new FredClient({ ...http, baseUrl: a.baseUrl, venueUrl: a.venueUrl, apiKey: a.apiKey ?? 'qgtm-local' });
        const lookback = a.lookbackDays ?? 400;
        fetchOne = (id) => client.getSeries(id, { start: new Date(ctx.clock.now() - lookback * DAY_MS).toISOString().slice(0, 10) });
        stats = () => client.stats;
        all = a.series ?? DEFAULT_FRED_SERIES;
        intervalMs = a.intervalMs ?? 6 * 3_600_000;
      } else {
        const client = new CftcClient({ ...http, baseUrl: a.baseUrl, venueUrl: a.venueUrl, appToken: a.appToken });
        fetchOne = (market) => client.getCot(market as CotMarketName, { weeks: a.weeks ?? 104 });
        stats = () => client.stats;
        all = a.markets ?? ['gold', 'silver'];
        intervalMs = a.intervalMs ?? DAY_MS;
      }
      retryMs = Math.min(a.retryMs ?? 60_000, intervalMs);
      const m = ctx.metrics;
      published = m.counter('qgtm_macro_published_total', 'Macro messages published, by source', ['source']).labels({ source: a.source });
      failed = m.counter('qgtm_macro_fetch_failures_total', 'Macro items that failed to fetch, by source', ['source']).labels({ source: a.source });
      // At start, immediately (a tell, not a zero timer: a virtual clock would hold the timer until advanced).
      ctx.tell(ctx.self, { type: 'macro.fetch' });
    },

    receive(msg, ctx) {
      switch (msg.type) {
        case 'macro.fetch': {
          const items = msg.items ?? all;
          if (inFlight) {
            // One fetch at a time; the request is remembered and runs when the current one ends.
            queued = queued ? [...new Set([...queued, ...items])] : items;
            return;
          }
          start(ctx, items);
          return;
        }
        case 'macro.fetched': {
          if (msg.incarnation !== ctx.incarnation) return;
          inFlight = false;
          for (const r of msg.results) {
            ctx.publish(MACRO_TOPIC, r);
            publishedCount++;
            published.inc();
          }
          const now = ctx.clock.now();
          if (msg.failures.length === 0) {
            consecutiveFailures = 0;
            lastSuccessAt = now;
            schedule(ctx, intervalMs);
          } else {
            consecutiveFailures++;
            lastError = msg.failures[0];
            for (const f of msg.failures) {
              failed.inc();
              ctx.log.warn('macro fetch failed', { source: args.source, ...f });
            }
            if (msg.results.length > 0) lastSuccessAt = now;
            const delay = backoffDelay({ minMs: retryMs, maxMs: intervalMs }, consecutiveFailures - 1);
            schedule(ctx, delay, msg.failures.map((f) => f.item));
          }
          const status: MacroStatusMsg = {
            type: 'macro.status',
            source: args.source,
            ok: msg.failures.length === 0,
            consecutiveFailures,
            lastSuccessAt,
            lastError: lastError && msg.failures.length > 0 ? `${lastError.code}: ${lastError.message}` : null,
            ts: now,
          };
          ctx.publish(MACRO_STATUS_TOPIC, status);
          if (queued) {
            const next = queued;
            queued = undefined;
            start(ctx, next);
          }
          return;
        }
      }
    },

    inspect() {
      return {
        source: args?.source,
        items: all,
        inFlight,
        fetches,
        published: publishedCount,
        consecutiveFailures,
        lastSuccessAt,
        lastError,
        nextFetchAt,
        http: stats?.() ?? null,
      };
    },
  };
});
