/**
 * The market-data session's hot path: each item the SDK decodes (a
 * `StreamTrade`, `StreamQuote` or `StreamBar`) becomes one flat md.* message
 * with epoch-ms numbers and goes to the feed actor of its symbol.
 *
 * The router only checks what conversion needs: a known symbol, the numeric
 * fields present as numbers, a Date timestamp. Whether the values make sense
 * (NaN or non-positive prices, order, duplicates) is the feed's call, so
 * those rejections are counted per instrument by the feed's validator.
 *
 * Nothing here touches the runtime: `send` is the actor's `ctx.tell`.
 */
import type { BarMsg, MarketDataMsg, QuoteMsg, TradeMsg } from './messages.js';

/** Why the router dropped an item. */
export const MD_DROP_REASONS = [
  /** The symbol is not in the session's universe (e.g. a wildcard subscription elsewhere). */
  'unknown_symbol',
  /** A required field is missing or of the wrong type, so no md.* message can be built. */
  'malformed',
] as const;

export type MdDropReason = (typeof MD_DROP_REASONS)[number];

export type MdKind = 'trade' | 'quote' | 'bar';

export interface RouterCounts {
  readonly received: Record<MdKind, number>;
  readonly forwarded: number;
  readonly dropped: Record<MdDropReason, number>;
}

/** `feed:{symbol}` style pattern: `{symbol}` is replaced by the instrument symbol. */
export const DEFAULT_FEED_ID_PATTERN = 'feed:{symbol}';

export function feedIdFor(pattern: string, symbol: string): string {
  return pattern.split('{symbol}').join(symbol);
}

type Item = Record<string, unknown>;

const isNum = (v: unknown): v is number => typeof v === 'number';

function epochMs(v: unknown): number | undefined {
  // The SDK maps the msgpack timestamp extension to a Date (ms precision).
  return v instanceof Date ? v.getTime() : undefined;
}

/** An SDK StreamTrade as md.trade, or undefined when it cannot be converted. */
export function toTradeMsg(t: Item): TradeMsg | undefined {
  const ts = epochMs(t.timestamp);
  if (typeof t.symbol !== 'string' || !isNum(t.price) || !isNum(t.size) || ts === undefined) return undefined;
  // A missing trade id is not fatal: the feed just cannot dedupe this trade by id.
  return { type: 'md.trade', symbol: t.symbol, price: t.price, size: t.size, id: isNum(t.id) ? t.id : NaN, ts };
}

/** An SDK StreamQuote as md.quote, or undefined when it cannot be converted. */
export function toQuoteMsg(q: Item): QuoteMsg | undefined {
  const ts = epochMs(q.timestamp);
  if (typeof q.symbol !== 'string' || !isNum(q.bidPrice) || !isNum(q.askPrice) || !isNum(q.bidSize) || !isNum(q.askSize) || ts === undefined) {
    return undefined;
  }
  return { type: 'md.quote', symbol: q.symbol, bid: q.bidPrice, ask: q.askPrice, bidSize: q.bidSize, askSize: q.askSize, ts };
}

/** An SDK StreamBar as md.bar, or undefined when it cannot be converted. */
export function toBarMsg(b: Item): BarMsg | undefined {
  const ts = epochMs(b.timestamp);
  if (typeof b.symbol !== 'string' || !isNum(b.open) || !isNum(b.high) || !isNum(b.low) || !isNum(b.close) || !isNum(b.volume) || ts === undefined) {
    return undefined;
  }
  const trades = isNum(b.tradeCount) ? b.tradeCount : 0;
  // Alpaca omits vw on some bars; the close is the honest stand-in (as FeedBarMsg does for zero volume).
  const vwap = isNum(b.vwap) ? b.vwap : b.close;
  return { type: 'md.bar', symbol: b.symbol, open: b.open, high: b.high, low: b.low, close: b.close, volume: b.volume, ts, trades, vwap };
}

export class MarketDataRouter {
  private readonly routes: Map<string, string>;
  private readonly received: Record<MdKind, number> = { trade: 0, quote: 0, bar: 0 };
  private readonly dropped: Record<MdDropReason, number> = { unknown_symbol: 0, malformed: 0 };
  private forwarded = 0;
  /** Symbols seen that are not in the universe (first few, for the operator). */
  readonly strangers = new Set<string>();

  constructor(
    symbols: readonly string[],
    feedIdPattern: string,
    private readonly send: (to: string, msg: MarketDataMsg) => void,
    private readonly onDrop?: (reason: MdDropReason, kind: MdKind, symbol: unknown) => void,
  ) {
    this.routes = new Map(symbols.map((s) => [s, feedIdFor(feedIdPattern, s)]));
  }

  get symbols(): string[] {
    return [...this.routes.keys()];
  }

  /** The feed actor id a symbol routes to, if it is in the universe. */
  feedOf(symbol: string): string | undefined {
    return this.routes.get(symbol);
  }

  trade(item: unknown): void {
    this.received.trade++;
    this.route('trade', item, toTradeMsg);
  }

  quote(item: unknown): void {
    this.received.quote++;
    this.route('quote', item, toQuoteMsg);
  }

  bar(item: unknown): void {
    this.received.bar++;
    this.route('bar', item, toBarMsg);
  }

  counts(): RouterCounts {
    return { received: { ...this.received }, forwarded: this.forwarded, dropped: { ...this.dropped } };
  }

  get forwardedCount(): number {
    return this.forwarded;
  }

  get droppedCount(): number {
    return this.dropped.unknown_symbol + this.dropped.malformed;
  }

  private route(kind: MdKind, item: unknown, convert: (i: Item) => MarketDataMsg | undefined): void {
    if (typeof item !== 'object' || item === null) {
      this.drop('malformed', kind, undefined);
      return;
    }
    const symbol = (item as Item).symbol;
    const to = typeof symbol === 'string' ? this.routes.get(symbol) : undefined;
    if (to === undefined) {
      this.drop(typeof symbol === 'string' ? 'unknown_symbol' : 'malformed', kind, symbol);
      return;
    }
    const msg = convert(item as Item);
    if (msg === undefined) {
      this.drop('malformed', kind, symbol);
      return;
    }
    this.forwarded++;
    this.send(to, msg);
  }

  private drop(reason: MdDropReason, kind: MdKind, symbol: unknown): void {
    this.dropped[reason]++;
    if (reason === 'unknown_symbol' && this.strangers.size < 20) this.strangers.add(String(symbol));
    this.onDrop?.(reason, kind, symbol);
  }
}
