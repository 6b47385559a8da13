/**
 * The venue's loopback admin routes (`qgtm venue --admin`) and the
 * `qgtm venue fault` helper: faults injected over HTTP act on the venue as
 * the in-process API does; bad bodies are refused with a reason and counted;
 * the routes exist only when asked for and only on loopback; `--speed` above
 * 1 is refused with the reason.
 */
import { configError } from '../../helpers/errors.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseVenueArgs } from '../../../venue/cli.js';
import { parseFaultArgs, sendFaultCommand } from '../../../venue/fault-cli.js';
import { startVenue, type VenueHandle } from '../../../venue/index.js';

const KEYS = { 'APCA-API-KEY-ID': 'qgtm-local-key', 'APCA-API-SECRET-KEY': 'qgtm-local-secret' };
type J = Record<string, any>;

describe('venue admin routes', () => {
  let venue: VenueHandle;
  const post = (body: unknown, type = 'application/json'): Promise<Response> =>
    fetch(`${venue.url}/admin/faults`, { method: 'POST', headers: { 'content-type': type }, body: typeof body === 'string' ? body : JSON.stringify(body) });

  beforeAll(async () => {
    venue = await startVenue({ admin: true, clockMode: 'manual', historyMinutes: 0 });
    venue.market.step(1);
  });

  afterAll(async () => {
    expect(venue.stats.internalErrors).toBe(0);
    await venue.close();
  });

  it('rate_limit posted then the next trading call answers 429 with X-Ratelimit-Reset ahead', async () => {
    const r = await post({ kind: 'rate_limit', count: 1, retryAfterSec: 7, scope: 'trading' });
    expect(r.status).toBe(200);
    const res = await fetch(`${venue.url}/v2/account`, { headers: KEYS });
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('x-ratelimit-reset'))).toBeGreaterThanOrEqual(Math.floor(Date.now() / 1000) + 6);
    expect((await fetch(`${venue.url}/v2/account`, { headers: KEYS })).status).toBe(200);
  });

  it('garbage_json posted then the next call answers 200 with a body that does not parse', async () => {
    expect((await post({ kind: 'garbage_json', count: 1, scope: 'trading' })).status).toBe(200);
    const res = await fetch(`${venue.url}/v2/clock`, { headers: KEYS });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(() => JSON.parse(text)).toThrow();
  });

  it('http_error posted through the CLI helper then listed as pending, and cleared by clear', async () => {
    await sendFaultCommand(parseFaultArgs(['http_error', '--count', '3', '--status', '503', '--scope', 'data', '--url', venue.url]));
    const listed = (await sendFaultCommand(parseFaultArgs(['list', '--url', venue.url]))) as J;
    expect(listed.faults.pendingRest).toEqual({ '503:data': 3 });
    await sendFaultCommand(parseFaultArgs(['clear', '--url', venue.url]));
    const after = (await (await fetch(`${venue.url}/admin/faults`)).json()) as J;
    expect(after.faults.pendingRest).toEqual({});
  });

  it('refuse_streams posted then both logins refused until it lapses', async () => {
    const r = (await (await post({ kind: 'refuse_streams', which: 'all', forSec: 1 })).json()) as J;
    expect(r.ok).toBe(true);
    expect(venue.faults.refuseTradingAuth && venue.faults.refuseDataAuth).toBe(true);
    const deadline = Date.now() + 5000;
    while (venue.faults.refuseTradingAuth && Date.now() < deadline) await new Promise((res) => setTimeout(res, 50));
    expect([venue.faults.refuseTradingAuth, venue.faults.refuseDataAuth]).toEqual([false, false]);
  });

  it('bad bodies then 400 naming what was wrong, counted as bad input, nothing injected', async () => {
    const before = venue.stats.badInput;
    const cases: [unknown, string, RegExp][] = [
      [{ kind: 'meteor' }, 'application/json', /kind must be one of/],
      [{ kind: 'http_error', count: 0 }, 'application/json', /count must be an integer 1-10000/],
      [{ kind: 'http_error', status: 404 }, 'application/json', /status must be an integer 500-599/],
      [{ kind: 'http_error', sneaky: 1 }, 'application/json', /unknown field "sneaky"/],
      ['{"kind":"latency","__proto__":{"ms":5}}', 'application/json', /forbidden key \(9 chars: __proto__, constructor or prototype\)/],
      [[1, 2], 'application/json', /JSON object/],
      ['{"kind":', 'application/json', /not valid JSON/],
      [{ kind: 'latency' }, 'text/plain', /content-type/],
    ];
    for (const [body, type, reason] of cases) {
      const r = await post(body, type);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(((await r.json()) as J).message).toMatch(reason);
    }
    expect(venue.stats.badInput - before).toBe(cases.length);
    expect(venue.faults.snapshot()).toMatchObject({ pendingRest: {}, latencyMs: 0 });
  });

  it('a venue without --admin then the admin routes do not exist', async () => {
    const plain = await startVenue({ clockMode: 'manual', historyMinutes: 0 });
    try {
      expect((await fetch(`${plain.url}/admin/faults`)).status).toBe(404);
      await expect(sendFaultCommand(parseFaultArgs(['list', '--url', plain.url]))).rejects.toThrow(/start the venue with qgtm venue --admin/);
    } finally {
      await plain.close();
    }
  });
});

describe('venue command line: admin, faults and speed', () => {
  it('--admin with a non-loopback host then refused, naming the reason', () => {
    expect(configError(() => parseVenueArgs(['--admin', '--host', '0.0.0.0'])).violations.join('\n')).toMatch(/--admin\) needs a loopback host/);
    expect(parseVenueArgs(['--admin', '--host', '127.0.0.1']).options.admin).toBe(true);
  });

  it('--speed above 1 then refused, saying the daemon would see stale data', () => {
    expect(configError(() => parseVenueArgs(['--speed', '4'])).violations.join('\n')).toMatch(/--speed 4 is refused: a daemon trades on wall-clock time.*stale data/);
    expect(parseVenueArgs(['--speed', '1']).options.speed).toBe(1);
  });

  it('fault helper with an unknown kind, a foreign field or a remote URL then every problem listed', () => {
    const v = configError(() => parseFaultArgs(['meteor', '--url', 'http://10.0.0.1:80'])).violations.join('\n');
    expect(v).toMatch(/unknown fault kind meteor/);
    expect(v).toMatch(/loopback host/);
    expect(configError(() => parseFaultArgs(['stall_data', '--count', '2', '--url', 'http://127.0.0.1:1'])).violations.join('\n')).toMatch(/--count does not apply to stall_data/);
  });
});
