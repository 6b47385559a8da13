import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FredClient } from '../../../../actors/macro/fred-client.js';
import { MacroSourceError } from '../../../../actors/macro/errors.js';
import { rejectionOf } from '../../../helpers/errors.js';
import { startVenue, type VenueHandle } from '../../../../venue/index.js';
import { VirtualClock, cannedFetch, json } from './virtual-clock.js';

/** The MacroSourceError `p` rejects with. */
const rejection = (p: Promise<unknown>): Promise<MacroSourceError> => rejectionOf(p, MacroSourceError);

describe('FredClient against the venue', () => {
  let venue: VenueHandle;

  beforeAll(async () => {
    venue = await startVenue({ clockMode: 'manual', historyMinutes: 0, seed: 12 });
  });

  afterAll(async () => {
    await venue.close();
  });

  it('series with "." days then parses them as null and the rest as numbers, oldest first', async () => {
    const clock = new VirtualClock();
    const fred = new FredClient({ venueUrl: venue.url, apiKey: 'test-key', clock });
    const msg = await fred.getSeries('DFII10');
    const truth = venue.market.macro.series('DFII10')!;
    expect(msg.type).toBe('macro.series');
    expect(msg.seriesId).toBe('DFII10');
    expect(msg.fetchedAt).toBe(clock.t);
    expect(msg.observations.map((o) => o.date)).toEqual(truth.map((o) => o.date));
    expect(msg.observations.map((o) => o.value)).toEqual(truth.map((o) => o.value));
    const missing = msg.observations.filter((o) => o.value === null).length;
    expect(missing).toBeGreaterThan(0);
    expect(missing).toBeLessThan(msg.observations.length / 4);
  });

  it('start and end then limit the observations', async () => {
    const fred = new FredClient({ venueUrl: venue.url, apiKey: 'k', clock: new VirtualClock() });
    const msg = await fred.getSeries('DTWEXBGS', { start: '2024-06-01', end: '2024-06-30' });
    expect(msg.observations.length).toBeGreaterThan(15);
    expect(msg.observations.every((o) => o.date >= '2024-06-01' && o.date <= '2024-06-30')).toBe(true);
  });

  it('second request within the TTL then served from cache; after it then fetched again', async () => {
    const clock = new VirtualClock();
    const fred = new FredClient({ venueUrl: venue.url, apiKey: 'k', clock, cacheTtlMs: 60_000 });
    const a = await fred.getSeries('T10YIE');
    const b = await fred.getSeries('T10YIE');
    expect(b).toBe(a);
    expect([fred.stats.requests, fred.stats.cacheHits]).toEqual([1, 1]);
    clock.t += 60_001;
    const c = await fred.getSeries('T10YIE');
    expect(fred.stats.requests).toBe(2);
    expect(c.fetchedAt).toBe(clock.t);
  });

  it('429 from the venue then waits Retry-After and succeeds', async () => {
    const clock = new VirtualClock();
    const fred = new FredClient({ venueUrl: venue.url, apiKey: 'k', clock });
    venue.faults.rateLimitNext(1, 3, 'macro');
    const msg = await fred.getSeries('DFII10');
    expect(msg.observations.length).toBeGreaterThan(0);
    expect(clock.sleeps).toEqual([3000]);
    expect([fred.stats.rateLimited, fred.stats.retries, fred.stats.requests]).toEqual([1, 1, 2]);
  });

  it('unknown series then a clear HTTP error with FRED\'s message and no retry', async () => {
    const fred = new FredClient({ venueUrl: venue.url, apiKey: 'k', clock: new VirtualClock() });
    const err = await rejection(fred.getSeries('NOPE'));
    expect([err.code, err.status]).toEqual(['QGTM_ERR_MACRO_HTTP', 400]);
    expect(err.message).toContain('The series does not exist.');
    expect(fred.stats.requests).toBe(1);
  });

  it('persistent 5xx then retries with backoff and gives up', async () => {
    const clock = new VirtualClock();
    const fred = new FredClient({ venueUrl: venue.url, apiKey: 'k', clock, maxRetries: 2, baseBackoffMs: 100 });
    venue.faults.failNext(3, 503, 'macro');
    const err = await rejection(fred.getSeries('DFII10'));
    expect([err.code, err.status]).toEqual(['QGTM_ERR_MACRO_HTTP', 503]);
    expect(clock.sleeps).toEqual([100, 200]);
  });
});

describe('FredClient payload checks and limits', () => {
  it('429 with only X-Ratelimit-Reset then waits until the reset', async () => {
    const clock = new VirtualClock();
    const reset = String(Math.floor(clock.t / 1000) + 5);
    const f = cannedFetch([json({ error_code: 429, error_message: 'Too Many Requests' }, 429, { 'X-Ratelimit-Reset': reset }), json({ observations: [] })]);
    const fred = new FredClient({ baseUrl: 'http://fred.test/fred', apiKey: 'k', clock, fetch: f.fetch });
    await fred.getSeries('DFII10');
    expect(clock.sleeps).toEqual([5000]);
    expect(f.requests[0].url).toBe('http://fred.test/fred/series/observations?series_id=DFII10&file_type=json&sort_order=asc&api_key=k');
  });

  it.each([
    ['not JSON', 'garbage<html>'],
    ['no observations', { foo: 1 }],
    ['bad value', { observations: [{ date: '2025-01-02', value: 'n/a' }] }],
    ['bad date', { observations: [{ date: '02/01/2025', value: '1.5' }] }],
    ['numeric value', { observations: [{ date: '2025-01-02', value: 1.5 }] }],
  ])('payload with %s then rejected as a bad payload', async (_, body) => {
    const f = cannedFetch([json(body)]);
    const fred = new FredClient({ baseUrl: 'http://fred.test/fred', apiKey: 'k', clock: new VirtualClock(), fetch: f.fetch });
    const err = await rejection(fred.getSeries('DFII10'));
    expect(err.code).toBe('QGTM_ERR_MACRO_PAYLOAD');
    expect(fred.stats.badPayloads).toBe(1);
  });

  it('observations out of order then returned oldest first', async () => {
    const f = cannedFetch([json({ observations: [{ date: '2025-01-03', value: '2.00' }, { date: '2025-01-02', value: '.' }] })]);
    const fred = new FredClient({ baseUrl: 'http://fred.test/fred', apiKey: 'k', clock: new VirtualClock(), fetch: f.fetch });
    const msg = await fred.getSeries('DFII10');
    expect(msg.observations).toEqual([{ date: '2025-01-02', value: null }, { date: '2025-01-03', value: 2 }]);
  });

  it('burst beyond the token bucket then waits for a token', async () => {
    const clock = new VirtualClock();
    const f = cannedFetch([json({ observations: [] })]);
    const fred = new FredClient({ baseUrl: 'http://fred.test/fred', apiKey: 'k', clock, fetch: f.fetch, rateLimit: { capacity: 2, refillPerSecond: 1 } });
    await fred.getSeries('A');
    await fred.getSeries('B');
    expect(clock.sleeps).toEqual([]);
    await fred.getSeries('C');
    expect(clock.sleeps).toEqual([1000]);
    expect(fred.stats.throttledWaits).toBe(1);
  });

  it('missing base URL or key then a config error naming both', () => {
    expect(() => new FredClient({ apiKey: '' })).toThrow(/fred.baseUrl or fred.venueUrl is required; fred.apiKey is required/);
  });
});
