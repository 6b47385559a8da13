/**
 * Market-data REST: historical bars (`/v2/stocks/bars`, `/v2/stocks/{symbol}/bars`)
 * served from the same minute bars the stream sent, aggregated to the
 * requested timeframe, with Alpaca's `limit`/`next_page_token` paging; and
 * the latest trade and quote, and snapshots.
 */
import { aggregateBars, MINUTE_MS } from '../market/bars.js';
import type { BarEvent } from '../../src/matching/events.js';
import { floorDay } from '../market/macro.js';
import { invalid } from '../../src/matching/errors.js';
import { parseIntParam, parseSymbols, parseTimeParam, type VenueContext } from './context.js';
import type { Reply, Route, VenueRequest } from './router.js';
import { parseJsonBounded } from '../../src/runtime/untrusted.js';

/** Parses Alpaca's timeframe (`1Min`, `5T`, `1Hour`, `1H`, `1Day`, `1D`) into ms. */
export function parseTimeframe(raw: string | null): number {
  const m = /^(\d+)(Min|T|Hour|H|Day|D)$/.exec(raw ?? '');
  if (!m) throw invalid(`invalid timeframe: ${raw ?? '(missing)'}`);
  const n = Number(m[1]);
  const unit = m[2];
  if ((unit === 'Min' || unit === 'T') && n >= 1 && n <= 59) return n * MINUTE_MS;
  if ((unit === 'Hour' || unit === 'H') && n >= 1 && n <= 23) return n * 60 * MINUTE_MS;
  if ((unit === 'Day' || unit === 'D') && n === 1) return 24 * 60 * MINUTE_MS;
  throw invalid(`invalid timeframe: ${raw}`);
}

/** Alpaca's REST timestamp: RFC 3339 without milliseconds. */
export function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

const DAY_MS = 86_400_000;

function barWire(b: BarEvent): Record<string, unknown> {
  return { t: rfc3339(b.ts), o: b.open, h: b.high, l: b.low, c: b.close, v: b.volume, n: b.trades, vw: b.vwap };
}

interface PageToken {
  readonly s: string;
  readonly t: number;
}

function encodeToken(t: PageToken): string {
  return Buffer.from(JSON.stringify(t)).toString('base64url');
}

function decodeToken(raw: string | null): PageToken | undefined {
  if (!raw) return undefined;
  try {
    const t = parseJsonBounded(Buffer.from(raw, 'base64url'), { maxDepth: 2, maxBytes: 4096 }) as PageToken;
    if (typeof t.s === 'string' && typeof t.t === 'number') return t;
  } catch {
    // fall through
  }
  throw invalid('invalid page_token');
}

interface BarsPage {
  readonly bars: Map<string, Record<string, unknown>[]>;
  readonly nextPageToken: string | null;
}

/** One page of bars for the symbols, grouped by symbol (in the order given) then time. */
function barsPage(ctx: VenueContext, symbols: readonly string[], req: VenueRequest): BarsPage {
  const periodMs = parseTimeframe(req.query.get('timeframe'));
  const now = ctx.market.now;
  const start = parseTimeParam(req.query, 'start') ?? floorDay(now);
  const end = parseTimeParam(req.query, 'end') ?? now;
  const limit = parseIntParam(req.query, 'limit') ?? 1000;
  if (limit < 1 || limit > 10_000) throw invalid('limit must be between 1 and 10000');
  const sort = req.query.get('sort') ?? 'asc';
  if (sort !== 'asc' && sort !== 'desc') throw invalid('invalid sort');
  const token = decodeToken(req.query.get('page_token'));
  const out = new Map<string, Record<string, unknown>[]>();
  let count = 0;
  let started = token === undefined;
  for (const symbol of symbols) {
    if (!started && symbol !== token!.s) continue;
    // Aggregate from the period boundary so partial leading periods are not cut.
    const from = start - (start % periodMs);
    let bars = aggregateBars(ctx.market.minuteBars(symbol, from, end + 1), periodMs).filter((b) => b.ts >= start && b.ts <= end);
    if (sort === 'desc') bars = bars.reverse();
    if (!started) {
      bars = bars.filter((b) => (sort === 'asc' ? b.ts >= token!.t : b.ts <= token!.t));
      started = true;
    }
    for (const b of bars) {
      if (count === limit) return { bars: out, nextPageToken: encodeToken({ s: symbol, t: b.ts }) };
      let list = out.get(symbol);
      if (!list) out.set(symbol, (list = []));
      list.push(barWire(b));
      count++;
    }
  }
  return { bars: out, nextPageToken: null };
}

export function dataRoutes(ctx: VenueContext): Route[] {
  const { market } = ctx;
  const route = (pattern: string, handler: (req: VenueRequest) => Reply): Route => ({ method: 'GET', pattern, scope: 'data', handler });
  const symbolsOf = (req: VenueRequest): string[] => {
    const symbols = parseSymbols(req.query);
    if (symbols.length === 0) throw invalid('symbols is required');
    return symbols;
  };
  const latestTrade = (s: string): Record<string, unknown> | undefined => {
    const t = market.lastTrade(s);
    return t && { t: new Date(t.ts).toISOString(), x: t.exchange, p: t.price, s: t.size, c: ['@'], i: t.id, z: t.tape };
  };
  const latestQuote = (s: string): Record<string, unknown> | undefined => {
    const q = market.quote(s);
    return q && { t: new Date(q.ts).toISOString(), ax: q.exchange, ap: q.ask, as: q.askSize, bx: q.exchange, bp: q.bid, bs: q.bidSize, c: ['R'], z: q.tape };
  };
  /**
   * Alpaca's snapshot: latest trade and quote, the last complete minute bar,
   * today's daily bar (UTC day, from its minute bars so far) and the
   * previous day's with bars.
   */
  const snapshot = (s: string): Record<string, unknown> | undefined => {
    if (!market.has(s)) return undefined;
    const today = floorDay(market.now);
    const todays = market.minuteBars(s, today, market.now + 1);
    const earlier = market.minuteBars(s, undefined, today);
    const prevDay = earlier.length > 0 ? floorDay(earlier[earlier.length - 1].ts) : undefined;
    const daily = (bars: readonly BarEvent[]): Record<string, unknown> | null => (bars.length > 0 ? barWire(aggregateBars(bars, DAY_MS)[0]) : null);
    const lastMinute = todays.at(-1) ?? earlier.at(-1);
    return {
      latestTrade: latestTrade(s) ?? null,
      latestQuote: latestQuote(s) ?? null,
      minuteBar: lastMinute ? barWire(lastMinute) : null,
      dailyBar: daily(todays),
      prevDailyBar: prevDay === undefined ? null : daily(market.minuteBars(s, prevDay, today)),
    };
  };
  const latestMap = (req: VenueRequest, get: (s: string) => Record<string, unknown> | undefined): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const s of symbolsOf(req)) {
      const v = get(s);
      if (v) out[s] = v;
    }
    return out;
  };

  return [
    route('/v2/stocks/bars', (req) => {
      const page = barsPage(ctx, [...new Set(symbolsOf(req))].sort(), req);
      return { status: 200, body: { bars: Object.fromEntries(page.bars), next_page_token: page.nextPageToken, currency: 'USD' } };
    }),
    route('/v2/stocks/:symbol/bars', (req) => {
      const symbol = req.params.symbol;
      const page = barsPage(ctx, [symbol], req);
      return { status: 200, body: { bars: page.bars.get(symbol) ?? [], symbol, next_page_token: page.nextPageToken, currency: 'USD' } };
    }),
    route('/v2/stocks/trades/latest', (req) => ({ status: 200, body: { trades: latestMap(req, latestTrade) } })),
    route('/v2/stocks/quotes/latest', (req) => ({ status: 200, body: { quotes: latestMap(req, latestQuote) } })),
    route('/v2/stocks/:symbol/trades/latest', (req) => ({ status: 200, body: { symbol: req.params.symbol, trade: latestTrade(req.params.symbol) ?? null } })),
    route('/v2/stocks/snapshots', (req) => ({ status: 200, body: latestMap(req, snapshot) })),
    route('/v2/stocks/:symbol/snapshot', (req) => {
      const snap = snapshot(req.params.symbol);
      if (!snap) throw invalid(`unknown symbol: ${req.params.symbol}`);
      return { status: 200, body: { symbol: req.params.symbol, ...snap } };
    }),
    route('/v2/stocks/:symbol/quotes/latest', (req) => ({ status: 200, body: { symbol: req.params.symbol, quote: latestQuote(req.params.symbol) ?? null } })),
  ];
}
