/**
 * FRED client: `series/observations` as a `macro.series` message. Values
 * arrive as strings and "." means missing (null here). By default it reads
 * the local venue's simulated FRED (`${venueUrl}/fred`); point `baseUrl` at
 * https://api.stlouisfed.org/fred with a real key for live data.
 */
import { MacroSourceError } from './errors.js';
import { HttpSource, type HttpSourceOptions, type SourceStats } from './http-source.js';
import type { MacroSeriesMsg, Observation } from './messages.js';

export const FRED_BASE_URL = 'https://api.stlouisfed.org/fred';

export interface FredClientOptions extends HttpSourceOptions {
  /** FRED API base (…/fred). Takes precedence over venueUrl. */
  readonly baseUrl?: string;
  /** The local venue's HTTP URL; the client then reads `${venueUrl}/fred`. */
  readonly venueUrl?: string;
  /** FRED api_key (the venue accepts any non-empty key unless configured otherwise). */
  readonly apiKey: string;
}

export interface SeriesQuery {
  /** observation_start, YYYY-MM-DD. */
  readonly start?: string;
  /** observation_end, YYYY-MM-DD. */
  readonly end?: string;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const NUMBER = /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/;

export class FredClient {
  private readonly http: HttpSource;
  private readonly baseUrl: string;

  constructor(private readonly options: FredClientOptions) {
    const base = options.baseUrl ?? (options.venueUrl ? `${options.venueUrl.replace(/\/+$/, '')}/fred` : undefined);
    const problems: string[] = [];
    if (!base) problems.push('fred.baseUrl or fred.venueUrl is required');
    if (!options.apiKey) problems.push('fred.apiKey is required');
    if (problems.length > 0) throw new MacroSourceError('QGTM_ERR_MACRO_CONFIG', problems.join('; '));
    this.baseUrl = base!.replace(/\/+$/, '');
    // FRED allows 120 requests a minute per key.
    this.http = new HttpSource('FRED', options, { rateLimit: { capacity: 10, refillPerSecond: 2 }, cacheTtlMs: 15 * 60_000 });
  }

  get stats(): Readonly<SourceStats> {
    return this.http.stats;
  }

  /** Observations of one series, oldest first, as a `macro.series` message. */
  async getSeries(seriesId: string, query: SeriesQuery = {}): Promise<MacroSeriesMsg> {
    if (!/^[A-Z0-9_]+$/i.test(seriesId)) throw new MacroSourceError('QGTM_ERR_MACRO_CONFIG', `FRED: invalid series id ${JSON.stringify(seriesId)}`);
    for (const [name, value] of Object.entries(query)) {
      if (value !== undefined && !DATE.test(value)) throw new MacroSourceError('QGTM_ERR_MACRO_CONFIG', `FRED: ${name} must be YYYY-MM-DD (got ${value})`);
    }
    const params = new URLSearchParams({ series_id: seriesId, file_type: 'json', sort_order: 'asc' });
    if (query.start) params.set('observation_start', query.start);
    if (query.end) params.set('observation_end', query.end);
    const cacheKey = params.toString();
    params.set('api_key', this.options.apiKey);
    const url = `${this.baseUrl}/series/observations?${params}`;
    return this.http.get(cacheKey, url, {}, (json) => this.parse(seriesId, json), fredErrorMessage);
  }

  /** Forgets cached series. */
  invalidate(): void {
    this.http.invalidate();
  }

  private parse(seriesId: string, json: unknown): MacroSeriesMsg {
    const bad = (why: string): MacroSourceError => new MacroSourceError('QGTM_ERR_MACRO_PAYLOAD', `FRED ${seriesId}: ${why}`);
    if (typeof json !== 'object' || json === null || !Array.isArray((json as { observations?: unknown }).observations)) {
      throw bad('response has no observations array');
    }
    const raw = (json as { observations: unknown[] }).observations;
    const observations: Observation[] = raw.map((o, k) => {
      if (typeof o !== 'object' || o === null) throw bad(`observation ${k} is not an object`);
      const { date, value } = o as { date?: unknown; value?: unknown };
      if (typeof date !== 'string' || !DATE.test(date)) throw bad(`observation ${k} has a bad date ${JSON.stringify(date)}`);
      if (typeof value !== 'string') throw bad(`observation ${date} has a non-string value`);
      if (value === '.') return { date, value: null };
      if (!NUMBER.test(value)) throw bad(`observation ${date} has a non-numeric value ${JSON.stringify(value)}`);
      return { date, value: Number(value) };
    });
    observations.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
    return { type: 'macro.series', seriesId, observations, fetchedAt: this.http.now };
  }
}

function fredErrorMessage(json: unknown): string | undefined {
  const m = (json as { error_message?: unknown } | undefined)?.error_message;
  return typeof m === 'string' ? m : undefined;
}
