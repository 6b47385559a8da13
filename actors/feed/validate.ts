/**
 * Per-instrument validation of market data: each message is accepted or
 * rejected with a reason code, and rejections are counted per reason. Bad data
 * is never thrown: the feed keeps running on the good data around it.
 */
import type { BarMsg, MarketDataMsg, QuoteMsg, TradeMsg } from '../market-data/messages.js';

/** Every reason a message can be rejected for. */
export const REJECT_REASONS = [
  /** Not an md.trade, md.quote or md.bar. */
  'bad_type',
  /** Symbol is not the feed's. */
  'unknown_symbol',
  /** Timestamp missing, not finite or not positive. */
  'bad_timestamp',
  /** Timestamp further ahead of caller time than `maxFutureMs`. */
  'future_timestamp',
  /** A price is NaN or infinite. */
  'nan_price',
  /** A price is zero or negative. */
  'non_positive_price',
  /** Quote bid above ask. */
  'crossed_quote',
  /** Trade size not positive, or a quote size, bar volume or bar trade count negative or not finite. */
  'bad_size',
  /** Bar OHLC inconsistent (high below low, open or close outside the range). */
  'bad_bar',
  /** Older than the last accepted message of the same kind. */
  'out_of_order',
  /** A trade id seen recently, a quote identical to the last one, or a bar for an already seen start time. */
  'duplicate',
  /** Price moved more than `maxJumpFraction` from the reference in one tick and was not yet confirmed. */
  'price_jump',
] as const;

export type RejectReason = (typeof REJECT_REASONS)[number];

export type RejectCounts = Record<RejectReason, number>;

export interface ValidatorOptions {
  readonly symbol: string;
  readonly maxFutureMs: number;
  readonly maxJumpFraction: number;
  readonly jumpConfirmFraction: number;
  readonly dedupeWindow: number;
}

/** Plain-data state, for snapshots. */
export interface ValidatorSnapshot {
  readonly lastTradeTs: number | null;
  readonly lastQuoteTs: number | null;
  readonly lastBarTs: number | null;
  /** Recent trade ids, oldest first. */
  readonly tradeIds: readonly number[];
  readonly lastQuote: readonly [bid: number, ask: number, bidSize: number, askSize: number] | null;
  readonly refPrice: number | null;
  readonly pendingJump: number | null;
  readonly accepted: number;
  readonly rejected: RejectCounts;
}

export function emptyRejectCounts(): RejectCounts {
  const c = {} as RejectCounts;
  for (const r of REJECT_REASONS) c[r] = 0;
  return c;
}

const finite = Number.isFinite;

export class FeedValidator {
  private readonly opts: ValidatorOptions;
  private lastTradeTs = -Infinity;
  private lastQuoteTs = -Infinity;
  private lastBarTs = -Infinity;
  private readonly tradeIds: Float64Array;
  private idHead = 0;
  private idCount = 0;
  private qBid = NaN;
  private qAsk = NaN;
  private qBidSize = NaN;
  private qAskSize = NaN;
  /** Last accepted price level (trade price, quote mid or bar close), the reference for jump checks. */
  private refPrice = NaN;
  /** A rejected jumped price waiting for a second print to confirm it. */
  private pendingJump = NaN;
  private acceptedCount = 0;
  private readonly counts: RejectCounts = emptyRejectCounts();

  constructor(opts: ValidatorOptions) {
    this.opts = opts;
    this.tradeIds = new Float64Array(opts.dedupeWindow);
  }

  /** Messages accepted so far. */
  get accepted(): number {
    return this.acceptedCount;
  }

  /** Rejections so far, per reason (a live read-only view). */
  get rejected(): Readonly<RejectCounts> {
    return this.counts;
  }

  /**
   * Accepts (returns null, and remembers the message for later ordering and
   * duplicate checks) or rejects (returns the reason, and counts it).
   */
  validate(msg: MarketDataMsg, now: number): RejectReason | null {
    const reason = this.classify(msg, now);
    if (reason === null) {
      this.acceptedCount++;
      return null;
    }
    this.counts[reason]++;
    return reason;
  }

  private classify(msg: MarketDataMsg, now: number): RejectReason | null {
    if (msg === null || typeof msg !== 'object') return 'bad_type';
    const type = (msg as { type?: unknown }).type;
    if (type !== 'md.trade' && type !== 'md.quote' && type !== 'md.bar') return 'bad_type';
    if (msg.symbol !== this.opts.symbol) return 'unknown_symbol';
    const ts = msg.ts;
    if (typeof ts !== 'number' || !finite(ts) || ts <= 0) return 'bad_timestamp';
    if (ts > now + this.opts.maxFutureMs) return 'future_timestamp';
    switch (msg.type) {
      case 'md.trade':
        return this.classifyTrade(msg);
      case 'md.quote':
        return this.classifyQuote(msg);
      case 'md.bar':
        return this.classifyBar(msg);
    }
  }

  private classifyTrade(m: TradeMsg): RejectReason | null {
    if (!finite(m.price)) return 'nan_price';
    if (m.price <= 0) return 'non_positive_price';
    if (!finite(m.size) || m.size <= 0) return 'bad_size';
    if (finite(m.id) && this.seenTradeId(m.id)) return 'duplicate';
    if (m.ts < this.lastTradeTs) return 'out_of_order';
    if (this.jumped(m.price)) return 'price_jump';
    this.lastTradeTs = m.ts;
    if (finite(m.id)) this.rememberTradeId(m.id);
    this.refPrice = m.price;
    return null;
  }

  private classifyQuote(m: QuoteMsg): RejectReason | null {
    if (!finite(m.bid) || !finite(m.ask)) return 'nan_price';
    if (m.bid <= 0 || m.ask <= 0) return 'non_positive_price';
    if (!finite(m.bidSize) || !finite(m.askSize) || m.bidSize < 0 || m.askSize < 0) return 'bad_size';
    if (m.bid > m.ask) return 'crossed_quote';
    if (
      m.ts === this.lastQuoteTs &&
      m.bid === this.qBid &&
      m.ask === this.qAsk &&
      m.bidSize === this.qBidSize &&
      m.askSize === this.qAskSize
    ) {
      return 'duplicate';
    }
    if (m.ts < this.lastQuoteTs) return 'out_of_order';
    const mid = (m.bid + m.ask) / 2;
    if (this.jumped(mid)) return 'price_jump';
    this.lastQuoteTs = m.ts;
    this.qBid = m.bid;
    this.qAsk = m.ask;
    this.qBidSize = m.bidSize;
    this.qAskSize = m.askSize;
    this.refPrice = mid;
    return null;
  }

  private classifyBar(m: BarMsg): RejectReason | null {
    if (!finite(m.open) || !finite(m.high) || !finite(m.low) || !finite(m.close)) return 'nan_price';
    if (m.open <= 0 || m.high <= 0 || m.low <= 0 || m.close <= 0) return 'non_positive_price';
    if (!finite(m.volume) || m.volume < 0 || !finite(m.trades) || m.trades < 0) return 'bad_size';
    if (m.volume > 0) {
      if (!finite(m.vwap)) return 'nan_price';
      if (m.vwap <= 0) return 'non_positive_price';
    }
    if (m.high < m.low || m.open > m.high || m.open < m.low || m.close > m.high || m.close < m.low) return 'bad_bar';
    if (m.ts === this.lastBarTs) return 'duplicate';
    if (m.ts < this.lastBarTs) return 'out_of_order';
    if (this.jumped(m.close)) return 'price_jump';
    this.lastBarTs = m.ts;
    this.refPrice = m.close;
    return null;
  }

  /**
   * True when `price` is an unconfirmed jump. A jumped price is remembered;
   * a second jumped print within `jumpConfirmFraction` of it confirms the new
   * level, so a real repricing costs one rejected print, not the feed.
   */
  private jumped(price: number): boolean {
    const max = this.opts.maxJumpFraction;
    const ref = this.refPrice;
    if (max <= 0 || !finite(ref) || Math.abs(price / ref - 1) <= max) {
      this.pendingJump = NaN;
      return false;
    }
    const pending = this.pendingJump;
    if (finite(pending) && Math.abs(price / pending - 1) <= this.opts.jumpConfirmFraction) {
      this.pendingJump = NaN;
      return false;
    }
    this.pendingJump = price;
    return true;
  }

  private seenTradeId(id: number): boolean {
    const ids = this.tradeIds;
    for (let i = 0; i < this.idCount; i++) if (ids[i] === id) return true;
    return false;
  }

  private rememberTradeId(id: number): void {
    this.tradeIds[this.idHead] = id;
    this.idHead = (this.idHead + 1) % this.tradeIds.length;
    if (this.idCount < this.tradeIds.length) this.idCount++;
  }

  snapshot(): ValidatorSnapshot {
    const n = this.idCount;
    const cap = this.tradeIds.length;
    const ids: number[] = [];
    for (let i = 0; i < n; i++) ids.push(this.tradeIds[(this.idHead - n + i + cap) % cap]);
    const num = (v: number): number | null => (finite(v) ? v : null);
    return {
      lastTradeTs: num(this.lastTradeTs),
      lastQuoteTs: num(this.lastQuoteTs),
      lastBarTs: num(this.lastBarTs),
      tradeIds: ids,
      lastQuote: finite(this.qBid) ? [this.qBid, this.qAsk, this.qBidSize, this.qAskSize] : null,
      refPrice: num(this.refPrice),
      pendingJump: num(this.pendingJump),
      accepted: this.acceptedCount,
      rejected: { ...this.counts },
    };
  }

  restore(s: ValidatorSnapshot): void {
    const val = (v: number | null | undefined, dflt: number): number => (typeof v === 'number' && finite(v) ? v : dflt);
    this.lastTradeTs = val(s.lastTradeTs, -Infinity);
    this.lastQuoteTs = val(s.lastQuoteTs, -Infinity);
    this.lastBarTs = val(s.lastBarTs, -Infinity);
    this.idHead = 0;
    this.idCount = 0;
    for (const id of s.tradeIds ?? []) if (finite(id)) this.rememberTradeId(id);
    const q = s.lastQuote;
    [this.qBid, this.qAsk, this.qBidSize, this.qAskSize] = q && q.length === 4 ? q : [NaN, NaN, NaN, NaN];
    this.refPrice = val(s.refPrice, NaN);
    this.pendingJump = val(s.pendingJump, NaN);
    this.acceptedCount = val(s.accepted, 0);
    for (const r of REJECT_REASONS) this.counts[r] = val(s.rejected?.[r], 0);
  }
}
