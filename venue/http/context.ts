/** What the REST routes and streams share: the market, the engine and the session. */
import type { Instrument } from '../../src/universe/index.js';
import type { SimulatedMarket } from '../market/market.js';
import type { MatchingEngine } from '../../src/matching/engine.js';
import { invalid } from '../../src/matching/errors.js';
import type { SessionCalendar } from '../../src/matching/session.js';

export interface VenueContext {
  readonly market: SimulatedMarket;
  readonly engine: MatchingEngine;
  readonly session: SessionCalendar;
  readonly instruments: readonly Instrument[];
}

/** Primary listing exchange reported for a symbol: funds list on ARCA, companies on NYSE. */
export function exchangeOf(inst: Instrument | undefined): string {
  if (!inst) return 'ARCA';
  return inst.assetClass.endsWith('_etf') ? 'ARCA' : 'NYSE';
}

/** Parses an RFC 3339 timestamp or a YYYY-MM-DD date query parameter; throws a 422 when malformed. */
export function parseTimeParam(query: URLSearchParams, name: string): number | undefined {
  const raw = query.get(name);
  if (raw === null || raw === '') return undefined;
  if (!/^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(raw)) throw invalid(`invalid ${name}: ${raw}`);
  const ms = Date.parse(raw.length === 10 ? raw + 'T00:00:00Z' : raw);
  if (Number.isNaN(ms)) throw invalid(`invalid ${name}: ${raw}`);
  return ms;
}

/** Parses an integer query parameter; throws a 422 when malformed. */
export function parseIntParam(query: URLSearchParams, name: string): number | undefined {
  const raw = query.get(name);
  if (raw === null || raw === '') return undefined;
  if (!/^-?\d+$/.test(raw)) throw invalid(`invalid ${name}: ${raw}`);
  return Number(raw);
}

/** Parses a positive decimal query parameter; throws a 422 when malformed. */
export function parseDecimalParam(query: URLSearchParams, name: string): number | undefined {
  const raw = query.get(name);
  if (raw === null || raw === '') return undefined;
  if (!/^\d+(\.\d+)?$/.test(raw)) throw invalid(`invalid ${name}: ${raw}`);
  return Number(raw);
}

/** Comma-separated symbol list. */
export function parseSymbols(query: URLSearchParams, name = 'symbols'): string[] {
  const raw = query.get(name);
  if (!raw) return [];
  return raw.split(',').map((s) => s.trim()).filter((s) => s !== '');
}
