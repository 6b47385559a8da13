import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scrapeValues, startTestGateway, TOKEN, type TestGateway } from '../../helpers/gateway.js';
import { FakeResearch, P_FAST, P_SLOW } from '../../helpers/research.js';
import { connectWs, type WsMessage } from '../../helpers/ws-client.js';

type Json = Record<string, any>;
const json = async (r: Response): Promise<Json> => (await r.json()) as Json;
const NOW = Date.UTC(2026, 2, 10, 15, 30);
const DAY = 86_400_000;
const VENUE = { dataUrl: 'http://127.0.0.1:9/data', keyId: 'k', secretKey: 's', cacheDir: '/tmp/qgtm-test-cache', fredUrl: 'http://127.0.0.1:9/fred', cftcUrl: null };
const synthetic = { kind: 'synthetic', symbols: ['GLD'], start: 0, bars: 100, intervalMs: 60_000, seed: 1 };

describe('gateway research REST with a research service', () => {
  let t: TestGateway;
  let svc: FakeResearch;

  beforeAll(async () => {
    svc = new FakeResearch();
    t = await startTestGateway({ research: svc, researchHistory: { venue: VENUE }, now: () => NOW });
  });
  afterAll(() => t.close());

  const post = (path: string, body: unknown, headers: Record<string, string> = t.auth): Promise<Response> =>
    fetch(`${t.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });

  it('GET runs then every headline with its summary, newest first', async () => {
    const r = await fetch(`${t.url}/api/v1/research/runs`);
    expect(r.status).toBe(200);
    const e = await json(r);
    // The read envelope of every GET; answered by this process, not from the daemon.
    expect(e).toMatchObject({ updatedAt: expect.any(Number), ageMs: 0, stale: false, cached: false, daemon: null });
    const b = e.data;
    expect(b.count).toBe(3);
    expect(b.runs.map((x: Json) => x.id)).toEqual(['bt-running', 'bt-done', 'sw-done']);
    expect(b.runs[1]).toMatchObject({ kind: 'backtest', status: 'done', progress: 1, summary: { totalReturn: 0.1234, sharpe: 1.52, trades: 42 } });
    expect(b.runs[1].result).toBeUndefined();
  });

  it('GET one run then the whole record with its series and attribution', async () => {
    const b = (await json(await fetch(`${t.url}/api/v1/research/runs/bt-done`))).data;
    expect(b.run.result.equity).toHaveLength(200);
    expect(b.run.result.attribution.byInstrument).toEqual({ GLD: 10_000.5, SLV: -3047.75 });
    const s = (await json(await fetch(`${t.url}/api/v1/research/runs/sw-done`))).data;
    expect(s.run.sweep.rows).toHaveLength(9);
    expect(s.run.sweep.paths).toEqual([P_FAST, P_SLOW]);
  });

  it('GET an unknown run then 404 naming it', async () => {
    const r = await fetch(`${t.url}/api/v1/research/runs/nope-1`);
    expect(r.status).toBe(404);
    expect((await json(r)).error).toMatchObject({ code: 'QGTM_ERR_RESEARCH_UNKNOWN_RUN', message: expect.stringContaining('"nope-1"') });
  });

  it('POST a back-test over venue days with the token then 202, the history filled in from the process', async () => {
    const r = await post('/api/v1/research/backtests', { name: 'gold 30d', history: { kind: 'venue', symbols: ['GLD', 'SLV'], days: 30 }, set: { 'allocator.sizing.targetVol': 0.12 }, cost: { feeBps: 1 }, startingCash: 50_000, seed: 9, by: 'alice' });
    expect(r.status).toBe(202);
    const b = await json(r);
    expect(b.run).toMatchObject({ kind: 'backtest', status: 'queued', name: 'gold 30d' });
    expect(r.headers.get('location')).toBe(`/api/v1/research/runs/${b.run.id}`);
    const end = Math.floor(NOW / DAY) * DAY;
    expect(svc.started.at(-1)).toEqual({
      name: 'gold 30d',
      history: { kind: 'venue', ...VENUE, symbols: ['GLD', 'SLV'], start: end - 30 * DAY, end, intervalMs: 60_000 },
      set: { 'allocator.sizing.targetVol': 0.12 },
      cost: { feeBps: 1 },
      startingCash: 50_000,
      seed: 9,
    });
  });

  it('POST a sweep then 202 and the grid passed on', async () => {
    const r = await post('/api/v1/research/sweeps', { history: { kind: 'csv', file: '/data/bars.csv' }, params: [{ path: P_FAST, values: [5, 10] }, { path: P_SLOW, values: [50, 100] }], objective: 'sortino', walkForward: { trainBars: 500, testBars: 100 } });
    expect(r.status).toBe(202);
    expect(svc.started.at(-1)).toEqual({ history: { kind: 'csv', file: '/data/bars.csv' }, params: [{ path: P_FAST, values: [5, 10] }, { path: P_SLOW, values: [50, 100] }], objective: 'sortino', walkForward: { trainBars: 500, testBars: 100 } });
  });

  it.each([
    ['no header', {}, 401],
    ['a wrong token', { authorization: `Bearer ${TOKEN}x` }, 403],
  ])('POST a back-test with %s then refused, nothing started', async (_w, headers, status) => {
    const before = svc.started.length;
    const r = await post('/api/v1/research/backtests', { history: synthetic }, headers);
    expect(r.status).toBe(status);
    expect(svc.started.length).toBe(before);
    expect((await post('/api/v1/research/runs/bt-running/cancel', {}, headers)).status).toBe(status);
    expect(svc.cancelled).toEqual([]);
  });

  it.each([
    ['an unknown field', { history: synthetic, startCash: 5 }, ['unknown field startCash']],
    ['no history', {}, ['history is required']],
    ['a wrong type', { history: synthetic, startingCash: '100000' }, ['startingCash must be a number, got string']],
    ['a bad value', { history: synthetic, startingCash: -5, seed: 1.5 }, ['startingCash must be above 0, got -5', 'seed must be a whole number, got 1.5']],
    ['a bad history kind', { history: { kind: 'ftp' } }, ['history.kind must be one of venue, alpaca, csv, synthetic']],
    ['a bad symbol', { history: { kind: 'venue', symbols: ['GLD', 'gl d'], days: 5 } }, ['history.symbols[1] must be a symbol']],
    ['days and start together', { history: { kind: 'venue', symbols: ['GLD'], days: 5, start: 1, end: 2 } }, ['history.days cannot be given with start/end']],
    ['an unknown history field', { history: { ...synthetic, dataUrl: 'http://evil' } }, ['unknown field history.dataUrl']],
    ['a bad cost', { history: synthetic, cost: { participation: 2, feeBps: 'x', spread: 1 } }, ['unknown field cost.spread', 'cost.feeBps must be a number, got string', 'cost.participation must be at most 1, got 2']],
    ['a bad set path', { history: synthetic, set: { risk: 1, 'allocator.x': [1] } }, ['set key "risk" is not a configuration path', 'set.allocator.x must be a number, string or boolean, got array']],
    ['alpaca where the process has none', { history: { kind: 'alpaca', symbols: ['GLD'], days: 5 } }, ['history.kind alpaca history is not available in this process']],
  ])('POST a back-test with %s then 400 naming the field', async (_w, body, messages) => {
    const before = svc.started.length;
    const r = await post('/api/v1/research/backtests', body);
    expect(r.status).toBe(400);
    const e = (await json(r)).error;
    expect(e.code).toBe('QGTM_ERR_BAD_REQUEST');
    for (const m of messages) expect(e.message).toContain(m);
    expect(svc.started.length).toBe(before);
  });

  it.each([
    ['no params', { history: synthetic }, 'params must be an array of parameters, got undefined'],
    ['a range in grid mode', { history: synthetic, params: [{ path: P_FAST, min: 1, max: 5 }] }, 'params[0] needs values in grid mode'],
    ['random without samples', { history: synthetic, mode: 'random', params: [{ path: P_FAST, min: 1, max: 5 }] }, 'samples is required when mode is random'],
    ['a bad objective', { history: synthetic, params: [{ path: P_FAST, values: [1] }], objective: 'profit' }, 'objective must be one of sharpe, sortino'],
    ['a bad param path', { history: synthetic, params: [{ path: 'fast', values: [1] }] }, 'params[0].path must be a configuration path'],
    ['max below min', { history: synthetic, mode: 'random', samples: 5, params: [{ path: P_FAST, min: 5, max: 1 }] }, 'params[0].max must be above params[0].min'],
  ])('POST a sweep with %s then 400 naming the field', async (_w, body, message) => {
    const r = await post('/api/v1/research/sweeps', body);
    expect(r.status).toBe(400);
    expect((await json(r)).error.message).toContain(message);
  });

  it('POST malformed JSON then 400', async () => {
    expect((await post('/api/v1/research/backtests', '{"history":')).status).toBe(400);
  });

  it('the queue full then 429 with the service message, and a service refusal 400 with its message', async () => {
    svc.queueFull = true;
    try {
      const r = await post('/api/v1/research/backtests', { history: synthetic });
      expect(r.status).toBe(429);
      expect(r.headers.get('retry-after')).toBe('5');
      expect((await json(r)).error).toMatchObject({ code: 'QGTM_ERR_RESEARCH_QUEUE_FULL', message: expect.stringContaining('the research queue is full') });
    } finally {
      svc.queueFull = false;
    }
    const r = await post('/api/v1/research/backtests', { history: { kind: 'csv', file: '/data/missing.csv' } });
    expect(r.status).toBe(400);
    expect((await json(r)).error.message).toBe('history file /data/missing.csv does not exist');
  });

  it('cancel a running run then 200 and cancelled; a finished one 409; an unknown one 404', async () => {
    const r = await post('/api/v1/research/runs/bt-running/cancel', { reason: 'wrong symbols' });
    expect(r.status).toBe(200);
    expect(await json(r)).toMatchObject({ cancelled: true, run: { id: 'bt-running', status: 'cancelled' } });
    const again = await post('/api/v1/research/runs/bt-done/cancel', {});
    expect(again.status).toBe(409);
    expect((await json(again)).error.message).toContain('already done');
    expect((await post('/api/v1/research/runs/zzz/cancel', {})).status).toBe(404);
    expect((await post('/api/v1/research/runs/bt-done/cancel', { force: true })).status).toBe(400);
  });

  it('bad bodies then counted in the error and command metrics', async () => {
    await post('/api/v1/research/backtests', { bogus: 1 });
    const m = await scrapeValues(t.url);
    expect(m.get('qgtm_gateway_http_errors_total{status="400",reason="bad_request"}')).toBeGreaterThan(10);
    expect(m.get('qgtm_gateway_commands_total{type="research.backtest",outcome="invalid"}')).toBeGreaterThan(10);
    expect(m.get('qgtm_gateway_commands_total{type="research.backtest",outcome="ok"}')).toBe(1);
    expect(m.get('qgtm_gateway_commands_total{type="research.backtest",outcome="busy"}')).toBe(1);
    expect(m.get('qgtm_gateway_commands_total{type="research.backtest",outcome="unauthorized"}')).toBe(2);
  });

  it('a service event then a research event on the WebSocket topic', async () => {
    const c = await connectWs(`${t.url.replace(/^http/, 'ws')}/ws?topics=research`);
    try {
      expect(await c.next((m: WsMessage) => m.type === 'welcome')).toMatchObject({ topics: expect.arrayContaining(['research']) });
      await c.next((m: WsMessage) => m.type === 'subscribed');
      svc.emit({ type: 'research.progress', id: 'bt-running', progress: 0.5, detail: '200 of 400 bars' });
      // Earlier runs' statuses come first as the topic's snapshot; this one is live.
      const e = await c.next((m: WsMessage) => m.type === 'event' && m.topic === 'research' && m.snapshot === undefined);
      expect(e.data).toEqual({ type: 'research.progress', id: 'bt-running', progress: 0.5, detail: '200 of 400 bars' });
    } finally {
      c.ws.terminate();
    }
  });
});

describe('gateway research REST without a research service', () => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway();
  });
  afterAll(() => t.close());

  it.each(['/api/v1/research/runs', '/api/v1/research/runs/bt-done'])('GET %s then 503 research is not enabled', async (path) => {
    const r = await fetch(`${t.url}${path}`);
    expect(r.status).toBe(503);
    expect((await json(r)).error).toEqual({ code: 'QGTM_ERR_RESEARCH_DISABLED', status: 503, message: 'research is not enabled in this process' });
  });

  it('POST a valid back-test then 503; without the token still 401; a bad body still 400', async () => {
    const post = (body: unknown, headers: Record<string, string>) => fetch(`${t.url}/api/v1/research/backtests`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
    const r = await post({ history: synthetic }, t.auth);
    expect(r.status).toBe(503);
    expect((await json(r)).error.message).toBe('research is not enabled in this process');
    expect((await post({ history: synthetic }, {})).status).toBe(401);
    expect((await post({ history: 5 }, t.auth)).status).toBe(400);
    const c = await fetch(`${t.url}/api/v1/research/runs/x/cancel`, { method: 'POST', headers: t.auth, body: '{}' });
    expect(c.status).toBe(503);
  });
});
