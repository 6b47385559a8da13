/**
 * The `md` actor: the market-data session. It owns the one market-data
 * stream connection (Alpaca allows one per account), made through the real
 * SDK's StockDataStream pointed at the connection's `dataStreamUrl` (the
 * local venue by default, Alpaca paper with keys), subscribes trades, quotes
 * and bars for the universe, and tells each item to `feed:<SYMBOL>` as an
 * md.* message. Connection status goes out on topic `md_status`.
 *
 * Data path: the SDK decodes a frame and calls our listeners once per item,
 * synchronously, within one socket 'message' event. Every tell made in that
 * synchronous run is framed into the same outbox and posted as one batch per
 * destination worker, so a frame of 4,000 items costs one postMessage to the
 * feeds worker, not 4,000. Nothing here may defer per item (no
 * callbackExecutor, no awaits) or the batching is lost.
 *
 * The SDK's callbacks run outside `receive`, between messages; that is safe
 * because the worker is single-threaded and the actor handles one message at
 * a time anyway. Reconnection policy lives in SessionLifecycle (why the
 * session and not the SDK owns it is explained there).
 */
import { createAlpacaClients, type AlpacaConnection } from '../../src/alpaca/index.js';
import { ConfigError } from '../../src/errors.js';
import { defineActor, type ActorContext, type Message } from '../../src/runtime/index.js';
import type { streaming } from '@alpacahq/alpaca-trade-api';
import { resolveReconnect, SessionLifecycle, type LifecycleStep, type ReconnectOptions } from './lifecycle.js';
import { DEFAULT_FEED_ID_PATTERN, MarketDataRouter, type MdDropReason, type MdKind } from './router.js';
import { TOPICS } from '../topics.js';

export type MdChannel = 'trades' | 'quotes' | 'bars';

export interface MdSessionArgs {
  /** Where and as whom to connect (plain data from resolveAlpacaConnection). */
  readonly conn: AlpacaConnection;
  /** The universe: one feed actor per symbol. */
  readonly symbols: readonly string[];
  /** Feed actor id pattern; `{symbol}` is replaced. Default `feed:{symbol}`. */
  readonly feedIdPattern?: string;
  /** Channels to subscribe. Default trades, quotes and bars. */
  readonly channels?: readonly MdChannel[];
  readonly reconnect?: ReconnectOptions;
  /** SDK keepalive: ping interval and pong deadline, ms (defaults 10,000 / 5,000 as the SDK). */
  readonly pingIntervalMs?: number;
  readonly pongWaitMs?: number;
}

/** Internal: the reconnect timer's message. */
interface ReconnectMsg extends Message {
  readonly type: 'md.reconnect';
}

type In = ReconnectMsg;

/**
 * Streams opened by an incarnation of a session in this worker, by actor id.
 * A crashed incarnation gets no `stop()`, so its socket would stay open and
 * the next incarnation would meet 406 (one connection per account); the new
 * incarnation closes its predecessor's stream first.
 */
const openStreams = new Map<string, streaming.StockDataStream>();

const ALL_CHANNELS: readonly MdChannel[] = ['trades', 'quotes', 'bars'];

export function mdSessionArgsViolations(args: MdSessionArgs | undefined): string[] {
  const v: string[] = [];
  if (!args || typeof args !== 'object') return ['md args must be an object'];
  const c = args.conn as Partial<AlpacaConnection> | undefined;
  if (!c || typeof c !== 'object') v.push('md.conn must be an Alpaca connection (resolveAlpacaConnection)');
  else {
    if (typeof c.dataStreamUrl !== 'string' || !/^wss?:\/\//.test(c.dataStreamUrl)) v.push(`md.conn.dataStreamUrl must be a ws:// or wss:// URL (got ${String(c.dataStreamUrl)})`);
    if (!c.keyId || !c.secretKey) v.push('md.conn.keyId and md.conn.secretKey are required');
  }
  if (!Array.isArray(args.symbols) || args.symbols.length === 0 || args.symbols.some((s) => typeof s !== 'string' || s.trim() === '')) {
    v.push('md.symbols must be a non-empty list of symbols');
  } else if (new Set(args.symbols).size !== args.symbols.length) v.push('md.symbols has duplicates');
  if (args.feedIdPattern !== undefined && (typeof args.feedIdPattern !== 'string' || !args.feedIdPattern.includes('{symbol}'))) {
    v.push('md.feedIdPattern must contain {symbol}');
  }
  if (args.channels !== undefined && (!Array.isArray(args.channels) || args.channels.length === 0 || args.channels.some((ch) => !ALL_CHANNELS.includes(ch)))) {
    v.push(`md.channels must be a non-empty subset of ${ALL_CHANNELS.join(', ')}`);
  }
  v.push(...resolveReconnect(args.reconnect).violations);
  return v;
}

export default defineActor<In, MdSessionArgs>(() => {
  let ctx: ActorContext;
  let incarnation = 0;
  let router: MarketDataRouter;
  let life: SessionLifecycle;
  let stream: streaming.StockDataStream | undefined;
  let channels: readonly MdChannel[] = ALL_CHANNELS;
  let errors = 0;
  let lastStatus: Message | undefined;
  let where = '';

  const apply = (step: LifecycleStep): void => {
    for (const s of step.publish) {
      lastStatus = s;
      ctx.publish(TOPICS.md_status, s);
      const fields = { detail: s.detail, attempt: s.attempt, retryInMs: s.retryInMs };
      if (s.state === 'connected') ctx.log.info('market data connected', fields);
      else ctx.log.warn(`market data ${s.state}`, fields);
    }
    if (step.reconnectInMs !== null) ctx.timers.start('reconnect', step.reconnectInMs, { type: 'md.reconnect' });
  };

  /** Guards callbacks of a stream whose incarnation has ended (see openStreams). */
  const current = (s: streaming.StockDataStream): boolean => {
    if (s === stream && ctx.incarnation === incarnation) return true;
    s.disconnect();
    return false;
  };

  const connect = (): void => {
    if (!stream) return;
    life.connecting();
    stream.connect();
  };

  return {
    // The stream's callbacks drive it; the one message is its own reconnect timer.
    accepts: {
      'md.reconnect': 'internal',
    },

    init(c, args) {
      const violations = mdSessionArgsViolations(args);
      if (violations.length > 0) throw new ConfigError(violations);
      ctx = c;
      incarnation = c.incarnation;
      channels = args.channels ?? ALL_CHANNELS;
      where = `${args.conn.venue} ${args.conn.dataStreamUrl}`;
      const m = c.metrics;
      const items = m.counter('qgtm_md_items_total', 'Market-data items received from the stream, by kind', ['kind']);
      const itemsBy: Record<MdKind, { inc(): void }> = { trade: items.labels({ kind: 'trade' }), quote: items.labels({ kind: 'quote' }), bar: items.labels({ kind: 'bar' }) };
      const dropped = m.counter('qgtm_md_dropped_total', 'Market-data items dropped by the session, by reason', ['reason']);
      const onDrop = (reason: MdDropReason, kind: MdKind, symbol: unknown): void => {
        dropped.labels({ reason }).inc();
        if (router.droppedCount <= 5) c.log.warn('market-data item dropped', { reason, kind, symbol: String(symbol) });
      };
      const connected = m.gauge('qgtm_md_connected', 'Whether the market-data stream is connected and subscribed (1) or not (0)').labels();
      router = new MarketDataRouter(args.symbols, args.feedIdPattern ?? DEFAULT_FEED_ID_PATTERN, (to, msg) => c.tell(to, msg), onDrop);
      const { value: reconnect } = resolveReconnect(args.reconnect);
      life = new SessionLifecycle(args.conn.venue, reconnect, () => ({ forwarded: router.forwardedCount, dropped: router.droppedCount }));

      openStreams.get(c.self.id)?.disconnect();
      const s = createAlpacaClients(args.conn).dataStream({
        reconnect: false,
        pingIntervalMs: args.pingIntervalMs,
        pongWaitMs: args.pongWaitMs,
      });
      stream = s;
      openStreams.set(c.self.id, s);

      s.onTrade((t) => {
        if (!current(s)) return;
        itemsBy.trade.inc();
        router.trade(t);
      });
      s.onQuote((q) => {
        if (!current(s)) return;
        itemsBy.quote.inc();
        router.quote(q);
      });
      s.onBar((b) => {
        if (!current(s)) return;
        itemsBy.bar.inc();
        router.bar(b);
      });
      s.onError((e) => {
        if (!current(s)) return;
        errors++;
        life.onError(String(e));
      });
      s.onStateChange((state) => {
        if (!current(s)) return;
        if (state === 'authenticated') apply(life.onAuthenticated(c.clock.now(), router.symbols.length > 0));
        else if (state === 'disconnected') {
          connected.set(0);
          apply(life.onDisconnected(c.clock.now()));
        }
      });
      s.on('subscription', (subs: Record<string, string[]>) => {
        if (!current(s)) return;
        const union = new Set<string>();
        for (const ch of channels) for (const sym of subs[ch] ?? []) union.add(sym);
        const missing = args.symbols.filter((sym) => !union.has(sym));
        if (missing.length > 0) c.log.warn('server did not confirm every symbol', { missing: missing.slice(0, 20), confirmed: union.size });
        const step = life.onSubscription(c.clock.now(), union.size);
        if (step.publish.length > 0) connected.set(1);
        apply(step);
      });

      // Recorded now, sent by the SDK after every authentication (so also after each reconnect).
      const symbols = [...args.symbols];
      if (channels.includes('trades')) s.subscribeForTrades(symbols);
      if (channels.includes('quotes')) s.subscribeForQuotes(symbols);
      if (channels.includes('bars')) s.subscribeForBars(symbols);
      // Not awaited: a venue that is down must not fail init (and crash-loop); the lifecycle retries.
      connect();
    },

    receive(msg) {
      if (msg.type === 'md.reconnect') connect();
    },

    inspect() {
      return inspectState();
    },

    stop() {
      life?.stop();
      stream?.disconnect();
      if (stream && openStreams.get(ctx.self.id) === stream) openStreams.delete(ctx.self.id);
      stream = undefined;
    },
  };

  function inspectState(): Record<string, unknown> {
    return {
      state: life.state,
      endpoint: where,
      sdkState: stream?.getState() ?? 'none',
      lastError: life.error,
      errors,
      ...life.counters(),
      ...router.counts(),
      unknownSymbols: [...router.strangers],
      lastStatus: lastStatus ?? null,
    };
  }
});
