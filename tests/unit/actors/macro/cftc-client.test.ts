import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CftcClient } from '../../../../actors/macro/cftc-client.js';
import { MacroSourceError } from '../../../../actors/macro/errors.js';
import { rejectionOf } from '../../../helpers/errors.js';
import { startVenue, type VenueHandle } from '../../../../venue/index.js';
import { VirtualClock, cannedFetch, json } from './virtual-clock.js';

/** The MacroSourceError `p` rejects with. */
const rejection = (p: Promise<unknown>): Promise<MacroSourceError> => rejectionOf(p, MacroSourceError);

describe('CftcClient against the venue', () => {
  let venue: VenueHandle;

  beforeAll(async () => {
    venue = await startVenue({ clockMode: 'manual', historyMinutes: 0, seed: 31 });
  });

  afterAll(async () => {
    await venue.close();
  });

  it('gold rows then the latest weeks, oldest first, with Socrata strings parsed to numbers', async () => {
    const cftc = new CftcClient({ venueUrl: venue.url, clock: new VirtualClock() });
    const msg = await cftc.getCot('gold', { weeks: 10 });
    const truth = venue.market.macro.cot('gold').slice(-10);
    expect([msg.type, msg.market, msg.contractCode]).toEqual(['macro.cot', 'gold', '088691']);
    expect(msg.rows).toEqual(truth);
    expect(typeof msg.rows[0].managedMoneyLong).toBe('number');
  });

  it('silver with since then only its contract on or after the date', async () => {
    const cftc = new CftcClient({ venueUrl: venue.url, clock: new VirtualClock() });
    const msg = await cftc.getCot('silver', { since: '2024-10-01', weeks: 500 });
    const truth = venue.market.macro.cot('silver').filter((r) => r.reportDate >= '2024-10-01');
    expect(msg.contractCode).toBe('084691');
    expect(msg.rows).toEqual(truth);
  });

  it('429 then backs off per Retry-After, and the answer is cached afterwards', async () => {
    const clock = new VirtualClock();
    const cftc = new CftcClient({ venueUrl: venue.url, clock });
    venue.faults.rateLimitNext(1, 2, 'macro');
    await cftc.getCot('gold', { weeks: 4 });
    await cftc.getCot('gold', { weeks: 4 });
    expect(clock.sleeps).toEqual([2000]);
    expect([cftc.stats.requests, cftc.stats.cacheHits, cftc.stats.rateLimited]).toEqual([2, 1, 1]);
  });

  it('app token then sent as X-App-Token; the query asks Socrata for the contract, newest first', async () => {
    const f = cannedFetch([json([])]);
    const cftc = new CftcClient({ baseUrl: 'https://cot.test', appToken: 'tok', clock: new VirtualClock(), fetch: f.fetch });
    await cftc.getCot('gold', { weeks: 3 });
    const url = new URL(f.requests[0].url);
    expect(url.pathname).toBe('/resource/72hh-3qpy.json');
    expect(url.searchParams.get('$where')).toBe("cftc_contract_market_code='088691'");
    expect(url.searchParams.get('$order')).toBe('report_date_as_yyyy_mm_dd DESC');
    expect(url.searchParams.get('$limit')).toBe('3');
    expect(f.requests[0].headers.get('x-app-token')).toBe('tok');
  });

  it.each([
    ['not an array', { rows: [] }],
    ['a non-numeric count', [{ report_date_as_yyyy_mm_dd: '2025-01-07T00:00:00.000', m_money_positions_long_all: 'many', m_money_positions_short_all: '1', open_interest_all: '2' }]],
    ['a missing count', [{ report_date_as_yyyy_mm_dd: '2025-01-07T00:00:00.000', m_money_positions_short_all: '1', open_interest_all: '2' }]],
    ['a bad date', [{ report_date_as_yyyy_mm_dd: 'last week', m_money_positions_long_all: '1', m_money_positions_short_all: '1', open_interest_all: '2' }]],
    ['another contract', [{ cftc_contract_market_code: '084691', report_date_as_yyyy_mm_dd: '2025-01-07T00:00:00.000', m_money_positions_long_all: '1', m_money_positions_short_all: '1', open_interest_all: '2' }]],
  ])('payload with %s then rejected as a bad payload', async (_, body) => {
    const cftc = new CftcClient({ baseUrl: 'https://cot.test', clock: new VirtualClock(), fetch: cannedFetch([json(body)]).fetch });
    const err = await rejection(cftc.getCot('gold'));
    expect(err.code).toBe('QGTM_ERR_MACRO_PAYLOAD');
  });

  it('numbers sent as JSON numbers then accepted too', async () => {
    const row = { report_date_as_yyyy_mm_dd: '2025-01-07T00:00:00.000', m_money_positions_long_all: 10, m_money_positions_short_all: '4', open_interest_all: 99 };
    const cftc = new CftcClient({ baseUrl: 'https://cot.test', clock: new VirtualClock(), fetch: cannedFetch([json([row])]).fetch });
    const msg = await cftc.getCot('gold');
    expect(msg.rows).toEqual([{ reportDate: '2025-01-07', managedMoneyLong: 10, managedMoneyShort: 4, openInterest: 99 }]);
  });

  it('network failure then retried, then a network error', async () => {
    const clock = new VirtualClock();
    const failing = (async () => {
      throw new TypeError('fetch failed');
    }) as unknown as typeof fetch;
    const cftc = new CftcClient({ baseUrl: 'https://cot.test', clock, fetch: failing, maxRetries: 1, baseBackoffMs: 50 });
    const err = await rejection(cftc.getCot('gold'));
    expect(err.code).toBe('QGTM_ERR_MACRO_NETWORK');
    expect(clock.sleeps).toEqual([50]);
  });
});
