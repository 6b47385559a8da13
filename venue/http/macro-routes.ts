/**
 * FRED- and Socrata-shaped endpoints serving the simulated macro series:
 * `GET /fred/series/observations` (values as strings, "." for missing) and
 * `GET /resource/72hh-3qpy.json` (CFTC disaggregated futures-only COT rows
 * for gold 088691 and silver 084691, every value a string, with `$where`,
 * `$order`, `$limit`, `$offset`, `$select` and simple column filters).
 */
import { COT_CONTRACTS, isoDate, type CotMarket, type FredSeriesId } from '../market/macro.js';
import type { VenueContext } from './context.js';
import type { Reply, Route, VenueRequest } from './router.js';
import { SocrataQueryError, applySoql } from './soql.js';

/** The CFTC disaggregated futures-only dataset id. */
export const COT_DATASET = '72hh-3qpy';

/** FRED's error body: `{error_code, error_message}`. */
export function fredError(status: number, message: string): Reply {
  return { status, body: { error_code: status, error_message: message } };
}

/** Socrata's error body. */
export function socrataError(status: number, code: string, message: string): Reply {
  return { status, body: { code, error: true, message, data: {} } };
}

const COT_META: Readonly<Record<CotMarket, { name: string; commodity: string }>> = {
  gold: { name: 'GOLD - COMMODITY EXCHANGE INC.', commodity: '088' },
  silver: { name: 'SILVER - COMMODITY EXCHANGE INC.', commodity: '084' },
};

/** Options for which FRED api keys the venue accepts. */
export interface MacroRouteOptions {
  /** Accepted FRED api_key values; undefined accepts any non-empty key. */
  readonly fredApiKeys?: readonly string[];
}

export function macroRoutes(ctx: VenueContext, options: MacroRouteOptions = {}): Route[] {
  const macro = ctx.market.macro;

  const observations = (req: VenueRequest): Reply => {
    const q = req.query;
    const apiKey = q.get('api_key');
    if (!apiKey) return fredError(400, 'Bad Request.  Variable api_key is not set.');
    if (options.fredApiKeys && !options.fredApiKeys.includes(apiKey)) {
      return fredError(400, 'Bad Request.  The value for variable api_key is not registered.');
    }
    const seriesId = q.get('series_id');
    if (!seriesId) return fredError(400, 'Bad Request.  Variable series_id is not set.');
    const series = macro.series(seriesId);
    if (!series) return fredError(400, 'Bad Request.  The series does not exist.');
    if (q.get('file_type') !== 'json') return fredError(400, 'Bad Request.  The local venue serves file_type=json only.');
    const start = q.get('observation_start') ?? '1776-07-04';
    const end = q.get('observation_end') ?? '9999-12-31';
    if (!isDate(start) || !isDate(end)) return fredError(400, 'Bad Request.  Variable observation_start or observation_end is not a date (YYYY-MM-DD).');
    const sort = q.get('sort_order') ?? 'asc';
    if (sort !== 'asc' && sort !== 'desc') return fredError(400, "Bad Request.  Variable sort_order must be 'asc' or 'desc'.");
    const limit = Number(q.get('limit') ?? 100_000);
    const offset = Number(q.get('offset') ?? 0);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100_000) return fredError(400, 'Bad Request.  Variable limit is not between 1 and 100000.');
    if (!Number.isInteger(offset) || offset < 0) return fredError(400, 'Bad Request.  Variable offset is not a non-negative integer.');
    let rows = series.filter((o) => o.date >= start && o.date <= end);
    if (sort === 'desc') rows = rows.slice().reverse();
    const today = isoDate(ctx.market.now);
    const decimals = macro.decimals(seriesId as FredSeriesId);
    const page = rows.slice(offset, offset + limit).map((o) => ({
      realtime_start: today,
      realtime_end: today,
      date: o.date,
      value: o.value === null ? '.' : o.value.toFixed(decimals),
    }));
    return {
      status: 200,
      body: {
        realtime_start: today, realtime_end: today, observation_start: start, observation_end: end,
        units: 'lin', output_type: 1, file_type: 'json', order_by: 'observation_date', sort_order: sort,
        count: rows.length, offset, limit, observations: page,
      },
    };
  };

  const cotRows = (): Record<string, string>[] => {
    const out: Record<string, string>[] = [];
    for (const market of Object.keys(COT_CONTRACTS) as CotMarket[]) {
      const code = COT_CONTRACTS[market];
      for (const r of macro.cot(market)) {
        const d = new Date(r.reportDate + 'T00:00:00Z');
        out.push({
          id: `${r.reportDate.slice(2).replace(/-/g, '')}${code}F`,
          market_and_exchange_names: COT_META[market].name,
          report_date_as_yyyy_mm_dd: `${r.reportDate}T00:00:00.000`,
          yyyy_report_week_ww: `${d.getUTCFullYear()} Report Week ${isoWeek(d)}`,
          contract_market_name: market.toUpperCase(),
          cftc_contract_market_code: code,
          cftc_market_code: 'CMX',
          cftc_region_code: 'NYC',
          cftc_commodity_code: COT_META[market].commodity,
          commodity_name: market.toUpperCase(),
          commodity_subgroup_name: 'PRECIOUS METALS',
          commodity_group_name: 'NATURAL RESOURCES',
          futonly_or_combined: 'FutOnly',
          open_interest_all: String(r.openInterest),
          m_money_positions_long_all: String(r.managedMoneyLong),
          m_money_positions_short_all: String(r.managedMoneyShort),
          m_money_positions_spread_all: String(Math.round(0.1 * (r.managedMoneyLong + r.managedMoneyShort))),
        });
      }
    }
    return out;
  };

  const resource = (req: VenueRequest): Reply => {
    const dataset = req.params.dataset.replace(/\.json$/, '');
    if (dataset !== COT_DATASET) return socrataError(404, 'not_found', `dataset ${dataset} not found`);
    try {
      return { status: 200, body: applySoql(cotRows(), req.query) };
    } catch (err) {
      if (err instanceof SocrataQueryError) return socrataError(400, 'query.compiler.malformed', err.message);
      throw err;
    }
  };

  return [
    { method: 'GET', pattern: '/fred/series/observations', scope: 'macro', handler: observations },
    { method: 'GET', pattern: '/resource/:dataset', scope: 'socrata', handler: resource },
  ];
}

function isDate(s: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(s);
}

function isoWeek(d: Date): number {
  const t = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
  const day = t.getUTCDay() || 7;
  t.setUTCDate(t.getUTCDate() + 4 - day);
  const yearStart = Date.UTC(t.getUTCFullYear(), 0, 1);
  return Math.ceil(((t.getTime() - yearStart) / 86_400_000 + 1) / 7);
}
