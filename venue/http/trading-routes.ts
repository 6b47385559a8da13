/**
 * Alpaca's trading REST routes on the matching engine: account, activities,
 * portfolio history, clock, calendar, assets, orders (with replace) and
 * positions, with Alpaca's status codes (201 is not used by Alpaca for
 * orders: a created or replaced order is 200; a cancel is 204; cancel-all
 * and close-all are 207 multi-status).
 */
import { assetId, iso } from '../../src/matching/format.js';
import { badRequest, invalid, notFound } from '../../src/matching/errors.js';
import { calendarRows, calendarV3Days, floorDay } from '../../src/matching/session.js';
import { exchangeOf, parseDecimalParam, parseIntParam, parseSymbols, parseTimeParam, type VenueContext } from './context.js';
import { jsonBody, type Reply, type Route, type VenueRequest } from './router.js';
import type { ActivityQuery } from '../../src/matching/activities.js';

const ok = (body: unknown): Reply => ({ status: 200, body });

export function tradingRoutes(ctx: VenueContext): Route[] {
  const { market, engine, session, instruments } = ctx;
  const bySymbol = new Map(instruments.map((i) => [i.symbol, i]));
  const asset = (symbol: string): Record<string, unknown> => {
    const inst = bySymbol.get(symbol);
    return {
      id: assetId(symbol),
      class: 'us_equity',
      exchange: exchangeOf(inst),
      symbol,
      name: inst?.name ?? symbol,
      status: 'active',
      tradable: true,
      marginable: true,
      maintenance_margin_requirement: 30,
      margin_requirement_long: '30',
      margin_requirement_short: '100',
      shortable: true,
      easy_to_borrow: true,
      fractionable: true,
      attributes: [],
    };
  };
  const route = (method: string, pattern: string, handler: (req: VenueRequest) => Reply): Route => ({ method, pattern, scope: 'trading', handler });

  return [
    route('GET', '/v2/account', () => ok(engine.accountWire(market.now))),
    route('GET', '/v2/clock', () => {
      const now = market.now;
      return ok({ timestamp: iso(now), is_open: session.isOpen(now), next_open: iso(session.nextOpen(now)), next_close: iso(session.nextClose(now)) });
    }),
    route('GET', '/v2/assets', (req) => {
      const status = req.query.get('status');
      const cls = req.query.get('asset_class');
      const exchange = req.query.get('exchange');
      const list = instruments
        .map((i) => asset(i.symbol))
        .filter((a) => (!status || a.status === status) && (!cls || a.class === cls) && (!exchange || a.exchange === exchange));
      return ok(list);
    }),
    route('GET', '/v2/assets/:symbol', (req) => {
      const symbol = req.params.symbol;
      const inst = bySymbol.get(symbol) ?? instruments.find((i) => assetId(i.symbol) === symbol);
      if (!inst) throw notFound('asset not found');
      return ok(asset(inst.symbol));
    }),
    route('GET', '/v2/account/activities', (req) => ok(engine.activities(activityQuery(req, req.query.get('activity_types'))))),
    route('GET', '/v2/account/activities/:activity_type', (req) => ok(engine.activities(activityQuery(req, req.params.activity_type)))),
    route('GET', '/v2/account/portfolio/history', (req) =>
      ok(
        engine.portfolioHistory(
          {
            period: req.query.get('period') || undefined,
            timeframe: req.query.get('timeframe') || undefined,
            start: parseTimeParam(req.query, 'start'),
            end: parseTimeParam(req.query, 'end'),
          },
          market.now,
        ),
      ),
    ),
    route('GET', '/v2/calendar', (req) => {
      const { start, end } = calendarRange(req, market.now);
      return ok(calendarRows(session, start, end));
    }),
    route('GET', '/v3/calendar/:market', (req) => {
      // The simulated instruments list on NYSE Arca and NYSE: one US equities calendar serves both.
      const name = req.params.market.toUpperCase();
      if (!US_MARKETS.has(name)) throw invalid(`market ${req.params.market} is not served by the local venue (use ${[...US_MARKETS].join(', ')})`);
      if (req.query.get('timezone') && req.query.get('timezone') !== 'UTC') throw invalid('invalid timezone: only UTC is served');
      const { start, end } = calendarRange(req, market.now);
      return ok({
        market: { acronym: name, name: name === 'XNYS' || name === 'NYSE' ? 'New York Stock Exchange' : name, mic: name === 'NYSE' ? 'XNYS' : name, timezone: 'America/New_York' },
        calendar: calendarV3Days(session, start, end),
      });
    }),
    route('POST', '/v2/orders', (req) => ok(engine.submit(body(req), market.now))),
    route('PATCH', '/v2/orders/:id', (req) => ok(engine.replace(req.params.id, body(req), market.now))),
    route('GET', '/v2/orders', (req) =>
      ok(
        engine.list({
          status: req.query.get('status') ?? undefined,
          limit: parseIntParam(req.query, 'limit'),
          direction: req.query.get('direction') ?? undefined,
          after: parseTimeParam(req.query, 'after'),
          until: parseTimeParam(req.query, 'until'),
          symbols: parseSymbols(req.query),
          side: req.query.get('side') ?? undefined,
          nested: req.query.get('nested') === 'true',
        }),
      ),
    ),
    route('DELETE', '/v2/orders', () => ({ status: 207, body: engine.cancelAll(market.now) })),
    route('GET', '/v2/orders:by_client_order_id', (req) => {
      const id = req.query.get('client_order_id');
      if (!id) throw notFound('order not found');
      return ok(engine.getByClientOrderId(id));
    }),
    route('GET', '/v2/orders/:id', (req) => ok(engine.get(req.params.id))),
    route('DELETE', '/v2/orders/:id', (req) => {
      engine.cancel(req.params.id, market.now);
      return { status: 204 };
    }),
    route('GET', '/v2/positions', () => ok(engine.positions())),
    route('DELETE', '/v2/positions', (req) => ({ status: 207, body: engine.closeAll(req.query.get('cancel_orders') === 'true', market.now) })),
    route('GET', '/v2/positions/:symbol', (req) => ok(engine.position(symbolOf(ctx, req.params.symbol)))),
    route('DELETE', '/v2/positions/:symbol', (req) =>
      ok(
        engine.closePosition(
          symbolOf(ctx, req.params.symbol),
          { qty: parseDecimalParam(req.query, 'qty'), percentage: parseDecimalParam(req.query, 'percentage') },
          market.now,
        ),
      ),
    ),
  ];
}

const DAY_MS = 86_400_000;
const US_MARKETS = new Set(['NYSE', 'XNYS', 'NASDAQ', 'XNAS', 'ARCA']);

/** `start` (default today) and `end` (default 30 days on) of a calendar request, at most 10 years apart. */
function calendarRange(req: VenueRequest, now: number): { start: number; end: number } {
  const start = parseTimeParam(req.query, 'start') ?? floorDay(now);
  const end = parseTimeParam(req.query, 'end') ?? start + 30 * DAY_MS;
  if (end < start) throw invalid('end must not be before start');
  if (end - start > 10 * 366 * DAY_MS) throw invalid('calendar range must be at most 10 years (start to end)');
  return { start, end };
}

function body(req: VenueRequest): unknown {
  try {
    return jsonBody(req);
  } catch {
    throw badRequest('request body format is invalid');
  }
}

/** Alpaca's activity filters from the query (types from the path or `activity_types`). */
function activityQuery(req: VenueRequest, types: string | null): ActivityQuery {
  const page = parseIntParam(req.query, 'page_size');
  const date = parseTimeParam(req.query, 'date');
  return {
    activityTypes: types ? types.split(',').map((t) => t.trim()).filter((t) => t !== '') : undefined,
    category: req.query.get('category') || undefined,
    after: parseTimeParam(req.query, 'after'),
    until: parseTimeParam(req.query, 'until'),
    date: date === undefined ? undefined : floorDay(date),
    direction: req.query.get('direction') || undefined,
    pageSize: page,
    pageToken: req.query.get('page_token') || undefined,
  };
}

/** Positions may be addressed by symbol or asset id. */
function symbolOf(ctx: VenueContext, symbolOrAssetId: string): string {
  const inst = ctx.instruments.find((i) => i.symbol === symbolOrAssetId || assetId(i.symbol) === symbolOrAssetId);
  return inst ? inst.symbol : symbolOrAssetId;
}
