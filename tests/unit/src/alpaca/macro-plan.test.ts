import { describe, expect, it } from 'vitest';
import { macroPlan } from '../../../../app/daemon/macro-sources.js';
import { loadConfig } from '../../../../app/config/load.js';
import type { AlpacaConnection } from '../../../../src/alpaca/index.js';

const conn = (venue: 'local' | 'alpaca'): AlpacaConnection =>
  ({ venue, keyId: 'K', secretKey: 'S', restBaseUrl: 'http://127.0.0.1:1', tradingStreamUrl: 'ws://127.0.0.1:1/stream', dataStreamUrl: 'ws://127.0.0.1:1/v2/iex', dataRestBaseUrl: 'http://127.0.0.1:1' });
const cfg = (env: Record<string, string>) => loadConfig({ mode: 'start', env }).config;

describe('macro sources', () => {
  it('local venue then both read the venue, nothing degraded', () => {
    expect(macroPlan(cfg({}), conn('local'))).toEqual({ macro: { fred: {}, cftc: {} }, degraded: [] });
  });
  it('alpaca mode with a FRED key then the real services', () => {
    const p = macroPlan(cfg({ FRED_API_KEY: 'k' }), conn('alpaca'));
    expect(p.macro.fred).toEqual({ baseUrl: 'https://api.stlouisfed.org/fred', apiKey: 'k' });
    expect(p.macro.cftc).toEqual({ baseUrl: 'https://publicreporting.cftc.gov' });
    expect(p.degraded).toEqual([]);
  });
  it('alpaca mode without a FRED key then FRED left out and reported, CFTC still read', () => {
    const p = macroPlan(cfg({}), conn('alpaca'));
    expect(p.macro.fred).toBe(false);
    expect(p.degraded).toEqual(['macro_fred_not_configured']);
    expect(p.macro.cftc).toEqual({ baseUrl: 'https://publicreporting.cftc.gov' });
  });
  it('URLs configured then used in either mode', () => {
    const p = macroPlan(cfg({ QGTM_FRED_URL: 'http://fred.test/fred', QGTM_CFTC_URL: 'http://cftc.test' }), conn('alpaca'));
    expect(p.macro).toEqual({ fred: { baseUrl: 'http://fred.test/fred' }, cftc: { baseUrl: 'http://cftc.test' } });
  });
});
