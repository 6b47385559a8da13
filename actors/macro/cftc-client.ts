/**
 * CFTC Commitments of Traders client over Socrata (the disaggregated
 * futures-only dataset 72hh-3qpy): managed-money positioning for gold
 * (088691) and silver (084691) as a `macro.cot` message. Socrata sends
 * numbers as strings; they are parsed and checked here. By default it reads
 * the local venue (`${venueUrl}/resource/...`); the real host is
 * https://publicreporting.cftc.gov.
 */
import { MacroSourceError } from './errors.js';
import { HttpSource, type HttpSourceOptions, type SourceStats } from './http-source.js';
import type { CotRow, MacroCotMsg } from './messages.js';

export const CFTC_BASE_URL = 'https://publicreporting.cftc.gov';
export const COT_DISAGGREGATED_FUTURES = '72hh-3qpy';
export const COT_CONTRACT_CODES = { gold: '088691', silver: '084691' } as const;
export type CotMarketName = keyof typeof COT_CONTRACT_CODES;

export interface CftcClientOptions extends HttpSourceOptions {
  /** Socrata host, e.g. https://publicreporting.cftc.gov. Takes precedence over venueUrl. */
  readonly baseUrl?: string;
  /** The local venue's HTTP URL (serves /resource/72hh-3qpy.json). */
  readonly venueUrl?: string;
  /** Socrata app token (X-App-Token), optional; raises Socrata's rate limit. */
  readonly appToken?: string;
  /** Dataset id. Default 72hh-3qpy. */
  readonly dataset?: string;
}

export interface CotQuery {
  /** Most recent weeks to fetch. Default 104. */
  readonly weeks?: number;
  /** Only reports on or after this date (YYYY-MM-DD). */
  readonly since?: string;
}

export class CftcClient {
  private readonly http: HttpSource;
  private readonly baseUrl: string;
  private readonly dataset: string;

  constructor(private readonly options: CftcClientOptions) {
    const base = options.baseUrl ?? options.venueUrl;
    if (!base) throw new MacroSourceError('QGTM_ERR_MACRO_CONFIG', 'cftc.baseUrl or cftc.venueUrl is required');
    this.baseUrl = base.replace(/\/+$/, '');
    this.dataset = options.dataset ?? COT_DISAGGREGATED_FUTURES;
    this.http = new HttpSource('CFTC', options, { rateLimit: { capacity: 5, refillPerSecond: 1 }, cacheTtlMs: 6 * 3_600_000 });
  }

  get stats(): Readonly<SourceStats> {
    return this.http.stats;
  }

  /** Weekly managed-money rows for gold or silver, oldest first, as a `macro.cot` message. */
  async getCot(market: CotMarketName, query: CotQuery = {}): Promise<MacroCotMsg> {
    const code = COT_CONTRACT_CODES[market];
    if (!code) throw new MacroSourceError('QGTM_ERR_MACRO_CONFIG', `CFTC: unknown market ${String(market)}`);
    const weeks = query.weeks ?? 104;
    if (!Number.isInteger(weeks) || weeks < 1 || weeks > 5000) throw new MacroSourceError('QGTM_ERR_MACRO_CONFIG', `CFTC: weeks must be 1-5000 (got ${weeks})`);
    if (query.since !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(query.since)) throw new MacroSourceError('QGTM_ERR_MACRO_CONFIG', `CFTC: since must be YYYY-MM-DD (got ${query.since})`);
    let where = `cftc_contract_market_code='${code}'`;
    if (query.since) where += ` AND report_date_as_yyyy_mm_dd >= '${query.since}T00:00:00.000'`;
    const params = new URLSearchParams({ $where: where, $order: 'report_date_as_yyyy_mm_dd DESC', $limit: String(weeks) });
    const url = `${this.baseUrl}/resource/${this.dataset}.json?${params}`;
    const headers: Record<string, string> = this.options.appToken ? { 'X-App-Token': this.options.appToken } : {};
    return this.http.get(params.toString(), url, headers, (json) => this.parse(market, code, json), socrataErrorMessage);
  }

  invalidate(): void {
    this.http.invalidate();
  }

  private parse(market: CotMarketName, code: string, json: unknown): MacroCotMsg {
    const bad = (why: string): MacroSourceError => new MacroSourceError('QGTM_ERR_MACRO_PAYLOAD', `CFTC ${market}: ${why}`);
    if (!Array.isArray(json)) throw bad('response is not an array of rows');
    const rows: CotRow[] = json.map((r, k) => {
      if (typeof r !== 'object' || r === null) throw bad(`row ${k} is not an object`);
      const row = r as Record<string, unknown>;
      if (row.cftc_contract_market_code !== undefined && row.cftc_contract_market_code !== code) {
        throw bad(`row ${k} is for contract ${String(row.cftc_contract_market_code)}, not ${code}`);
      }
      const date = typeof row.report_date_as_yyyy_mm_dd === 'string' ? row.report_date_as_yyyy_mm_dd.slice(0, 10) : '';
      if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) throw bad(`row ${k} has a bad report date ${JSON.stringify(row.report_date_as_yyyy_mm_dd)}`);
      return {
        reportDate: date,
        managedMoneyLong: count(row.m_money_positions_long_all, `${date} m_money_positions_long_all`, bad),
        managedMoneyShort: count(row.m_money_positions_short_all, `${date} m_money_positions_short_all`, bad),
        openInterest: count(row.open_interest_all, `${date} open_interest_all`, bad),
      };
    });
    rows.sort((a, b) => (a.reportDate < b.reportDate ? -1 : a.reportDate > b.reportDate ? 1 : 0));
    return { type: 'macro.cot', market, contractCode: code, rows, fetchedAt: this.http.now };
  }
}

/** Socrata numbers arrive as strings (sometimes numbers): a non-negative count or a payload error. */
function count(value: unknown, what: string, bad: (why: string) => MacroSourceError): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : NaN;
  if (!Number.isFinite(n) || n < 0) throw bad(`${what} is not a non-negative number: ${JSON.stringify(value)}`);
  return n;
}

function socrataErrorMessage(json: unknown): string | undefined {
  const m = (json as { message?: unknown } | undefined)?.message;
  return typeof m === 'string' ? m : undefined;
}
