import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CATALOG } from '../../../actors/strategy/registry.js';
import type { OperatorCommand } from '../../../app/bus/commands.js';
import { scrapeValues, startTestGateway, TOKEN, type TestGateway } from '../../helpers/gateway.js';

const json = async (r: Response): Promise<Record<string, any>> => (await r.json()) as Record<string, any>;

describe('gateway REST over loopback', () => {
  let t: TestGateway;
  const received: OperatorCommand[] = [];
  let slowMs = 0;

  beforeAll(async () => {
    t = await startTestGateway({
      limits: { maxBodyBytes: 1024, commandTimeoutMs: 300 },
      handler: async (cmd) => {
        received.push(cmd);
        if (slowMs > 0) await new Promise((r) => setTimeout(r, slowMs));
        if (cmd.type === 'strategy.disable' && cmd.strategyId === 'nope') return { id: cmd.id, ok: false, error: { code: 'QGTM_ERR_UNKNOWN_STRATEGY', message: 'no strategy nope' } };
        return { id: cmd.id, ok: true, result: { done: cmd.type } };
      },
    });
    t.bus.putState('risk', { tier: 'WARN', triggers: [{ name: 'drawdown' }], history: [{ to: 'WARN' }] });
    t.bus.putState('positions', { positions: [{ symbol: 'GLD', qty: 5 }] });
    t.bus.putState('orders', { orders: [{ clientOrderId: 'o1' }] });
    t.bus.putState('fills', { fills: [] });
    t.bus.putState('forecasts', { forecasts: [{ symbol: 'SLV' }] });
    t.bus.putState('watchdog', { actors: [{ id: 'risk', restarts: 2 }] });
    t.bus.putState('strategies', { strategies: [{ id: 'trend_gold', state: 'enabled' }] });
    t.bus.putState('universe', { instruments: { GLD: { last: 245.5 }, XLE: { last: 90 } } });
    t.bus.putState('health', { actors: 12 });
  });
  afterAll(() => t.close());

  const post = (path: string, body: unknown, headers: Record<string, string> = t.auth): Promise<Response> =>
    fetch(`${t.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });

  describe('reads', () => {
    it.each([
      ['/api/v1/risk', { tier: 'WARN', triggers: [{ name: 'drawdown' }], history: [{ to: 'WARN' }] }],
      ['/api/v1/positions', { positions: [{ symbol: 'GLD', qty: 5 }] }],
      ['/api/v1/orders', { orders: [{ clientOrderId: 'o1' }] }],
      ['/api/v1/fills', { fills: [] }],
      ['/api/v1/forecasts', { forecasts: [{ symbol: 'SLV' }] }],
      ['/api/v1/watchdog', { actors: [{ id: 'risk', restarts: 2 }] }],
    ])('GET %s with the daemon up then its section, fresh', async (path, data) => {
      const r = await fetch(`${t.url}${path}`);
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toBe('application/json; charset=utf-8');
      const b = await json(r);
      expect(b.data).toEqual(data);
      expect(b.stale).toBe(false);
      expect(b.daemon.up).toBe(true);
      expect(typeof b.updatedAt).toBe('number');
    });

    it('GET health then api and daemon parts, status ok', async () => {
      const b = await json(await fetch(`${t.url}/api/v1/health`));
      expect(b.status).toBe('ok');
      expect(b.api).toMatchObject({ pid: process.pid, bus: { kind: 'memory', connected: true }, commands: true });
      expect(b.daemon).toMatchObject({ up: true, pid: 4242, version: 'test-daemon', degraded: [] });
      expect(b.daemon.detail.data).toEqual({ actors: 12 });
    });

    it('GET strategies then the whole catalog plus the live surface', async () => {
      const b = await json(await fetch(`${t.url}/api/v1/strategies`));
      expect(b).toMatchObject({ stale: false, cached: false, daemon: { up: true } });
      expect(b.data.catalog).toHaveLength(CATALOG.length);
      expect(b.data.catalog[0]).toMatchObject({ id: CATALOG[0].id, family: CATALOG[0].family });
      expect(b.data.live).toEqual({ strategies: [{ id: 'trend_gold', state: 'enabled' }] });
    });

    it('GET universe by focus then 20 or 44 instruments with the daemon data joined', async () => {
      const pm = await json(await fetch(`${t.url}/api/v1/universe`));
      expect(pm).toMatchObject({ stale: false, cached: false, daemon: { up: true } });
      expect(pm.data.focus).toBe('pm');
      expect(pm.data.instruments).toHaveLength(20);
      expect(pm.data.instruments.find((i: any) => i.symbol === 'GLD').live).toEqual({ last: 245.5 });
      expect(pm.data.instruments.find((i: any) => i.symbol === 'SLV').live).toBeNull();
      const broad = await json(await fetch(`${t.url}/api/v1/universe?focus=broad`));
      expect(broad.data.count).toBe(44);
      expect(broad.data.instruments.find((i: any) => i.symbol === 'XLE').live).toEqual({ last: 90 });
    });

    it('GET root without a web root then an index of the endpoints', async () => {
      expect(await json(await fetch(`${t.url}/`))).toMatchObject({ api: '/api/v1', websocket: '/ws', metrics: '/metrics' });
    });
  });

  describe('commands', () => {
    it('set tier with the token then the daemon gets the command and the ack comes back', async () => {
      const r = await post('/api/v1/risk/tier', { tier: 'NO_NEW', reason: 'fomc', by: 'alice' });
      expect(r.status).toBe(200);
      const b = await json(r);
      expect(b.ack).toEqual({ id: b.command.id, ok: true, result: { done: 'risk.set_tier' } });
      expect(received.at(-1)).toMatchObject({ type: 'risk.set_tier', tier: 'NO_NEW', reason: 'fomc', by: 'alice' });
    });

    it.each([
      ['/api/v1/risk/clear', { reason: 'calm' }, { type: 'risk.clear_tier', reason: 'calm', by: 'operator' }],
      ['/api/v1/risk/flatten', { reason: 'kill switch' }, { type: 'risk.flatten', reason: 'kill switch' }],
      ['/api/v1/strategies/trend_gold/enable', {}, { type: 'strategy.enable', strategyId: 'trend_gold' }],
      ['/api/v1/strategies/trend_gold/disable', { reason: 'dd' }, { type: 'strategy.disable', strategyId: 'trend_gold', reason: 'dd' }],
    ])('POST %s then delivered as the right command', async (path, body, expected) => {
      const r = await post(path, body);
      expect(r.status).toBe(200);
      expect(received.at(-1)).toMatchObject(expected);
    });

    it('daemon rejects the command then 409 with its error', async () => {
      const r = await post('/api/v1/strategies/nope/disable', { reason: 'x' });
      expect(r.status).toBe(409);
      expect((await json(r)).error).toMatchObject({ code: 'QGTM_ERR_UNKNOWN_STRATEGY' });
    });

    it('same Idempotency-Key twice then executed once, same ack', async () => {
      const before = received.length;
      const h = { ...t.auth, 'idempotency-key': 'op-42' };
      const a = await json(await post('/api/v1/risk/flatten', { reason: 'once' }, h));
      const b = await json(await post('/api/v1/risk/flatten', { reason: 'once' }, h));
      expect(received.length).toBe(before + 1);
      expect(b.ack).toEqual(a.ack);
    });

    it('handler slower than the command timeout then 504, outcome unknown', async () => {
      slowMs = 600;
      const r = await post('/api/v1/risk/clear', { reason: 'slow' });
      slowMs = 0;
      expect(r.status).toBe(504);
      expect((await json(r)).error.code).toBe('QGTM_ERR_COMMAND_TIMEOUT');
    });
  });

  describe('auth', () => {
    it('no Authorization then 401 with WWW-Authenticate', async () => {
      const r = await post('/api/v1/risk/flatten', { reason: 'x' }, {});
      expect(r.status).toBe(401);
      expect(r.headers.get('www-authenticate')).toBe('Bearer realm="qgtm"');
      expect((await json(r)).error.code).toBe('QGTM_ERR_UNAUTHORIZED');
    });
    it('a non-Bearer scheme then 401', async () => {
      expect((await post('/api/v1/risk/flatten', { reason: 'x' }, { authorization: `Basic ${TOKEN}` })).status).toBe(401);
    });
    it('a wrong token, even one sharing a prefix, then 403 and nothing delivered', async () => {
      const before = received.length;
      for (const tok of ['nope', `${TOKEN}x`, TOKEN.slice(0, -1)]) {
        const r = await post('/api/v1/risk/flatten', { reason: 'x' }, { authorization: `Bearer ${tok}` });
        expect(r.status).toBe(403);
        expect((await json(r)).error.code).toBe('QGTM_ERR_FORBIDDEN');
      }
      expect(received.length).toBe(before);
    });
  });

  describe('bad input', () => {
    it('malformed JSON then 400 saying so', async () => {
      const r = await post('/api/v1/risk/tier', '{"tier": "WARN",');
      expect(r.status).toBe(400);
      const e = (await json(r)).error;
      expect(e.code).toBe('QGTM_ERR_BAD_JSON');
      expect(e.message).toMatch(/not valid JSON/);
    });
    it('wrong types and unknown fields then 400 listing each', async () => {
      const r = await post('/api/v1/risk/tier', { tier: 5, reason: ['x'], extra: true });
      expect(r.status).toBe(400);
      expect((await json(r)).error.details).toEqual(['unknown field extra', 'tier must be a string, got number', 'reason must be a string, got array']);
    });
    it('unknown tier then 400 naming the valid ones', async () => {
      const e = (await json(await post('/api/v1/risk/tier', { tier: 'PANIC', reason: 'x' }))).error;
      expect(e.message).toBe('tier must be one of NORMAL, WARN, THROTTLE, NO_NEW, FLATTEN, got "PANIC"');
    });
    it('a JSON array body then 400', async () => {
      expect((await json(await post('/api/v1/risk/flatten', '[1]'))).error.message).toBe('request body must be a JSON object, got an array');
    });
    it('body over the limit with Content-Length then 413', async () => {
      const r = await post('/api/v1/risk/flatten', { reason: 'x'.repeat(2000) });
      expect(r.status).toBe(413);
      expect((await json(r)).error.code).toBe('QGTM_ERR_PAYLOAD_TOO_LARGE');
    });
    it('chunked body that grows over the limit then 413', async () => {
      const status = await new Promise<number>((resolve, reject) => {
        const req = request(`${t.url}/api/v1/risk/flatten`, { method: 'POST', headers: { ...t.auth, 'content-type': 'application/json' } }, (res) => {
          res.resume();
          resolve(res.statusCode!);
        });
        req.on('error', reject);
        req.write('{"reason":"');
        req.write('y'.repeat(4000));
        req.end('"}');
      });
      expect(status).toBe(413);
    });
    it('multipart body then 415', async () => {
      expect((await post('/api/v1/risk/flatten', 'x', { ...t.auth, 'content-type': 'multipart/form-data; boundary=x' })).status).toBe(415);
    });
    it('unknown route then 404 JSON', async () => {
      const r = await fetch(`${t.url}/api/v1/nothing`);
      expect(r.status).toBe(404);
      expect((await json(r)).error.message).toBe('no such route: GET /api/v1/nothing');
      expect((await fetch(`${t.url}/elsewhere`)).status).toBe(404);
    });
    it('wrong method then 405 with Allow', async () => {
      const r = await fetch(`${t.url}/api/v1/risk`, { method: 'DELETE' });
      expect(r.status).toBe(405);
      expect(r.headers.get('allow')).toBe('GET');
      const p = await fetch(`${t.url}/api/v1/risk/tier`);
      expect(p.status).toBe(405);
      expect(p.headers.get('allow')).toBe('POST');
    });
    it('bad focus then 400', async () => {
      expect((await json(await fetch(`${t.url}/api/v1/universe?focus=crypto`))).error.message).toBe('focus must be pm or broad, got "crypto"');
    });
    it('bad percent-encoding in a path parameter then 400', async () => {
      expect((await post('/api/v1/strategies/%E0%A4%A/enable', {})).status).toBe(400);
    });
    it('plain GET on /ws then 426', async () => {
      expect((await fetch(`${t.url}/ws`)).status).toBe(426);
    });
    it('every error then counted by status and reason', async () => {
      const v = await scrapeValues(t.url);
      const n = (status: number, reason: string): number => v.get(`qgtm_gateway_http_errors_total{status="${status}",reason="${reason}"}`) ?? 0;
      expect(n(400, 'bad_json')).toBe(1);
      expect(n(400, 'bad_request')).toBe(4);
      expect(n(413, 'payload_too_large')).toBe(2);
      expect(n(415, 'unsupported_media_type')).toBe(1);
      expect(n(404, 'not_found')).toBe(2);
      expect(n(405, 'method_not_allowed')).toBe(2);
      expect(n(400, 'bad_query')).toBe(1);
      expect(n(401, 'unauthorized')).toBe(2);
      expect(n(403, 'forbidden')).toBe(3);
      expect(n(426, 'upgrade_required')).toBe(1);
    });
  });
});

describe('gateway REST with the daemon down or failing', () => {
  it('heartbeat expired then health says down (200) and sections are stale; commands 503', async () => {
    const t = await startTestGateway({ heartbeatTtlMs: 1 });
    try {
      t.bus.putState('risk', { tier: 'NORMAL' });
      await new Promise((r) => setTimeout(r, 5));
      const h = await fetch(`${t.url}/api/v1/health`);
      expect(h.status).toBe(200);
      const b = await json(h);
      expect(b.status).toBe('down');
      expect(b.daemon).toMatchObject({ up: false, reason: 'expired', pid: 4242 });
      const risk = await json(await fetch(`${t.url}/api/v1/risk`));
      expect(risk).toMatchObject({ data: { tier: 'NORMAL' }, stale: true, daemon: { up: false } });
      const c = await fetch(`${t.url}/api/v1/risk/flatten`, { method: 'POST', headers: t.auth, body: '{"reason":"x"}' });
      expect(c.status).toBe(503);
      expect((await json(c)).error.code).toBe('QGTM_ERR_DAEMON_DOWN');
    } finally {
      await t.close();
    }
  });

  it('no token configured then commands 403 as disabled', async () => {
    const t = await startTestGateway({ token: null });
    try {
      const r = await fetch(`${t.url}/api/v1/risk/flatten`, { method: 'POST', headers: t.auth, body: '{"reason":"x"}' });
      expect(r.status).toBe(403);
      expect((await json(r)).error.message).toMatch(/disabled/);
    } finally {
      await t.close();
    }
  });

  it('a bus that throws unexpectedly then 500 JSON, logged, and the gateway keeps serving', async () => {
    const base = await startTestGateway();
    await base.close();
    const bus = base.bus;
    const broken = Object.assign(Object.create(bus) as typeof bus, {
      getState: async () => {
        throw new Error('boom');
      },
    });
    const t = await startTestGateway({ bus: broken });
    try {
      const r = await fetch(`${t.url}/api/v1/orders`);
      expect(r.status).toBe(500);
      expect((await json(r)).error).toEqual({ code: 'QGTM_ERR_INTERNAL', status: 500, message: 'internal error; it has been logged' });
      expect(t.logs.some((l) => l.includes('request handler failed') && l.includes('boom'))).toBe(true);
      expect((await fetch(`${t.url}/api/v1/nothing`)).status).toBe(404);
    } finally {
      await t.close();
    }
  });

  it('client aborts while a command is pending then the gateway survives and answers others', async () => {
    const t = await startTestGateway({ handler: (c) => new Promise((r) => setTimeout(() => r({ id: c.id, ok: true }), 150)) });
    try {
      const ac = new AbortController();
      const pending = fetch(`${t.url}/api/v1/risk/flatten`, { method: 'POST', headers: t.auth, body: '{"reason":"x"}', signal: ac.signal }).catch((e: unknown) => e);
      await new Promise((r) => setTimeout(r, 30));
      ac.abort();
      expect(await pending).toBeInstanceOf(Error);
      await new Promise((r) => setTimeout(r, 200));
      expect((await fetch(`${t.url}/api/v1/health`)).status).toBe(200);
    } finally {
      await t.close();
    }
  });
});
