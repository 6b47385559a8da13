/**
 * A synthetic market-data source: publishes `feed.features` and `feed.bar`
 * (and whatever else it is handed) the way the market-data session and feed
 * actors will. It stands in for them in the trading tests and the
 * tick-to-intent benchmark until those land; the envelope stamp of what it
 * publishes is the "tick leaves the market-data session" instant.
 *
 * - `ticks.publish {items: [{topic, msg}]}`: publish exactly these, in order.
 * - `ticks.stream {symbols, intervalMs, count, ...}`: every `intervalMs`, the
 *   next symbol (round robin) takes a random-walk step and its features and a
 *   closed one-tick bar are published; `notify` is told `ticks.streamed` when
 *   done.
 */
import { defineActor, Kind, type ActorContext, type Message } from '../../src/runtime/index.js';
import type { FeedBarMsg, FeedFeaturesMsg } from '../feed/messages.js';

export interface PublishItem {
  readonly topic: string;
  readonly msg: Message;
}

/** feed.features for a price, with the keys in the feed's creation order. */
export function featuresMsg(symbol: string, price: number, ts: number, seq: number, vol: number | null = 0.2, spreadBps = 2): FeedFeaturesMsg {
  const half = (price * spreadBps) / 20_000;
  return {
    type: 'feed.features',
    symbol,
    ts,
    seq,
    source: 'trade',
    price,
    bid: price - half,
    ask: price + half,
    mid: price,
    spreadBps,
    ret: null,
    barRet: null,
    vol,
    dayHigh: price,
    dayLow: price,
    rangeBps: 0,
    bars: seq,
    status: 'fresh',
  };
}

/** A closed bar at `close` (flat OHLC), `intervalMs` long, starting at `ts`. */
export function barMsg(symbol: string, close: number, ts: number, intervalMs = 60_000): FeedBarMsg {
  return { type: 'feed.bar', symbol, ts, intervalMs, open: close, high: close, low: close, close, volume: 1000, vwap: close, trades: 10, ret: null, vol: null };
}

/**
 * A seeded random walk over symbols, one step per call, round robin: the
 * tick sequence of the stream mode, reusable off the actor (the benchmark's
 * baselines replay the same sequence).
 */
export class RandomWalk {
  private x: number;
  private next = 0;
  readonly prices: number[];

  constructor(
    readonly symbols: readonly string[],
    seed = 1,
    private readonly sigma = 0.002,
    startPrice = 100,
  ) {
    this.x = seed >>> 0 || 1;
    this.prices = symbols.map(() => startPrice);
  }

  /** xorshift32: seeded, so a run is reproducible. */
  private rand(): number {
    let x = this.x;
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    this.x = x;
    return (x + 0.5) / 4294967296;
  }

  /** Ticks so far. */
  count = 0;

  /** The next tick; `closesBar` when it is the symbol's `barEvery`-th since its last bar. */
  step(barEvery = 1): { readonly symbol: string; readonly price: number; readonly closesBar: boolean; readonly n: number } {
    const k = this.next;
    const n = ++this.count;
    this.next = (k + 1) % this.symbols.length;
    // Box-Muller.
    const z = Math.sqrt(-2 * Math.log(1 - this.rand())) * Math.cos(2 * Math.PI * this.rand());
    const px = Math.round(this.prices[k]! * Math.exp(this.sigma * z) * 100) / 100;
    this.prices[k] = px;
    const round = Math.floor((n - 1) / this.symbols.length);
    return { symbol: this.symbols[k]!, price: px, closesBar: (round + 1) % barEvery === 0, n };
  }
}

/** Record structures of what this source publishes. */
export const TICK_SOURCE_STRUCTURES: readonly (readonly string[])[] = [
  Object.keys(featuresMsg('X', 1, 0, 0)),
  Object.keys(barMsg('X', 1, 0)),
];

interface StreamCmd {
  readonly type: 'ticks.stream';
  readonly symbols: readonly string[];
  readonly intervalMs: number;
  /** Ticks to publish in all (across symbols). */
  readonly count: number;
  readonly startPrice?: number;
  /** Per-tick log-return stdev. Default 0.002. */
  readonly sigma?: number;
  readonly seed?: number;
  /** Bar interval stamped on the bars. Default 60,000. */
  readonly barMs?: number;
  /** A symbol's every n-th tick also closes a bar. Default 1 (every tick). */
  readonly barEvery?: number;
  /** Actor told `ticks.streamed` when done (e.g. '$system'). */
  readonly notify?: string;
}

type In = { readonly type: 'ticks.publish'; readonly items: readonly PublishItem[] } | StreamCmd | { readonly type: 'ticks.step' };

export default defineActor<In>(() => {
  let stream: { cmd: StreamCmd; walk: RandomWalk; left: number; start: number } | null = null;

  const step = (ctx: ActorContext): void => {
    const s = stream;
    if (!s) return;
    const { symbol, price, closesBar, n } = s.walk.step(s.cmd.barEvery ?? 1);
    const now = ctx.clock.now();
    const barMs = s.cmd.barMs ?? 60_000;
    ctx.publish('features', featuresMsg(symbol, price, now, n));
    // Bar times advance by the tick count, so they stay strictly increasing per symbol at any tick rate.
    if (closesBar) ctx.publish('bars', barMsg(symbol, price, s.start + n, barMs));
    if (--s.left <= 0) {
      ctx.timers.cancel('stream');
      stream = null;
      if (s.cmd.notify) ctx.tell(s.cmd.notify, { type: 'ticks.streamed', n: s.cmd.count } as Message);
    }
  };

  return {
    accepts: ['ticks.publish', 'ticks.stream', 'ticks.step'],
    receive(msg, ctx) {
      switch (msg.type) {
        case 'ticks.publish':
          for (const it of msg.items) ctx.publish(it.topic, it.msg);
          if (ctx.envelope?.kind === Kind.Ask) ctx.reply({ type: 'ticks.published', n: msg.items.length } as Message);
          return;
        case 'ticks.stream':
          stream = { cmd: msg, walk: new RandomWalk(msg.symbols, msg.seed ?? 1, msg.sigma ?? 0.002, msg.startPrice ?? 100), left: msg.count, start: ctx.clock.now() - (msg.barMs ?? 60_000) };
          ctx.timers.start('stream', msg.intervalMs, { type: 'ticks.step' }, { repeat: true });
          return;
        case 'ticks.step':
          step(ctx);
          return;
      }
    },
  };
});
